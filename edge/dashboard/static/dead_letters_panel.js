// Dead letters by reason, in the last 24 hours and in total, as the dead-letter topic holds them.

import { $, setText, showEmpty } from "./dom.js";
import { compact, integer } from "./format.js";

function _count(n) {
  const td = document.createElement("td");
  td.className = "num";
  td.textContent = compact(n);
  td.title = integer.format(n);
  return td;
}

function _row(row) {
  const tr = document.createElement("tr");
  const reason = document.createElement("td");
  reason.textContent = row.reason;
  tr.append(reason, _count(row.last_24h), _count(row.total));
  return tr;
}

/** The dead-letter card; `render(state)` lists `state.dead_letters.by_reason`. */
export function createDeadLettersPanel() {
  return {
    render({ dead_letters: dlq, unavailable }) {
      const rows = dlq?.by_reason ?? [];
      $("dlq-reasons").hidden = rows.length === 0;
      showEmpty(
        "dlq-empty",
        rows.length ? null : dlq ? "No dead letters" : unavailable.dead_letters ?? "Unavailable",
      );
      $("dlq-body").replaceChildren(...rows.map(_row));
      setText(
        "dlq-note",
        dlq && !dlq.complete ? "counting the dead-letter topic…" : "from the dead-letter topic",
      );
    },
  };
}
