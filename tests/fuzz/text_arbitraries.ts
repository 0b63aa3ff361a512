/**
 * Text for the pipeline fuzzer: code points from every Unicode class that
 * trips up parsers, databases and case or white-space rules (U+0000, C0 and
 * C1 controls, lone surrogates, JavaScript white space, combining marks,
 * bidi and zero-width controls, noncharacters, astral symbols, letters whose
 * case mapping differs between engines), and values shaped like the seed's
 * fields (sentinels, follower counts, categories) with those mixed in.
 *
 * @module
 */

import fc from "fast-check";
import { SENTINELS } from "../../lib/pin/clean_pin.ts";
import { CATEGORIES } from "../../lib/emulate/pin_generator.ts";

/** The characters JavaScript's `trim()` and `\s` treat as white space. */
export const JS_WHITESPACE =
  "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" +
  "\u2028\u2029\u202f\u205f\u3000\ufeff";

/**
 * Classes of input the generators can be told to leave out (see
 * {@linkcode TextOptions}): U+0000, lone surrogates, cases whose clock
 * crosses midnight UTC, event times outside the years 0001–9999 in UTC (or
 * on their very last day), and values nested thousands of levels deep.
 */
export type AvoidedClass = "nul" | "lone-surrogate" | "cross-day" | "far-years" | "deep-nesting";

/** Every class {@linkcode AvoidedClass} names. */
export const AVOIDABLE: readonly AvoidedClass[] = [
  "nul",
  "lone-surrogate",
  "cross-day",
  "far-years",
  "deep-nesting",
];

/** What text the generators produce. */
export interface TextOptions {
  /** Classes never generated, e.g. to look past a known defect. */
  avoid?: ReadonlySet<AvoidedClass>;
}

function _range(min: number, max: number): fc.Arbitrary<string> {
  return fc.integer({ min, max }).map((code) => String.fromCodePoint(code));
}

function _pick(chars: string): fc.Arbitrary<string> {
  return fc.constantFrom(...[...chars]);
}

/**
 * One UTF-16 unit or code point from a weighted mix of Unicode classes.
 *
 * @param options Classes to avoid.
 * @returns The arbitrary.
 */
export function unicodeUnit(options: TextOptions = {}): fc.Arbitrary<string> {
  const avoid = options.avoid ?? new Set();
  const classes: Array<{ weight: number; arbitrary: fc.Arbitrary<string> }> = [
    { weight: 30, arbitrary: _range(0x20, 0x7e) },
    { weight: 4, arbitrary: _range(0x01, 0x1f) },
    { weight: 2, arbitrary: _range(0x7f, 0x9f) },
    { weight: 6, arbitrary: _pick(JS_WHITESPACE) },
    { weight: 6, arbitrary: _range(0xa0, 0x24f) },
    { weight: 3, arbitrary: _range(0x300, 0x36f) },
    // Greek, Cyrillic, Hebrew, Arabic (with its own digits).
    { weight: 4, arbitrary: _range(0x370, 0x6ff) },
    // Zero-width, bidi controls, separators, BOM, replacement character, noncharacters.
    {
      weight: 4,
      arbitrary: _pick(
        "\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2066\u2069\u2028\u2029\ufeff\ufffd\ufffe\uffff",
      ),
    },
    // Letters whose case mapping differs between engines (dotted I, final sigma, Kelvin, ß).
    { weight: 3, arbitrary: _pick("İıΣσςKÅßẞǅﬀ") },
    { weight: 4, arbitrary: _range(0x3040, 0x30ff) },
    { weight: 4, arbitrary: _range(0x4e00, 0x9fff) },
    { weight: 2, arbitrary: _range(0xe000, 0xf8ff) },
    { weight: 2, arbitrary: _range(0xff01, 0xff5e) },
    // Astral: emoji, mathematical letters, plane-16 private use, U+1FFFE.
    { weight: 5, arbitrary: _range(0x1f300, 0x1faff) },
    { weight: 2, arbitrary: _range(0x1d400, 0x1d7ff) },
    { weight: 1, arbitrary: _pick("\u{1fffe}\u{10fffd}\u{e0001}\u{10ffff}") },
  ];
  if (!avoid.has("nul")) classes.push({ weight: 3, arbitrary: fc.constant("\u0000") });
  if (!avoid.has("lone-surrogate")) {
    classes.push({ weight: 3, arbitrary: _range(0xd800, 0xdfff) });
  }
  return fc.oneof(...classes);
}

/**
 * Text of up to `maxLength` units from {@linkcode unicodeUnit}.
 *
 * @param options Classes to avoid and the longest text.
 * @returns The arbitrary.
 */
