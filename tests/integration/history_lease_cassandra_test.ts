import assert from "node:assert/strict";
import cassandra from "cassandra-driver";
import { replaceProfiles } from "../../lib/history/_cassandra_aggregates.ts";
import { cassandraLeases } from "../../lib/history/_cassandra_lease.ts";
import { type Cql, createCql } from "../../lib/history/_cql.ts";
import { type Exclusive, leaseSections } from "../../lib/history/_lease_section.ts";
import { createCassandraHistory } from "../../lib/history/cassandra_store.ts";
import type { HistoryStore } from "../../lib/history/history_store.ts";
import { type Lease, LeaseLostError, waitForLease } from "../../lib/history/lease.ts";
import { delay } from "../../lib/runtime/async.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { testWithService } from "../services/test_with_service.ts";
import {
  dropKeyspace,
  dumpTables,
  freshKeyspace,
  keyspaceConfig,
} from "../fixtures/cassandra_keyspace.ts";

const silent = createLogger({ level: "silent" });
const TIMING = { ttlMs: 3000, renewMs: 1000 };

function _lost(lease: Lease): Promise<unknown> {
  return new Promise((resolve) =>
    lease.lost.addEventListener("abort", () => resolve(lease.lost.reason), { once: true })
  );
}

await testWithService("cassandra", {
  name:
    "[history] Cassandra leases: one holder per day, renewed past the TTL, lost and expired when the holder stops",
  async fn(t) {
    const keyspace = freshKeyspace("it_lease");
    const stores: HistoryStore[] = [];
    const open = async () => {
      const store = await createCassandraHistory(keyspaceConfig(keyspace), silent, {
        lease: TIMING,
      });
      stores.push(store);
      return store;
    };
    try {
      const a = await open();
      await a.migrate();
      const b = await open();
      const day = "2026-01-02";

      await t.step("a second holder is refused with the first one's id until release", async () => {
        const first = await a.leaseDay(day, "host-a:1:aaaa");
        assert.ok("lease" in first);
        assert.deepEqual(await b.leaseDay(day, "host-b:2:bbbb"), { heldBy: "host-a:1:aaaa" });
        const other = await b.leaseDay("2026-01-03", "host-b:2:bbbb");
        assert.ok("lease" in other, "other days are free");
        await other.lease.release();
        // Renewals keep it past its TTL.
        await new Promise((resolve) => setTimeout(resolve, TIMING.ttlMs + 1000));
        assert.equal(first.lease.lost.aborted, false);
        assert.deepEqual(await b.leaseDay(day, "host-b:2:bbbb"), { heldBy: "host-a:1:aaaa" });
        await first.lease.release();
        const second = await b.leaseDay(day, "host-b:2:bbbb");
        assert.ok("lease" in second, "free once released");
        await second.lease.release();
      });

      await t.step("a holder whose renewals fail loses it before the TTL frees it", async () => {
        const dying = await open();
        const held = await dying.leaseDay(day, "host-c:3:cccc");
        assert.ok("lease" in held);
        const lost = _lost(held.lease);
        const started = performance.now();
        await dying.close(); // renewals now fail, as from a machine cut off
        const reason = await lost;
        assert.ok(reason instanceof LeaseLostError);
        assert.match(reason.message, /^Lost the lease on 2026-01-02: no renewal succeeded for 2 s/);
        assert.deepEqual(await a.leaseDay(day, "host-a:1:aaaa"), { heldBy: "host-c:3:cccc" });
        const next = await waitForLease(() => a.leaseDay(day, "host-a:1:aaaa"), {
          waitMs: 10_000,
          minDelayMs: 100,
          maxDelayMs: 200,
        });
        assert.ok("lease" in next, "the TTL frees it");
        assert.ok(performance.now() - started >= TIMING.ttlMs - 1000);
        await next.lease.release();
        await held.lease.release().catch(() => {}); // its client is closed
      });
    } finally {
      for (const store of stores.reverse()) await store.close().catch(() => {});
      await dropKeyspace(keyspace);
    }
  },
});

await testWithService("cassandra", {
  name:
    "[history] Cassandra: two days recomputing one profile's total at once both count (a lease per category)",
  async fn(t) {
    const keyspace = freshKeyspace("it_race");
    const config = keyspaceConfig(keyspace);
    const store = await createCassandraHistory(config, silent, { lease: TIMING });
    const client = new cassandra.Client({
      contactPoints: config.contactPoints,
      localDataCenter: config.localDataCenter,
    });
    try {
      await store.migrate();
      // A machine that stalls `ms` before it writes a profile's total, and says so.
      const stalling = (ms: number, onStall: () => void = () => {}): Cql => {
        const cql = createCql(client, 16);
        const stall = async (statement: string) => {
          if (statement.includes(".category_profiles")) {
            onStall();
            await delay(ms);
          }
        };
        return {
          ...cql,
          query: async (statement, params) => {
            await stall(statement);
            return await cql.query(statement, params);
          },
          partitionBatches: async (statement, params, partitionOf) => {
            await stall(statement);
            return await cql.partitionBatches(statement, params, partitionOf);
          },
        };
      };
      const pins = (poster_name: string, pins: number) => [
        { category: "art", poster_name, pins, follower_count: 10 * pins },
      ];
      // Day 1 stalls before writing its total; day 2 runs meanwhile.
      const race = async (poster: string, exclusive: Exclusive) => {
        const stalled = Promise.withResolvers<void>();
        const first = replaceProfiles(
          stalling(1500, stalled.resolve),
          keyspace,
          "2026-01-01",
          pins(poster, 1),
          exclusive,
        );
        await stalled.promise;
        await replaceProfiles(stalling(0), keyspace, "2026-01-02", pins(poster, 2), exclusive);
        await first;
        return (await store.topProfiles("art", 10)).find((p) => p.poster_name === poster);
      };

      await t.step(
        "without the lease, the stalled day's stale total lands last: day 2 is lost",
        async () => {
          assert.deepEqual(await race("ada", (_name, work) => work()), {
            poster_name: "ada",
            pins: 1,
            follower_count: 10,
          });
        },
      );
      await t.step("under the category's lease, the later recompute sees both days", async () => {
        const sections = leaseSections(cassandraLeases(client, keyspace), TIMING, silent);
        assert.deepEqual(await race("grace", sections), {
          poster_name: "grace",
          pins: 3,
          follower_count: 20,
        });
        assert.deepEqual(await dumpTables(keyspace, ["batch_leases"]), { batch_leases: [] });
      });
    } finally {
      await client.shutdown();
      await store.close();
      await dropKeyspace(keyspace);
    }
  },
});
