/**
 * Test support for the batch: a multi-year data set written in the
 * archiver's raw layout through the ObjectStore port, its ground truth
 * computed independently in plain TypeScript with lib/pin/clean_pin.ts, and a
 * check of every aggregate of a history store against it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { archiveKey } from "../../lib/archive/archive_key.ts";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import { type CleanPin, cleanPin } from "../../lib/pin/clean_pin.ts";
import { type ReceivedPin, validatePinEvent } from "../../lib/pin/pin_event.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createRandom } from "../../lib/emulate/seeded_random.ts";
import { gzipBytes } from "../fixtures/gzip.ts";
import type { HistoryProbe } from "../fixtures/history_probe.ts";
import {
  type CategoryPins,
  type HistoryStore,
  type ProfileStats,
  rankCategories,
  rankProfiles,
} from "../../lib/history/history_store.ts";

/** Options of {@linkcode buildDataset}. */
export interface DatasetOptions {
  seed: number;
  events: number;
  /** Batch days (received_at); event_time spreads over `span`. */
  days: string[];
  span: { from: Date; to: Date };
  duplicateRate?: number;
  invalidRate?: number;
}

/** Raw lines per batch day. */
export type Dataset = Map<string, string[]>;

/**
 * Generates raw lines: events of a multi-year `event_time` span received on
 * a few batch days, plus duplicates (same event_id, received later the
 * same day) and invalid lines.
 */
export function buildDataset(options: DatasetOptions): Dataset {
  const { seed, events, days, span, duplicateRate = 0.03, invalidRate = 0.01 } = options;
  const next = createPinGenerator({ seed, span, posters: 300 });
  const random = createRandom(seed + 1);
  const dataset: Dataset = new Map(days.map((day) => [day, []]));
  for (let i = 0; i < events; i++) {
    const day = days[random.int(days.length)]!;
    const received = Date.parse(`${day}T00:00:00Z`) + random.int(86_400_000 - 10_000);
    const event = { ...next(), received_at: new Date(received).toISOString() };
    if (random.chance(0.1)) delete event.event_time; // falls back to received_at
    const lines = dataset.get(day)!;
    lines.push(JSON.stringify(event));
    if (random.chance(duplicateRate)) {
      const again = {
        ...event,
        received_at: new Date(received + 1000 + random.int(5000)).toISOString(),
      };
      lines.push(JSON.stringify(again));
    }
    if (random.chance(invalidRate)) {
      lines.push(
        random.chance(0.5)
          ? `{"index": ${i}, "truncated`
          : JSON.stringify({ ...event, event_id: `bad-${i}`, index: "not a number" }),
      );
    }
  }
  return dataset;
}

/**
 * Writes lines as the archiver does: one gzip NDJSON object per received hour.
 *
 * @returns The keys written per day.
 */
export async function writeRaw(
  store: ObjectStore,
  dataset: Dataset,
  partition = 0,
): Promise<Map<string, string[]>> {
  const keys = new Map<string, string[]>();
  let offset = 0;
  for (const [day, lines] of dataset) {
    const byHour = new Map<string, string[]>();
    for (const line of lines) {
      const hour = /"received_at":"\d{4}-\d{2}-\d{2}T(\d{2})/.exec(line)?.[1] ?? "00";
      byHour.set(hour, [...(byHour.get(hour) ?? []), line]);
    }
    for (const [hour, hourLines] of [...byHour].sort()) {
      const key = archiveKey(
        `dt=${day}/hour=${hour}`,
        partition,
        offset,
        offset + hourLines.length - 1,
      );
      offset += hourLines.length;
      await store.put(key, await gzipBytes(new TextEncoder().encode(hourLines.join("\n") + "\n")));
      keys.set(day, [...(keys.get(day) ?? []), key]);
    }
  }
  return keys;
}

/** The expected state of the history store. */
export interface Truth {
  rowsOut: Map<string, number>;
  invalid: Map<string, number>;
  duplicates: Map<string, number>;
  categoriesByYear: Map<number, CategoryPins[]>;
  categoriesByDay: Map<string, CategoryPins[]>;
  media: Map<number, { image: number; video: number; unknown: number }>;
  profiles: Map<string, ProfileStats[]>;
  years: number[];
}

function _batchValid(value: unknown): value is ReceivedPin {
  if (!validatePinEvent(value).ok) return false;
  const pin = value as Record<string, unknown>;
  return typeof pin.event_id === "string" && typeof pin.received_at === "string" &&
    !Number.isNaN(Date.parse(pin.received_at));
}

