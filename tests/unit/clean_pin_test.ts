import assert from "node:assert/strict";
import {
  cleanPin,
  cleanSaveLocation,
  cleanText,
  mediaType,
  parseFollowerCount,
  parseTagList,
  SENTINELS,
} from "../../lib/pin/clean_pin.ts";
import { fullPin, seedPin } from "../fixtures/seed_pins.ts";

const RECEIVED = "2026-11-26T10:00:00.000Z";

Deno.test("[clean_pin] every sentinel becomes null in its field", async (t) => {
  for (const [field, sentinels] of Object.entries(SENTINELS)) {
    for (const sentinel of sentinels) {
      await t.step(`${field}: ${sentinel}`, () => {
        const pin = { ...fullPin(), [field]: sentinel, event_id: "e1", received_at: RECEIVED };
        const clean = cleanPin(pin) as unknown as Record<string, unknown>;
        assert.equal(clean[field], null);
      });
    }
  }
});

Deno.test("[clean_pin] a sentinel is only null in its own field", () => {
  assert.equal(cleanText("title", "User Info Error"), "User Info Error");
  assert.equal(cleanText("poster_name", "No Title Data Available"), "No Title Data Available");
  assert.equal(
    cleanText("description", "No description available yet"),
    "No description available yet",
  );
});

Deno.test("[clean_pin] follower_count forms", async (t) => {
  const cases: Array<[string, number | null]> = [
    ["523", 523],
    ["0", 0],
    ["12k", 12_000],
    ["1.5k", 1_500],
    ["1.15k", 1_150],
    ["999k", 999_000],
    ["1M", 1_000_000],
    ["1.2M", 1_200_000],
    ["2.5m", 2_500_000],
    ["3B", 3_000_000_000],
    [" 12k ", 12_000],
    ["User Info Error", null],
    ["", null],
    ["abc", null],
    ["-5", null],
    ["1.2.3k", null],
    ["12kk", null],
    ["k", null],
    ["1e3", null],
    ["12 000", null],
    ["9".repeat(400), null],
  ];
  for (const [input, expected] of cases) {
    await t.step(JSON.stringify(input.slice(0, 20)), () => {
      assert.equal(parseFollowerCount(input), expected);
    });
  }
});

Deno.test("[clean_pin] tag_list becomes an array", () => {
  assert.deepEqual(parseTagList("Summer Crafts, Kids ,,Toddler"), [
    "Summer Crafts",
    "Kids",
    "Toddler",
  ]);
  assert.equal(parseTagList("N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"), null);
  assert.equal(parseTagList(" , "), null);
  assert.deepEqual(parseTagList("東京,café"), ["東京", "café"]);
});

Deno.test("[clean_pin] save_location loses its prefix", () => {
  assert.equal(cleanSaveLocation("Local save in /data/mens-fashion"), "/data/mens-fashion");
  assert.equal(cleanSaveLocation("/data/art"), "/data/art");
  assert.equal(cleanSaveLocation("Local save in "), null);
});

Deno.test("[clean_pin] media type", () => {
  assert.equal(mediaType("image"), "image");
  assert.equal(mediaType("video"), "video");
  assert.equal(mediaType("multi-video(story page format)"), "video");
  assert.equal(mediaType("gif"), "unknown");
});

Deno.test("[clean_pin] cleans the seed's worst record and renames index", () => {
  const clean = cleanPin({ ...seedPin(), event_id: "e1", received_at: RECEIVED });
  assert.deepEqual(clean, {
    event_id: "e1",
    event_time: RECEIVED,
    received_at: RECEIVED,
    index_id: 7528,
    unique_id: "fbe53c66-3442-4773-b19e-d3ec6f54dddf",
    title: null,
    description: null,
    poster_name: null,
    follower_count: null,
    tag_list: null,
    is_image_or_video: "multi-video(story page format)",
    media_type: "video",
    image_src: null,
    downloaded: 0,
    save_location: "/data/mens-fashion",
    category: "mens-fashion",
  });
  assert.equal("index" in clean, false);
});

Deno.test("[clean_pin] event_time is normalised to UTC and defaults to received_at", () => {
  const pin = { ...fullPin(), event_id: "e", received_at: RECEIVED };
  assert.equal(cleanPin(pin).event_time, RECEIVED);
  assert.equal(
    cleanPin({ ...pin, event_time: "2026-11-26T12:30:00+02:00" }).event_time,
    "2026-11-26T10:30:00.000Z",
  );
});

Deno.test("[clean_pin] category is trimmed and lower-cased", () => {
  const pin = { ...fullPin(), category: " Home-Decor ", event_id: "e", received_at: RECEIVED };
  assert.equal(cleanPin(pin).category, "home-decor");
});
