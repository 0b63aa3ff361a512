import assert from "node:assert/strict";
import cassandra from "cassandra-driver";
import { pinParams } from "../../lib/history/_cassandra_rows.ts";
import { pinBucket } from "../../lib/history/bucket.ts";
import type { HistoryRow } from "../../lib/history/history_store.ts";

const ROW: HistoryRow = {
  event_id: "e1",
  event_time: Date.parse("2026-11-25T23:59:00.000Z"),
  received_at: Date.parse("2026-11-26T10:00:00.000Z"),
  index_id: 7528,
  unique_id: "u1",
  title: null,
  description: "d",
  poster_name: "p",
  follower_count: null,
  tag_list: ["a", "b"],
  is_image_or_video: "image",
  media_type: "image",
  image_src: null,
  downloaded: 1,
  save_location: "/data/art",
  category: "art",
};

Deno.test("[history] a cleaned row binds as the pins INSERT expects", () => {
  const params = pinParams("2026-11-26", ROW);
  const long = (n: number) => cassandra.types.Long.fromNumber(n);
  assert.deepEqual(params, [
    "2026-11-26",
    pinBucket("e1"),
    "e1",
    new Date("2026-11-25T23:59:00.000Z"),
    new Date("2026-11-26T10:00:00.000Z"),
    long(7528),
    "u1",
    null,
    "d",
    "p",
    null,
    ["a", "b"],
    "image",
    "image",
    null,
    long(1),
    "/data/art",
    "art",
  ]);
});
