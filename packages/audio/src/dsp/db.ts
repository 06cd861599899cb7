// Power to decibels, 10·log10(p), without calling Math.log10 for every bin (~15 ns each in V8, the largest single
// cost of a spectrogram after the FFT: 46 M values per minute of 384 kHz audio).
//
// Method (table + short series, ~4 ns): p = 2^e · m with m in [1, 2) read from the float64's exponent bits;
// m = c_j · (1 + r) with c_j = 1 + j/256 chosen by the top 8 mantissa bits, so 0 <= r < 2^-8; then
//   ln p = e·ln 2 + ln c_j + ln(1 + r),   ln(1 + r) = r - r²/2 + r³/3 - r⁴/4 + r⁵/5 - r⁶/6 (+ |r|⁷/7 < 2e-18).
// m·(1/c_j) is computed with the rounded reciprocal and ln c_j taken as -ln(that reciprocal), so the rounding of the
// reciprocal cancels. Total error is a few 1e-15 in ln p, i.e. ~1e-14 dB: far below the float32 spacing of the stored
// values (>= 1e-7 for |dB| >= 1), so the float32 results equal Math.log10's except, very rarely, by one float32 ulp
// (none in 46 M values of a 384 kHz recording; see test/dsp.test.ts). Exact powers of two (p = 1 → 0 dB) are exact.

const TABLE_BITS = 8;
const TABLE_SIZE = 1 << TABLE_BITS;
/** 1 / c_j, rounded. */
const INV_C = new Float64Array(TABLE_SIZE);
/** ln(c_j) as -ln(INV_C[j]). */
const LN_C = new Float64Array(TABLE_SIZE);
for (let j = 0; j < TABLE_SIZE; j++) {
  INV_C[j] = 1 / (1 + j / TABLE_SIZE);
  LN_C[j] = -Math.log(INV_C[j]!);
}
/** Per biased exponent field E (1 .. 2046): 2^-(E-1023) (exact) and (E-1023)·ln 2. */
const SCALE = new Float64Array(2048);
const LN_2E = new Float64Array(2048);
for (let e = 1; e < 2047; e++) {
  SCALE[e] = 2 ** -(e - 1023);
  LN_2E[e] = (e - 1023) * Math.LN2;
}
const DB_PER_NEPER = 10 / Math.LN10;
/** Index of a float64's high 32-bit word within its pair of Int32Array elements. */
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * out[at + k·stride] = (float32) p[k] > floor ? 10·log10(p[k]) : floorDb, for k < n. `floor` must be a positive
 * normal number. `words` is an Int32Array view of p's buffer: pass
 * `new Int32Array(p.buffer, p.byteOffset, 2 * p.length)`, made once and reused.
 */
export function powerToDb(
  p: Float64Array,
  words: Int32Array,
  n: number,
  floor: number,
  floorDb: number,
  out: Float32Array,
  at: number,
  stride: number,
): void {
  for (let k = 0, o = at; k < n; k++, o += stride) {
    const v = p[k]!;
    if (!(v > floor)) {
      out[o] = floorDb; // also NaN, as the `v > floor ? … : floorDb` it replaces
      continue;
    }
    const hi = words[2 * k + HI]!;
    const e = hi >>> 20; // sign is 0: v > 0
    if (e === 2047) {
      out[o] = v; // +Infinity
      continue;
    }
    const j = (hi >>> (20 - TABLE_BITS)) & (TABLE_SIZE - 1);
    const r = v * SCALE[e]! * INV_C[j]! - 1;
    const r2 = r * r;
    const l = r - r2 * 0.5 + r2 * r * (1 / 3 - r * 0.25 + r2 * 0.2 - r2 * r * (1 / 6));
    out[o] = DB_PER_NEPER * (LN_2E[e]! + LN_C[j]! + l);
  }
}
