import { createPostgresClient } from "../../lib/realtime/postgres_client.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { withFreshDatabase } from "../fixtures/fresh_database.ts";
import { REALTIME_SERIES_CASES } from "../fixtures/realtime_series_cases.ts";
import { REALTIME_STORE_CASES } from "../fixtures/realtime_store_cases.ts";
import { testWithService } from "../services/test_with_service.ts";

for (const { name, fn } of [...REALTIME_STORE_CASES, ...REALTIME_SERIES_CASES]) {
  await testWithService("postgres", {
    name: `[realtime:postgres] ${name}`,
    async fn() {
      await withFreshDatabase(async (url) => {
        const store = createSqlRealtimeStore(await createPostgresClient(url), "postgres", url);
        try {
          await store.migrate();
          await fn(store);
        } finally {
          await store.close();
        }
      });
    },
  });
}
