/**
 * Number text in and out. Export uses the shortest string that parses back to the
 * same double (what String() gives), spelled out without exponent because Raven and
 * spreadsheets read "1e-7" inconsistently. So parse(format(x)) === x for every finite x.
 */

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Strict decimal parse (no hex, no "Infinity", no trailing junk, unlike Number()/parseFloat).
 * `decimalComma` accepts "1,5" for files written with a European locale.
 */
export function parseDecimal(text: string, decimalComma = false): number | null {
  let t = text.trim();
  if (decimalComma && /^[+-]?\d*,\d+$/.test(t)) t = t.replace(",", ".");
  return DECIMAL.test(t) ? Number(t) : null;
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} as a time or frequency`);
  const s = String(x);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign = "", first = "", frac = "", exp = "0"] = m;
  const digits = first + frac;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * A span's length for the exports' duration columns: offset − onset to the nanosecond. The difference of two stored
 * doubles carries float noise (0.0022400000000000024 for 2.24 ms); the stored times themselves stay exact.
 */
export function spanDuration(onset: number, offset: number): number {
  return Math.round((offset - onset) * 1e9) / 1e9;
}
