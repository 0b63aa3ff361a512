import assert from "node:assert/strict";
import { chooseGrain, DEFAULT_AGGREGATE_RETENTION, seriesGrain } from "../../lib/realtime/grain.ts";

const NOW = new Date("2026-12-01T12:34:56Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const H = 3_600_000;
const D = 24 * H;

Deno.test("[grain] a window reads the finest grain its length and the retention allow", async (t) => {
  await t.step("up to 6 hours: minutes", () => {
    assert.equal(chooseGrain(ago(15 * 60_000), NOW, DEFAULT_AGGREGATE_RETENTION), "minute");
    assert.equal(chooseGrain(ago(H), NOW, DEFAULT_AGGREGATE_RETENTION), "minute");
    assert.equal(chooseGrain(ago(6 * H), NOW, DEFAULT_AGGREGATE_RETENTION), "minute");
  });
  await t.step("past 6 hours up to 48 hours: hours", () => {
    assert.equal(chooseGrain(ago(6 * H + 60_000), NOW, DEFAULT_AGGREGATE_RETENTION), "hour");
    assert.equal(chooseGrain(ago(24 * H), NOW, DEFAULT_AGGREGATE_RETENTION), "hour");
    assert.equal(chooseGrain(ago(48 * H), NOW, DEFAULT_AGGREGATE_RETENTION), "hour");
  });
  await t.step("beyond 48 hours, 7d and 30d: days", () => {
    assert.equal(chooseGrain(ago(7 * D), NOW, DEFAULT_AGGREGATE_RETENTION), "day");
    assert.equal(chooseGrain(ago(30 * D), NOW, DEFAULT_AGGREGATE_RETENTION), "day");
  });
  await t.step("a grain whose rows are gone at the window's start is skipped", () => {
    const short = { minuteHours: 1, hourDays: 1, dayDays: 400 };
    assert.equal(chooseGrain(ago(2 * H), NOW, short), "hour");
    assert.equal(chooseGrain(ago(2 * D), NOW, short), "day");
  });
  await t.step("nothing kept that far back: the coarsest grain", () => {
    assert.equal(chooseGrain(ago(1000 * D), NOW, DEFAULT_AGGREGATE_RETENTION), "day");
  });
});

Deno.test("[grain] a series reads the coarsest kept grain that divides its step", async (t) => {
  const since = new Date("2026-11-24T00:00:00Z");
  await t.step("an aligned window takes the step's own grain", () => {
    assert.equal(seriesGrain(since, NOW, 60, DEFAULT_AGGREGATE_RETENTION), "hour");
    assert.equal(seriesGrain(since, NOW, 1440, DEFAULT_AGGREGATE_RETENTION), "day");
    assert.equal(seriesGrain(ago(H), NOW, 1, DEFAULT_AGGREGATE_RETENTION), "minute");
  });
  await t.step("a start inside an hour stays on minutes while they are kept", () => {
    assert.equal(seriesGrain(ago(3 * H), NOW, 60, DEFAULT_AGGREGATE_RETENTION), "minute");
  });
  await t.step("a step finer than every kept grain reads the finest kept one", () => {
    assert.equal(seriesGrain(since, NOW, 10, DEFAULT_AGGREGATE_RETENTION), "hour");
  });
});
