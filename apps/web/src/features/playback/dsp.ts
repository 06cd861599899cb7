/** Pure signal helpers for playback and the waveform strip (unit-tested). */

/** The browser's lowest AudioBuffer sample rate (Chrome/Firefox/Safari all accept ≥ 3000 Hz). */
export const MIN_BUFFER_RATE = 3000;

/**
 * The browser's highest AudioBuffer sample rate (Chrome's 768 kHz; a 1 MHz recorder, or a x20 time-expanded 44.1 kHz
 * file read in real time at 882 kHz, exceeds it).
 */
export const MAX_BUFFER_RATE = 768_000;

/**
 * Samples already low-passed far below `sampleRate` (the heterodyne's output) at a rate the browser plays: every k-th
 * sample at sampleRate / k, the smallest k that fits.
 */
export function fitBufferRate(
  samples: Float32Array,
  sampleRate: number,
): { samples: Float32Array; bufferRate: number } {
  const k = Math.ceil(sampleRate / MAX_BUFFER_RATE);
  if (k <= 1) return { samples, bufferRate: sampleRate };
  const out = new Float32Array(Math.ceil(samples.length / k));
  for (let i = 0; i < out.length; i++) out[i] = samples[i * k]!;
  return { samples: out, bufferRate: sampleRate / k };
}

/** Scales so the peak is `target` (no-op for silence). Returns a new array. */
export function normalizePeak(x: Float32Array, target = 0.9): Float32Array {
  let peak = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (a > peak) peak = a;
  }
  const out = new Float32Array(x.length);
  if (peak === 0) return out;
  const g = target / peak;
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * g;
  return out;
}

/** Linear-interpolation upsampling by an integer factor. */
export function upsample(x: Float32Array, factor: number): Float32Array {
  if (factor <= 1) return x;
  const out = new Float32Array(x.length * factor);
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = i + 1 < x.length ? x[i + 1]! : a;
    for (let k = 0; k < factor; k++) out[i * factor + k] = a + ((b - a) * k) / factor;
  }
  return out;
}

/**
 * Time expansion: the samples are played at sampleRate / factor, so duration grows and every
 * frequency drops by `factor` (a 50 kHz call is heard at 5 kHz at 1/10 speed). When that rate is
 * below the browser's minimum AudioBuffer rate, the samples are upsampled by an integer k first and
 * played at k · sampleRate / factor — the same pitch and duration.
 */
export function timeExpansion(
  samples: Float32Array,
  sampleRate: number,
  factor: number,
): { samples: Float32Array; bufferRate: number } {
  const rate = sampleRate / factor;
  if (rate >= MIN_BUFFER_RATE) return { samples, bufferRate: rate };
  const k = Math.ceil(MIN_BUFFER_RATE / rate);
  return { samples: upsample(samples, k), bufferRate: rate * k };
}

/**
 * Heterodyne (the classic bat detector): mix with a local oscillator at `tuneHz` and keep the
 * difference band — x·cos(2π f t), then a 4th-order low-pass at `bandwidthHz` removes the sum band.
 * A call at f plays in real time at |f − tuneHz|.
 */
export function heterodyne(
  samples: Float32Array,
  sampleRate: number,
  tuneHz: number,
  bandwidthHz = 10_000,
): Float32Array {
  const out = new Float32Array(samples.length);
  const w = (2 * Math.PI * tuneHz) / sampleRate;
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! * Math.cos(w * i);
  const fc = Math.min(bandwidthHz, sampleRate * 0.45);
  // Two cascaded biquad low-passes (Butterworth Q for each: 0.5412, 1.3066).
  for (const q of [0.5412, 1.3066]) biquadLowpassInPlace(out, sampleRate, fc, q);
  return out;
}

function biquadLowpassInPlace(x: Float32Array, fs: number, fc: number, q: number) {
  const w0 = (2 * Math.PI * fc) / fs;
  const alpha = Math.sin(w0) / (2 * q);
  const cos = Math.cos(w0);
  const a0 = 1 + alpha;
  const b0 = (1 - cos) / 2 / a0;
  const b1 = (1 - cos) / a0;
  const b2 = b0;
  const a1 = (-2 * cos) / a0;
  const a2 = (1 - alpha) / a0;
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i]!;
    const y0 = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x0;
    y2 = y1;
    y1 = y0;
    x[i] = y0;
  }
}

/** Min/max per pixel column for a waveform strip. */
export function minMaxEnvelope(x: Float32Array, columns: number): { min: Float32Array; max: Float32Array } {
  const min = new Float32Array(columns);
  const max = new Float32Array(columns);
  const per = x.length / Math.max(1, columns);
  for (let c = 0; c < columns; c++) {
    const a = Math.floor(c * per);
    const b = Math.max(a + 1, Math.floor((c + 1) * per));
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = a; i < b && i < x.length; i++) {
      const s = x[i]!;
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    min[c] = Number.isFinite(lo) ? lo : 0;
    max[c] = Number.isFinite(hi) ? hi : 0;
  }
  return { min, max };
}
