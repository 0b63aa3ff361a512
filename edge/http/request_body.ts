/**
 * Reads a request body, bounded before and after
 * decompression: a body declaring a length over the limit is refused
 * unread, one without a declared length as soon as it passes the limit
 * while it arrives, and one with a declared length within the limit is taken
 * whole (the server holds it to that length); a `gzip` body (`Content-Encoding`) is then decompressed and
 * refused as soon as its decompressed size would pass the same limit, so a
 * decompression bomb costs no more than the limit. `identity` is read as is;
 * any other encoding is answered 415.
 *
 * @module
 */

import { gunzipSync } from "node:zlib";
import { HttpError } from "./http_error.ts";

function _tooLarge(maxBytes: number, what: string): HttpError {
  return new HttpError(413, `${what} exceeds ${maxBytes} bytes`, [
    { path: "$", message: `Send at most ${maxBytes} bytes per request (after decompression)` },
  ]);
}

function _encoding(header: string | null): "identity" | "gzip" {
  const encoding = (header ?? "").trim().toLowerCase();
  if (encoding === "" || encoding === "identity") return "identity";
  if (encoding === "gzip" || encoding === "x-gzip") return "gzip";
  throw new HttpError(415, `Unsupported Content-Encoding '${header}'; send gzip or identity`, [
    { path: "Content-Encoding", message: "Expected gzip or identity" },
  ]);
}

async function _collect(stream: ReadableStream<Uint8Array>, maxBytes: number, what: string) {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw _tooLarge(maxBytes, what);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

function _gunzip(compressed: Uint8Array, maxBytes: number): Uint8Array {
  try {
    // zlib stops as soon as the output would pass the limit (a DecompressionStream would
    // inflate a whole 64 KiB chunk, 64 MiB of a bomb, before the first read).
    return gunzipSync(compressed, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw _tooLarge(maxBytes, "Decompressed body");
    }
    const reason = (error as Error).message;
    throw new HttpError(400, `Body is labelled gzip but is not valid gzip: ${reason}`, [
      { path: "Content-Encoding", message: "Send a gzip body, or no Content-Encoding" },
    ]);
  }
}

/**
 * Reads a request's body within the limit, decompressed.
 *
 * @param raw The request.
 * @param maxBytes Most bytes of the body, before and after decompression.
 * @returns The body's bytes.
 * @throws {HttpError} 413 (too large), 415 (encoding) or 400 (not gzip).
 */
export async function readRequestBody(raw: Request, maxBytes: number): Promise<Uint8Array> {
  const headers = raw.headers;
  const declared = headers.get("content-length");
  const whole = declared !== null && /^\d+$/.test(declared) && !headers.has("transfer-encoding");
  if (whole && Number(declared) > maxBytes) throw _tooLarge(maxBytes, "Request body");
  const encoding = _encoding(headers.get("content-encoding"));
  let body: Uint8Array;
  if (whole) body = new Uint8Array(await raw.arrayBuffer());
  else body = raw.body ? await _collect(raw.body, maxBytes, "Request body") : new Uint8Array(0);
  return encoding === "gzip" ? _gunzip(body, maxBytes) : body;
}
