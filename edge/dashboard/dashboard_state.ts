/**
 * The one JSON document the dashboard polls (`GET /dashboard/state`): the
 * edge's ingest rate, the real-time views over a window, the batch view's
 * most popular category per year, the dead letters by reason (read from the
 * dead-letter topic), and pipeline health. A section whose
 * source is missing or failing is null, with the reason in `unavailable`;
 * the rest of the document is still served.
 *
 * @module
 */

import type { DeadLetterCounts, DeadLetterCountsView } from "../../lib/dlq/dlq_counts.ts";
import type { Logger } from "../../lib/runtime/logger.ts";
import type { RateRing } from "../http/rate_ring.ts";
import type { CategoryRow, ProfileRow, RealtimeStore } from "../../lib/realtime/realtime_store.ts";
import type { PipelineHealth } from "./pipeline_health.ts";

/** The windows the dashboard offers, in milliseconds. */
export const DASHBOARD_WINDOWS = {
  "5m": 5 * 60_000,
  "15m": 15 * 60_000,
  "1h": 60 * 60_000,
  "24h": 24 * 60 * 60_000,
} as const;

/** One of the dashboard's windows. */
export type DashboardWindow = keyof typeof DASHBOARD_WINDOWS;

/** The most popular category of an event-time year. */
export interface CategoryOfYear {
  category: string;
  pins: number;
}

/** The latest batch run, as the history port records it. */
export interface DashboardBatchRun {
  day: string;
  status: string;
  finishedAt: Date;
  rowsOut?: number;
  durationMs?: number;
}

/**
 * What the dashboard reads from the batch view: a subset of the history
 * port (`lib/history/history_store.ts`), so any `HistoryStore` plugs in.
 */
export interface DashboardHistory {
  /** Event-time years with data, ascending. */
  yearsAvailable(): Promise<number[]>;
  /** The most popular category of a year, or null without data. */
  topCategory(year: number): Promise<CategoryOfYear | null>;
  /** The run that finished last, or null. */
  lastRun(): Promise<DashboardBatchRun | null>;
}

/** The edge's own ingest rate: events accepted per second. */
export interface IngestSection {
  /** Always "instance": each edge instance reports what it accepted itself. */
  scope: "instance";
  /** End of the last complete second, ISO-8601. */
  until: string;
  /** Events per second over the last 15 minutes, oldest first (900 entries). */
  per_second: number[];
  /** Events per second, averaged over the last 10 seconds. */
  current: number;
  /** The busiest second. */
  peak: number;
  /** Events accepted in the 15 minutes. */
  total: number;
}

/** The real-time views over the selected window. */
export interface RealtimeSection {
  since: string;
  until: string;
  events: number;
  images: number;
  videos: number;
  top_profiles: ProfileRow[];
  categories: CategoryRow[];
}

/** The batch view. */
export interface HistorySection {
  /** The most popular category of each year with data, latest year first (at most 10). */
  years: Array<{ year: number; category: string; pins: number }>;
  last_run: {
    day: string;
    status: string;
    finished_at: string;
    rows: number | null;
    duration_ms: number | null;
  } | null;
}

/** The document served at `GET /dashboard/state`. */
export interface DashboardState {
  generated_at: string;
  window: DashboardWindow;
  ingest: IngestSection;
  realtime: RealtimeSection | null;
  history: HistorySection | null;
  /** Dead letters by reason, in total and over the last 24 hours, from the dead-letter topic. */
  dead_letters: DeadLetterCountsView | null;
  health: PipelineHealth;
  /** Why a null section is null, by section name. */
  unavailable: Partial<Record<"realtime" | "history" | "dead_letters", string>>;
}

/** What the state is built from. */
export interface DashboardStateDeps {
  ingestRate: RateRing;
  readHealth: () => Promise<PipelineHealth>;
  logger: Logger;
  realtime?: RealtimeStore;
  history?: DashboardHistory;
  /** The dead-letter topic's counts; without it the section says so. */
  deadLetters?: DeadLetterCounts;
  now?: () => number;
}

const TOP_PROFILES = 10;
const HISTORY_YEARS = 10;
/** Concurrent viewers share one read of the views per window for this long. */
const STATE_TTL_MS = 1_000;
/** The batch view changes once a day; it is read at most this often. */
const HISTORY_TTL_MS = 15_000;

/**
 * Summarises a ring's series for the dashboard.
 *
 * @param ring The edge's rate ring.
 * @returns The ingest section.
 */
