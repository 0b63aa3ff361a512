import assert from "node:assert/strict";
import {
  archiveKey,
  curatedDayPrefix,
  curatedKey,
  DLQ_PREFIX,
  hourBucket,
  hourOfInstant,
  parseArchiveKey,
  parseCuratedKey,
  rawDayPrefix,
} from "../../lib/archive/archive_key.ts";

const BUS_TIME = Date.parse("2030-05-06T07:08:09.000Z");

Deno.test("[archive_key] keys carry dt, hour, partition and 20-digit offsets", () => {
  assert.equal(
    archiveKey("dt=2026-01-02/hour=03", 4, 10, 19),
    "pins/dt=2026-01-02/hour=03/4-00000000000000000010-00000000000000000019.ndjson.gz",
  );
  assert.equal(
    archiveKey("dt=2026-01-02/hour=03", 0, 0, 0),
    "pins/dt=2026-01-02/hour=03/0-00000000000000000000-00000000000000000000.ndjson.gz",
  );
});

Deno.test("[archive_key] keys of a partition sort by offset", () => {
  const offsets = [[0, 9], [10, 99], [100, 999], [1000, 123_456_789_012]];
  const keys = offsets.map(([first, last]) =>
    archiveKey("dt=2026-01-02/hour=03", 1, first!, last!)
  );
  assert.deepEqual([...keys].sort(), keys);
});

Deno.test("[archive_key] refuses negative offsets and reversed ranges", () => {
  assert.throws(() => archiveKey("dt=2026-01-02/hour=03", 0, -1, 3), RangeError);
  assert.throws(() => archiveKey("dt=2026-01-02/hour=03", 0, 5, 4), /reversed/);
});

Deno.test("[archive_key] parseArchiveKey reads back what archiveKey wrote", async (t) => {
  await t.step("round trip", () => {
    const key = archiveKey("dt=2026-12-31/hour=23", 17, 42, 4242);
    const parts = parseArchiveKey(key)!;
    assert.deepEqual(parts, {
      dt: "2026-12-31",
      hour: "23",
      bucket: "dt=2026-12-31/hour=23",
      partition: 17,
      firstOffset: 42,
      lastOffset: 4242,
    });
    assert.equal(
      archiveKey(parts.bucket, parts.partition, parts.firstOffset, parts.lastOffset),
      key,
    );
  });
  await t.step("the day's prefix starts every key of the day", () => {
    assert.ok(archiveKey("dt=2026-12-31/hour=23", 0, 1, 2).startsWith(rawDayPrefix("2026-12-31")));
  });
  await t.step("other keys are null", () => {
    const offsets = "00000000000000000001-00000000000000000002";
    for (
      const key of [
        "curated/dt=2026-12-31/part-0.parquet",
        "pins/dt=2026-12-31/hour=23/1-2-3.ndjson.gz",
        "_state/archive/topic=pins/partition=0.json",
        `pins/dt=2026-12-31/hour=24/1-${offsets}.ndjson.gz`,
        `pins/dt=2026-13-01/hour=00/1-${offsets}.ndjson.gz`,
        `pins/dt=2026-12-31/hour=23/01-${offsets}.ndjson.gz`,
        `pins/dt=2026-12-31/hour=23/1-${offsets}.ndjson`,
        `pins/dt=2026-12-31/hour=23/x/1-${offsets}.ndjson.gz`,
        `pins/dt=2026-12-31/hour=23/1-00000000000000000002-00000000000000000001.ndjson.gz`,
        `pins/dt=2026-12-31/hour=23/1-99999999999999999999-99999999999999999999.ndjson.gz`,
        `/pins/dt=2026-12-31/hour=23/1-${offsets}.ndjson.gz`,
      ]
    ) {
      assert.equal(parseArchiveKey(key), null, key);
    }
  });
  await t.step("keys climbing out of the zone are null", () => {
    for (
      const key of [
        "pins/dt=2026-01-01/hour=00/../../../../tmp/evil.ndjson.gz",
        "pins/dt=2026-01-01/hour=00/../0-00000000000000000000-00000000000000000000.ndjson.gz",
        "pins/../pins/dt=2026-01-01/hour=00/0-00000000000000000000-00000000000000000000.ndjson.gz",
      ]
    ) {
      assert.equal(parseArchiveKey(key), null, key);
    }
  });
});

Deno.test("[archive_key] the dead-letter zone has the raw zone's layout under its own prefix", async (t) => {
  const key = archiveKey("dt=2026-12-31/hour=23", 0, 7, 9, DLQ_PREFIX);
  await t.step("the key", () => {
    assert.equal(
      key,
      "dlq/dt=2026-12-31/hour=23/0-00000000000000000007-00000000000000000009.ndjson.gz",
    );
  });
  await t.step("read back in its own zone only", () => {
    assert.equal(parseArchiveKey(key, DLQ_PREFIX)?.lastOffset, 9);
    assert.equal(parseArchiveKey(key), null);
    assert.equal(parseArchiveKey(archiveKey("dt=2026-12-31/hour=23", 0, 7, 9), DLQ_PREFIX), null);
  });
});

