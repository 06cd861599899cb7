// Magnitude spectra of real frames of any length.
// warbleR/seewave take FFTs of whatever length a call or a window happens to have (80, 125, 7680 samples...),
// so power-of-two sizes go straight to fft.js and every other size uses Bluestein's chirp-z algorithm
// on a power-of-two fft.js transform. Plans are cached per size: feature extraction reuses a handful of sizes.
//
// Why a second FFT beside dsp/fft-real.ts: that one is a real-input radix-4 transform for power-of-two
// sizes only (the spectrogram STFT and the detectors, where speed matters), while Bluestein needs a complex
// transform, and the golden warbleR tests pin these features to fft.js's rounding. Replacing it would trade
// the parity guarantee for one dependency fewer; fft-real.ts's tests compare against fft.js for that reason.
import FFT from "fft.js";

interface Pow2Plan {
  kind: "pow2";
  n: number;
  fft: FFT;
  input: Float64Array;
  out: number[];
}

interface BluesteinPlan {
  kind: "bluestein";
  n: number;
  m: number;
  fft: FFT;
  /** Chirp w_k = exp(-i*pi*k^2/n), k < n. */
  wRe: Float64Array;
  wIm: Float64Array;
  /** FFT of the conjugate chirp, circularly extended to length m. */
  bRe: Float64Array;
  bIm: Float64Array;
  a: number[];
  aF: number[];
  prod: number[];
}

export type DftPlan = Pow2Plan | BluesteinPlan;

// spec() takes one FFT as long as the whole call, so a real recording brings a new size with
// almost every call, and a long call's Bluestein plan is MBs: kept unbounded, 300 calls of 5-100 ms
// at 192 kHz left 600 MB of plans in the thread (36 MB with 8 kept, same speed). The frame sizes
// (wl) recur, so they stay among the most recently used.
const MAX_PLANS = 8;
const plans = new Map<number, DftPlan>();

function isPow2(n: number): boolean {
  return n >= 2 && (n & (n - 1)) === 0;
}

function nextPow2(n: number): number {
  let m = 2;
  while (m < n) m *= 2;
  return m;
}

function makeBluestein(n: number): BluesteinPlan {
  const m = nextPow2(2 * n - 1);
  const fft = new FFT(m);
  const wRe = new Float64Array(n);
  const wIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // k^2 mod 2n keeps the angle small, so the chirp stays accurate for long frames.
    const k2 = (k * k) % (2 * n);
    const ang = (-Math.PI * k2) / n;
    wRe[k] = Math.cos(ang);
    wIm[k] = Math.sin(ang);
  }
  const b = fft.createComplexArray() as number[];
  for (let k = 0; k < n; k++) {
    b[2 * k] = wRe[k]!;
    b[2 * k + 1] = -wIm[k]!;
    if (k > 0) {
      b[2 * (m - k)] = wRe[k]!;
      b[2 * (m - k) + 1] = -wIm[k]!;
    }
  }
  const bF = fft.createComplexArray() as number[];
  fft.transform(bF, b);
  const bRe = new Float64Array(m);
  const bIm = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    bRe[k] = bF[2 * k]!;
    bIm[k] = bF[2 * k + 1]!;
  }
  return {
    kind: "bluestein",
    n,
    m,
    fft,
    wRe,
    wIm,
    bRe,
    bIm,
    a: fft.createComplexArray() as number[],
    aF: fft.createComplexArray() as number[],
    prod: fft.createComplexArray() as number[],
  };
}

export function dftPlan(n: number): DftPlan {
  let p = plans.get(n);
  if (p) {
    // Map order is insertion order: re-inserting makes it the most recently used.
    plans.delete(n);
    plans.set(n, p);
  } else {
    if (isPow2(n)) {
      const fft = new FFT(n);
      p = { kind: "pow2", n, fft, input: new Float64Array(n), out: fft.createComplexArray() as number[] };
    } else {
      p = makeBluestein(n);
    }
    plans.set(n, p);
    if (plans.size > MAX_PLANS) plans.delete(plans.keys().next().value as number);
  }
  return p;
}

/**
 * |X_k| for k = 0 .. floor(n/2) of the real frame `x[offset .. offset+n)`, each sample multiplied by
 * `window[i]` when a window is given. Writes floor(n/2)+1 values into `out`.
 */
export function magnitudes(
  x: ArrayLike<number>,
  offset: number,
  n: number,
  window: Float64Array | null,
  out: Float64Array,
): void {
  const half = Math.floor(n / 2);
  if (n === 1) {
    out[0] = Math.abs(x[offset]! * (window ? window[0]! : 1));
    return;
  }
  const p = dftPlan(n);
  if (p.kind === "pow2") {
    const inp = p.input;
    if (window) for (let i = 0; i < n; i++) inp[i] = x[offset + i]! * window[i]!;
    else for (let i = 0; i < n; i++) inp[i] = x[offset + i]!;
    p.fft.realTransform(p.out, inp as unknown as number[]);
    const o = p.out;
    for (let k = 0; k <= half; k++) out[k] = Math.hypot(o[2 * k]!, o[2 * k + 1]!);
    return;
  }
  const { m, wRe, wIm, bRe, bIm, a, aF, prod, fft } = p;
  for (let k = 0; k < n; k++) {
    const v = x[offset + k]! * (window ? window[k]! : 1);
    a[2 * k] = v * wRe[k]!;
    a[2 * k + 1] = v * wIm[k]!;
  }
  for (let k = 2 * n; k < 2 * m; k++) a[k] = 0;
  fft.transform(aF, a);
  for (let k = 0; k < m; k++) {
    const ar = aF[2 * k]!;
    const ai = aF[2 * k + 1]!;
    const br = bRe[k]!;
    const bi = bIm[k]!;
    prod[2 * k] = ar * br - ai * bi;
    prod[2 * k + 1] = ar * bi + ai * br;
  }
  fft.inverseTransform(aF, prod);
  // |w_k * c_k| = |c_k| because the chirp has unit modulus.
  for (let k = 0; k <= half; k++) out[k] = Math.hypot(aF[2 * k]!, aF[2 * k + 1]!);
}

/** How many plans are kept (tests check that it stays bounded). */
export function cachedPlanCount(): number {
  return plans.size;
}
