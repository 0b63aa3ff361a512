// The window's summary: the events KPI and the window label of each real-time card.

import { setText } from "./dom.js";
import { compact, WINDOW_TEXT } from "./format.js";

/** The summary; `render(state)` writes the window and `state.realtime`'s event count. */
export function createSummaryPanel() {
  return {
    render({ realtime: view, window: windowName, unavailable }) {
      for (const node of document.querySelectorAll(".window-label")) {
        node.textContent = WINDOW_TEXT[windowName];
      }
      if (!view) {
        setText("kpi-events", "n/a");
        setText("kpi-events-sub", unavailable.realtime ?? "real-time view unavailable");
        return;
      }
      setText("kpi-events", compact(view.events));
      setText("kpi-events-sub", `${WINDOW_TEXT[windowName]} · all edges`);
    },
  };
}
