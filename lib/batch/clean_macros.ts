/**
 * The SQL building blocks of the cleaning: JavaScript's white space and
 * regular expressions translated for DuckDB (RE2), SQL literals, and the
 * temp macros `clean_sql.ts` queries call.
 *
 * @module
 */

import { MULTIPLIERS } from "../pin/clean_pin.ts";

/** The characters JavaScript's `trim()` and `\s` treat as white space. */
export const JS_WHITESPACE =
  "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" +
  "\u2028\u2029\u202f\u205f\u3000\ufeff";

/** The ISO-8601 form `lib/pin/pin_event.ts` accepts for `event_time` (and the batch for `received_at`). */
export const ISO_DATE_TIME_RE2 =
  "^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$";

/** Temp table (raw text → lower-cased text) filled by JavaScript for non-ASCII categories. */
export const CATEGORY_LOWER_TABLE = "category_lower";

const MAX_SAFE = "9007199254740991";

function _wsClass(): string {
  let out = "";
  for (const char of JS_WHITESPACE) {
    out += `\\x{${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}}`;
  }
  return `[${out}]`;
}

/**
 * Translates one of the cleaning rules' JavaScript regular expressions to
 * RE2 (DuckDB's engine): `\s` becomes JavaScript's white-space class, `\d`
 * `[0-9]`, and the `i` flag becomes explicit ASCII case pairs (RE2's `(?i)`
 * would also fold the Kelvin sign into `k`, JavaScript's does not).
 *
 * @param re The expression.
 * @returns RE2 source.
 * @throws {Error} On a construct it does not translate, so a changed rule fails loudly.
 */
export function jsRegexToRe2(re: RegExp): string {
  const flags = re.flags.replace("i", "");
  if (flags !== "") throw new Error(`Cannot translate regex flags '${re.flags}' of ${re}`);
  const fold = re.flags.includes("i");
  const src = re.source;
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const char = src[i]!;
    if (char === "\\") {
      const next = src[i + 1] ?? "";
      i++;
      if (next === "s") out += inClass ? _wsClass().slice(1, -1) : _wsClass();
      else if (next === "d") out += inClass ? "0-9" : "[0-9]";
      else if (next === "b" || next === "." || next === "\\") out += `\\${next}`;
      else throw new Error(`Cannot translate '\\${next}' in ${re}`);
      continue;
    }
    if (char === "[") inClass = true;
    if (char === "]") inClass = false;
    if (fold && /[a-z]/i.test(char)) {
      const both = char.toLowerCase() + char.toUpperCase();
      out += inClass ? both : `[${both}]`;
      continue;
    }
    out += char;
  }
  return out;
}

/** Quotes a string as a SQL literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The temp macros the cleaning SQL uses; run once per connection before
 * {@linkcode parseLinesSql}.
 *
 * @returns Semicolon-separated `CREATE OR REPLACE TEMP MACRO` statements.
 */
export function cleaningMacrosSql(): string {
  const ws = sqlString(JS_WHITESPACE);
  const multipliers = Object.entries(MULTIPLIERS)
    .map(([suffix, factor]) => `WHEN ${sqlString(suffix)} THEN ${factor}::DOUBLE`).join(" ");
  return [
    // trim(s, chars) costs ~1 µs a call: only strings with a control, space or non-ASCII
    // character at either end (first and last code points) need it.
    `CREATE OR REPLACE TEMP MACRO _js_trim(s) AS CASE WHEN s = '' THEN s WHEN ord(s) <= 32 OR ord(s) >= 128 ` +
    `OR ord(s[-1]) <= 32 OR ord(s[-1]) >= 128 THEN trim(s, ${ws}) ELSE s END`,
    // Length in UTF-16 code units: code points, plus one per astral code point.
    `CREATE OR REPLACE TEMP MACRO _fits(s, n) AS CASE WHEN strlen(s) <= n THEN true ELSE ` +
    `length(s) + length(regexp_replace(s, '[^\\x{10000}-\\x{10FFFF}]', '', 'g')) <= n END`,
    `CREATE OR REPLACE TEMP MACRO _safe_int(s) AS ` +
    `coalesce(abs(TRY_CAST(s AS DOUBLE)) <= ${MAX_SAFE} AND TRY_CAST(s AS DOUBLE) = trunc(TRY_CAST(s AS DOUBLE)), false)`,
    // Days from 1970-01-01 to the first of month m of year y (H. Hinnant's days_from_civil, shifted by 400 years to stay positive).
    `CREATE OR REPLACE TEMP MACRO _days(y, m) AS ` +
    `((y - (m <= 2)::INT + 400) // 400) * 146097 + ((y - (m <= 2)::INT + 400) % 400) * 365 + ` +
    `((y - (m <= 2)::INT + 400) % 400) // 4 - ((y - (m <= 2)::INT + 400) % 400) // 100 + ` +
    `(153 * ((m + 9) % 12) + 2) // 5 - 719468 - 146097`,
    `CREATE OR REPLACE TEMP MACRO _iso_parts(p) AS CASE WHEN ` +
    `p.mo::INT BETWEEN 1 AND 12 AND p.d::INT BETWEEN 1 AND 31 AND p.mi::INT <= 59 AND p.s::INT <= 59 ` +
    `AND (p.h::INT <= 23 OR (p.h::INT = 24 AND p.mi::INT = 0 AND p.s::INT = 0 AND NOT regexp_matches(p.f, '[1-9]'))) ` +
    `AND (p.z = 'Z' OR (substr(p.z, 2, 2)::INT <= 23 AND substr(p.z, 5, 2)::INT <= 59)) THEN ` +
    `(_days(p.y::INT, p.mo::INT) + p.d::INT - 1)::BIGINT * 86400000 + p.h::INT * 3600000 + ` +
    `p.mi::INT * 60000 + p.s::INT * 1000 + ` +
    `CASE WHEN p.f = '' THEN 0 ELSE rpad(substr(p.f, 2, 3), 3, '0')::INT END - ` +
    `CASE WHEN p.z = 'Z' THEN 0 ELSE (CASE WHEN substr(p.z, 1, 1) = '-' THEN -1 ELSE 1 END) * ` +
    `(substr(p.z, 2, 2)::INT * 60 + substr(p.z, 5, 2)::INT) * 60000 END END`,
    `CREATE OR REPLACE TEMP MACRO _follower_parts(p) AS CASE WHEN ` +
    `round(TRY_CAST(p.n AS DOUBLE) * (CASE lower(p.u) ${multipliers} ELSE 1::DOUBLE END)) <= ${MAX_SAFE} ` +
    `THEN round(TRY_CAST(p.n AS DOUBLE) * (CASE lower(p.u) ${multipliers} ELSE 1::DOUBLE END))::BIGINT END`,
    `CREATE OR REPLACE TEMP MACRO _ascii_lower(s) AS translate(s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`,
    `CREATE TEMP TABLE IF NOT EXISTS ${CATEGORY_LOWER_TABLE} (raw VARCHAR PRIMARY KEY, lowered VARCHAR)`,
  ].join(";\n");
}
