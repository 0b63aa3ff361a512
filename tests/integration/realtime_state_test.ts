import { createPostgresClient } from "../../lib/realtime/postgres_client.ts";
import { withFreshDatabase } from "../fixtures/fresh_database.ts";
import { REALTIME_STATE_CASES, stateStore } from "../fixtures/realtime_state_cases.ts";
import { testWithService } from "../services/test_with_service.ts";

for (const { name, fn } of REALTIME_STATE_CASES) {
  await testWithService("postgres", {
    name: `[realtime state:postgres] ${name}`,
    async fn() {
      await withFreshDatabase(async (url) => {
        const client = await createPostgresClient(url);
        try {
          await fn(client, (options) => stateStore(client, "postgres", options));
        } finally {
          await client.close();
        }
      });
    },
  });
}
