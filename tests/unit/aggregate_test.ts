import assert from "node:assert/strict";
import { aggregateMinutes, isNewerReading, minuteOf } from "../../lib/realtime/aggregate.ts";
import { cleanPins } from "../fixtures/realtime_store_cases.ts";
import { realtimeTruth } from "../fixtures/realtime_truth.ts";

Deno.test("[aggregate] minutes are event-time minutes in UTC", () => {
  assert.equal(minuteOf("2026-11-26T10:05:59.999Z"), "2026-11-26T10:05:00.000Z");
  assert.equal(minuteOf("1999-12-31T23:59:00.000Z"), "1999-12-31T23:59:00.000Z");
});

Deno.test("[aggregate] a newer reading wins by event time, then by the larger count", () => {
  assert.ok(isNewerReading("2026-01-01T00:00:01Z", 1, "2026-01-01T00:00:00Z", 9));
  assert.ok(!isNewerReading("2026-01-01T00:00:00Z", 9, "2026-01-01T00:00:01Z", 1));
  assert.ok(isNewerReading("2026-01-01T00:00:00Z", 10, "2026-01-01T00:00:00Z", 9));
  assert.ok(isNewerReading("2026-01-01T00:00:00Z", 1, null, null));
});

Deno.test("[aggregate] sums per minute equal the ground truth, whatever the arrival order", () => {
  const pins = cleanPins(5000);
  const reversed = [...pins].reverse();
  for (const order of [pins, reversed]) {
    const { profiles, categories, totals } = aggregateMinutes(order);
    const truth = realtimeTruth(pins);
    const byMinute = totals.sort((a, b) => (a.minute < b.minute ? -1 : 1));
    assert.deepEqual(byMinute, truth.minutes);
    const perCategory = new Map<string, number>();
    for (const row of categories) {
      perCategory.set(row.category, (perCategory.get(row.category) ?? 0) + row.events);
    }
    assert.deepEqual(
      perCategory,
      new Map(truth.categories.map((row) => [row.category, row.events])),
    );
    const perPoster = new Map<string, number>();
    for (const row of profiles) {
      perPoster.set(row.poster_name, (perPoster.get(row.poster_name) ?? 0) + row.events);
    }
    assert.deepEqual(
      perPoster,
      new Map(truth.profiles.map((row) => [row.poster_name, row.events])),
    );
  }
});

Deno.test("[aggregate] pins without a poster count for categories and totals only", () => {
  const [pin] = cleanPins(1);
  const { profiles, categories, totals } = aggregateMinutes([{
    ...pin!,
    poster_name: null,
    category: null,
  }]);
  assert.equal(profiles.length, 0);
  assert.equal(categories[0]!.category, "unknown");
  assert.equal(totals[0]!.events, 1);
});