export function ingestSection(ring: RateRing): IngestSection {
  const { until, counts } = ring.series();
  const last10 = counts.slice(-10);
  return {
    scope: "instance",
    until: new Date(until).toISOString(),
    per_second: counts,
    current: last10.reduce((n, v) => n + v, 0) / Math.max(1, last10.length),
    peak: counts.reduce((n, v) => Math.max(n, v), 0),
    total: counts.reduce((n, v) => n + v, 0),
  };
}

async function _history(history: DashboardHistory): Promise<HistorySection> {
  const [years, run] = await Promise.all([history.yearsAvailable(), history.lastRun()]);
  const latest = [...years].sort((a, b) => b - a).slice(0, HISTORY_YEARS);
  const tops = await Promise.all(latest.map((year) => history.topCategory(year)));
  return {
    years: latest.flatMap((year, i) => {
      const top = tops[i];
      return top ? [{ year, category: top.category, pins: top.pins }] : [];
    }),
    last_run: run
      ? {
        day: run.day,
        status: run.status,
        finished_at: run.finishedAt.toISOString(),
        rows: run.rowsOut ?? null,
        duration_ms: run.durationMs ?? null,
      }
      : null,
  };
}

/**
 * Creates the function that builds the dashboard's state. Reads of the
 * real-time views are shared by concurrent viewers for a second, and the
 * batch view is read at most every 15 seconds, so a room full of open
 * dashboards costs the databases no more than one.
 *
 * @param deps The ring, health reader, logger, and the optional stores.
 * @returns `state(window)`.
 */
export function createDashboardState(
  deps: DashboardStateDeps,
): (window: DashboardWindow) => Promise<DashboardState> {
  const { ingestRate, readHealth, logger, realtime, history, deadLetters, now = Date.now } = deps;
  const views = new Map<DashboardWindow, { at: number; value: Promise<RealtimeSection> }>();
  let batch: { at: number; value: Promise<HistorySection> } | null = null;

  function realtimeSection(window: DashboardWindow, store: RealtimeStore) {
    const at = now();
    const cached = views.get(window);
    if (cached && at - cached.at < STATE_TTL_MS) return cached.value;
    const span = { since: new Date(at - DASHBOARD_WINDOWS[window]), until: new Date(at) };
    const value = Promise.all([
      store.summary(span),
      store.topProfiles(span, TOP_PROFILES),
      store.categories(span),
    ]).then(([summary, top_profiles, categories]) => ({
      since: span.since.toISOString(),
      until: span.until.toISOString(),
      events: summary.events,
      images: summary.images,
      videos: summary.videos,
      top_profiles,
      categories,
    }));
    views.set(window, { at, value });
    value.catch(() => views.delete(window));
    return value;
  }

  function historySection(store: DashboardHistory) {
    const at = now();
    if (batch && at - batch.at < HISTORY_TTL_MS) return batch.value;
    const entry = { at, value: _history(store) };
    batch = entry;
    entry.value.catch(() => {
      if (batch === entry) batch = null;
    });
    return entry.value;
  }

  return async function state(window: DashboardWindow): Promise<DashboardState> {
    const unavailable: DashboardState["unavailable"] = {};
    async function read<T>(
      name: keyof DashboardState["unavailable"],
      source: (() => Promise<T>) | null,
      missing: string,
      failed: string,
    ): Promise<T | null> {
      if (!source) {
        unavailable[name] = missing;
        return null;
      }
      try {
        return await source();
      } catch (error) {
        logger.warn(`Dashboard could not read the ${name} view`, { error });
        unavailable[name] = failed;
        return null;
      }
    }
    const [views, batchView, letters, health] = await Promise.all([
      read(
        "realtime",
        realtime ? () => realtimeSection(window, realtime) : null,
        "No real-time store is connected to this edge",
        "The real-time store did not answer",
      ),
      read(
        "history",
        history ? () => historySection(history) : null,
        "No batch view is connected to this edge",
        "The batch view did not answer",
      ),
      read(
        "dead_letters",
        deadLetters ? () => deadLetters.read() : null,
        "No dead-letter topic is connected to this edge",
        "The dead-letter topic could not be read",
      ),
      readHealth(),
    ]);
    return {
      generated_at: new Date(now()).toISOString(),
      window,
      ingest: ingestSection(ingestRate),
      realtime: views,
      history: batchView,
      dead_letters: letters,
      health,
      unavailable,
    };
  };
}
