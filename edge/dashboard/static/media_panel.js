// Image vs video: the doughnut of the window's media types and the media KPI.

import { $, setText, showEmpty } from "./dom.js";
import { compact, integer, NO_REALTIME_VIEW, percent } from "./format.js";
import { baseOptions } from "./theme.js";

const { Chart } = globalThis;

/** Creates the doughnut; `render(state)` draws `state.realtime`. */
export function createMediaPanel(colors) {
  const base = baseOptions(colors);
  const chart = new Chart($("chart-media"), {
    type: "doughnut",
    data: {
      labels: ["Images", "Videos", "Other"],
      datasets: [{
        data: [0, 0, 0],
        borderWidth: 2,
        hoverOffset: 4,
        backgroundColor: [colors.image, colors.video, colors.other],
        borderColor: colors.card,
      }],
    },
    options: {
      ...base,
      cutout: "70%",
      plugins: {
        ...base.plugins,
        legend: { ...base.plugins.legend, position: "bottom" },
        tooltip: {
          callbacks: {
            label: (item) => {
              const total = item.dataset.data.reduce((n, v) => n + v, 0);
              return `${item.label}: ${integer.format(item.raw)} (${percent(item.raw, total)})`;
            },
          },
        },
      },
    },
  });

  return {
    chart,
    recolor(colors) {
      const media = chart.data.datasets[0];
      media.backgroundColor = [colors.image, colors.video, colors.other];
      media.borderColor = colors.card;
    },
    render({ realtime: view, unavailable }) {
      if (!view) {
        setText("kpi-media", "n/a");
        setText("kpi-media-sub", "");
        showEmpty("media-empty", unavailable.realtime ?? NO_REALTIME_VIEW);
        $("chart-media").parentElement.hidden = true;
        return;
      }
      const other = Math.max(0, view.events - view.images - view.videos);
      setText(
        "kpi-media",
        view.events > 0
          ? `${percent(view.images, view.events)} · ${percent(view.videos, view.events)}`
          : "–",
      );
      setText("kpi-media-sub", `${compact(view.images)} images · ${compact(view.videos)} videos`);
      const hasEvents = view.events > 0;
      $("chart-media").parentElement.hidden = !hasEvents;
      showEmpty("media-empty", hasEvents ? null : "No events in this window yet");
      chart.data.datasets[0].data = [view.images, view.videos, other];
      chart.update("none");
      setText("media-center", percent(view.images, view.events));
      setText("media-center-sub", "images");
    },
  };
}
