import assert from "node:assert/strict";
import { hourBucket, RAW_PREFIX } from "../../lib/archive/archive_key.ts";
import { createPartitionBuffer, sealedKeys } from "../../lib/archive/_partition_buffer.ts";
import { createNdjsonBytes } from "../../lib/archive/_ndjson_bytes.ts";

function record(offset: number, receivedAt: string): [number, string, string] {
  const value = JSON.stringify({ event_id: `e${offset}`, received_at: receivedAt });
  return [offset, value, hourBucket(value, 0)];
}

Deno.test("[partition_buffer] a flush spanning two hours becomes two objects", () => {
  const buffer = createPartitionBuffer(3);
  const records = [
    record(100, "2026-11-26T10:59:58.000Z"),
    record(101, "2026-11-26T10:59:59.999Z"),
    record(102, "2026-11-26T11:00:00.000Z"),
    record(103, "2026-11-26T11:00:01.000Z"),
  ];
  for (const [offset, value, bucket] of records) buffer.append(offset, value, bucket, 1);
  const sealed = buffer.seal()!;
  assert.equal(sealed.records, 4);
  assert.deepEqual([sealed.firstOffset, sealed.lastOffset], [100, 103]);
  assert.deepEqual(sealedKeys(sealed, RAW_PREFIX), [
    "pins/dt=2026-11-26/hour=10/3-00000000000000000100-00000000000000000101.ndjson.gz",
    "pins/dt=2026-11-26/hour=11/3-00000000000000000102-00000000000000000103.ndjson.gz",
  ]);
  assert.deepEqual(sealed.groups.map((group) => group.records), [2, 2]);
  assert.equal(
    new TextDecoder().decode(sealed.groups[0]!.ndjson.bytes()),
    `${records[0]![1]}\n${records[1]![1]}\n`,
  );
});

Deno.test("[partition_buffer] interleaved hours: each object is named by its own offsets", () => {
  const buffer = createPartitionBuffer(0);
  const records = [
    record(0, "2026-11-26T10:59:59.000Z"),
    record(1, "2026-11-26T11:00:00.000Z"),
    record(2, "2026-11-26T10:59:59.500Z"), // a late one from another edge instance
    record(3, "2026-11-26T11:00:02.000Z"),
  ];
  for (const [offset, value, bucket] of records) buffer.append(offset, value, bucket, 1);
  const sealed = buffer.seal()!;
  assert.deepEqual(sealedKeys(sealed, RAW_PREFIX), [
    "pins/dt=2026-11-26/hour=10/0-00000000000000000000-00000000000000000002.ndjson.gz",
    "pins/dt=2026-11-26/hour=11/0-00000000000000000001-00000000000000000003.ndjson.gz",
  ]);
  const text = sealed.groups.map((group) => new TextDecoder().decode(group.ndjson.bytes()));
  assert.deepEqual(text, [
    `${records[0]![1]}\n${records[2]![1]}\n`,
    `${records[1]![1]}\n${records[3]![1]}\n`,
  ]);
});

Deno.test("[partition_buffer] counts, size and age; seal empties it", () => {
  const buffer = createPartitionBuffer(1);
  assert.equal(buffer.seal(), null);
  assert.equal(buffer.startedAt(), null);
  buffer.append(5, "abc", "dt=2026-01-01/hour=00", 1000);
  buffer.append(7, "de", "dt=2026-01-01/hour=00", 2000);
  assert.equal(buffer.records(), 2);
  assert.equal(buffer.chars(), 7);
  assert.equal(buffer.startedAt(), 1000);
  const sealed = buffer.seal()!;
  assert.deepEqual([sealed.firstOffset, sealed.lastOffset, sealed.chars], [5, 7, 7]);
  assert.equal(buffer.records(), 0);
  assert.equal(buffer.startedAt(), null);
  assert.throws(() => {
    buffer.append(9, "x", "dt=2026-01-01/hour=00", 3);
    buffer.append(9, "y", "dt=2026-01-01/hour=00", 3);
  }, RangeError);
});

Deno.test("[ndjson_bytes] writes UTF-8 NDJSON across chunk boundaries joined once, then cleared", () => {
  const lines = ["plain", "Café Créatif", "東京デザイン", "😀".repeat(600), ""];
  // Enough lines to fill several 1 MiB chunks, with multi-byte characters cut at the edges.
  const many = Array.from({ length: 3000 }, (_, i) => lines[i % lines.length]!);
  for (const input of [lines, many, ["x".repeat(3 * 1024 * 1024)]]) {
    const ndjson = createNdjsonBytes();
    for (const line of input) ndjson.append(line);
    const expected = new TextEncoder().encode(input.join("\n") + "\n");
    assert.equal(ndjson.byteLength(), expected.byteLength);
    assert.deepEqual(ndjson.bytes(), expected);
    assert.deepEqual(ndjson.bytes(), expected);
    ndjson.append("after");
    assert.equal(new TextDecoder().decode(ndjson.bytes().subarray(expected.byteLength)), "after\n");
    ndjson.clear();
    assert.equal(ndjson.byteLength(), 0);
    assert.deepEqual(ndjson.bytes(), new Uint8Array());
  }
});
