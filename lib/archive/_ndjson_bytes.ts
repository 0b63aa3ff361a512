/**
 * NDJSON written as UTF-8 while records arrive: each line is encoded into
 * fixed-size chunks as it is appended, so a buffer holds bytes (outside the
 * V8 heap, never copied by the garbage collector) rather than strings.
 *
 * @module
 */

/** Bytes of a chunk; a longer line gets a chunk of its own size. */
const CHUNK_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

/** NDJSON being written. */
export interface NdjsonBytes {
  /** Appends a line and its newline, as UTF-8. */
  append(line: string): void;
  /** Bytes appended so far. */
  byteLength(): number;
  /** Every byte appended, as one array (joined once; later calls return the same bytes). */
  bytes(): Uint8Array;
  /** Drops what was appended and starts empty again. */
  clear(): void;
}

/**
 * Creates an empty NDJSON writer.
 *
 * @returns The writer.
 */
export function createNdjsonBytes(): NdjsonBytes {
  let full: Uint8Array[] = [];
  let fullBytes = 0;
  let chunk = new Uint8Array(0);
  let at = 0;

  function nextChunk(atLeast: number): void {
    if (at > 0) {
      full.push(chunk.subarray(0, at));
      fullBytes += at;
    }
    chunk = new Uint8Array(Math.max(CHUNK_BYTES, atLeast));
    at = 0;
  }

  return {
    append(line) {
      let rest = line;
      for (;;) {
        const { read, written } = encoder.encodeInto(rest, chunk.subarray(at));
        at += written;
        if (read === rest.length) break;
        rest = rest.slice(read);
        // Three bytes per UTF-16 unit at most (a surrogate pair is two units for four bytes).
        nextChunk(rest.length * 3 + 1);
      }
      if (at === chunk.length) nextChunk(1);
      chunk[at++] = 10;
    },
    byteLength: () => fullBytes + at,
    bytes() {
      if (full.length > 0) {
        const out = new Uint8Array(fullBytes + at);
        let offset = 0;
        for (const part of full) {
          out.set(part, offset);
          offset += part.byteLength;
        }
        out.set(chunk.subarray(0, at), offset);
        full = [];
        fullBytes = 0;
        chunk = out;
        at = out.byteLength;
      }
      return chunk.subarray(0, at);
    },
    clear() {
      full = [];
      fullBytes = 0;
      chunk = new Uint8Array(0);
      at = 0;
    },
  };
}
