/**
 * The one JSON document the dashboard polls (`GET /dashboard/state`): the
 * edge's own ingest rate, the real-time views over a range with the events
 * of each step, the batch view's most popular category per year, the dead
 * letters by reason (read from the dead-letter topic), and pipeline health.
 * Everything but the edge's own rate is read from the stores, the topic and
 * the metrics registry, so a restarted edge shows what it showed before. A
 * section whose source is missing or failing is null, with the reason in
 * `unavailable`; the rest of the document is still served.
 *
 * @module
 */

import type { DeadLetterCounts, DeadLetterCountsView } from "../../lib/dlq/dlq_counts.ts";
import type { Logger } from "../../lib/runtime/logger.ts";
import type { RateRing } from "../http/rate_ring.ts";
import type {
  CategoryRow,
  FreshnessView,
  ProfileRow,
  RealtimeStore,
} from "../../lib/realtime/realtime_store.ts";
import type { PipelineHealth } from "./pipeline_health.ts";
import { DASHBOARD_WINDOWS, type DashboardWindow, windowSpan } from "./dashboard_windows.ts";

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

/** The edge's own ingest rate: events this instance accepted, per second. */
export interface IngestSection {
  /** Always "instance": each edge instance reports what it accepted itself, since it started. */
  scope: "instance";
  /** End of the last complete second, ISO-8601. */
  until: string;
  /** Events per second, averaged over the last 10 seconds. */
  current: number;
  /** The busiest second of the last 15 minutes. */
  peak: number;
  /** Events accepted in the last 15 minutes. */
  total: number;
}

/** The events counted in each step of the range, from the minute totals. */
export interface SeriesSection {
  /** Start of the first step, ISO-8601. */
  start: string;
  step_minutes: number;
  /** Events per step, oldest first. */
  events: number[];
}

/** The real-time views over the selected range. */
export interface RealtimeSection {
  since: string;
  until: string;
  events: number;
  images: number;
  videos: number;
  top_profiles: ProfileRow[];
  categories: CategoryRow[];
  series: SeriesSection;
}

/** Time from the edge receiving an event to the real-time view counting it. */
export interface Freshness {
  p50_seconds: number;
  p95_seconds: number;
  /** The latest counted events the quantiles are computed from. */
  observations: number;
  /** When the newest of them was counted, ISO-8601. */
  counted_at: string;
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
  /** The registry's consumer lag, and the real-time store's freshness. */
  health: PipelineHealth & { freshness: Freshness | null };
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
/** Freshness is computed over this many events, the latest counted. */
const FRESHNESS_EVENTS = 1_000;
const FRESHNESS_TTL_MS = 1_000;
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
    current: last10.reduce((n, v) => n + v, 0) / Math.max(1, last10.length),
    peak: counts.reduce((n, v) => Math.max(n, v), 0),
    total: counts.reduce((n, v) => n + v, 0),
  };
}

/** A read shared by every caller for `ttlMs`; a failed read is not kept. */
function _shared<T>(ttlMs: number, now: () => number, read: () => Promise<T>): () => Promise<T> {
  let entry: { at: number; value: Promise<T> } | null = null;
  return () => {
    const at = now();
    if (entry && at - entry.at < ttlMs) return entry.value;
    const fresh = { at, value: read() };
    entry = fresh;
    fresh.value.catch(() => {
      if (entry === fresh) entry = null;
    });
    return fresh.value;
  };
}

async function _realtime(
  store: RealtimeStore,
  window: DashboardWindow,
  at: number,
): Promise<RealtimeSection> {
  const span = windowSpan(window, at);
  const [summary, top_profiles, categories, series] = await Promise.all([
    store.summary(span),
    store.topProfiles(span, TOP_PROFILES),
    store.categories(span),
    store.series(span, DASHBOARD_WINDOWS[window].stepMinutes),
  ]);
  return {
    since: span.since.toISOString(),
    until: span.until.toISOString(),
    events: summary.events,
    images: summary.images,
    videos: summary.videos,
    top_profiles,
    categories,
    series: { start: series.start, step_minutes: series.stepMinutes, events: series.events },
  };
}

function _freshness(view: FreshnessView | null): Freshness | null {
  return view && {
    p50_seconds: view.p50Seconds,
    p95_seconds: view.p95Seconds,
    observations: view.observations,
    counted_at: view.countedAt.toISOString(),
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
 * Creates the function that builds the dashboard's state. Concurrent viewers
 * share one read of a range's views for a second (longer for the long
 * ranges, see `DASHBOARD_WINDOWS`), and the batch view is read at most every
 * 15 seconds, so a room full of open dashboards costs the databases no more
 * than one.
 *
 * @param deps The ring, health reader, logger, and the optional stores.
 * @returns `state(window)`.
 */
export function createDashboardState(
  deps: DashboardStateDeps,
): (window: DashboardWindow) => Promise<DashboardState> {
  const { ingestRate, readHealth, logger, realtime, history, deadLetters, now = Date.now } = deps;
  const live = realtime && {
    views: new Map(
      Object.entries(DASHBOARD_WINDOWS).map(([name, range]) => {
        const window = name as DashboardWindow;
        return [window, _shared(range.ttlMs, now, () => _realtime(realtime, window, now()))];
      }),
    ),
    freshness: _shared(
      FRESHNESS_TTL_MS,
      now,
      async () => _freshness(await realtime.freshness(FRESHNESS_EVENTS)),
    ),
  };
  const batch = history && _shared(HISTORY_TTL_MS, now, () => _history(history));

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
    const noStore = "No real-time store is connected to this edge";
    const storeFailed = "The real-time store did not answer";
    const [view, fresh, batchView, letters, health] = await Promise.all([
      read("realtime", live ? live.views.get(window)! : null, noStore, storeFailed),
      read("realtime", live ? live.freshness : null, noStore, storeFailed),
      read(
        "history",
        batch ?? null,
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
      realtime: view,
      history: batchView,
      dead_letters: letters,
      health: { ...health, freshness: fresh },
      unavailable,
    };
  };
}
