// The ingest panel: the events the real-time view counted in each step of the range (from the
// store, so a restart loses nothing), and this edge's own rate as a KPI.

import { $, setText, showEmpty, valueWithUnit } from "./dom.js";
import {
  compact,
  integer,
  NO_REALTIME_VIEW,
  stepSpan,
  stepText,
  tickText,
  WINDOW_TEXT,
} from "./format.js";
import { baseOptions } from "./theme.js";

const { Chart } = globalThis;
const MINUTE = 60_000;

/** Minutes between the time axis's ticks, per range: [wide screens, narrow screens]. */
const TICK_MINUTES = {
  "15m": [3, 5],
  "1h": [10, 15],
  "24h": [180, 360],
  "7d": [1440, 2880],
  "30d": [7200, 14400],
};

/** Ticks every `stepMs` from `min` to `max`, on round times of the reader's clock. */
function _localTicks(min, max, stepMs) {
  const offset = new Date(min).getTimezoneOffset() * MINUTE;
  const ticks = [];
  for (let t = Math.ceil((min - offset) / stepMs) * stepMs + offset; t <= max; t += stepMs) {
    ticks.push({ value: t });
  }
  return ticks;
}

/** Creates the events chart; `render(state)` draws `state.realtime.series` and `state.ingest`. */
export function createIngestPanel(colors) {
  let tickMs = TICK_MINUTES["15m"][0] * MINUTE;
  let stepMs = MINUTE;
  const chart = new Chart($("chart-rate"), {
    type: "line",
    data: {
      datasets: [{
        label: "events",
        data: [],
        parsing: false,
        borderWidth: 1.5,
        pointRadius: 0,
        pointHoverRadius: 3,
        tension: 0.25,
        fill: "origin",
        borderColor: colors.accent,
        backgroundColor: colors.accentSoft,
      }],
    },
    options: {
      ...baseOptions(colors),
      normalized: true,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        x: {
          type: "linear",
          afterBuildTicks: (scale) => {
            scale.ticks = _localTicks(scale.min, scale.max, tickMs);
          },
          ticks: {
            maxRotation: 0,
            autoSkip: true,
            callback: (value) => tickText(value, tickMs),
          },
          grid: { display: false },
        },
        y: {
          beginAtZero: true,
          grace: "10%",
          ticks: { callback: (value) => compact(value), maxTicksLimit: 5, precision: 0 },
        },
      },
      plugins: {
        colors: { enabled: false },
        legend: { display: false },
        tooltip: {
          intersect: false,
          callbacks: {
            title: (items) => items.length ? stepSpan(items[0].parsed.x, stepMs) : "",
            label: (item) => `${integer.format(item.parsed.y)} events`,
          },
        },
      },
    },
  });

  function renderSeries(view, windowName, unavailable) {
    $("chart-rate").parentElement.hidden = !view;
    showEmpty("rate-empty", view ? null : unavailable.realtime ?? NO_REALTIME_VIEW);
    setText("rate-title", `Events per ${stepText(view?.series.step_minutes ?? 1)}`);
    if (!view) return;
    const { start, step_minutes: stepMinutes, events } = view.series;
    const first = Date.parse(start);
    stepMs = stepMinutes * MINUTE;
    const [wide, narrow] = TICK_MINUTES[windowName];
    tickMs = (innerWidth < 600 ? narrow : wide) * MINUTE;
    chart.data.datasets[0].data = events.map((y, i) => ({ x: first + i * stepMs, y }));
    chart.options.scales.x.min = first;
    chart.options.scales.x.max = first + Math.max(1, events.length - 1) * stepMs;
    $("chart-rate").setAttribute(
      "aria-label",
      `Events per ${stepText(stepMinutes)}, ${WINDOW_TEXT[windowName]}: ` +
        `${integer.format(events.reduce((n, v) => n + v, 0))} in all`,
    );
    chart.update("none");
  }

  return {
    chart,
    recolor(colors) {
      const line = chart.data.datasets[0];
      line.borderColor = colors.accent;
      line.backgroundColor = colors.accentSoft;
    },
    render({ ingest, realtime: view, window: windowName, unavailable }) {
      renderSeries(view, windowName, unavailable);
      valueWithUnit("kpi-rate", compact(ingest.current), "/s");
      setText(
        "kpi-rate-sub",
        `this edge · peak ${compact(ingest.peak)}/s · ${compact(ingest.total)} in 15 min`,
      );
    },
  };
}
