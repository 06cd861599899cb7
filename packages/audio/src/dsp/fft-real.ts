// A real FFT for windowed power spectra, shared by the spectral detector's band power and the spectrogram STFT: one
// power-of-two frame of n real samples times a window, and only |X[k]|^2 for a contiguous range of bins.
//
// Method: the n real samples are packed as m = n / 2 complex values z[j] = x[2j] + i x[2j + 1] (the window applied
// while loading), transformed by an in-place radix-4 decimation-in-frequency complex FFT of size m (one radix-2
// stage first when log2(m) is odd; precomputed twiddles per stage; split real/imaginary Float64Arrays, so no
// allocation per frame), which leaves Z in bit-reversed order. The real spectrum is then recovered only for the
// requested bins:
//   X[k] = E[k] + W^k O[k],  E[k] = (Z[k] + conj Z[m-k]) / 2,  O[k] = (Z[k] - conj Z[m-k]) / (2i),  W = e^(-2 pi i / n)
// computed as 2X (the halvings are folded into one exact multiplication of the power by 1/4).
// X is the unnormalised forward DFT, sum_t x[t] w[t] e^(-2 pi i k t / n), as fft.js's realTransform; results agree
// with it (and with a naive DFT) to rounding, ~1e-15 relative to the frame's energy (see
// test/segmentation-fft.test.ts).

export class RealFftPower {
  /** Complex size m = n / 2. */
  readonly m: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** Radix-4 stages, outermost first: span L and twiddles [c1, s1, c2, s2, c3, s3] per j < L / 4. */
  private readonly spans: number[] = [];
  private readonly twiddles: Float64Array[] = [];
  /** A leading radix-2 stage (log2 m odd): twiddles [c, s] per j < m / 2. */
  private readonly radix2: Float64Array | null;
  /** Position of Z[k] in the bit-reversed output. */
  private readonly rev: Int32Array;
  /** cos and -sin of 2 pi k / n for the post-processing, k = 0 .. m. */
  private readonly wc: Float64Array;
  private readonly ws: Float64Array;

