/**
 * The ranges the dashboard offers (`GET /dashboard/state?window=`): how far
 * back each one reaches, the step its events chart reads from the minute
 * totals (the coarsest that still shows the range's shape), and how long
 * concurrent viewers share one read of it.
 *
 * @module
 */

import type { Window } from "../../lib/realtime/realtime_store.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** One range of the dashboard. */
export interface DashboardRange {
  /** How far back the range reaches, in milliseconds. */
  ms: number;
  /** The step of its events chart, in minutes. */
  stepMinutes: number;
  /** Viewers share one read of the range's views for this long, in milliseconds. */
  ttlMs: number;
}

/** The ranges, shortest first. */
export const DASHBOARD_WINDOWS = {
  "15m": { ms: 15 * MINUTE, stepMinutes: 1, ttlMs: 1_000 },
  "1h": { ms: HOUR, stepMinutes: 1, ttlMs: 1_000 },
  "24h": { ms: DAY, stepMinutes: 10, ttlMs: 5_000 },
  "7d": { ms: 7 * DAY, stepMinutes: 60, ttlMs: 30_000 },
  "30d": { ms: 30 * DAY, stepMinutes: 60, ttlMs: 30_000 },
} as const satisfies Record<string, DashboardRange>;

/** One of the dashboard's ranges. */
export type DashboardWindow = keyof typeof DASHBOARD_WINDOWS;

/** The range the page opens with. */
export const DEFAULT_WINDOW: DashboardWindow = "15m";

/**
 * The span a range covers at `now`: from the start of the step holding
 * `now - range` (so every step of its chart is whole) to `now`.
 *
 * @param window The range.
 * @param now Epoch milliseconds.
 * @returns The span to read the views over.
 */
export function windowSpan(window: DashboardWindow, now: number): Window {
  const { ms, stepMinutes } = DASHBOARD_WINDOWS[window];
  const step = stepMinutes * MINUTE;
  return { since: new Date(Math.floor((now - ms) / step) * step), until: new Date(now) };
}
