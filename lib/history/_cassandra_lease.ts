/**
 * Leases on Cassandra: rows of `batch_leases` taken, renewed and given back
 * with lightweight transactions (Paxos, serial consistency SERIAL), living a
 * TTL so that a holder that dies lets go.
 *
 * @module
 */

import cassandra from "cassandra-driver";
import type { LeaseBackend } from "./_renewed_lease.ts";

const LWT = {
  prepare: true,
  consistency: cassandra.types.consistencies.quorum,
  serialConsistency: cassandra.types.consistencies.serial,
};

function _seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function _applied(result: cassandra.types.ResultSet): boolean {
  return result.first()?.get("[applied]") === true;
}

/**
 * The lease operations on `<ks>.batch_leases`.
 *
 * @param client A connected driver client.
 * @param ks The keyspace.
 * @returns The operations.
 */
export function cassandraLeases(client: cassandra.Client, ks: string): LeaseBackend {
  return {
    async take(name, holder, ttlMs) {
      const result = await client.execute(
        `INSERT INTO ${ks}.batch_leases (name, holder, renewed_at) VALUES (?, ?, ?) ` +
          `IF NOT EXISTS USING TTL ?`,
        [name, holder, new Date(), _seconds(ttlMs)],
        LWT,
      );
      return _applied(result) ? null : String(result.first()?.get("holder") ?? "another holder");
    },
    async renew(name, holder, ttlMs) {
      const result = await client.execute(
        `UPDATE ${ks}.batch_leases USING TTL ? SET holder = ?, renewed_at = ? WHERE name = ? ` +
          `IF holder = ?`,
        [_seconds(ttlMs), holder, new Date(), name, holder],
        LWT,
      );
      return _applied(result);
    },
    async release(name, holder) {
      await client.execute(
        `DELETE FROM ${ks}.batch_leases WHERE name = ? IF holder = ?`,
        [name, holder],
        LWT,
      );
    },
  };
}