  constructor(
    readonly n: number,
    private readonly window: Float64Array,
  ) {
    if (!(n >= 4) || (n & (n - 1)) !== 0) throw new RangeError("RealFftPower: n must be a power of two >= 4");
    if (window.length !== n) throw new RangeError("RealFftPower: window length must equal n");
    const m = n / 2;
    this.m = m;
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
    const bits = Math.round(Math.log2(m));
    let span = m;
    if (bits % 2 === 1) {
      const h = m / 2;
      const t = new Float64Array(2 * h);
      for (let j = 0; j < h; j++) {
        const a = (-2 * Math.PI * j) / m;
        t[2 * j] = Math.cos(a);
        t[2 * j + 1] = Math.sin(a);
      }
      this.radix2 = t;
      span = h;
    } else this.radix2 = null;
    for (; span >= 4; span /= 4) {
      const q = span / 4;
      const t = new Float64Array(6 * q);
      for (let j = 0; j < q; j++) {
        for (let p = 1; p <= 3; p++) {
          const a = (-2 * Math.PI * p * j) / span;
          t[6 * j + 2 * (p - 1)] = Math.cos(a);
          t[6 * j + 2 * (p - 1) + 1] = Math.sin(a);
        }
      }
      this.spans.push(span);
      this.twiddles.push(t);
    }
    this.rev = new Int32Array(m);
    for (let k = 0; k < m; k++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((k >> b) & 1) << (bits - 1 - b);
      this.rev[k] = r;
    }
    this.wc = new Float64Array(m + 1);
    this.ws = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      const a = (2 * Math.PI * k) / n;
      this.wc[k] = Math.cos(a);
      this.ws[k] = -Math.sin(a);
    }
  }

  /** The complex FFT of (x[start + 2j] + i x[start + 2j + 1]) * window, bit-reversed, into re/im. */
  private transform(x: Float32Array | Float64Array, start: number): void {
    const { m, re, im, window: w } = this;
    // The first stage reads the windowed input directly.
    const r2 = this.radix2;
    if (r2 !== null) loadRadix2(x, start, w, re, im, m, r2);
    else loadRadix4(x, start, w, re, im, m, this.twiddles[0]!);
    const spans = this.spans;
    for (let st = r2 !== null ? 0 : 1; st < spans.length; st++) {
      const span = spans[st]!;
      if (span === 4) radix4Last(re, im, m);
      else radix4Stage(re, im, m, span, this.twiddles[st]!);
    }
  }

  /**
   * 3-bin sums P(k-1) + P(k) + P(k+1) of P(k) = |X[k]|^2 for k = loBin .. hiBin (1 <= loBin, hiBin < n / 2) of the
   * frame x[start .. start + n), into out[at + (k - loBin) * stride]. `power` is scratch of >= hiBin - loBin + 3.
   */
  bandSums(
    x: Float32Array | Float64Array,
    start: number,
    loBin: number,
    hiBin: number,
    power: Float64Array,
    out: Float64Array,
    at: number,
    stride: number,
  ): void {
    this.transform(x, start);
    this.powers(loBin - 1, hiBin + 1, power);
    for (let j = 0, end = hiBin - loBin + 1; j < end; j++)
      out[at + j * stride] = power[j]! + power[j + 1]! + power[j + 2]!;
  }

  /** P(k) for k = k0 .. k1 (0 <= k0 <= k1 <= n / 2) of the frame x[start .. start + n), into out[0 ..]. */
  power(x: Float32Array | Float64Array, start: number, k0: number, k1: number, out: Float64Array): void {
    this.transform(x, start);
    this.powers(k0, k1, out);
  }

  private powers(k0: number, k1: number, out: Float64Array): void {
    const { m, re, im, rev, wc, ws } = this;
    for (let k = k0; k <= k1; k++) {
      // X[m - k] reads the same two values as X[k] with a and b swapped, which only negates ei and oi (exactly):
      // both bins from one load when both are wanted (bit-identical to one bin at a time).
      const k2 = m - k;
      if (k2 < k && k2 >= k0) continue; // computed with its partner
      const a = rev[k & (m - 1)]!;
      const b = rev[k2 & (m - 1)]!;
      const ar = re[a]!;
      const ai = im[a]!;
      const br = re[b]!;
      const bi = im[b]!;
      // 2E = (ar + br, ai - bi); 2O = (ai + bi, br - ar); 2X = 2E + W^k 2O.
      const er = ar + br;
      const ei = ai - bi;
      const or = ai + bi;
      const oi = br - ar;
      const c = wc[k]!;
      const s = ws[k]!;
      const xr = er + (c * or - s * oi);
      const xi = ei + (c * oi + s * or);
      out[k - k0] = (xr * xr + xi * xi) * 0.25;
      if (k2 > k && k2 <= k1) {
        const c2 = wc[k2]!;
        const s2 = ws[k2]!;
        const yr = er + (c2 * or - s2 * -oi);
        const yi = -ei + (c2 * -oi + s2 * or);
        out[k2 - k0] = (yr * yr + yi * yi) * 0.25;
      }
    }
  }
}

/** Windowing and a leading radix-2 DIF stage (span m). */
function loadRadix2(
  x: Float32Array | Float64Array,
  start: number,
  w: Float64Array,
  re: Float64Array,
  im: Float64Array,
  m: number,
  t: Float64Array,
): void {
  const h = m >> 1;
  for (let j = 0; j < h; j++) {
    const p = start + 2 * j;
    const ar = x[p]! * w[2 * j]!;
    const ai = x[p + 1]! * w[2 * j + 1]!;
    const br = x[p + m]! * w[2 * j + m]!;
    const bi = x[p + m + 1]! * w[2 * j + m + 1]!;
    re[j] = ar + br;
    im[j] = ai + bi;
    const dr = ar - br;
    const di = ai - bi;
    const c = t[2 * j]!;
    const s = t[2 * j + 1]!;
    re[j + h] = dr * c - di * s;
    im[j + h] = dr * s + di * c;
  }
}

