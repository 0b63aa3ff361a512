/**
 * The cleaning rules of `lib/clean_pin.ts` (and the checks of
 * `lib/pin_event.ts`) as DuckDB SQL, generated from the same definitions
 * (`SENTINELS`, `SAVE_PREFIX`, `FOLLOWER_COUNT`, `MULTIPLIERS`) so that the
 * batch and the stream clean alike. `tests/unit/batch_clean_sql_test.ts`
 * runs the same inputs through both and asserts identical output.
 *
 * JavaScript semantics reproduced on purpose: `String.prototype.trim` and
 * `\s` (Unicode white space, not RE2's ASCII one), `Date.parse` of ISO
 * strings (day-of-month overflow rolls over, `24:00:00` is midnight, the
 * fraction is truncated to milliseconds), `Math.round` and
 * `Number.isSafeInteger`, and lengths in UTF-16 code units. Lower-casing a
 * non-ASCII category is left to JavaScript (see {@linkcode CATEGORY_LOWER_TABLE}).
 *
 * @module
 */

import { FOLLOWER_COUNT, MULTIPLIERS, SAVE_PREFIX, SENTINELS } from "../clean_pin.ts";
import { MAX_EVENT_ID_LENGTH, MAX_EXTRA_DEPTH, MAX_FIELD_LENGTH } from "../pin_event.ts";

/** The characters JavaScript's `trim()` and `\s` treat as white space. */
export const JS_WHITESPACE =
  "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" +
  "\u2028\u2029\u202f\u205f\u3000\ufeff";

/** The ISO-8601 form `lib/pin_event.ts` accepts for `event_time` (and the batch for `received_at`). */
export const ISO_DATE_TIME_RE2 =
  "^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$";

/** Temp table (raw text → lower-cased text) filled by JavaScript for non-ASCII categories. */
export const CATEGORY_LOWER_TABLE = "category_lower";

/** The JSON fields the batch reads, in the order of the extracted lists. */
export const RAW_FIELDS = [
  "index",
  "unique_id",
  "title",
  "description",
  "poster_name",
  "follower_count",
  "tag_list",
  "is_image_or_video",
  "image_src",
  "downloaded",
  "save_location",
  "category",
  "event_id",
  "event_time",
  "received_at",
] as const;

const INTEGER_FIELDS = new Set(["index", "downloaded"]);
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
    // character at either end (first code point; first code point of the last grapheme) need it.
    `CREATE OR REPLACE TEMP MACRO _js_trim(s) AS CASE WHEN s = '' THEN s WHEN ord(s) <= 32 OR ord(s) >= 128 ` +
    `OR ord(reverse(s)) <= 32 OR ord(reverse(s)) >= 128 THEN trim(s, ${ws}) ELSE s END`,
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

const TEXT_FIELDS = [
  "unique_id",
  "title",
  "description",
  "poster_name",
  "follower_count",
  "tag_list",
  "is_image_or_video",
  "image_src",
  "category",
] as const;

function _clean(field: string): string {
  const sentinels = SENTINELS[field];
  const text = `s_${field}`;
  if (!sentinels) return `CASE WHEN ${text} = '' THEN NULL ELSE ${text} END`;
  return `CASE WHEN ${text} = '' OR ${text} IN (${
    sentinels.map(sqlString).join(", ")
  }) THEN NULL ELSE ${text} END`;
}

function _validPredicate(): string {
  const checks = ["t[1] = 'OBJECT'"];
  RAW_FIELDS.forEach((field, i) => {
    const type = `t[${i + 2}]`;
    const value = `r_${field}`;
    if (INTEGER_FIELDS.has(field)) {
      checks.push(`${type} IN ('BIGINT', 'UBIGINT', 'DOUBLE') AND _safe_int(${value})`);
    } else if (field === "event_id") {
      checks.push(
        `${type} = 'VARCHAR' AND ${value} <> '' AND _fits(${value}, ${MAX_EVENT_ID_LENGTH})`,
      );
    } else if (field === "event_time") {
      checks.push(`(${type} IS NULL OR (${type} = 'VARCHAR' AND et_ms IS NOT NULL))`);
    } else if (field === "received_at") {
      checks.push(`${type} = 'VARCHAR' AND ra_ms IS NOT NULL`);
    } else {
      checks.push(`${type} = 'VARCHAR' AND _fits(${value}, ${MAX_FIELD_LENGTH})`);
    }
  });
  return checks.map((check) => `(${check})`).join("\n      AND ");
}

/**
 * The query turning raw NDJSON lines into a table `parsed`: one row per
 * non-blank line with `status` ('bad_json' | 'invalid' | 'valid'),
 * `deep_line` (the text of valid lines with enough brackets to nest deeper
 * than `MAX_EXTRA_DEPTH`, which JavaScript checks), `tiebreak`, and the
 * cleaned columns (category trimmed, not yet lower-cased). Each step is its
 * own projection so that no sub-expression is evaluated twice.
 *
 * @param linesSql A query with one VARCHAR column `line`.
 * @returns `CREATE OR REPLACE TEMP TABLE parsed AS ...`.
 */
