import assert from "node:assert/strict";
import type { Bus, BusRecord } from "../../lib/bus/bus.ts";
import { createIngestor } from "../../lib/ingest/ingest.ts";
import type { PinEvent } from "../../lib/pin/pin_event.ts";
import { fullPin } from "../fixtures/seed_pins.ts";

const NOW = new Date("2026-11-26T10:15:00.000Z");

/** A bus that keeps what it is given, acknowledging at once. */
function _recordingBus(): { bus: Bus; produced: BusRecord[] } {
  const produced: BusRecord[] = [];
  const bus = {
    kind: "embedded",
    address: "memory",
    produce(_topic: string, records: BusRecord[]) {
      produced.push(...records);
      return Promise.resolve();
    },
  } as unknown as Bus;
  return { bus, produced };
}

Deno.test("[ingest] the stamped record ends with received_at, as the archiver reads it", async (t) => {
  const cases: Array<[string, PinEvent]> = [
    ["a seed pin", fullPin()],
    ["with the client's event_id and event_time", {
      ...fullPin(),
      event_id: "client-id",
      event_time: "2026-11-26T10:00:00Z",
    }],
    ["with the client's own received_at first", {
      received_at: "1999-01-01T00:00:00.000Z",
      ...fullPin(),
    }],
    ["with the client's own received_at among unknown fields", {
      ...fullPin(),
      received_at: "not a time",
      zzz_extra: { nested: [1, 2] },
    }],
    ["with unknown fields after the pin's", { ...fullPin(), note: "x", "0": "integer-like key" }],
  ];
  for (const [name, event] of cases) {
    await t.step(name, async () => {
      const { bus, produced } = _recordingBus();
      const ingestor = createIngestor({
        bus,
        pinsTopic: "pins",
        dlqTopic: "pins.dlq",
        timeoutMs: 1000,
        newId: () => "edge-id",
        now: () => NOW,
      });
      try {
        const [stamped] = await ingestor.accept([event]);
        assert.equal(produced.length, 1);
        const value = produced[0]!.value;
        assert.ok(
          value.endsWith(`,"received_at":"${NOW.toISOString()}"}`),
          `record ends with received_at: ${value}`,
        );
        assert.equal(Object.keys(JSON.parse(value)).at(-1), "received_at");
        assert.equal(Object.keys(stamped!).at(-1), "received_at");
        assert.equal(stamped!.received_at, NOW.toISOString());
        assert.equal(stamped!.event_id, event.event_id ?? "edge-id");
      } finally {
        await ingestor.close();
      }
    });
  }
});

Deno.test("[ingest] acceptJson resolves with the record published, the stamped event's JSON", async () => {
  const { bus, produced } = _recordingBus();
  const ingestor = createIngestor({
    bus,
    pinsTopic: "pins",
    dlqTopic: "pins.dlq",
    timeoutMs: 1000,
    newId: () => "edge-id",
    now: () => NOW,
  });
  try {
    const json = await ingestor.acceptJson(fullPin());
    assert.equal(produced.length, 1);
    assert.equal(json, produced[0]!.value);
    assert.deepEqual(JSON.parse(json), {
      ...fullPin(),
      event_id: "edge-id",
      received_at: NOW.toISOString(),
    });
  } finally {
    await ingestor.close();
  }
});
