/**
 * A single pass over JSON text that finds the items of a top-level array and
 * measures each one's nesting and size without building any value, so a
 * body is counted and bounded before `JSON.parse` allocates anything. It
 * tracks only strings, brackets and colons; each item is still parsed on its
 * own afterwards, which is what checks the rest of the syntax.
 *
 * @module
 */

/** What a value may hold: its nesting, and its objects, arrays and fields counted over all levels. */
export interface ValueBounds {
  /** Levels allowed: `{}` is 1, `{"a": []}` is 2. */
  maxDepth: number;
  /** Objects, arrays and object fields allowed in all: `{"a": []}` is 3. */
  maxNodes: number;
}

/** Which bound a value exceeds, or null. */
export type Excess = "depth" | "nodes" | null;

/** Where one item of a JSON array lies in the text. */
export interface ItemSpan {
  /** Index of its first character. */
  start: number;
  /** Index after its last character. */
  end: number;
  /** The bound it exceeds, if any. */
  excess: Excess;
}

/** The outcome of {@linkcode arraySpans}. */
export type ArrayScan =
  | { ok: true; items: ItemSpan[] }
  | { ok: false; reason: "too-many" }
  | { ok: false; reason: "malformed"; message: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

function _isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** The index of the quote closing the string opened at `open`, or the text's length. */
function _stringEnd(text: string, open: number): number {
  let quote = text.indexOf('"', open + 1);
  while (quote >= 0) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}

/**
 * Measures one JSON value, stopping at the first character past a bound.
 *
 * @param text The JSON text (not necessarily valid).
 * @param bounds The depth and node bounds.
 * @returns The bound exceeded, or null.
 */
export function measureValue(text: string, bounds: ValueBounds): Excess {
  let depth = 0;
  let nodes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) i = _stringEnd(text, i);
    else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      if (++depth > bounds.maxDepth) return "depth";
      if (++nodes > bounds.maxNodes) return "nodes";
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) depth--;
    else if (code === COLON && ++nodes > bounds.maxNodes) return "nodes";
  }
  return null;
}

/** Characters scanned between two pauses of {@linkcode scanArray}. */
export const SCAN_STEP = 1 << 18;

/**
 * Finds the items of a JSON array, counting them as it goes. A generator
 * that pauses every {@linkcode SCAN_STEP} characters, so that its caller can
 * let the event loop turn during a long scan; its return value is the outcome.
 *
 * @param text JSON text whose first non-space character is `[`.
 * @param maxItems Past this many items the scan stops with `too-many`.
 * @param bounds What each item may hold (the array itself not counted).
 * @returns The items' spans, or why there are none: too many, or a
 * structure that is not an array (unbalanced, an empty item, text after it).
 * @example
 * ```ts
 * const scan = scanArray(text, 10_000, { maxDepth: 17, maxNodes: 1024 });
 * let step = scan.next();
 * while (!step.done) {
 *   await new Promise((resolve) => setTimeout(resolve));
 *   step = scan.next();
 * }
 * const outcome = step.value;
 * ```
 */
export function* scanArray(
  text: string,
  maxItems: number,
  bounds: ValueBounds,
): Generator<void, ArrayScan, void> {
  const items: ItemSpan[] = [];
  const malformed = (message: string): ArrayScan => ({ ok: false, reason: "malformed", message });
  let i = text.indexOf("[") + 1;
  let depth = 1;
  let start = -1;
  let last = -1;
  let nodes = 0;
  let excess: Excess = null;
  const push = (end: number) => items.push({ start, end, excess });
  let pause = i + SCAN_STEP;
  for (; i < text.length; i++) {
    if (i >= pause) {
      yield;
      pause = i + SCAN_STEP;
    }
    const code = text.charCodeAt(i);
    if (_isSpace(code)) continue;
    if (depth === 1 && code !== COMMA && code !== CLOSE_ARRAY && start < 0) start = i;
    if (code === QUOTE) {
      i = _stringEnd(text, i);
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      if (++depth - 1 > bounds.maxDepth) excess ??= "depth";
      if (++nodes > bounds.maxNodes) excess ??= "nodes";
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      if (--depth === 0) {
        if (code !== CLOSE_ARRAY) return malformed(`Unexpected '}' at position ${i}`);
        break;
      }
    } else if (code === COLON) {
      if (++nodes > bounds.maxNodes) excess ??= "nodes";
    } else if (code === COMMA && depth === 1) {
      if (start < 0) return malformed(`Unexpected ',' at position ${i}`);
      if (items.length === maxItems) return { ok: false, reason: "too-many" };
      push(last + 1);
      start = -1;
      nodes = 0;
      excess = null;
      last = i;
      continue;
    }
    last = i;
  }
  if (depth !== 0) return malformed("Unexpected end of JSON input");
  if (start >= 0) {
    if (items.length === maxItems) return { ok: false, reason: "too-many" };
    push(last + 1);
  } else if (items.length > 0) {
    return malformed(`Unexpected ']' after ',' at position ${i}`);
  }
  for (i++; i < text.length; i++) {
    if (!_isSpace(text.charCodeAt(i))) {
      return malformed(`Unexpected text after the array at position ${i}`);
    }
  }
  return { ok: true, items };
}
