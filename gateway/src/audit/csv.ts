/*
 * RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted, quotes doubled, lines end in CRLF.
 * Text that a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab or CR) is
 * prefixed with `'` so that an exported statement cannot carry one.
 */

/** A CSV cell value. */
export type CsvValue = string | number | boolean | null;

const FORMULA = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, escaped. */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A document: a header line and one line per row. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
