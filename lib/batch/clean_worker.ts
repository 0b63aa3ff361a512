/**
 * A worker of the cleaning pool (`clean_pool.ts`): reads one gzip NDJSON raw
 * object from a local file, cleans its lines (`clean_lines.ts`), writes the
 * cleaned pins as NDJSON to the output file, and answers with the counts.
 *
 * The decompressed object is decoded and cleaned a slice of whole lines at a
 * time: a worker's heap holds one slice's strings, not the whole object's.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { gunzipSync } from "node:zlib";
import { Buffer } from "node:buffer";
import { addCleaned, type CleanedLines, cleanLines } from "./clean_lines.ts";
import type { CleanJob, CleanReply } from "./clean_pool.ts";

const encoder = new TextEncoder();

/** Bytes of decompressed NDJSON decoded and cleaned at once (then up to the next line end). */
const SLICE_BYTES = 1 << 20;
const NEWLINE = 0x0a;

self.onmessage = async (event: MessageEvent<CleanJob>) => {
  const { id, input, output } = event.data;
  let reply: CleanReply;
  try {
    const raw = gunzipSync(await Deno.readFile(input));
    using file = Deno.openSync(output, { write: true, create: true, truncate: true });
    const sink = (chunk: string) => {
      const bytes = encoder.encode(chunk);
      for (let written = 0; written < bytes.length;) {
        written += file.writeSync(bytes.subarray(written));
      }
    };
    const total: CleanedLines = {
      counts: { rowsIn: 0, badJson: 0, invalid: 0, valid: 0 },
      nulled: {},
    };
    for (let start = 0; start < raw.length;) {
      // A slice ends after a line feed byte, never inside a multi-byte UTF-8 sequence.
      const feed = raw.indexOf(NEWLINE, Math.min(start + SLICE_BYTES, raw.length) - 1);
      const end = feed === -1 ? raw.length : feed + 1;
      // Buffer's decoder: invalid UTF-8 becomes U+FFFD, as the stream's records are decoded.
      const text = Buffer.from(raw.buffer, raw.byteOffset + start, end - start).toString("utf8");
      addCleaned(total, cleanLines(text, sink));
      start = end;
    }
    reply = { id, ...total };
  } catch (error) {
    reply = { id, error: `Cannot clean ${input}: ${(error as Error).message}` };
  }
  self.postMessage(reply);
};
