/**
 * Confusion-matrix plot maths: row-normalised values (each true class sums to 1, so rare classes
 * are as readable as common ones), a sequential colour scale, text contrast, and the grid layout
 * with room for rotated column labels.
 */

export interface ConfusionCell {
  row: number;
  col: number;
  trueLabel: string;
  predictedLabel: string;
  count: number;
  /** count / row total (0 when the row is empty) */
  share: number;
}

export function rowNormalise(matrix: readonly (readonly number[])[]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}

type Rgb = [number, number, number];
/** Light sand → the app's teal accent → deep teal: readable in light and dark themes. */
const STOPS: Rgb[] = [
  [247, 244, 236],
  [143, 196, 190],
  [47, 93, 98],
  [16, 44, 52],
];

/** Colour for a share in [0, 1] (clamped; NaN counts as 0), as `rgb(r, g, b)`. */
export function heatColor(share: number): string {
  const v = Number.isFinite(share) ? Math.max(0, Math.min(1, share)) : 0;
  const pos = v * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(pos));
  const t = pos - i;
  const a = STOPS[i] as Rgb;
  const b = STOPS[i + 1] as Rgb;
  const c = a.map((x, k) => Math.round(x + ((b[k] as number) - x) * t));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Relative luminance (WCAG) of an `rgb(r, g, b)` string. */
export function luminance(rgb: string): number {
  const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(rgb);
  if (!m) return 1;
  const [r, g, b] = [m[1], m[2], m[3]].map((s) => {
    const c = Number(s) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Black or white text, whichever contrasts more with the cell colour. */
export function textColorOn(rgb: string): "#000" | "#fff" {
  const l = luminance(rgb);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000" : "#fff";
}

export interface MatrixLayout {
  cell: number;
  /** left margin: row labels */
  left: number;
  /** top margin: rotated column labels */
  top: number;
  width: number;
  height: number;
  cells: ConfusionCell[];
}

/**
 * Cell size fitting `maxWidth` (between 22 and 64 px); margins sized for the longest label
 * (`charWidth` px per character; column labels rotated −45°, so they need ~0.71 × their length
 * above the grid and to the right of it).
 */
export function matrixLayout(
  labels: readonly string[],
  matrix: readonly (readonly number[])[],
  maxWidth: number,
  charWidth = 7,
): MatrixLayout {
  const n = labels.length;
  if (matrix.length !== n || matrix.some((r) => r.length !== n))
    throw new Error(`confusion matrix is not ${n} × ${n}`);
  const longest = Math.max(1, ...labels.map((l) => l.length));
  const left = Math.ceil(longest * charWidth + 14);
  const top = Math.ceil(longest * charWidth * Math.SQRT1_2 + 18);
  const cell =
    n === 0
      ? 0
      : Math.max(
          22,
          Math.min(64, Math.floor((maxWidth - left - Math.ceil(longest * charWidth * Math.SQRT1_2 + 8)) / n)),
        );
  const shares = rowNormalise(matrix);
  const cells: ConfusionCell[] = [];
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++)
      cells.push({
        row: r,
        col: c,
        trueLabel: labels[r] as string,
        predictedLabel: labels[c] as string,
        count: matrix[r]?.[c] ?? 0,
        share: shares[r]?.[c] ?? 0,
      });
  // Rotated labels start above their column and run up to the right, past the last column.
  const right = Math.ceil(longest * charWidth * Math.SQRT1_2 + 8);
  return { cell, left, top, width: left + n * cell + right, height: top + n * cell + 8, cells };
}
