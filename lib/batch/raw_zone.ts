/**
 * The raw and curated zones of the archive as the batch sees them.
 *
 * @module
 */

import type { ObjectInfo, ObjectStore } from "../archive/object_store.ts";
import type { BatchRun, RunInput } from "../history/history_store.ts";

/** Prefix of a batch day's raw objects. */
export function rawDayPrefix(day: string): string {
  return `pins/dt=${day}/`;
}

/** Prefix of a batch day's curated objects. */
export function curatedDayPrefix(day: string): string {
  return `curated/dt=${day}/`;
}

/** The single curated object of a day. */
export function curatedKey(day: string): string {
  return `${curatedDayPrefix(day)}part-0.parquet`;
}

const RAW_KEY = /^pins\/dt=(\d{4}-\d{2}-\d{2})\/.+\.ndjson\.gz$/;

/**
 * The raw objects of one day, as run inputs.
 *
 * @param store The archive.
 * @param day The batch day.
 * @returns The inputs in key order.
 */
export async function listDayInputs(store: ObjectStore, day: string): Promise<RunInput[]> {
  return (await store.list(rawDayPrefix(day)))
    .filter((object) => RAW_KEY.test(object.key))
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
  for (const object of await store.list("pins/dt=")) {
    const day = RAW_KEY.exec(object.key)?.[1];
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
