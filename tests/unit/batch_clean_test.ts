import assert from "node:assert/strict";
import fc from "fast-check";
import { type CleanPin, SENTINELS } from "../../lib/pin/clean_pin.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import type { HistoryRow } from "../../lib/history/history_store.ts";
import { parseRecord } from "../../lib/stream/parse_record.ts";
import { batchClean } from "../fixtures/batch_clean.ts";
import { buildEvent, eventRecipe } from "../fuzz/event_arbitraries.ts";
import { toJsonText } from "../fuzz/json_text.ts";

const BASE = {
  index: 7528,
  unique_id: "fbe53c66-3442-4773-b19e-d3ec6f54dddf",
  title: "Nice title",
  description: "A description",
  poster_name: "Cozy Studio",
  follower_count: "12k",
  tag_list: "a,b,c",
  is_image_or_video: "image",
  image_src: "https://i.pinimg.com/x.jpg",
  downloaded: 1,
  save_location: "Local save in /data/art",
  category: "art",
  received_at: "2026-03-01T10:00:00.123Z",
};

const FOLLOWERS = [
  "523",
  "12k",
  "1.5k",
  "1.15k",
  "1M",
  "1.2M",
  "3B",
  " 12k ",
  "",
  "abc",
  "-5",
  "1.2.3k",
  "12kk",
  "1e3",
  "12K",
  "12 k",
  "12\u00a0k",
  "12\u212a", // Kelvin sign: not a k for JavaScript
  "1.",
  ".5k",
  "0.5",
  "2.5",
  "0.0005k",
  "9007199254740991",
  "9007199254740992",
  "9007199254.740991M",
  "9".repeat(400),
  "0".repeat(400) + "1",
  "1" + "0".repeat(30) + "B",
  "１２k",
  "١٢",
  "12 ",
  "\u3000 7k\ufeff",
  "12m",
  "12b",
  "User Info Error",
  " User Info Error ",
];

const TIMES = [
  undefined,
  "2026-01-01T00:00:00Z",
  "2026-01-01T00:00:00.1Z",
  "2026-01-01T00:00:00.123456789Z",
  "2026-01-01T00:00:00.9999Z",
  "2026-06-15T12:30:00+05:30",
  "2026-06-15T12:30:00-08:00",
  "2026-02-30T00:00:00Z",
  "2024-02-29T23:59:59.999+23:59",
  "2026-01-01T24:00:00Z",
  "2026-01-01T24:00:00.000Z",
  "2026-01-01T24:00:00.5Z",
  "2026-01-01T24:00:01Z",
  "2026-13-01T00:00:00Z",
  "2026-00-01T00:00:00Z",
  "2026-01-00T00:00:00Z",
  "2026-01-32T00:00:00Z",
  "2026-01-01T00:60:00Z",
  "2026-01-01T00:00:60Z",
  "2026-01-01T00:00:00+24:00",
  "2026-01-01T00:00:00-00:60",
  "0000-01-01T00:00:00+01:00",
  "1969-12-31T23:59:59.999Z",
  "1900-03-01T00:00:00Z",
  "9999-12-31T24:00:00-23:59",
  "9999-12-31T23:59:59.999Z",
  "0001-01-01T00:00:00Z",
  "0001-01-01T00:30:00+01:00",
  "2026-01-01 00:00:00Z",
  "2026-01-01T00:00:00",
  "not a time",
];

function _variants(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const add = (patch: Record<string, unknown>) => out.push({ ...BASE, ...patch });
  for (const follower_count of FOLLOWERS) add({ follower_count });
  for (const [field, values] of Object.entries(SENTINELS)) {
    for (const value of values) {
      add({ [field]: value });
      add({ [field]: ` ${value}\u00a0` });
      add({ [field]: value.toLowerCase() });
    }
  }
  for (const field of ["title", "description", "poster_name", "image_src", "unique_id"]) {
    for (const value of ["", "   ", "\u2028x\u2029", "\u180ey\u0085", "Café 東京 🎨", " a  b "]) {
      add({ [field]: value });
    }
  }
  for (
    const tag_list of [
      "a,b",
      " a , ,b ,",
      ",,,",
      "",
      "single",
      "Ωmega,Живопись, 東京 ",
      "a,\u00a0,b",
      "N,o, ,T,a,g,s",
    ]
  ) add({ tag_list });
  for (
    const save_location of [
      "Local save in /data/art",
      "  Local save in /data/art  ",
      "\u00a0Local save in/data",
      "Local save inside/data",
      "Local save in ",
      "local save in /data",
      "/data/plain",
      "",
      "Local save in Local save in /x",
    ]
  ) add({ save_location });
  for (
    const is_image_or_video of [
      "image",
      " IMAGE ",
      "video",
      "multi-video(story page format)",
      "Video clip",
      "İmage",
      "vİdeo",
      "picture",
      "",
      "images",
    ]
  ) add({ is_image_or_video });
  for (
    const category of [
      "art",
      " Travel ",
      "DIY-and-Crafts",
      "",
      "Straße",
      "İstanbul",
      "ΟΔΟΣ",
      "Ünïcödé",
      "\u3000art\u3000",
    ]
  ) add({ category });
  for (const event_time of TIMES) add(event_time === undefined ? {} : { event_time });
  for (const index of [0, -1, 1.5, 1e3, 9007199254740991, 9007199254740992, "1"]) add({ index });
  for (const downloaded of [0, 1, 2.0, -0, true, null]) add({ downloaded });
  for (
    const received_at of [
      "2026-03-01T00:00:00Z",
      "2026-03-01T23:59:59.999+01:00",
      "yesterday",
      "2026-03-01",
      "0000-06-01T00:00:00Z",
    ]
  ) add({ received_at });
  for (const event_id of ["", "x".repeat(128), "x".repeat(129), "🎨".repeat(64), "🎨".repeat(65)]) {
    add({ event_id });
  }
  add({ title: "x".repeat(65_536) });
  add({ title: "x".repeat(65_537) });
  add({ title: "🎨".repeat(32_768) });
  add({ title: "🎨".repeat(32_769) });
  add({ title: "é".repeat(65_536) });
  add({ extra: { nested: [1, 2, { deep: true }] }, another: "kept" });
  let deep: unknown = 1;
  for (let i = 0; i < 16; i++) deep = [deep];
  add({ extra: deep });
  add({ extra: [deep] });
  add({ extra: "{{{{{{{{{{{{{{{{{{{{[[[[[[[[[[[[[[[[[[[" });
  // The text policy: U+0000 and lone surrogates (JSON escapes in the line) anywhere in the event.
  for (const field of ["title", "poster_name", "category", "event_id", "received_at"]) {
    add({ [field]: `p\u0000q` });
  }
  add({ title: "x\ud800y" });
  add({ description: "\udc00" });
  add({ poster_name: "🎨\ud83c" });
  add({ category: "a\udfffb\ud800" });
  add({ extra: { nested: ["ok", "\u0000"] } });
  add({ extra: { "k\ud800": 1 } });
  add({ ["k\u0000"]: 1 });
  add({ title: "\\u0000 and \\ud800 as text", description: "🎨\ud83c\udfa8" });
  add({ title: null });
  add({ title: 5 });
  add({ category: undefined });
  add({ event_time: null });
  return out;
}