/** Windowing and the first radix-4 DIF stage (span m; for m = 4 the twiddles are all 1). */
function loadRadix4(
  x: Float32Array | Float64Array,
  start: number,
  w: Float64Array,
  re: Float64Array,
  im: Float64Array,
  m: number,
  t: Float64Array,
): void {
  const q = m >> 2;
  const h = m >> 1;
  for (let j = 0; j < q; j++) {
    const p = start + 2 * j;
    const u = 2 * j;
    const a0r = x[p]! * w[u]!;
    const a0i = x[p + 1]! * w[u + 1]!;
    const a1r = x[p + h]! * w[u + h]!;
    const a1i = x[p + h + 1]! * w[u + h + 1]!;
    const a2r = x[p + m]! * w[u + m]!;
    const a2i = x[p + m + 1]! * w[u + m + 1]!;
    const a3r = x[p + m + h]! * w[u + m + h]!;
    const a3i = x[p + m + h + 1]! * w[u + m + h + 1]!;
    const t0r = a0r + a2r;
    const t0i = a0i + a2i;
    const t1r = a0r - a2r;
    const t1i = a0i - a2i;
    const t2r = a1r + a3r;
    const t2i = a1i + a3i;
    const t3r = a1r - a3r;
    const t3i = a1i - a3i;
    re[j] = t0r + t2r;
    im[j] = t0i + t2i;
    const y2r = t0r - t2r;
    const y2i = t0i - t2i;
    const y1r = t1r + t3i;
    const y1i = t1i - t3r;
    const y3r = t1r - t3i;
    const y3i = t1i + t3r;
    const c1 = t[6 * j]!;
    const s1 = t[6 * j + 1]!;
    const c2 = t[6 * j + 2]!;
    const s2 = t[6 * j + 3]!;
    const c3 = t[6 * j + 4]!;
    const s3 = t[6 * j + 5]!;
    re[j + q] = y2r * c2 - y2i * s2;
    im[j + q] = y2r * s2 + y2i * c2;
    re[j + h] = y1r * c1 - y1i * s1;
    im[j + h] = y1r * s1 + y1i * c1;
    re[j + h + q] = y3r * c3 - y3i * s3;
    im[j + h + q] = y3r * s3 + y3i * c3;
  }
}

/** One radix-4 DIF stage of span L (> 4): outputs in the order (0, 2, 1, 3) so the result is bit-reversed. */
function radix4Stage(re: Float64Array, im: Float64Array, m: number, span: number, t: Float64Array): void {
  const q = span >> 2;
  for (let b = 0; b < m; b += span) {
    for (let j = 0; j < q; j++) {
      const i0 = b + j;
      const i1 = i0 + q;
      const i2 = i1 + q;
      const i3 = i2 + q;
      const a0r = re[i0]!;
      const a0i = im[i0]!;
      const a1r = re[i1]!;
      const a1i = im[i1]!;
      const a2r = re[i2]!;
      const a2i = im[i2]!;
      const a3r = re[i3]!;
      const a3i = im[i3]!;
      const t0r = a0r + a2r;
      const t0i = a0i + a2i;
      const t1r = a0r - a2r;
      const t1i = a0i - a2i;
      const t2r = a1r + a3r;
      const t2i = a1i + a3i;
      const t3r = a1r - a3r;
      const t3i = a1i - a3i;
      // y0 = t0 + t2, y2 = t0 - t2, y1 = t1 - i t3, y3 = t1 + i t3
      re[i0] = t0r + t2r;
      im[i0] = t0i + t2i;
      const y2r = t0r - t2r;
      const y2i = t0i - t2i;
      const y1r = t1r + t3i;
      const y1i = t1i - t3r;
      const y3r = t1r - t3i;
      const y3i = t1i + t3r;
      const c1 = t[6 * j]!;
      const s1 = t[6 * j + 1]!;
      const c2 = t[6 * j + 2]!;
      const s2 = t[6 * j + 3]!;
      const c3 = t[6 * j + 4]!;
      const s3 = t[6 * j + 5]!;
      re[i1] = y2r * c2 - y2i * s2;
      im[i1] = y2r * s2 + y2i * c2;
      re[i2] = y1r * c1 - y1i * s1;
      im[i2] = y1r * s1 + y1i * c1;
      re[i3] = y3r * c3 - y3i * s3;
      im[i3] = y3r * s3 + y3i * c3;
    }
  }
}

/** The last radix-4 stage (span 4: no twiddles). */
function radix4Last(re: Float64Array, im: Float64Array, m: number): void {
  for (let i0 = 0; i0 < m; i0 += 4) {
    const a0r = re[i0]!;
    const a0i = im[i0]!;
    const a1r = re[i0 + 1]!;
    const a1i = im[i0 + 1]!;
    const a2r = re[i0 + 2]!;
    const a2i = im[i0 + 2]!;
    const a3r = re[i0 + 3]!;
    const a3i = im[i0 + 3]!;
    const t0r = a0r + a2r;
    const t0i = a0i + a2i;
    const t1r = a0r - a2r;
    const t1i = a0i - a2i;
    const t2r = a1r + a3r;
    const t2i = a1i + a3i;
    const t3r = a1r - a3r;
    const t3i = a1i - a3i;
    re[i0] = t0r + t2r;
    im[i0] = t0i + t2i;
    re[i0 + 1] = t0r - t2r;
    im[i0 + 1] = t0i - t2i;
    re[i0 + 2] = t1r + t3i;
    im[i0 + 2] = t1i - t3r;
    re[i0 + 3] = t1r - t3i;
    im[i0 + 3] = t1i + t3r;
  }
}
