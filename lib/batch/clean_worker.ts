/**
 * A worker of the cleaning pool (`clean_pool.ts`): reads one gzip NDJSON raw
 * object from a local file, cleans its lines (`clean_lines.ts`), writes the
 * cleaned pins as NDJSON to the output file, and answers with the counts.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { gunzipSync } from "node:zlib";
import { Buffer } from "node:buffer";
import { cleanLines } from "./clean_lines.ts";
import type { CleanJob, CleanReply } from "./clean_pool.ts";

const encoder = new TextEncoder();

self.onmessage = async (event: MessageEvent<CleanJob>) => {
  const { id, input, output } = event.data;
  let reply: CleanReply;
  try {
    const raw = gunzipSync(await Deno.readFile(input));
    // Buffer's decoder: invalid UTF-8 becomes U+FFFD, as the stream's records are decoded.
    const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8");
    using file = Deno.openSync(output, { write: true, create: true, truncate: true });
    const { counts, nulled } = cleanLines(text, (chunk) => {
      const bytes = encoder.encode(chunk);
      for (let written = 0; written < bytes.length;) {
        written += file.writeSync(bytes.subarray(written));
      }
    });
    reply = { id, counts, nulled };
  } catch (error) {
    reply = { id, error: `Cannot clean ${input}: ${(error as Error).message}` };
  }
  self.postMessage(reply);
};
