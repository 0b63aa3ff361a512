import assert from "node:assert/strict";
import { CATEGORIES, createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { DAILY_SHAPE } from "../../lib/emulate/daily_shape.ts";
import { daySpan } from "../../lib/emulate/day_span.ts";
import { validatePinEvent } from "../../lib/pin/pin_event.ts";
import { cleanPin, parseFollowerCount } from "../../lib/pin/clean_pin.ts";

const span = { from: new Date("2024-01-01T00:00:00Z"), to: new Date("2026-01-01T00:00:00Z") };

function take(n: number, seed: number) {
  const next = createPinGenerator({ seed, span });
  return Array.from({ length: n }, next);
}

Deno.test("[pin_generator] same seed gives the same events, another seed others", () => {
  assert.deepEqual(take(500, 42), take(500, 42));
  assert.notDeepEqual(take(5, 42), take(5, 43));
});

Deno.test("[pin_generator] every event is valid and cleanable", () => {
  for (const event of take(5000, 1)) {
    const result = validatePinEvent(event);
    assert.ok(result.ok, JSON.stringify(event));
    cleanPin({ ...result.value, event_id: event.event_id!, received_at: event.event_time! });
  }
});

Deno.test("[pin_generator] realistic shapes: sentinels, follower forms, Zipf posters, span", () => {
  const events = take(20_000, 3);
  const rate = (pred: (e: typeof events[number]) => boolean) =>
    events.filter(pred).length / events.length;
  assert.ok(rate((e) => e.poster_name === "User Info Error") > 0.01);
  assert.ok(rate((e) => e.poster_name === "User Info Error") < 0.05);
  assert.ok(rate((e) => e.tag_list.startsWith("N,o, ,T")) > 0.02);
  assert.ok(rate((e) => e.title === "No Title Data Available") > 0.005);
  assert.ok(rate((e) => e.image_src === "Image src error.") > 0.005);
  assert.ok(rate((e) => e.description.startsWith("No description available")) > 0.02);
  assert.ok(events.some((e) => /^\d+$/.test(e.follower_count)));
  assert.ok(events.some((e) => /^\d+k$/.test(e.follower_count)));
  assert.ok(events.some((e) => /^\d+\.\dM$/.test(e.follower_count)));
  for (const e of events) {
    if (e.follower_count !== "User Info Error") {
      assert.notEqual(parseFollowerCount(e.follower_count), null);
    }
  }
  const byPoster = new Map<string, number>();
  for (const e of events) byPoster.set(e.poster_name, (byPoster.get(e.poster_name) ?? 0) + 1);
  const counts = [...byPoster.values()].sort((a, b) => b - a);
  assert.ok(counts[0]! > 20 * counts[Math.floor(counts.length / 2)]!, "posters are not Zipf-like");
  assert.deepEqual(new Set(events.map((e) => e.category)), new Set(CATEGORIES));
  const videos = rate((e) => e.is_image_or_video !== "image");
  assert.ok(videos > 0.2 && videos < 0.5);
  const times = events.map((e) => Date.parse(e.event_time!));
  assert.ok(Math.min(...times) >= span.from.getTime() && Math.max(...times) < span.to.getTime());
  assert.ok(
    Math.max(...times) - Math.min(...times) > 0.9 * (span.to.getTime() - span.from.getTime()),
  );
  assert.equal(new Set(events.map((e) => e.event_id)).size, events.length);
});

Deno.test("[pin_generator] without a span, events are stamped by the clock", () => {
  const now = new Date("2026-11-26T10:00:00Z");
  const event = createPinGenerator({ seed: 1, now: () => now, withEventId: false })();
  assert.equal(event.event_time, now.toISOString());
  assert.equal(event.event_id, undefined);
});

Deno.test("[pin_generator] a day span: every day from --from to --to, both included, none outside", () => {
  const days = daySpan("2024-02-27", "2024-03-01")!;
  const next = createPinGenerator({ seed: 9, span: days });
  const perDay = new Map<string, number>();
  for (let i = 0; i < 8000; i++) {
    const day = next().event_time!.slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  assert.deepEqual([...perDay.keys()].sort(), [
    "2024-02-27",
    "2024-02-28",
    "2024-02-29",
    "2024-03-01",
  ]);
  for (const count of perDay.values()) assert.ok(count > 1600 && count < 2400, `${count} a day`);
});

Deno.test("[pin_generator] event times follow the daily shape: evenings busy, nights quiet", () => {
  const next = createPinGenerator({ seed: 4, span: daySpan("2025-01-01", "2025-12-31")! });
  const perHour = new Array<number>(24).fill(0);
  for (let i = 0; i < 24_000; i++) perHour[new Date(next().event_time!).getUTCHours()]!++;
  const evening = perHour[19]! + perHour[20]! + perHour[21]!;
  const night = perHour[3]! + perHour[4]! + perHour[5]!;
  assert.ok(evening > 4 * night, `evening ${evening}, night ${night}`);
  const peak = perHour.indexOf(Math.max(...perHour));
  assert.ok(peak >= 18 && peak <= 22, `the busiest hour is ${peak}:00`);
  for (const [hour, count] of perHour.entries()) {
    const expected = (24_000 * DAILY_SHAPE[hour]!) / DAILY_SHAPE.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(count - expected) < 0.2 * expected, `${hour}:00 has ${count}`);
  }
});

Deno.test("[pin_generator] a span changes only the event times, the same for the same seed", () => {
  const span = daySpan("2023-01-01", "2024-12-31")!;
  const spread = Array.from({ length: 300 }, createPinGenerator({ seed: 21, span }));
  assert.deepEqual(spread, Array.from({ length: 300 }, createPinGenerator({ seed: 21, span })));
  const now = new Date("2026-11-26T10:00:00Z");
  const stamped = Array.from({ length: 300 }, createPinGenerator({ seed: 21, now: () => now }));
  assert.deepEqual(
    spread.map(({ event_time: _, ...rest }) => rest),
    stamped.map(({ event_time: _, ...rest }) => rest),
  );
  assert.ok(new Set(spread.map((e) => e.event_time)).size > 290);
});

Deno.test("[pin_generator] a span of minutes inside one hour still works", () => {
  const span = { from: new Date("2026-11-26T04:10:00Z"), to: new Date("2026-11-26T04:20:00Z") };
  const next = createPinGenerator({ seed: 2, span });
  for (let i = 0; i < 500; i++) {
    const time = Date.parse(next().event_time!);
    assert.ok(time >= span.from.getTime() && time < span.to.getTime());
  }
  assert.throws(
    () => createPinGenerator({ span: { from: span.to, to: span.from } }),
    /the end must be after the start/,
  );
});
