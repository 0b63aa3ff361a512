/**
 * The cleaning rules of `lib/pin/clean_pin.ts` (and the checks of
 * `lib/pin/pin_event.ts`) as DuckDB SQL, generated from the same definitions
 * (`SENTINELS`, `SAVE_PREFIX`, `FOLLOWER_COUNT`, `MULTIPLIERS`) so that the
 * batch and the stream clean alike. `tests/unit/batch_clean_sql_test.ts`
 * runs the same inputs through both and asserts identical output.
 *
 * JavaScript semantics reproduced on purpose: `String.prototype.trim` and
 * `\s` (Unicode white space, not RE2's ASCII one), `Date.parse` of ISO
 * strings (day-of-month overflow rolls over, `24:00:00` is midnight, the
 * fraction is truncated to milliseconds), `Math.round` and
 * `Number.isSafeInteger`, and lengths in UTF-16 code units. Lower-casing a
 * non-ASCII category is left to JavaScript (see `CATEGORY_LOWER_TABLE`). The
 * building blocks (translated regular expressions, temp macros) live in
 * `clean_macros.ts`.
 *
 * The text policy of the validator (no U+0000, no lone surrogate, in any
 * string of the event) is decided by the validator itself, on the few lines
 * that can break it: DuckDB reads a `\u0000` escape as a NUL character, and
 * refuses a whole line holding a lone surrogate escape such as `\ud800` as
 * not JSON, while JavaScript parses it. So the SQL only marks such lines
 * (`js_line`), cheaply, and `clean_stage.ts` hands them to `validatePinEvent`.
 *
 * @module
 */

import { CLEAN_COLUMN_NAMES } from "../pin/clean_columns.ts";
import { FOLLOWER_COUNT, SAVE_PREFIX, SENTINELS } from "../pin/clean_pin.ts";
import {
  MAX_EVENT_ID_LENGTH,
  MAX_EXTRA_DEPTH,
  MAX_FIELD_LENGTH,
  PIN_FIELDS,
  TIME_RANGE_MS,
} from "../pin/pin_event.ts";
import {
  CATEGORY_LOWER_TABLE,
  ISO_DATE_TIME_RE2,
  jsRegexToRe2,
  sqlString,
} from "./clean_macros.ts";
import { nullReasonColumnsSql } from "./clean_outcomes_sql.ts";

export {
  CATEGORY_LOWER_TABLE,
  cleaningMacrosSql,
  ISO_DATE_TIME_RE2,
  JS_WHITESPACE,
  jsRegexToRe2,
  sqlString,
} from "./clean_macros.ts";

/** The JSON fields the batch reads, in the order of the extracted lists. */
export const RAW_FIELDS: readonly string[] = [
  ...PIN_FIELDS,
  "event_id",
  "event_time",
  "received_at",
];

const INTEGER_FIELDS = new Set(["index", "downloaded"]);

/** Text fields trimmed and cleaned alike; `save_location` has its own rule. */
const TEXT_FIELDS = PIN_FIELDS.filter((field) =>
  !INTEGER_FIELDS.has(field) && field !== "save_location"
);

function _clean(field: string): string {
  const sentinels = SENTINELS[field];
  const text = `s_${field}`;
  if (!sentinels) return `CASE WHEN ${text} = '' THEN NULL ELSE ${text} END`;
  return `CASE WHEN ${text} = '' OR ${text} IN (${
    sentinels.map(sqlString).join(", ")
  }) THEN NULL ELSE ${text} END`;
}

/** The fields as raw JSON text, one parse per line (`json_transform` to a STRUCT of JSON). */
const JSON_SPEC = `{${RAW_FIELDS.map((field) => `"${field}":"JSON"`).join(",")}}`;

// A JSON string's text, NULL for any other JSON type (reading the small value again is
// cheaper than any string function that copies it).
function _jsonText(field: string): string {
  const raw = `j.${field}`;
  return `CASE WHEN starts_with(${raw}, '"') THEN json_extract_string(${raw}, '$') END AS r_${field}`;
}

