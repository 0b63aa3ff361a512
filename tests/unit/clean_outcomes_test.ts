import assert from "node:assert/strict";
import { cleanPin, SENTINELS } from "../../lib/pin/clean_pin.ts";
import {
  cleanPinWithOutcomes,
  NULL_OUTCOMES,
  NULL_REASONS,
  NULLABLE_FIELDS,
  type NulledCounts,
  nullReason,
} from "../../lib/pin/clean_outcomes.ts";
import { fullPin, seedPin } from "../fixtures/seed_pins.ts";

const RECEIVED = "2026-11-26T10:00:00.000Z";

function _received(patch: Record<string, string> = {}) {
  return { ...fullPin(), ...patch, event_id: "e1", received_at: RECEIVED };
}

Deno.test("[clean_outcomes] the nullable fields are the cleaned columns that may be null", () => {
  assert.deepEqual(NULLABLE_FIELDS, [
    "title",
    "description",
    "poster_name",
    "follower_count",
    "tag_list",
    "is_image_or_video",
    "image_src",
    "save_location",
    "category",
  ]);
  for (const field of Object.keys(SENTINELS)) {
    assert.ok((NULLABLE_FIELDS as readonly string[]).includes(field), field);
  }
});

Deno.test("[clean_outcomes] NULL_OUTCOMES lists each reason a field can be nulled for", () => {
  const pairs = NULL_OUTCOMES.map(({ field, reason }) => `${field}.${reason}`);
  assert.deepEqual(pairs, [
    "title.sentinel",
    "title.blank",
    "description.sentinel",
    "description.blank",
    "poster_name.sentinel",
    "poster_name.blank",
    "follower_count.sentinel",
    "follower_count.blank",
    "follower_count.unparseable",
    "tag_list.sentinel",
    "tag_list.blank",
    "tag_list.empty_list",
    "is_image_or_video.blank",
    "image_src.sentinel",
    "image_src.blank",
    "save_location.blank",
    "category.blank",
  ]);
  for (const { reason } of NULL_OUTCOMES) assert.ok(NULL_REASONS.includes(reason));
});

Deno.test("[clean_outcomes] nullReason says why a value became null", async (t) => {
  const cases: Array<[(typeof NULLABLE_FIELDS)[number], string, string]> = [
    ["follower_count", "User Info Error", "sentinel"],
    ["follower_count", " User Info Error\u00a0", "sentinel"],
    ["follower_count", "", "blank"],
    ["follower_count", " \t\u3000", "blank"],
    ["follower_count", "lots", "unparseable"],
    ["follower_count", "user info error", "unparseable"],
    ["follower_count", "99999999999999999999k", "unparseable"],
    ["follower_count", "9007199254740992", "unparseable"],
    ["tag_list", "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e", "sentinel"],
    ["tag_list", " , ,,", "empty_list"],
    ["tag_list", "   ", "blank"],
    ["title", "No Title Data Available", "sentinel"],
    ["description", "No description available", "sentinel"],
    ["description", "No description available Story format", "sentinel"],
    ["image_src", "Image src error.", "sentinel"],
    ["poster_name", "", "blank"],
    ["save_location", "Local save in ", "blank"],
    ["save_location", "  ", "blank"],
    ["category", " ", "blank"],
    ["is_image_or_video", "", "blank"],
  ];
  for (const [field, raw, reason] of cases) {
    await t.step(`${field} ${JSON.stringify(raw)} → ${reason}`, () => {
      const clean = cleanPin(_received({ [field]: raw }));
      assert.equal(clean[field], null, "the cleaning makes it null");
      assert.equal(nullReason(field, raw), reason);
    });
  }
});

Deno.test("[clean_outcomes] cleanPinWithOutcomes counts a null in every nullable field, and only there", () => {
  const blank = Object.fromEntries(NULLABLE_FIELDS.map((field) => [field, " "]));
  const nulled: NulledCounts = {};
  cleanPinWithOutcomes(_received(blank), nulled);
  assert.deepEqual(
    nulled,
    Object.fromEntries(NULLABLE_FIELDS.map((field) => [field, { blank: 1 }])),
  );
});

Deno.test("[clean_outcomes] cleanPinWithOutcomes cleans as cleanPin and counts each null", () => {
  const nulled: NulledCounts = {};
  const seed = { ...seedPin(), event_id: "e1", received_at: RECEIVED };
  assert.deepEqual(cleanPinWithOutcomes(seed, nulled), cleanPin(seed));
  const lots = _received({ follower_count: "lots", category: "  " });
  assert.deepEqual(cleanPinWithOutcomes(lots, nulled), cleanPin(lots));
  assert.deepEqual(cleanPinWithOutcomes(_received(), nulled), cleanPin(_received()));
  assert.deepEqual(nulled, {
    title: { sentinel: 1 },
    description: { sentinel: 1 },
    poster_name: { sentinel: 1 },
    follower_count: { sentinel: 1, unparseable: 1 },
    tag_list: { sentinel: 1 },
    image_src: { sentinel: 1 },
    category: { blank: 1 },
  });
});
