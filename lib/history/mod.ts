/**
 * The history port and the factory that picks its adapter: Cassandra when
 * `CASSANDRA_CONTACT_POINTS` is set, else the embedded DuckDB database file
 * `<dataDir>/history/history.duckdb`.
 *
 * @module
 */

import type { HistoryConfig } from "../runtime/config.ts";
import type { Logger } from "../runtime/logger.ts";
import type { HistoryStore } from "./history_store.ts";

export type * from "./history_store.ts";
export { rankCategories, rankProfiles } from "./history_store.ts";
export * from "./lease.ts";

/**
 * Which adapter the configuration picks.
 *
 * @param config The `history` section of the configuration.
 * @returns `cassandra` when `CASSANDRA_CONTACT_POINTS` is set, else `embedded`.
 */
export function historyKind(config: HistoryConfig): HistoryStore["kind"] {
  return config.contactPoints.length > 0 ? "cassandra" : "embedded";
}

/**
 * Opens the configured history store and applies its migrations. Only the
 * chosen adapter's module (and its driver: cassandra-driver or DuckDB) is loaded.
 *
 * @param config The `history` section of the configuration.
 * @param dataDir Where the embedded store keeps its file.
 * @param logger For lifecycle lines.
 * @returns The migrated store.
 * @throws {Error} When Cassandra is configured and does not answer, naming its address
 *   (never a silent fall-back to the embedded store).
 */
export async function openHistory(
  config: HistoryConfig,
  dataDir: string,
  logger: Logger,
): Promise<HistoryStore> {
  let store: HistoryStore;
  if (historyKind(config) === "cassandra") {
    const { createCassandraHistory } = await import("./cassandra_store.ts");
    store = await createCassandraHistory(config, logger);
  } else {
    await Deno.mkdir(`${dataDir}/history`, { recursive: true });
    const { createEmbeddedHistory } = await import("./embedded_store.ts");
    store = await createEmbeddedHistory({ path: `${dataDir}/history/history.duckdb` });
  }
  await store.migrate();
  logger.info("History store ready", { kind: store.kind, address: store.address });
  return store;
}
