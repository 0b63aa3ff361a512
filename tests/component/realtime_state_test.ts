import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import { REALTIME_STATE_CASES, stateStore } from "../fixtures/realtime_state_cases.ts";

for (const { name, fn } of REALTIME_STATE_CASES) {
  Deno.test(`[realtime state:embedded] ${name}`, async () => {
    const client = await createPgliteClient("memory://");
    try {
      await fn(client, (options) => stateStore(client, "embedded", options));
    } finally {
      await client.close();
    }
  });
}
