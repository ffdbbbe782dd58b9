/** Lays out rows as aligned columns (two spaces apart; the last column is not padded). */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** Prints `rows` (the first is the header) as a table, or `empty` when there is no data row. */
export function printTable(
  print: (line: string) => void,
  rows: readonly (readonly string[])[],
  empty: string,
): void {
  if (rows.length <= 1) {
    print(empty);
    return;
  }
  for (const line of formatTable(rows)) print(line);
}

/** Prints `fields` as `name  value` lines. */
export function printFields(
  print: (line: string) => void,
  fields: readonly (readonly [string, string])[],
): void {
  for (const line of formatTable(fields)) print(line);
}

/** Prints `value` as indented JSON, one output line per line. */
export function printJson(print: (line: string) => void, value: unknown): void {
  for (const line of JSON.stringify(value, null, 2).split('\n')) print(line);
}
