import assert from "node:assert/strict";
import {
  aggregateMinutes,
  bucketOf,
  isNewerReading,
  minuteOf,
  rollUp,
} from "../../lib/realtime/aggregate.ts";
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

Deno.test("[aggregate] roll-ups to hours and days equal aggregating the pins at that grain", async (t) => {
  const pins = cleanPins(3000);
  for (const grain of ["hour", "day"] as const) {
    await t.step(grain, () => {
      const rolled = rollUp(aggregateMinutes(pins), grain);
      const direct = aggregateMinutes(
        pins.map((pin) => ({ ...pin, event_time: bucketOf(minuteOf(pin.event_time), grain) })),
      );
      const byKey = <T extends { minute: string }>(rows: T[], key: (row: T) => string) =>
        [...rows].sort((a, b) => (`${a.minute}${key(a)}` < `${b.minute}${key(b)}` ? -1 : 1));
      assert.deepEqual(
        byKey(rolled.profiles, (r) => r.poster_name).map((
          r,
        ) => [r.minute, r.poster_name, r.events]),
        byKey(direct.profiles, (r) => r.poster_name).map((
          r,
        ) => [r.minute, r.poster_name, r.events]),
      );
      assert.deepEqual(
        byKey(rolled.categories, (r) => r.category),
        byKey(direct.categories, (r) => r.category),
      );
      assert.deepEqual(byKey(rolled.totals, () => ""), byKey(direct.totals, () => ""));
    });
  }
  await t.step("the newest follower reading of the bucket wins", () => {
    const [base] = cleanPins(1);
    const at = (time: string, followers: number) => ({
      ...base!,
      poster_name: "Hourly",
      event_time: time,
      follower_count: followers,
    });
    const rolled = rollUp(
      aggregateMinutes([at("2026-11-26T10:59:00.000Z", 7), at("2026-11-26T10:01:00.000Z", 9)]),
      "hour",
    );
    assert.deepEqual(rolled.profiles, [{
      minute: "2026-11-26T10:00:00.000Z",
      poster_name: "Hourly",
      events: 2,
      follower_count: 7,
      follower_time: "2026-11-26T10:59:00.000Z",
    }]);
  });
});
