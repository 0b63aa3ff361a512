/**
 * The raw and curated zones of the archive as the batch sees them: a day's
 * inputs and whether the day is due. The key layout itself is
 * `lib/archive/archive_key.ts`; objects whose keys do not parse against it
 * are not inputs.
 *
 * @module
 */

import { parseArchiveKey, RAW_PREFIX, rawDayPrefix } from "../archive/archive_key.ts";
import type { ObjectInfo, ObjectStore } from "../archive/object_store.ts";
import type { BatchRun, RunInput } from "../history/history_store.ts";

export { curatedDayPrefix, curatedKey } from "../archive/archive_key.ts";

/**
 * The raw objects of one day, as run inputs.
 *
 * @param store The archive.
 * @param day The batch day.
 * @returns The inputs in key order.
 */
export async function listDayInputs(store: ObjectStore, day: string): Promise<RunInput[]> {
  return (await store.list(rawDayPrefix(day)))
    .filter((object) => parseArchiveKey(object.key)?.dt === day)
    .map(_input);
}

/**
 * Every raw object, grouped by batch day.
 *
 * @param store The archive.
 * @returns Inputs by day, days ascending.
 */
export async function listRawDays(store: ObjectStore): Promise<Map<string, RunInput[]>> {
  const days = new Map<string, RunInput[]>();
  for (const object of await store.list(RAW_PREFIX)) {
    const day = parseArchiveKey(object.key)?.dt;
    if (day === undefined) continue;
    const list = days.get(day) ?? [];
    list.push(_input(object));
    days.set(day, list);
  }
  return new Map([...days].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function _input(object: ObjectInfo): RunInput {
  return { key: object.key, etag: object.etag, size: object.size };
}

/**
 * Whether a day must be (re)processed: never run, last run failed, or its
 * objects (keys and etags) changed since.
 *
 * @param inputs The day's objects now.
 * @param last The day's latest run, if any.
 * @returns True when due.
 */
export function isDayDue(inputs: RunInput[], last: BatchRun | undefined): boolean {
  if (last === undefined || last.status !== "succeeded") return true;
  const key = (list: RunInput[]) =>
    list.map((input) => `${input.key}\u0000${input.etag}`).sort().join("\n");
  return key(inputs) !== key(last.inputs);
}
