/**
 * Plain-text tables for command-line output.
 *
 * @module
 */

/**
 * Formats rows as an aligned table with a header rule. Numbers are
 * right-aligned, everything else left-aligned.
 *
 * @param header The column titles.
 * @param rows The cells.
 * @returns The table, one line per row, without a trailing newline.
 */
export function formatTable(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? "").length)));
  const numeric = header.map((_, col) =>
    rows.length > 0 && rows.every((row) => typeof row[col] === "number")
  );
  const line = (row: string[]) =>
    row.map((cell, col) => numeric[col] ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!))
      .join("  ").trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [line(header), rule, ...cells.slice(1).map(line)].join("\n");
}

function _csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string"
    ? value
    : typeof value === "number"
    ? String(value)
    : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Formats rows as CSV (RFC 4180 quoting) with a header line.
 *
 * @param header The column names.
 * @param rows The cells; null becomes an empty cell, lists and objects JSON.
 * @returns The CSV text without a trailing newline.
 */
export function formatCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((row) => row.map(_csvCell).join(",")).join("\n");
}
