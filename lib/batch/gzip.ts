/**
 * Gzip of whole buffers with the web CompressionStream (no dependency).
 *
 * @module
 */

/**
 * Compresses bytes with gzip.
 *
 * @param bytes The input.
 * @returns The gzip member.
 */
export async function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
