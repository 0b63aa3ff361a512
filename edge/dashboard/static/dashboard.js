// The live dashboard: polls /dashboard/state every two seconds and draws it.
// Served by the edge (edge/dashboard/); Chart.js is loaded before this file.
// Data from events (profile names...) only ever goes into textContent.
"use strict";

(() => {
  const POLL_MS = 2000;
  const WINDOWS = ["5m", "15m", "1h", "24h"];
  const WINDOW_TEXT = {
    "5m": "last 5 min",
    "15m": "last 15 min",
    "1h": "last hour",
    "24h": "last 24 h",
  };
  const { Chart } = globalThis;

  const $ = (id) => document.getElementById(id);

  // ---- formatting -------------------------------------------------------------------------

  /** 950, 1.2k, 34k, 1.2M. */
  function compact(n) {
    if (n === null || n === undefined || !Number.isFinite(n)) return "–";
    const abs = Math.abs(n);
    const units = [[1e9, "B"], [1e6, "M"], [1e3, "k"]];
    for (const [size, suffix] of units) {
      if (abs >= size) {
        const v = n / size;
        const text = Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, "");
        return text + suffix;
      }
    }
    if (Number.isInteger(n)) return String(n);
    return abs >= 10 ? n.toFixed(0) : n.toFixed(1).replace(/\.0$/, "");
  }

  /** 34 ms, 1.2 s, 3 min, 2.5 h. */
  function duration(seconds) {
    if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
    if (seconds < 1) return `${Math.max(1, Math.round(seconds * 1000))} ms`;
    if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
    if (seconds < 86400) return `${(seconds / 3600).toFixed(1).replace(/\.0$/, "")} h`;
    return `${Math.round(seconds / 86400)} d`;
  }

  function ago(iso) {
    const seconds = (Date.now() - Date.parse(iso)) / 1000;
    return seconds < 45 ? "just now" : `${duration(Math.max(0, seconds))} ago`;
  }

  function percent(part, total) {
    return total > 0 ? `${Math.round((part / total) * 100)}%` : "–";
  }

  const clock = new Intl.DateTimeFormat(undefined, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const clockShort = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const integer = new Intl.NumberFormat();

  // ---- theme ------------------------------------------------------------------------------

  function palette() {
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

  let colors = palette();

  function baseOptions() {
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

  // ---- charts -----------------------------------------------------------------------------

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;

  const rateChart = new Chart($("chart-rate"), {
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
      ...baseOptions(),
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

  const mediaChart = new Chart($("chart-media"), {
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
      ...baseOptions(),
      cutout: "70%",
      plugins: {
        ...baseOptions().plugins,
        legend: { ...baseOptions().plugins.legend, position: "bottom" },
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

  const categoryChart = new Chart($("chart-categories"), {
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
      ...baseOptions(),
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
        ...baseOptions().plugins,
        legend: { ...baseOptions().plugins.legend, position: "top", align: "end" },
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

  function applyTheme() {
    colors = palette();
    Chart.defaults.color = colors.muted;
    Chart.defaults.borderColor = colors.grid;
    const rate = rateChart.data.datasets[0];
    rate.borderColor = colors.accent;
    rate.backgroundColor = colors.accentSoft;
    const media = mediaChart.data.datasets[0];
    media.backgroundColor = [colors.image, colors.video, colors.other];
    media.borderColor = colors.card;
    const [images, videos, other] = categoryChart.data.datasets;
    images.backgroundColor = colors.image;
    videos.backgroundColor = colors.video;
    other.backgroundColor = colors.other;
    for (const chart of [rateChart, mediaChart, categoryChart]) {
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

  applyTheme();
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", applyTheme);

  // ---- rendering --------------------------------------------------------------------------

  function setText(id, text) {
    const node = $(id);
    if (node.textContent !== text) node.textContent = text;
  }

  function valueWithUnit(id, value, unit) {
    const node = $(id);
    const strong = document.createTextNode(value);
    const span = document.createElement("span");
    span.className = "unit";
    span.textContent = unit;
    node.replaceChildren(strong, span);
  }

  function showEmpty(id, message) {
    const node = $(id);
    node.hidden = message === null;
    if (message !== null) node.textContent = message;
  }

  function renderIngest(ingest) {
    const until = Date.parse(ingest.until);
    const n = ingest.per_second.length;
    const points = ingest.per_second.map((y, i) => ({ x: until - (n - i) * 1000, y }));
    const dataset = rateChart.data.datasets[0];
    dataset.data = points;
    rateChart.options.scales.x.min = until - n * 1000;
    rateChart.options.scales.x.max = until - 1000;
    rateChart.options.scales.x.ticks.stepSize = innerWidth < 600 ? 300_000 : 180_000;
    rateChart.update("none");
    valueWithUnit("kpi-rate", compact(ingest.current), "/s");
    setText(
      "kpi-rate-sub",
      `this edge · peak ${compact(ingest.peak)}/s · ${compact(ingest.total)} in 15 min`,
    );
  }

  function renderRealtime(view, windowName, reason) {
    for (const node of document.querySelectorAll(".window-label")) {
      node.textContent = WINDOW_TEXT[windowName];
    }
    if (!view) {
      setText("kpi-events", "n/a");
      setText("kpi-events-sub", reason ?? "real-time view unavailable");
      setText("kpi-media", "n/a");
      setText("kpi-media-sub", "");
      showEmpty("profiles-empty", reason ?? "Real-time view unavailable");
      showEmpty("categories-empty", reason ?? "Real-time view unavailable");
      showEmpty("media-empty", reason ?? "Real-time view unavailable");
      $("profiles").replaceChildren();
      $("chart-categories").parentElement.hidden = true;
      $("chart-media").parentElement.hidden = true;
      return;
    }
    setText("kpi-events", compact(view.events));
    setText("kpi-events-sub", `${WINDOW_TEXT[windowName]} · all edges`);
    const other = Math.max(0, view.events - view.images - view.videos);
    setText(
      "kpi-media",
      view.events > 0
        ? `${percent(view.images, view.events)} · ${percent(view.videos, view.events)}`
        : "–",
    );
    setText(
      "kpi-media-sub",
      `${compact(view.images)} images · ${compact(view.videos)} videos`,
    );

    // Image vs video.
    const hasEvents = view.events > 0;
    $("chart-media").parentElement.hidden = !hasEvents;
    showEmpty("media-empty", hasEvents ? null : "No events in this window yet");
    mediaChart.data.datasets[0].data = [view.images, view.videos, other];
    mediaChart.update("none");
    setText("media-center", percent(view.images, view.events));
    setText("media-center-sub", "images");

    // Top profiles.
    const rows = view.top_profiles;
    showEmpty("profiles-empty", rows.length ? null : "No profile activity in this window yet");
    const max = rows.reduce((m, r) => Math.max(m, r.events), 0);
    const list = $("profiles");
    list.replaceChildren(...rows.map((row, i) => {
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
    }));

    // Category activity.
    const categories = [...view.categories].sort((a, b) => b.events - a.events);
    $("chart-categories").parentElement.hidden = categories.length === 0;
    showEmpty("categories-empty", categories.length ? null : "No category activity yet");
    categoryChart.data.labels = categories.map((c) => c.category);
    const [images, videos, others] = categoryChart.data.datasets;
    images.data = categories.map((c) => c.images);
    videos.data = categories.map((c) => c.videos);
    others.data = categories.map((c) => Math.max(0, c.events - c.images - c.videos));
    categoryChart.update("none");
  }

  function renderHistory(history, reason) {
    const body = $("years-body");
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
    body.replaceChildren(...years.map((row) => {
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
    }));
  }

  function setHealth(id, level, value, sub) {
    const item = $(id);
    item.dataset.level = level;
    const v = item.querySelector(".h-value");
    const s = item.querySelector(".h-sub");
    if (v.textContent !== value) v.textContent = value;
    if (s.textContent !== sub) s.textContent = sub;
  }

  function renderHealth(health, batch) {
    const lag = health.consumer_lag;
    if (lag) {
      const parts = Object.keys(lag.partitions).length;
      setHealth(
        "h-lag",
        lag.total > 10_000 ? "bad" : lag.total > 1000 ? "warn" : "ok",
        `${compact(lag.total)} records`,
        `over ${parts} partition${parts === 1 ? "" : "s"}`,
      );
    } else setHealth("h-lag", "na", "n/a", "stream job not in this process");

    const fresh = health.freshness;
    if (fresh) {
      setHealth(
        "h-fresh",
        fresh.p95_seconds > 30 ? "bad" : fresh.p95_seconds > 5 ? "warn" : "ok",
        duration(fresh.p95_seconds),
        `p50 ${duration(fresh.p50_seconds)} · ${
          fresh.over_seconds === null ? "since start" : `last ${duration(fresh.over_seconds)}`
        }`,
      );
      setText("kpi-fresh", duration(fresh.p95_seconds));
      setText("kpi-fresh-sub", `p50 ${duration(fresh.p50_seconds)} · edge to real-time view`);
    } else {
      setHealth("h-fresh", "na", "n/a", "no events counted by a stream job here");
      setText("kpi-fresh", "n/a");
      setText("kpi-fresh-sub", "edge to real-time view");
    }

    const run = batch?.last_run ?? null;
    if (run) {
      const rows = run.rows === null ? "" : ` · ${compact(run.rows)} rows`;
      setHealth(
        "h-batch",
        run.status === "succeeded" ? "ok" : "bad",
        run.day,
        `${run.status} · finished ${ago(run.finished_at)}${rows}`,
      );
    } else setHealth("h-batch", "na", "No batch run yet", "the batch view fills daily");

    const dlq = health.dead_letters;
    if (dlq) {
      const by = [
        dlq.edge === null ? null : `edge ${compact(dlq.edge)}`,
        dlq.stream === null ? null : `stream ${compact(dlq.stream)}`,
      ].filter(Boolean).join(" · ");
      setHealth("h-dlq", dlq.total > 0 ? "warn" : "ok", compact(dlq.total), `${by} · since start`);
    } else setHealth("h-dlq", "na", "n/a", "");
  }

  function render(state) {
    renderIngest(state.ingest);
    renderRealtime(state.realtime, state.window, state.unavailable.realtime);
    renderHistory(state.history, state.unavailable.history);
    renderHealth(state.health, state.history);
  }

  // ---- polling ----------------------------------------------------------------------------

  const params = new URLSearchParams(location.search);
  let selected = WINDOWS.includes(params.get("window")) ? params.get("window") : "15m";
  let timer = 0;
  let inFlight = null;

  function setStatus(state, text) {
    const node = $("status");
    node.dataset.state = state;
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
      render(state);
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
})();
