/**
 * The event id a replayed dead letter gets when its raw text has none: a
 * UUID (version 8, RFC 9562) built from a SHA-256 of the record's position on
 * the dead-letter topic and its `received_at`, so every replay of a record
 * publishes the same id and the stream job counts it once.
 *
 * @module
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const encoder = new TextEncoder();

/** What identifies a dead-letter record for {@linkcode replayEventId}. */
export interface ReplayedRecord {
  topic: string;
  partition: number;
  offset: number;
  /** The record's `received_at`: a recreated topic reuses offsets, not times. */
  receivedAt: string;
}

/**
 * The deterministic event id of a dead-letter record.
 *
 * @param record The topic, partition, offset and `received_at` of the record.
 * @returns A UUID such as `3f0c…-…-8…-…`; the same for the same record.
 * @example
 * ```ts
 * await replayEventId({ topic: "pins.dlq", partition: 0, offset: 41, receivedAt: "2026-11-26T10:15:00.000Z" });
 * ```
 */
export async function replayEventId(record: ReplayedRecord): Promise<string> {
  const name = ["pins-dlq-replay", record.topic, record.partition, record.offset, record.receivedAt]
    .join("\n");
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(name)), 0, 16);
  bytes[6] = 0x80 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  let out = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += "-";
    out += HEX[bytes[i]!];
  }
  return out;
}
