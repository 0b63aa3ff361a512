// Pipeline health: consumer lag, freshness, the last batch run and the dead letters of the last
// 24 hours (from the dead-letter topic), each with a level (ok, warn, bad, na); and the freshness
// KPI.

import { $, setText } from "./dom.js";
import { ago, compact, duration } from "./format.js";

function _setHealth(id, level, value, sub) {
  const item = $(id);
  item.dataset.level = level;
  const v = item.querySelector(".h-value");
  const s = item.querySelector(".h-sub");
  if (v.textContent !== value) v.textContent = value;
  if (s.textContent !== sub) s.textContent = sub;
}

function _lag(lag) {
  if (!lag) return _setHealth("h-lag", "na", "n/a", "stream job not in this process");
  const parts = Object.keys(lag.partitions).length;
  _setHealth(
    "h-lag",
    lag.total > 10_000 ? "bad" : lag.total > 1000 ? "warn" : "ok",
    `${compact(lag.total)} records`,
    `over ${parts} partition${parts === 1 ? "" : "s"}`,
  );
}

function _freshness(fresh) {
  if (!fresh) {
    _setHealth("h-fresh", "na", "n/a", "no events counted by a stream job here");
    setText("kpi-fresh", "n/a");
    setText("kpi-fresh-sub", "edge to real-time view");
    return;
  }
  _setHealth(
    "h-fresh",
    fresh.p95_seconds > 30 ? "bad" : fresh.p95_seconds > 5 ? "warn" : "ok",
    duration(fresh.p95_seconds),
    `p50 ${duration(fresh.p50_seconds)} · ${
      fresh.over_seconds === null ? "since start" : `last ${duration(fresh.over_seconds)}`
    }`,
  );
  setText("kpi-fresh", duration(fresh.p95_seconds));
  setText("kpi-fresh-sub", `p50 ${duration(fresh.p50_seconds)} · edge to real-time view`);
}

function _batch(run) {
  if (!run) return _setHealth("h-batch", "na", "No batch run yet", "the batch view fills daily");
  const rows = run.rows === null ? "" : ` · ${compact(run.rows)} rows`;
  _setHealth(
    "h-batch",
    run.status === "succeeded" ? "ok" : "bad",
    run.day,
    `${run.status} · finished ${ago(run.finished_at)}${rows}`,
  );
}

function _deadLetters(dlq) {
  if (!dlq) return _setHealth("h-dlq", "na", "n/a", "dead-letter topic not read");
  _setHealth(
    "h-dlq",
    dlq.last_24h > 0 ? "warn" : "ok",
    compact(dlq.last_24h),
    `${compact(dlq.total)} on the topic${dlq.complete ? "" : " · counting…"}`,
  );
}

/** The health card; `render(state)` writes `state.health`, the batch's last run and dead letters. */
export function createHealthPanel() {
  return {
    render({ health, history, dead_letters }) {
      _lag(health.consumer_lag);
      _freshness(health.freshness);
      _batch(history?.last_run ?? null);
      _deadLetters(dead_letters);
    },
  };
}
