// Tiny re-implementations of the R primitives whose edge cases decide warbleR's numbers:
// seq() with a fractional `by`, `a:b` with fractional ends, index truncation and round-half-even.

const FUZZ = 1e-10;

/** R `seq(from, to, by)` for by > 0. R errors when to < from; callers guard against that. */
export function rSeqBy(from: number, to: number, by: number): number[] {
  if (to < from) return [];
  const n = Math.floor((to - from) / by + FUZZ);
  const out = new Array<number>(n + 1);
  for (let k = 0; k <= n; k++) out[k] = from + k * by;
  return out;
}

/** R `seq(from, to, length.out = n)`. */
export function rSeqLength(from: number, to: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = from;
    return out;
  }
  const by = (to - from) / (n - 1);
  for (let k = 0; k < n; k++) out[k] = from + k * by;
  // R pins the last element to `to` exactly.
  out[n - 1] = to;
  return out;
}

/** Values of R `a:b`: a, a+1, ... while <= b, or a, a-1, ... while >= b when a > b. */
export function rColon(a: number, b: number): number[] {
  const dir = b >= a ? 1 : -1;
  const n = Math.floor(Math.abs(b - a) + FUZZ);
  const out = new Array<number>(n + 1);
  for (let k = 0; k <= n; k++) out[k] = a + dir * k;
  return out;
}

/** R round() on .5 ties: to the even neighbour (IEC 60559). */
export function rRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