// A JSON number's text (what `json_type` calls BIGINT, UBIGINT or DOUBLE), NULL otherwise:
// the writer starts strings with `"`, objects `{`, arrays `[`, literals `t`, `f`, `n`.
function _jsonNumber(field: string): string {
  const raw = `j.${field}`;
  return `CASE WHEN ord(${raw}) NOT IN (34, 91, 102, 110, 116, 123) THEN ${raw} END AS r_${field}`;
}

function _inRange(ms: string): string {
  return `${ms} BETWEEN ${TIME_RANGE_MS.min} AND ${TIME_RANGE_MS.max}`;
}

function _validPredicate(): string {
  const checks = ["j IS NOT NULL"];
  for (const field of RAW_FIELDS) {
    const value = `r_${field}`;
    if (INTEGER_FIELDS.has(field)) {
      checks.push(`${value} IS NOT NULL AND _safe_int(${value})`);
    } else if (field === "event_id") {
      checks.push(`${value} <> '' AND _fits(${value}, ${MAX_EVENT_ID_LENGTH})`);
    } else if (field === "event_time") {
      // json_transform reads a JSON null as NULL: only a missing event_time is allowed.
      checks.push(
        `CASE WHEN j IS NULL THEN false WHEN j.event_time IS NULL ` +
          `THEN NOT json_exists(line, '$.event_time') ` +
          `ELSE ${value} IS NOT NULL AND ${_inRange("et_ms")} END`,
      );
    } else if (field === "received_at") {
      checks.push(`${value} IS NOT NULL AND ${_inRange("ra_ms")}`);
    } else {
      checks.push(`${value} IS NOT NULL AND _fits(${value}, ${MAX_FIELD_LENGTH})`);
    }
  }
  return checks.map((check) => `(${check})`).join("\n      AND ");
}

// Lines JavaScript decides (see the module's documentation): valid ones with enough brackets
// to nest deeper than MAX_EXTRA_DEPTH (a '[' or two '{' are needed first) or with a \u0000
// escape, and ones DuckDB found not JSON that hold a surrogate escape (\uD800 to \uDFFF).
function _jsLine(): string {
  const brackets = `strlen(line) - strlen(replace(replace(line, '{', ''), '[', ''))`;
  const surrogate = sqlString("\\\\u[dD][89a-fA-F]");
  return `CASE WHEN valid THEN CASE
      WHEN contains(line, '\\u0000') THEN line
      WHEN (contains(line, '[') OR line LIKE '%{%{%') AND ${brackets} > ${MAX_EXTRA_DEPTH + 1}
        THEN line END
    WHEN bad_json AND contains(line, '\\u') AND regexp_matches(line, ${surrogate}) THEN line
    END AS js_line`;
}

/**
 * The query turning raw NDJSON lines into a table `parsed`: one row per
 * non-blank line with `status` ('bad_json' | 'invalid' | 'valid'),
 * `js_line` (the text of the lines whose status JavaScript decides: nested
 * deeper than `MAX_EXTRA_DEPTH`, or breaking the text policy), `tiebreak`,
 * and the cleaned columns (category trimmed, not yet lower-cased). Each line is
 * parsed once; each step is its own projection so that no sub-expression
 * is evaluated twice, and costly functions (regular expressions, lambdas,
 * JSON unescaping) run only on the rows that need them.
 *
 * Last come the columns `n_<field>`: why each nullable cleaned column is
 * null (`clean_outcomes_sql.ts`).
 *
 * @param linesSql A query with one VARCHAR column `line`.
 * @returns `CREATE OR REPLACE TEMP TABLE parsed AS ...`.
 */
