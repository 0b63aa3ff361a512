// The live dashboard: polls /dashboard/state every two seconds and hands it to each panel.
// Served by the edge (edge/dashboard/); Chart.js is loaded before this module.

import { $, setText } from "./dom.js";
import { clock, WINDOW_TEXT } from "./format.js";
import { createCategoriesPanel } from "./categories_panel.js";
import { createDeadLettersPanel } from "./dead_letters_panel.js";
import { createHealthPanel } from "./health_panel.js";
import { createHistoryPanel } from "./history_panel.js";
import { createIngestPanel } from "./ingest_panel.js";
import { createMediaPanel } from "./media_panel.js";
import { createProfilesPanel } from "./profiles_panel.js";
import { createSummaryPanel } from "./summary_panel.js";
import { followTheme, palette, useChartFont } from "./theme.js";

const POLL_MS = 2000;
const WINDOWS = Object.keys(WINDOW_TEXT);

useChartFont();
const colors = palette();
const ingest = createIngestPanel(colors);
const media = createMediaPanel(colors);
const categories = createCategoriesPanel(colors);
followTheme([ingest, media, categories]);
const panels = [
  ingest,
  createSummaryPanel(),
  media,
  createProfilesPanel(),
  categories,
  createHistoryPanel(),
  createHealthPanel(),
  createDeadLettersPanel(),
];

const params = new URLSearchParams(location.search);
let selected = WINDOWS.includes(params.get("window")) ? params.get("window") : "15m";
let timer = 0;
let inFlight = null;

function setStatus(state, text) {
  $("status").dataset.state = state;
  setText("status-text", text);
}

function markWindow() {
  for (const button of document.querySelectorAll("[data-window]")) {
    button.setAttribute("aria-pressed", String(button.dataset.window === selected));
  }
}

async function poll() {
  clearTimeout(timer);
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  const stop = setTimeout(() => controller.abort(), 5000);
  try {
    const response = await fetch(`/dashboard/state?window=${encodeURIComponent(selected)}`, {
      cache: "no-store",
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(`The edge answered ${response.status}`);
    const state = await response.json();
    if (controller !== inFlight) return;
    for (const panel of panels) panel.render(state);
    setStatus("live", `Live · ${clock.format(new Date(state.generated_at))}`);
  } catch (error) {
    if (controller !== inFlight) return;
    setStatus(
      "error",
      error.name === "AbortError" ? "Slow answer · retrying" : "Offline · retrying",
    );
  } finally {
    clearTimeout(stop);
    if (controller === inFlight) {
      inFlight = null;
      if (!document.hidden) timer = setTimeout(poll, POLL_MS);
    }
  }
}

for (const button of document.querySelectorAll("[data-window]")) {
  button.addEventListener("click", () => {
    selected = button.dataset.window;
    const url = new URL(location.href);
    url.searchParams.set("window", selected);
    history.replaceState(null, "", url);
    markWindow();
    poll();
  });
}

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) poll();
  else clearTimeout(timer);
});

markWindow();
poll();
