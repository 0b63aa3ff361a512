// Category activity: the window's events per category, images, videos and other stacked.

import { $, showEmpty } from "./dom.js";
import { compact, integer, NO_REALTIME_VIEW } from "./format.js";
import { baseOptions } from "./theme.js";

const { Chart } = globalThis;

/** Creates the bar chart; `render(state)` draws `state.realtime.categories`. */
export function createCategoriesPanel(colors) {
  const base = baseOptions(colors);
  const chart = new Chart($("chart-categories"), {
    type: "bar",
    data: {
      labels: [],
      datasets: [
        { label: "Images", data: [], backgroundColor: colors.image },
        { label: "Videos", data: [], backgroundColor: colors.video },
        { label: "Other", data: [], backgroundColor: colors.other },
      ],
    },
    options: {
      ...base,
      indexAxis: "y",
      datasets: { bar: { borderRadius: 3, barPercentage: 0.8, categoryPercentage: 0.85 } },
      scales: {
        x: {
          stacked: true,
          beginAtZero: true,
          ticks: { callback: (v) => compact(v), maxTicksLimit: 6 },
        },
        y: { stacked: true, grid: { display: false } },
      },
      plugins: {
        ...base.plugins,
        legend: { ...base.plugins.legend, position: "top", align: "end" },
        tooltip: {
          mode: "index",
          intersect: false,
          callbacks: {
            label: (item) => `${item.dataset.label}: ${integer.format(item.parsed.x)}`,
            footer: (items) =>
              `Total: ${integer.format(items.reduce((n, item) => n + item.parsed.x, 0))}`,
          },
        },
      },
    },
  });

  return {
    chart,
    recolor(colors) {
      const [images, videos, other] = chart.data.datasets;
      images.backgroundColor = colors.image;
      videos.backgroundColor = colors.video;
      other.backgroundColor = colors.other;
    },
    render({ realtime: view, unavailable }) {
      if (!view) {
        showEmpty("categories-empty", unavailable.realtime ?? NO_REALTIME_VIEW);
        $("chart-categories").parentElement.hidden = true;
        return;
      }
      const categories = [...view.categories].sort((a, b) => b.events - a.events);
      $("chart-categories").parentElement.hidden = categories.length === 0;
      showEmpty("categories-empty", categories.length ? null : "No category activity yet");
      chart.data.labels = categories.map((c) => c.category);
      const [images, videos, others] = chart.data.datasets;
      images.data = categories.map((c) => c.images);
      videos.data = categories.map((c) => c.videos);
      others.data = categories.map((c) => Math.max(0, c.events - c.images - c.videos));
      chart.update("none");
    },
  };
}
