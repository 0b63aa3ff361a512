import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { createArchiveMetrics } from "../../lib/archive/archive_metrics.ts";
import { RAW_PREFIX } from "../../lib/archive/archive_key.ts";
import { createPartitionWorker } from "../../lib/archive/_partition_worker.ts";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import { PartitionsLostError } from "../../lib/bus/bus.ts";
import { createLogger } from "../../lib/runtime/logger.ts";

function memoryStore(): ObjectStore & { keys: string[] } {
  const objects = new Map<string, Uint8Array>();
  return {
    kind: "local",
    address: "memory",
    keys: [],
    ensureBucket: () => Promise.resolve(),
    put(key, body) {
      objects.set(key, body);
      this.keys.push(key);
      return Promise.resolve();
    },
    get: (key) =>
      objects.has(key) ? Promise.resolve(objects.get(key)!) : Promise.reject(new Error(key)),
    list: () => Promise.resolve([]),
    delete: (key) => Promise.resolve(void objects.delete(key)),
    close: () => Promise.resolve(),
  };
}

Deno.test("[partition worker] a commit refused for a lost membership: no retry, the worker lets go", async () => {
  const store = memoryStore();
  let commits = 0;
  const lost: Error[] = [];
  const worker = createPartitionWorker({
    topic: "pins",
    partition: 0,
    store,
    keyPrefix: RAW_PREFIX,
    commit() {
      commits++;
      return Promise.reject(new PartitionsLostError("The coordinator is not aware of this member"));
    },
    metrics: createArchiveMetrics(new Registry()),
    logger: createLogger({ level: "silent" }),
    now: () => Date.parse("2030-05-06T10:00:00Z"),
    bounds: { records: 2, chars: 1 << 20, ageMs: 60_000 },
    gzipLevel: 1,
    retry: { minMs: 1, maxMs: 1 },
    pinnedLast: null,
    onLost: (error) => lost.push(error),
  });
  const value = JSON.stringify({ received_at: "2030-05-06T10:00:00.000Z" });
  worker.accept(
    [0, 1, 2, 3, 4, 5].map((offset) => ({
      partition: 0,
      offset,
      key: null,
      value,
      timestamp: Date.parse("2030-05-06T10:00:00Z"),
    })),
  );
  // Held over twice the bound: the caller would block here until the worker lets go.
  await worker.waitForRoom();
  await worker.drained();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(commits, 1);
  assert.equal(lost.length, 1);
  assert.ok(lost[0] instanceof PartitionsLostError);
});
