/**
 * `GET /health`: runs every check at once, each bounded in time, and answers
 * 200 when all pass, 503 `degraded` otherwise. A check that does not answer
 * in time counts as failed, so the route answers within about the bound even
 * when a store hangs.
 *
 * @module
 */

import { Hono } from "hono";
import { deadline } from "../lib/runtime/async.ts";

/** The outcome of one check. */
export interface HealthResult {
  ok: boolean;
  detail: string;
  /** Which adapter was checked, e.g. "kafka" or "embedded". */
  kind?: string;
}

/** One named check: resolves with its outcome (a rejection counts as failed). */
export type HealthCheck = () => Promise<HealthResult>;

/** How long one check may take before it counts as failed. */
export const HEALTH_CHECK_TIMEOUT_MS = 1000;

function _bounded(check: HealthCheck, ms: number): Promise<HealthResult> {
  const outcome = check().catch((error): HealthResult => ({
    ok: false,
    detail: (error as Error)?.message ?? `${error}`,
  }));
  return deadline(outcome, ms, (): HealthResult => ({
    ok: false,
    detail: `no answer within ${ms} ms`,
  }));
}

// Runs the checks concurrently, each bounded; their outcomes by name.
async function _runChecks(
  checks: Record<string, HealthCheck>,
  timeoutMs: number,
): Promise<Record<string, HealthResult>> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => _bounded(checks[name]!, timeoutMs)));
  return Object.fromEntries(names.map((name, i) => [name, results[i]!]));
}

/**
 * Builds the `/health` route.
 *
 * @param checks The checks by name.
 * @param timeoutMs The bound of each check.
 * @returns A Hono app to mount at the root.
 */
export function healthRoute(
  checks: Record<string, HealthCheck>,
  timeoutMs: number = HEALTH_CHECK_TIMEOUT_MS,
): Hono {
  const app = new Hono();
  app.get("/health", async (c) => {
    const results = await _runChecks(checks, timeoutMs);
    const ok = Object.values(results).every((result) => result.ok);
    return c.json({ status: ok ? "ok" : "degraded", checks: results }, ok ? 200 : 503);
  });
  return app;
}
