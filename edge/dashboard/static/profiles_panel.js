// Top profiles: the window's most active posters, with their follower counts.

import { $, showEmpty } from "./dom.js";
import { compact, integer, NO_REALTIME_VIEW } from "./format.js";

function _row(row, i, max) {
  const li = document.createElement("li");
  const rank = document.createElement("span");
  rank.className = "rank";
  rank.textContent = String(i + 1);
  const who = document.createElement("span");
  who.className = "who";
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = row.poster_name;
  name.title = row.poster_name;
  const followers = document.createElement("span");
  followers.className = "followers";
  followers.textContent = row.follower_count === null
    ? "followers unknown"
    : `${compact(row.follower_count)} follower${row.follower_count === 1 ? "" : "s"}`;
  who.append(name, followers);
  const count = document.createElement("span");
  count.className = "count";
  count.textContent = compact(row.events);
  count.title = `${integer.format(row.events)} events`;
  const bar = document.createElement("span");
  bar.className = "bar";
  const fill = document.createElement("span");
  fill.style.width = `${max > 0 ? (row.events / max) * 100 : 0}%`;
  bar.append(fill);
  li.append(rank, who, count, bar);
  return li;
}

/** The ranking; `render(state)` lists `state.realtime.top_profiles`. */
export function createProfilesPanel() {
  return {
    render({ realtime: view, unavailable }) {
      if (!view) {
        showEmpty("profiles-empty", unavailable.realtime ?? NO_REALTIME_VIEW);
        $("profiles").replaceChildren();
        return;
      }
      const rows = view.top_profiles;
      showEmpty("profiles-empty", rows.length ? null : "No profile activity in this window yet");
      const max = rows.reduce((m, r) => Math.max(m, r.events), 0);
      $("profiles").replaceChildren(...rows.map((row, i) => _row(row, i, max)));
    },
  };
}
