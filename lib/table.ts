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