/** Computes the ground truth from raw lines, independently of the batch. */
export function groundTruth(dataset: Dataset): Truth {
  const truth: Truth = {
    rowsOut: new Map(),
    invalid: new Map(),
    duplicates: new Map(),
    categoriesByYear: new Map(),
    categoriesByDay: new Map(),
    media: new Map(),
    profiles: new Map(),
    years: [],
  };
  const byYear = new Map<number, Map<string, number>>();
  const byDay = new Map<string, Map<string, number>>();
  const profiles = new Map<string, Map<string, ProfileStats>>();
  for (const [day, lines] of dataset) {
    const kept = new Map<string, CleanPin>();
    let invalid = 0, valid = 0;
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        invalid++;
        continue;
      }
      if (!_batchValid(value)) {
        invalid++;
        continue;
      }
      valid++;
      const pin = cleanPin(value);
      const seen = kept.get(pin.event_id);
      if (!seen || Date.parse(pin.received_at) < Date.parse(seen.received_at)) {
        kept.set(pin.event_id, pin);
      }
    }
    truth.rowsOut.set(day, kept.size);
    truth.invalid.set(day, invalid);
    truth.duplicates.set(day, valid - kept.size);
    for (const pin of kept.values()) {
      const year = Number(pin.event_time.slice(0, 4));
      const date = pin.event_time.slice(0, 10);
      const media = truth.media.get(year) ?? { image: 0, video: 0, unknown: 0 };
      media[pin.media_type]++;
      truth.media.set(year, media);
      if (pin.category === null) continue;
      for (const [map, key] of [[byYear, year], [byDay, date]] as const) {
        const totals = (map as Map<typeof key, Map<string, number>>).get(key) ?? new Map();
        totals.set(pin.category, (totals.get(pin.category) ?? 0) + 1);
        (map as Map<typeof key, Map<string, number>>).set(key, totals);
      }
      if (pin.poster_name === null) continue;
      const posters = profiles.get(pin.category) ?? new Map<string, ProfileStats>();
      const stats = posters.get(pin.poster_name) ??
        { poster_name: pin.poster_name, follower_count: null, pins: 0 };
      stats.pins++;
      if (
        pin.follower_count !== null &&
        (stats.follower_count === null || pin.follower_count > stats.follower_count)
      ) stats.follower_count = pin.follower_count;
      posters.set(pin.poster_name, stats);
      profiles.set(pin.category, posters);
    }
  }
  for (const [year, totals] of byYear) truth.categoriesByYear.set(year, rankCategories(totals));
  for (const [day, totals] of byDay) truth.categoriesByDay.set(day, rankCategories(totals));
  for (const [category, posters] of profiles) {
    truth.profiles.set(category, rankProfiles([...posters.values()], 10));
  }
  truth.years = [...byYear.keys()].sort((a, b) => a - b);
  return truth;
}

/**
 * Asserts that every aggregate of `history` equals the ground truth, reading
 * what the port does not offer through `probe`.
 */
export async function assertMatchesTruth(
  history: HistoryStore,
  probe: HistoryProbe,
  truth: Truth,
): Promise<void> {
  assert.deepEqual(await history.yearsAvailable(), truth.years, "years available");
  for (const [year, expected] of truth.categoriesByYear) {
    assert.deepEqual(await history.categoriesByYear(year), expected, `categories of ${year}`);
    assert.deepEqual(await history.topCategory(year), expected[0] ?? null, `top of ${year}`);
  }
  for (const [year, expected] of truth.media) {
    assert.deepEqual(await history.mediaByYear(year), expected, `media of ${year}`);
  }
  const sampleDays = [...truth.categoriesByDay.keys()].sort().filter((_, i) => i % 97 === 0);
  for (const day of sampleDays) {
    assert.deepEqual(
      await probe.categoriesByDay(day),
      truth.categoriesByDay.get(day),
      `categories of ${day}`,
    );
  }
  for (const [category, expected] of truth.profiles) {
    assert.deepEqual(await history.topProfiles(category, 10), expected, `profiles of ${category}`);
  }
  const runs = new Map((await history.runs()).map((run) => [run.day, run]));
  for (const [day, rows] of truth.rowsOut) {
    assert.equal(await probe.countRows(day), rows, `rows of ${day}`);
    const run = runs.get(day);
    assert.equal(run?.status, "succeeded", `run of ${day}`);
    assert.equal(run?.rowsOut, rows, `run rows of ${day}`);
    assert.equal(run?.invalid, truth.invalid.get(day), `run invalid of ${day}`);
    assert.equal(run?.duplicates, truth.duplicates.get(day), `run duplicates of ${day}`);
  }
}

/** A snapshot of everything the readers return, to compare two runs. */
export async function snapshot(
  history: HistoryStore,
  probe: HistoryProbe,
  truth: Truth,
): Promise<unknown> {
  const out: Record<string, unknown> = { years: await history.yearsAvailable() };
  for (const year of truth.years) {
    out[`c${year}`] = await history.categoriesByYear(year);
    out[`m${year}`] = await history.mediaByYear(year);
  }
  for (const category of truth.profiles.keys()) {
    out[`p${category}`] = await history.topProfiles(category, 1000);
  }
  for (const day of truth.rowsOut.keys()) out[`r${day}`] = await probe.countRows(day);
  return out;
}