export function parseLinesSql(linesSql: string): string {
  const fields = RAW_FIELDS.map((field) =>
    INTEGER_FIELDS.has(field) ? _jsonNumber(field) : _jsonText(field)
  ).join(",\n    ");
  const iso = sqlString(ISO_DATE_TIME_RE2);
  const isoParts = `['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'z']`;
  const follower = sqlString(jsRegexToRe2(FOLLOWER_COUNT));
  const save = sqlString(jsRegexToRe2(SAVE_PREFIX));
  const trimmed = TEXT_FIELDS.map((field) => `_js_trim(r_${field}) AS s_${field}`).join(", ");
  const cleaned = TEXT_FIELDS.map((field) => `${_clean(field)} AS c_${field}`).join(", ");
  // Printable ASCII tags without commas, none empty: split alone is JavaScript's
  // split/trim/filter; anything else takes the general lambdas.
  const plainTags = sqlString("^[!-+\\--~]+(,[!-+\\--~]+)*$");
  return `CREATE OR REPLACE TEMP TABLE parsed AS
WITH objects AS (
  SELECT line, try(json_transform(line, ${sqlString(JSON_SPEC)})) AS j
  FROM (${linesSql}) WHERE line IS NOT NULL AND line <> ''
), fields AS (
  SELECT line, j,
    -- NULL: not JSON, or the JSON literal null (an invalid event, not bad JSON).
    CASE WHEN j IS NULL THEN try(json_type(line)) IS NULL ELSE false END AS bad_json,
    ${fields}
  FROM objects
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
    regexp_extract(c_follower_count, ${follower}, ['n', 'u']) AS fc_x,
    CASE WHEN regexp_full_match(c_tag_list, ${plainTags}) THEN string_split(c_tag_list, ',')
      ELSE list_filter(list_transform(string_split(c_tag_list, ','), x -> _js_trim(x)), x -> x <> '') END AS tags,
    _ascii_lower(s_is_image_or_video) AS media_text
  FROM times
), checked AS (
  SELECT *, CASE WHEN fc_x.n <> '' THEN fc_x END AS fc_p,
    coalesce(${_validPredicate()}, false) AS valid FROM more
)
SELECT
  CASE WHEN bad_json THEN 'bad_json' WHEN NOT valid THEN 'invalid' ELSE 'valid' END AS status,
  ${_jsLine()},
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
  CASE WHEN valid THEN c_category END AS category,
  ${nullReasonColumnsSql()}
FROM checked`;
}

/**
 * The query keeping one row per `event_id` (the earliest `received_at`;
 * ties broken by the line's hash, so the choice never depends on file
 * order) and lower-casing categories: ASCII in SQL, others through
 * {@linkcode CATEGORY_LOWER_TABLE}. Only the rows of repeated ids go
 * through the window (a sort); the others are copied as they are.
 *
 * @returns `CREATE OR REPLACE TEMP TABLE clean AS ...`.
 */
export function dedupeSql(): string {
  const columns = CLEAN_COLUMN_NAMES.map((column) =>
    column === "category"
      ? `CASE WHEN m.lowered IS NOT NULL THEN m.lowered ELSE lower(p.category) END AS category`
      : `p.${column}`
  ).join(", ");
  const from = `parsed p LEFT JOIN ${CATEGORY_LOWER_TABLE} m ON m.raw = p.category`;
  return `CREATE OR REPLACE TEMP TABLE clean AS
WITH repeated AS (
  SELECT event_id FROM parsed WHERE status = 'valid' GROUP BY event_id HAVING count(*) > 1
)
SELECT ${columns} FROM ${from}
WHERE p.status = 'valid' AND p.event_id NOT IN (SELECT event_id FROM repeated)
UNION ALL
SELECT ${columns} FROM ${from}
WHERE p.status = 'valid' AND p.event_id IN (SELECT event_id FROM repeated)
QUALIFY row_number() OVER (PARTITION BY p.event_id ORDER BY p.received_at, p.tiebreak) = 1`;
}

/** Distinct non-ASCII categories that JavaScript must lower-case. */
export const NON_ASCII_CATEGORIES_SQL =
  `SELECT DISTINCT category FROM parsed WHERE status = 'valid' AND regexp_matches(category, '[^\\x00-\\x7F]')`;