Deno.test("[archive_key] curated keys: one Parquet per day, read back", async (t) => {
  await t.step("round trip", () => {
    assert.equal(curatedKey("2026-12-31"), "curated/dt=2026-12-31/part-0.parquet");
    assert.ok(curatedKey("2026-12-31").startsWith(curatedDayPrefix("2026-12-31")));
    assert.deepEqual(parseCuratedKey(curatedKey("2026-12-31")), { dt: "2026-12-31" });
  });
  await t.step("other keys are null", () => {
    for (
      const key of [
        "curated/dt=2026-12-31/part-0.parquet.part",
        "curated/dt=2026-12-31/other.parquet",
        "curated/dt=2026-12-31/../../../tmp/part-0.parquet",
        "curated/dt=2026-02-40/part-0.parquet",
        "pins/dt=2026-12-31/part-0.parquet",
      ]
    ) {
      assert.equal(parseCuratedKey(key), null, key);
    }
  });
});

Deno.test("[archive_key] hours are UTC", () => {
  assert.equal(hourOfInstant(Date.parse("2026-03-29T00:59:59.999+01:00")), "dt=2026-03-28/hour=23");
  assert.equal(hourOfInstant(Date.parse("2026-01-01T00:00:00Z")), "dt=2026-01-01/hour=00");
});

Deno.test("[archive_key] hourBucket reads received_at, else the bus timestamp", async (t) => {
  await t.step("the edge's layout: received_at last", () => {
    const value = JSON.stringify({ index: 1, title: "a", received_at: "2026-11-26T10:15:00.123Z" });
    assert.equal(hourBucket(value, BUS_TIME), "dt=2026-11-26/hour=10");
  });
  await t.step("received_at elsewhere, with an offset, is converted to UTC", () => {
    const value = JSON.stringify({ received_at: "2026-11-26T01:15:00+02:00", index: 1 });
    assert.equal(hourBucket(value, BUS_TIME), "dt=2026-11-25/hour=23");
  });
  await t.step("a nested received_at is not the record's", () => {
    const value = JSON.stringify({ extra: { received_at: "2001-01-01T00:00:00.000Z" } });
    assert.equal(hourBucket(value, BUS_TIME), "dt=2030-05-06/hour=07");
  });
  await t.step("a received_at inside a string value is not the record's", () => {
    const value = JSON.stringify({ title: ',"received_at":"2001-01-01T00:00:00.000Z"}' });
    assert.equal(hourBucket(value, BUS_TIME), "dt=2030-05-06/hour=07");
  });
  await t.step("not JSON, no received_at, or an unparseable one: the bus timestamp", () => {
    for (
      const value of [
        "not json at all",
        "",
        "[1,2,3]",
        JSON.stringify({ index: 1 }),
        JSON.stringify({ received_at: "yesterday" }),
        JSON.stringify({ received_at: 1234 }),
        '{"a":1,"received_at":"2026-13-45T10:15:00.000Z"}',
        '{"a":1,"received_at":"2026-11-26T10:15:00.000Z"',
      ]
    ) {
      assert.equal(hourBucket(value, BUS_TIME), "dt=2030-05-06/hour=07", value);
    }
  });
  await t.step("an hour boundary splits at exactly HH:00:00.000", () => {
    const at = (stamp: string) => hourBucket(JSON.stringify({ received_at: stamp }), BUS_TIME);
    assert.equal(at("2026-11-26T10:59:59.999Z"), "dt=2026-11-26/hour=10");
    assert.equal(at("2026-11-26T11:00:00.000Z"), "dt=2026-11-26/hour=11");
    assert.equal(at("2026-12-31T23:59:59.999Z"), "dt=2026-12-31/hour=23");
    assert.equal(at("2027-01-01T00:00:00.000Z"), "dt=2027-01-01/hour=00");
  });
});

Deno.test("[archive_key] stamps that are not real instants fall back to the bus timestamp", () => {
  for (
    const stamp of [
      "2026-02-30T10:00:00.000Z",
      "2026-11-26T24:00:00.000Z",
      "2026-11-26T10:60:00.000Z",
      "2026-11-26T10:00:60.000Z",
    ]
  ) {
    const value = JSON.stringify({ index: 1, received_at: stamp });
    assert.equal(hourBucket(value, BUS_TIME), "dt=2030-05-06/hour=07", stamp);
  }
  const value = JSON.stringify({ index: 1, received_at: "2026-11-26T10:15:00.000Z" });
  assert.equal(hourBucket(value, BUS_TIME), "dt=2026-11-26/hour=10");
  assert.equal(hourBucket(value, BUS_TIME), "dt=2026-11-26/hour=10");
});
