/**
 * The flush intent: before a partition's buffer is uploaded, the archiver
 * writes which offset range it is about to archive
 * (`_state/archive/topic=<topic>/partition=<p>.json`). A worker that resumes
 * from exactly that range's first offset (the upload happened, or began, but
 * the commit did not) flushes exactly the same range again, so it rewrites
 * the same keys instead of archiving those records a second time under
 * other offsets. A size or age bound alone would cut the replay elsewhere.
 *
 * @module
 */

import type { ObjectStore } from "./object_store.ts";

/** The offset range a partition's worker was archiving. */
export interface FlushIntent {
  version: 1;
  topic: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
  /** The objects of the range, for operators. */
  keys: string[];
  writtenAt: string;
}

/**
 * Where a partition's intent lives.
 *
 * @param topic The topic.
 * @param partition The partition.
 * @returns The key.
 */
export function intentKey(topic: string, partition: number): string {
  return `_state/archive/topic=${topic}/partition=${partition}.json`;
}

/**
 * Writes a partition's intent, replacing the previous one.
 *
 * @param store The archive.
 * @param intent The range about to be archived.
 */
export async function writeIntent(store: ObjectStore, intent: FlushIntent): Promise<void> {
  const body = new TextEncoder().encode(JSON.stringify(intent));
  await store.put(intentKey(intent.topic, intent.partition), body, "application/json");
}

/**
 * Reads a partition's intent.
 *
 * @param store The archive.
 * @param topic The topic.
 * @param partition The partition.
 * @returns The intent, or null when none was written or it cannot be used.
 * @throws When the store cannot be read (the caller retries: guessing is not safe).
 */
export async function readIntent(
  store: ObjectStore,
  topic: string,
  partition: number,
): Promise<FlushIntent | null> {
  const key = intentKey(topic, partition);
  const listed = await store.list(key);
  if (!listed.some((object) => object.key === key)) return null;
  const text = new TextDecoder().decode(await store.get(key));
  let intent: Partial<FlushIntent>;
  try {
    intent = JSON.parse(text);
  } catch {
    return null;
  }
  const valid = intent.version === 1 && intent.topic === topic &&
    intent.partition === partition && Number.isSafeInteger(intent.firstOffset) &&
    Number.isSafeInteger(intent.lastOffset) && intent.lastOffset! >= intent.firstOffset!;
  return valid ? intent as FlushIntent : null;
}
