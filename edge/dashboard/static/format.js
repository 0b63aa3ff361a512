// How the dashboard writes numbers, durations, times and windows.

/** The text of each window the page offers, by its name in `/dashboard/state?window=`. */
export const WINDOW_TEXT = {
  "15m": "last 15 min",
  "1h": "last hour",
  "24h": "last 24 h",
  "7d": "last 7 days",
  "30d": "last 30 days",
};

/** What a real-time card says when the edge has no real-time view and gives no reason. */
export const NO_REALTIME_VIEW = "Real-time view unavailable";

/** 950, 1.2k, 34k, 1.2M. */
export function compact(n) {
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
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  if (seconds < 1) return `${Math.max(1, Math.round(seconds * 1000))} ms`;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1).replace(/\.0$/, "")} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** "just now", or how long ago an ISO-8601 time was: "3 min ago". */
export function ago(iso) {
  const seconds = (Date.now() - Date.parse(iso)) / 1000;
  return seconds < 45 ? "just now" : `${duration(Math.max(0, seconds))} ago`;
}

/** 42%, or "–" without a total. */
export function percent(part, total) {
  return total > 0 ? `${Math.round((part / total) * 100)}%` : "–";
}

/** Hours, minutes and seconds in the reader's locale. */
export const clock = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** Hours and minutes in the reader's locale. */
export const clockShort = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
});

/** Whole numbers with the reader's digit grouping. */
export const integer = new Intl.NumberFormat();

/** Day and month in the reader's locale: "Dec 1". */
export const dayShort = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** Weekday, hours and minutes in the reader's locale: "Tue 14:05". */
export const weekdayClock = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
});

/** A chart step's length: "minute", "10 min", "hour", "6 hours", "day". */
export function stepText(minutes) {
  if (minutes === 1) return "minute";
  if (minutes < 60) return `${minutes} min`;
  if (minutes === 60) return "hour";
  if (minutes < 1440) return `${minutes / 60} hours`;
  return minutes === 1440 ? "day" : `${minutes / 1440} days`;
}

/** A time axis label: the time of day, or the date when ticks are a day or more apart. */
export function tickText(ms, tickMs) {
  return tickMs < 86_400_000 ? clockShort.format(new Date(ms)) : dayShort.format(new Date(ms));
}

/** The span of a chart step starting at `fromMs`: "Tue 14:05", or "Tue 14:00 – 15:00". */
export function stepSpan(fromMs, stepMs) {
  const from = weekdayClock.format(new Date(fromMs));
  return stepMs <= 60_000 ? from : `${from} – ${clockShort.format(new Date(fromMs + stepMs))}`;
}
