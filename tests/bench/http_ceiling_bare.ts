/**
 * A bare Hono app on `Deno.serve`, the framework's own ceiling the ingest
 * benchmark compares the edge against: `POST /pin/` parses the JSON, checks
 * the 12 field names and echoes the event with `event_id` and `received_at`
 * stamped. Nothing else: no metrics, no policy, no bus. Not a product
 * process; it exists only for `deno task bench`.
 *
 * @module
 */

import { Hono } from "hono";
import { PIN_FIELDS } from "../../lib/pin/pin_event.ts";

const port = Number(Deno.env.get("PORT") ?? 8080);
const app = new Hono();

app.post("/pin/", async (c) => {
  const event = await c.req.json();
  if (typeof event !== "object" || event === null) return c.json({ error: "not an object" }, 422);
  for (const field of PIN_FIELDS) {
    if (!(field in event)) return c.json({ error: `${field} is missing` }, 422);
  }
  return c.json({ ...event, event_id: crypto.randomUUID(), received_at: new Date().toISOString() });
});
app.get("/health", (c) => c.json({ ok: true }));

Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, app.fetch);
