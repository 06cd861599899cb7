// Band power of windowed power-of-two frames (the spectral detector's only FFT use: fft.js directly).
import FFT from "fft.js";

/**
 * 3-bin sums of squared FFT magnitudes, P(k-1) + P(k) + P(k+1) with P(k) = re^2 + im^2, for the bins
 * loBin..hiBin of the frame x[start .. start + n) times `window`. Buffers are allocated once per instance.
 */
export class BandPower {
  private readonly fft: FFT;
  private readonly inp: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly power: Float64Array;

  constructor(
    readonly n: number,
    private readonly window: Float64Array,
    readonly loBin: number,
    readonly hiBin: number,
  ) {
    this.fft = new FFT(n);
    this.inp = new Float64Array(n);
    this.spectrum = new Float64Array(2 * n);
    this.power = new Float64Array(hiBin - loBin + 3);
  }

  /** Writes the nb = hiBin - loBin + 1 sums to out[at .. at + nb). */
  compute(x: Float32Array | Float64Array, start: number, out: Float64Array, at: number): void {
    const { n, inp, window, spectrum: o, power, loBin, hiBin } = this;
    for (let i = 0; i < n; i++) inp[i] = x[start + i]! * window[i]!;
    this.fft.realTransform(o as unknown as number[], inp as unknown as number[]);
    // power[j] = P(loBin - 1 + j)
    for (let k = loBin - 1, j = 0; k <= hiBin + 1; k++, j++) {
      const re = o[2 * k]!;
      const im = o[2 * k + 1]!;
      power[j] = re * re + im * im;
    }
    for (let j = 0, end = hiBin - loBin + 1; j < end; j++)
      out[at + j] = power[j]! + power[j + 1]! + power[j + 2]!;
  }
}
