// The charts' colours and shared options, read from the page's CSS variables so that they follow
// the light and dark schemes. Chart.js is loaded before the dashboard's modules.

const { Chart } = globalThis;

/** The colours of the current scheme, from the CSS variables of dashboard's base.css. */
export function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return {
    text: v("--text"),
    muted: v("--muted"),
    grid: v("--grid"),
    card: v("--card"),
    accent: v("--accent"),
    accentSoft: v("--accent-soft"),
    image: v("--image"),
    video: v("--video"),
    other: v("--other"),
  };
}

/** Options every chart starts from. */
export function baseOptions(colors) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: {
      // Colours come from the page's CSS variables, not Chart.js's default palette.
      colors: { enabled: false },
      legend: {
        labels: { color: colors.muted, boxWidth: 10, boxHeight: 10, usePointStyle: true },
      },
      tooltip: { mode: "index", intersect: false },
    },
  };
}

/** Sets the charts' font to the page's; call before creating a chart. */
export function useChartFont() {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
}

/**
 * Colours the panels' charts for the current scheme, now and whenever the scheme changes. Each
 * panel has `chart` and `recolor(colors)` for what is its own (datasets).
 */
export function followTheme(panels) {
  function apply() {
    const colors = palette();
    Chart.defaults.color = colors.muted;
    Chart.defaults.borderColor = colors.grid;
    for (const panel of panels) panel.recolor(colors);
    for (const { chart } of panels) {
      for (const scale of Object.values(chart.options.scales ?? {})) {
        scale.ticks = { ...scale.ticks, color: colors.muted };
        scale.grid = { ...scale.grid, color: colors.grid };
        scale.border = { color: colors.grid };
      }
      chart.options.plugins.legend.labels = {
        ...chart.options.plugins.legend.labels,
        color: colors.muted,
      };
      // A full update: "none" keeps the bar elements' cached colours.
      chart.update();
    }
  }
  apply();
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", apply);
}
