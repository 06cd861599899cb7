import FFT from "fft.js";

/**
 * Power spectrum of one real frame. Wraps fft.js's real transform (radix-4) with preallocated
 * buffers so the hot loop allocates nothing.
 */
export class RealPowerSpectrum {
  readonly size: number;
  private readonly fft: FFT;
  private readonly out: number[];

  constructor(size: number) {
    this.size = size;
    this.fft = new FFT(size);
    this.out = this.fft.createComplexArray() as number[];
  }

  /** Writes |X[k]|² for k = 0..size/2 into `power`. `input` must hold `size` windowed samples. */
  power(input: Float64Array, power: Float64Array): void {
    this.fft.realTransform(this.out, input as unknown as number[]);
    const out = this.out;
    const half = this.size / 2;
    for (let k = 0; k <= half; k++) {
      const re = out[2 * k]!;
      const im = out[2 * k + 1]!;
      power[k] = re * re + im * im;
    }
  }
}
