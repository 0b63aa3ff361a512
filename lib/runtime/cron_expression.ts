/**
 * Checks a cron expression the way `Deno.cron` reads it (five fields,
 * minute hour day-of-month month day-of-week, UTC), so a bad schedule is
 * reported with its variable's name when the configuration is read, not as
 * "Invalid cron schedule" when the scheduler starts.
 *
 * @module
 */

interface _Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Forms besides numbers, ranges and steps, such as `L` or `5#2`. */
  extra?: RegExp;
}

const _FIELDS: readonly _Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31, extra: /^(L|LW|\d{1,2}W)$/ },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  {
    name: "day of week",
    min: 0,
    max: 7,
    names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    extra: /^([0-7]|[A-Z]{3})(L|#[1-5])$/,
  },
];

function _value(field: _Field, text: string): number | null {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : null;
}

function _itemProblem(field: _Field, item: string): string | null {
  if (field.extra?.test(item.toUpperCase())) return null;
  const [range = "", step, ...rest] = item.split("/");
  if (rest.length > 0 || (step !== undefined && !/^[1-9]\d*$/.test(step))) {
    return `${field.name} '${item}' has a bad step`;
  }
  if (range === "*") return null;
  const ends = range.split("-");
  if (ends.length > 2 || ends.some((end) => _value(field, end) === null)) {
    return `${field.name} '${item}' is not in ${field.min}-${field.max}`;
  }
  return null;
}

/**
 * Finds what is wrong with a cron expression.
 *
 * @param expression Five space-separated fields, e.g. `30 1 * * *`.
 * @returns Null when `Deno.cron` accepts it, otherwise the problem, e.g.
 *   `hour '24' is not in 0-23`.
 */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== _FIELDS.length) {
    return `it has ${fields.length} field(s), not 5`;
  }
  for (const [index, field] of _FIELDS.entries()) {
    for (const item of fields[index]!.split(",")) {
      const problem = _itemProblem(field, item);
      if (problem) return problem;
    }
  }
  return null;
}