/** The stream's cleaned pin as the batch stores it: instants in epoch milliseconds. */
function _asRow(pin: CleanPin): HistoryRow {
  return {
    ...pin,
    event_time: Date.parse(pin.event_time),
    received_at: Date.parse(pin.received_at),
    downloaded: pin.downloaded === 0 ? 0 : pin.downloaded,
  };
}

/**
 * Cleans the lines in the batch and asserts every count and row is what the
 * stream job decides for the same lines (`parseRecord`); every line must hold
 * its own `event_id`.
 */
async function _assertAgreement(lines: string[], objects: number): Promise<void> {
  const { counts, rows } = await batchClean(lines, objects);
  const decided = lines.filter((line) => line !== "").map(parseRecord);
  const expected = new Map<string, CleanPin>();
  for (const result of decided) if (result.ok) expected.set(result.pin.event_id, result.pin);
  const notJson = decided.filter((result) => !result.ok && result.reason === "not JSON").length;
  assert.equal(counts.rowsIn, decided.length, "empty lines are not counted");
  assert.equal(counts.badJson, notJson);
  assert.equal(counts.valid, expected.size);
  assert.equal(counts.invalid, decided.length - expected.size - notJson);
  assert.equal(counts.duplicates, 0);
  assert.equal(rows.length, expected.size);
  for (const row of rows) {
    const want = expected.get(row.event_id);
    assert.ok(want, `unexpected row ${row.event_id}`);
    assert.deepEqual(row, _asRow(want), `event ${row.event_id}`);
  }
}

Deno.test("[batch] the batch's cleaned rows equal the stream's on every rule and edge case", async () => {
  const variants = _variants().map((event, i) => ({ event_id: `e-${i}`, ...event }));
  const lines = variants.map((event) => JSON.stringify(event));
  lines.push("not json", '{"index": 1', "[1,2]", '"text"', "null", "   ", "");
  // Raw NUL bytes (never JSON) from another producer: one line each, whatever follows.
  lines.push("\u0000garbage", `${JSON.stringify({ ...BASE, event_id: "nul-after" })}\u0000`);
  await _assertAgreement(lines, 2);
});

Deno.test("[batch] the batch's cleaned rows equal the stream's on the generator's and the fuzzer's events", async () => {
  const received = Date.parse("2026-03-01T10:00:00.000Z");
  const next = createPinGenerator({
    seed: 7,
    span: { from: new Date("2025-01-01T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z") },
  });
  const generated = Array.from({ length: 2000 }, (_, i) =>
    JSON.stringify({
      ...next(),
      event_id: `g${i}`,
      received_at: new Date(received + i).toISOString(),
    }));
  const fuzzed = fc.sample(eventRecipe(), { seed: 14, numRuns: 600 }).map((recipe, i) => {
    const event = buildEvent(recipe, { start: received, ordinal: i });
    // A received_at the edge would stamp, unless a mutation replaced it.
    if (!("received_at" in event)) event.received_at = new Date(received + i).toISOString();
    return toJsonText(event);
  });
  // A mutated event_id can repeat another's: keep the first line of each id, so that every
  // valid line stands for one cleaned row.
  const ids = new Set<string>();
  const unique = [...generated, ...fuzzed].filter((line) => {
    const parsed = parseRecord(line);
    if (!parsed.ok) return true;
    if (ids.has(parsed.pin.event_id)) return false;
    ids.add(parsed.pin.event_id);
    return true;
  });
  await _assertAgreement(unique, 3);
});

Deno.test("[batch] a raw object larger than a cleaning slice keeps every line, multi-byte text included", async () => {
  // About 4 MiB in one object: the worker cleans it in several slices of whole lines.
  const lines = Array.from({ length: 3000 }, (_, i) =>
    JSON.stringify({
      ...BASE,
      event_id: `big-${i}`,
      description: `${"é✓😀 ".repeat(100)}${i}`,
      received_at: new Date(Date.parse(BASE.received_at) + i).toISOString(),
    }));
  await _assertAgreement(lines, 1);
});
