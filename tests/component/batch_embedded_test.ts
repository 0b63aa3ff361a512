import { createLocalStore } from "../../lib/archive/local_store.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import { embeddedProbe } from "../fixtures/history_probe.ts";
import { batchScenario } from "../fixtures/batch_scenario.ts";

Deno.test("[batch] embedded history + local archive: aggregates, idempotency, catch-up, backfill", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "batch_component_" });
  const store = createLocalStore({ dir: `${dir}/archive` });
  await store.ensureBucket();
  await Deno.mkdir(`${dir}/history`);
  const path = `${dir}/history/history.duckdb`;
  const history = await createEmbeddedHistory({ path });
  try {
    await history.migrate();
    await history.migrate(); // idempotent
    await batchScenario(t, store, history, embeddedProbe(path));
  } finally {
    await history.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