export function parseLinesSql(linesSql: string): string {
  const paths = `[${RAW_FIELDS.map((field) => sqlString(`$.${field}`)).join(", ")}]`;
  const rootPaths = `['$', ${paths.slice(1)}`;
  const extracted = RAW_FIELDS.map((field, i) => `v[${i + 1}] AS r_${field}`).join(", ");
  const iso = sqlString(ISO_DATE_TIME_RE2);
  const isoParts = `['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'z']`;
  const follower = sqlString(jsRegexToRe2(FOLLOWER_COUNT));
  const save = sqlString(jsRegexToRe2(SAVE_PREFIX));
  const trimmed = TEXT_FIELDS.map((field) => `_js_trim(r_${field}) AS s_${field}`).join(", ");
  const cleaned = TEXT_FIELDS.map((field) => `${_clean(field)} AS c_${field}`).join(", ");
  return `CREATE OR REPLACE TEMP TABLE parsed AS
WITH typed AS (
  SELECT line, try(json_type(line, ${rootPaths})) AS t FROM (${linesSql}) WHERE line IS NOT NULL AND line <> ''
), fields AS (
  SELECT line, t, ${extracted}
  FROM (SELECT line, t, CASE WHEN t[1] = 'OBJECT' THEN json_extract_string(line, ${paths}) END AS v FROM typed)
), parts AS (
  SELECT *,
    regexp_extract(r_event_time, ${iso}, ${isoParts}) AS et_x,
    regexp_extract(r_received_at, ${iso}, ${isoParts}) AS ra_x,
    ${trimmed},
    _js_trim(regexp_replace(r_save_location, ${save}, '')) AS s_save
  FROM fields
), matched AS (
  SELECT *, CASE WHEN et_x.y <> '' THEN et_x END AS et_p, CASE WHEN ra_x.y <> '' THEN ra_x END AS ra_p
  FROM parts
), times AS (
  SELECT *, _iso_parts(et_p) AS et_ms, _iso_parts(ra_p) AS ra_ms, ${cleaned} FROM matched
), more AS (
  SELECT *,
    CASE WHEN regexp_matches(c_follower_count, ${follower}) THEN regexp_extract(c_follower_count, ${follower}, ['n', 'u']) END AS fc_p,
    list_filter(list_transform(string_split(c_tag_list, ','), x -> _js_trim(x)), x -> x <> '') AS tags,
    _ascii_lower(s_is_image_or_video) AS media_text
  FROM times
), checked AS (
  SELECT *, t IS NULL AS bad_json, coalesce(${_validPredicate()}, false) AS valid FROM more
)
SELECT
  CASE WHEN bad_json THEN 'bad_json' WHEN NOT valid THEN 'invalid' ELSE 'valid' END AS status,
  CASE WHEN valid AND regexp_matches(line, '[{\\[][^{\\[]*[{\\[]') THEN CASE
    WHEN strlen(line) - strlen(replace(replace(line, '{', ''), '[', '')) > ${
    MAX_EXTRA_DEPTH + 1
  } THEN line END END AS deep_line,
  CASE WHEN valid THEN hash(line) END AS tiebreak,
  CASE WHEN valid THEN r_event_id END AS event_id,
  CASE WHEN valid THEN epoch_ms(coalesce(et_ms, ra_ms)) END AS event_time,
  CASE WHEN valid THEN epoch_ms(ra_ms) END AS received_at,
  CASE WHEN valid THEN TRY_CAST(r_index AS DOUBLE)::BIGINT END AS index_id,
  CASE WHEN valid THEN s_unique_id END AS unique_id,
  CASE WHEN valid THEN c_title END AS title,
  CASE WHEN valid THEN c_description END AS description,
  CASE WHEN valid THEN c_poster_name END AS poster_name,
  CASE WHEN valid THEN _follower_parts(fc_p) END AS follower_count,
  CASE WHEN valid AND len(tags) > 0 THEN tags END AS tag_list,
  CASE WHEN valid THEN c_is_image_or_video END AS is_image_or_video,
  CASE WHEN NOT valid THEN NULL WHEN media_text = 'image' THEN 'image'
    WHEN contains(media_text, 'video') THEN 'video' ELSE 'unknown' END AS media_type,
  CASE WHEN valid THEN c_image_src END AS image_src,
  CASE WHEN valid THEN TRY_CAST(r_downloaded AS DOUBLE)::BIGINT END AS downloaded,
  CASE WHEN valid AND s_save <> '' THEN s_save END AS save_location,
  CASE WHEN valid THEN c_category END AS category
FROM checked`;
}

/** The curated columns, in order. */
export const CURATED_COLUMNS = [
  "event_id",
  "event_time",
  "received_at",
  "index_id",
  "unique_id",
  "title",
  "description",
  "poster_name",
  "follower_count",
  "tag_list",
  "is_image_or_video",
  "media_type",
  "image_src",
  "downloaded",
  "save_location",
  "category",
] as const;

/**
 * The query keeping one row per `event_id` (the earliest `received_at`;
 * ties broken by the line's hash, so the choice never depends on file
 * order) and lower-casing categories: ASCII in SQL, others through
 * {@linkcode CATEGORY_LOWER_TABLE}.
 *
 * @returns `CREATE OR REPLACE TEMP TABLE clean AS ...`.
 */
export function dedupeSql(): string {
  const columns = CURATED_COLUMNS.map((column) =>
    column === "category"
      ? `CASE WHEN m.lowered IS NOT NULL THEN m.lowered ELSE lower(p.category) END AS category`
      : `p.${column}`
  ).join(", ");
  return `CREATE OR REPLACE TEMP TABLE clean AS
SELECT ${columns}
FROM parsed p LEFT JOIN ${CATEGORY_LOWER_TABLE} m ON m.raw = p.category
WHERE p.status = 'valid'
QUALIFY row_number() OVER (PARTITION BY p.event_id ORDER BY p.received_at, p.tiebreak) = 1`;
}

/** Distinct non-ASCII categories that JavaScript must lower-case. */
export const NON_ASCII_CATEGORIES_SQL =
  `SELECT DISTINCT category FROM parsed WHERE status = 'valid' AND regexp_matches(category, '[^\\x00-\\x7F]')`;
