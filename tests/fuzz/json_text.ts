/**
 * JSON text as a fuzzing client writes it: `JSON.stringify` for ordinary
 * values, plus number tokens JavaScript would never print (`1e400`, `-0`,
 * `1.0`) and keys that appear twice in one object.
 *
 * @module
 */

/** A JSON number written exactly as given, e.g. `1e400` or `1.0`. */
export class RawNumber {
  /** @param text The number's JSON text. */
  constructor(readonly text: string) {}

  /** The text, so that `JSON.stringify` of a recipe stays readable. */
  toJSON(): string {
    return `#raw:${this.text}`;
  }
}

/** Key that carries an object's repeated members: `[key, value]` pairs written first. */
export const REPEATED = "__repeated_members__";

/** Value a generator may put anywhere in an event. */
export type JsonLike =
  | null
  | boolean
  | number
  | string
  | RawNumber
  | JsonLike[]
  | { [key: string]: JsonLike };

/**
 * Writes a value as JSON text. Repeated members (under {@linkcode REPEATED})
 * are written before the object's own members, so a parser that keeps the
 * last occurrence sees the own member.
 *
 * Iterative, so values nested far deeper than `JSON.stringify` can handle are
 * written too.
 *
 * @param value The value.
 * @returns JSON text.
 */
export function toJsonText(value: JsonLike): string {
  const out: string[] = [];
  const stack: Array<JsonLike | { close: string } | { sep: string }> = [value];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item instanceof RawNumber) {
      out.push(item.text);
    } else if (item !== null && typeof item === "object" && "close" in item && _isMark(item)) {
      out.push((item as { close: string }).close);
    } else if (item !== null && typeof item === "object" && "sep" in item && _isMark(item)) {
      out.push((item as { sep: string }).sep);
    } else if (Array.isArray(item)) {
      out.push("[");
      const parts: Array<JsonLike | { sep: string } | { close: string }> = [];
      item.forEach((child, i) => {
        if (i > 0) parts.push(_mark({ sep: "," }));
        parts.push(child);
      });
      stack.push(_mark({ close: "]" }), ...parts.reverse());
    } else if (item !== null && typeof item === "object") {
      out.push("{");
      const record = item as Record<string, JsonLike>;
      const repeated = (record[REPEATED] ?? []) as unknown as Array<[string, JsonLike]>;
      const members: Array<[string, JsonLike]> = [
        ...repeated,
        ...Object.entries(record).filter(([key]) => key !== REPEATED),
      ];
      const parts: Array<JsonLike | { sep: string } | { close: string }> = [];
      members.forEach(([key, child], i) => {
        parts.push(_mark({ sep: `${i > 0 ? "," : ""}${JSON.stringify(key)}:` }));
        parts.push(child);
      });
      stack.push(_mark({ close: "}" }), ...parts.reverse());
    } else {
      // JSON.stringify writes NaN and ±Infinity as null, as any JavaScript client would.
      out.push(JSON.stringify(item));
    }
  }
  return out.join("");
}

const _marks = new WeakSet<object>();

function _mark<T extends object>(value: T): T {
  _marks.add(value);
  return value;
}

function _isMark(value: object): boolean {
  return _marks.has(value);
}

/**
 * A value nested `depth` levels deep (alternating objects and arrays) around a leaf.
 *
 * @param depth Levels of objects and arrays.
 * @param leaf The innermost value.
 * @returns The nested value.
 */
export function nested(depth: number, leaf: JsonLike = 1): JsonLike {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { n: value };
  return value;
}