export function unicodeText(
  options: TextOptions & { maxLength?: number } = {},
): fc.Arbitrary<string> {
  return fc.string({ unit: unicodeUnit(options), maxLength: options.maxLength ?? 24 });
}

/**
 * Surrounds or interleaves a seed-like value with wild text, keeping it recognisable.
 *
 * @param base The seed-like values.
 * @param options Classes to avoid.
 * @returns The arbitrary.
 */
export function decorated(
  base: fc.Arbitrary<string>,
  options: TextOptions = {},
): fc.Arbitrary<string> {
  const ws = fc.string({ unit: _pick(JS_WHITESPACE), maxLength: 3 });
  const wild = unicodeText({ ...options, maxLength: 4 });
  return fc.oneof(
    { weight: 3, arbitrary: base },
    { weight: 3, arbitrary: fc.tuple(ws, base, ws).map(([a, b, c]) => a + b + c) },
    { weight: 2, arbitrary: base.map((s) => s.toUpperCase()) },
    { weight: 2, arbitrary: fc.tuple(base, wild).map(([b, w]) => b + w) },
    { weight: 2, arbitrary: fc.tuple(wild, base).map(([w, b]) => w + b) },
  );
}

/** Seed sentinel strings of every field, for any text field. */
export const ALL_SENTINELS: readonly string[] = [...new Set(Object.values(SENTINELS).flat())];

/**
 * A value for a text field of the pin: the seed's kind of value, a sentinel,
 * blank, wild Unicode, or long.
 *
 * @param field The field, which selects field-shaped values.
 * @param options Classes to avoid.
 * @returns The arbitrary.
 */
export function fieldText(field: string, options: TextOptions = {}): fc.Arbitrary<string> {
  const shaped: Array<fc.Arbitrary<string>> = [fc.constantFrom(...ALL_SENTINELS)];
  if (field === "follower_count") shaped.push(followerCountText());
  if (field === "category") {
    shaped.push(fc.constantFrom(...CATEGORIES, "unknown", "İstanbul", "ΟΔΟΣ", "KELVIN"));
  }
  if (field === "is_image_or_video") {
    shaped.push(fc.constantFrom("image", "video", "multi-video(story page format)", "IMAGE"));
  }
  if (field === "save_location") {
    shaped.push(fc.constantFrom("Local save in /data/art", "Local save in", "local save in /x"));
  }
  if (field === "tag_list") shaped.push(fc.constantFrom(",,", "a,,b", " , ", "x,  y ,z"));
  return fc.oneof(
    { weight: 4, arbitrary: decorated(fc.oneof(...shaped), options) },
    { weight: 4, arbitrary: unicodeText(options) },
    { weight: 1, arbitrary: fc.constantFrom("", " ", JS_WHITESPACE) },
    { weight: 1, arbitrary: longText(options) },
  );
}

/**
 * Follower counts as the seed writes them and near misses ("12k", "1.5M",
 * "9007199254740993", "1e3", full-width or Arabic-Indic digits).
 *
 * @returns The arbitrary.
 */
export function followerCountText(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: 5_000_000 }).map(String),
    fc.tuple(
      fc.nat({ max: 999 }),
      fc.nat({ max: 9 }),
      fc.constantFrom("k", "K", "m", "M", "b", "B"),
    )
      .map(([n, d, u]) => `${n}.${d}${u}`),
    fc.constantFrom(
      "User Info Error",
      "9007199254740991",
      "9007199254740993",
      "9007199.254740993k",
      "1e3",
      "0x10",
      "-5",
      "12 k",
      "12kk",
      "１２k",
      "١٢",
      "0.0005k",
      "999999999999b",
    ),
  );
}

/**
 * Long text around `MAX_FIELD_LENGTH` (65,536 UTF-16 units), by repeating a short piece.
 *
 * @param options Classes to avoid.
 * @returns The arbitrary.
 */
export function longText(options: TextOptions = {}): fc.Arbitrary<string> {
  return fc.tuple(
    unicodeText({ ...options, maxLength: 3 }).filter((s) => s.length > 0),
    fc.constantFrom(1000, 65_535, 65_536, 65_537),
  ).map(([piece, units]) => {
    const text = piece.repeat(Math.ceil(units / piece.length)).slice(0, units);
    // Cutting may split a surrogate pair; keep the text free of lone surrogates when asked.
    return options.avoid?.has("lone-surrogate") && /[\ud800-\udbff]$/.test(text)
      ? text.slice(0, -1)
      : text;
  });
}
