/**
 * The real-time port and the factory that picks its adapter: PostgreSQL when
 * `DATABASE_URL` is set, embedded PGlite (same SQL, same migrations) under
 * the data directory otherwise. Each adapter's client is loaded only when it
 * is chosen: a process on PostgreSQL never loads PGlite's WebAssembly.
 *
 * @module
 */

import { ConfigError, type RealtimeConfig } from "../runtime/config.ts";
import type { RealtimeStore } from "./realtime_store.ts";
import { createSqlRealtimeStore } from "./sql_store.ts";

export type * from "./realtime_store.ts";

/**
 * Opens the configured store and applies its migrations. An unreachable
 * PostgreSQL is an error naming its address, never a fall-back to PGlite.
 *
 * @param config The real-time configuration.
 * @param dataDir Where PGlite keeps its data (`<dataDir>/realtime`).
 * @returns The migrated store.
 * @throws {ConfigError} When the PostgreSQL of `DATABASE_URL` does not answer.
 */
export async function openRealtime(
  config: RealtimeConfig,
  dataDir: string,
): Promise<RealtimeStore> {
  const options = {
    dedupeRetentionDays: config.dedupeRetentionDays,
    aggregateRetention: {
      minuteHours: config.minuteRetentionHours,
      hourDays: config.hourRetentionDays,
      dayDays: config.dayRetentionDays,
    },
  };
  let store: RealtimeStore;
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    const { createPostgresClient } = await import("./postgres_client.ts");
    const client = await createPostgresClient(config.databaseUrl).catch((error: Error) => {
      throw new ConfigError("DATABASE_URL", error.message, { cause: error });
    });
    store = createSqlRealtimeStore(
      client,
      "postgres",
      `${url.hostname}:${url.port || 5432}${url.pathname}`,
      options,
    );
  } else {
    const dir = `${dataDir}/realtime`;
    await Deno.mkdir(dir, { recursive: true });
    const { createPgliteClient } = await import("./pglite_client.ts");
    store = createSqlRealtimeStore(await createPgliteClient(dir), "embedded", dir, options);
  }
  await store.migrate();
  return store;
}
