// The batch view: the most popular category of each year.

import { $, showEmpty } from "./dom.js";
import { compact, integer } from "./format.js";

function _row(row) {
  const tr = document.createElement("tr");
  const year = document.createElement("td");
  year.className = "year";
  year.textContent = String(row.year);
  const category = document.createElement("td");
  const chip = document.createElement("span");
  chip.className = "chip";
  chip.textContent = row.category;
  category.append(chip);
  const pins = document.createElement("td");
  pins.className = "num";
  pins.textContent = compact(row.pins);
  pins.title = `${integer.format(row.pins)} pins`;
  tr.append(year, category, pins);
  return tr;
}

/** The years table; `render(state)` lists `state.history.years` and links the latest year's. */
export function createHistoryPanel() {
  return {
    render({ history, unavailable }) {
      const reason = unavailable.history;
      const years = history?.years ?? [];
      $("years").hidden = years.length === 0;
      showEmpty(
        "years-empty",
        years.length
          ? null
          : history === null && reason && !/No batch view/.test(reason)
          ? reason
          : "No batch run yet",
      );
      $("years-body").replaceChildren(...years.map(_row));
      // Linked only once the batch has data: before that the endpoint has nothing to show.
      const link = $("years-link");
      link.hidden = years.length === 0;
      if (years.length) {
        link.href = `/history/categories?year=${years[0].year}`;
        link.textContent = `all categories of ${years[0].year}`;
      }
    },
  };
}
