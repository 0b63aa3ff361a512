import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { REALTIME_SERIES_CASES } from "../fixtures/realtime_series_cases.ts";
import { REALTIME_STORE_CASES } from "../fixtures/realtime_store_cases.ts";

for (const { name, fn } of [...REALTIME_STORE_CASES, ...REALTIME_SERIES_CASES]) {
  Deno.test(`[realtime:embedded] ${name}`, async () => {
    const store = createSqlRealtimeStore(
      await createPgliteClient("memory://"),
      "embedded",
      "memory",
    );
    try {
      await store.migrate();
      await fn(store);
    } finally {
      await store.close();
    }
  });
}

Deno.test("[realtime:embedded] migrations are idempotent", async () => {
  const store = createSqlRealtimeStore(await createPgliteClient("memory://"), "embedded", "memory");
  try {
    const first = await store.migrate();
    const second = await store.migrate();
    if (first.length === 0 || second.length !== 0) {
      throw new Error(`migrated ${first} then ${second}`);
    }
  } finally {
    await store.close();
  }
});
