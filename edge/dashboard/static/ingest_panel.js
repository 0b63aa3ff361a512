// The ingest panel: this edge's accepted events per second over 15 minutes, and the rate KPI.

import { $, setText, valueWithUnit } from "./dom.js";
import { clock, clockShort, compact, integer } from "./format.js";
import { baseOptions } from "./theme.js";

const { Chart } = globalThis;

/** Creates the rate chart; `render(state)` draws `state.ingest`. */
export function createIngestPanel(colors) {
  const chart = new Chart($("chart-rate"), {
    type: "line",
    data: {
      datasets: [{
        label: "events/s",
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
          ticks: {
            includeBounds: false,
            stepSize: 180_000,
            maxRotation: 0,
            callback: (value) => clockShort.format(new Date(value)),
          },
          grid: { display: false },
        },
        y: {
          beginAtZero: true,
          grace: "10%",
          ticks: { callback: (value) => compact(value), maxTicksLimit: 5 },
        },
      },
      plugins: {
        colors: { enabled: false },
        legend: { display: false },
        tooltip: {
          intersect: false,
          callbacks: {
            title: (items) => items.length ? clock.format(new Date(items[0].parsed.x)) : "",
            label: (item) => `${integer.format(item.parsed.y)} events/s`,
          },
        },
      },
    },
  });

  return {
    chart,
    recolor(colors) {
      const rate = chart.data.datasets[0];
      rate.borderColor = colors.accent;
      rate.backgroundColor = colors.accentSoft;
    },
    render({ ingest }) {
      const until = Date.parse(ingest.until);
      const n = ingest.per_second.length;
      const points = ingest.per_second.map((y, i) => ({ x: until - (n - i) * 1000, y }));
      chart.data.datasets[0].data = points;
      chart.options.scales.x.min = until - n * 1000;
      chart.options.scales.x.max = until - 1000;
      chart.options.scales.x.ticks.stepSize = innerWidth < 600 ? 300_000 : 180_000;
      chart.update("none");
      valueWithUnit("kpi-rate", compact(ingest.current), "/s");
      setText(
        "kpi-rate-sub",
        `this edge · peak ${compact(ingest.peak)}/s · ${compact(ingest.total)} in 15 min`,
      );
    },
  };
}
