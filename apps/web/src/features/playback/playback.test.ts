import { describe, expect, it } from "vitest";
import {
  fitBufferRate,
  heterodyne,
  MAX_BUFFER_RATE,
  MIN_BUFFER_RATE,
  minMaxEnvelope,
  normalizePeak,
  timeExpansion,
  upsample,
} from "./dsp";
import { parseWav, pickChannel } from "./wav";

function wav(samples: number[][], sampleRate: number, bits: 16 | 24 | 32, float = false): ArrayBuffer {
  const channels = samples.length;
  const frames = samples[0]?.length ?? 0;
  const bytes = bits / 8;
  const data = frames * channels * bytes;
  const buf = new ArrayBuffer(44 + data);
  const v = new DataView(buf);
  const w = (o: number, s: string) => {
    for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i));
  };
  w(0, "RIFF");
  v.setUint32(4, 36 + data, true);
  w(8, "WAVE");
  w(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, float ? 3 : 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels * bytes, true);
  v.setUint16(32, channels * bytes, true);
  v.setUint16(34, bits, true);
  w(36, "data");
  v.setUint32(40, data, true);
  let o = 44;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const x = samples[c]?.[i] ?? 0;
      if (float) v.setFloat32(o, x, true);
      else if (bits === 16) v.setInt16(o, Math.round(x * 32767), true);
      else if (bits === 24) {
        const n = Math.round(x * 8388607);
        v.setUint8(o, n & 0xff);
        v.setUint8(o + 1, (n >> 8) & 0xff);
        v.setInt8(o + 2, n >> 16);
      } else v.setInt32(o, Math.round(x * 2147483647), true);
      o += bytes;
    }
  }
  return buf;
}

describe("WAV clips", () => {
  it("parses 16/24-bit PCM and float, multi-channel", () => {
    for (const [bits, float] of [
      [16, false],
      [24, false],
      [32, true],
    ] as const) {
      const clip = parseWav(
        wav(
          [
            [0, 0.5, -0.5],
            [0.25, -0.25, 1],
          ],
          250_000,
          bits,
          float,
        ),
      );
      expect(clip.sampleRate).toBe(250_000);
      expect(clip.channels).toHaveLength(2);
      expect(clip.channels[0]?.[1]).toBeCloseTo(0.5, 3);
      expect(clip.channels[1]?.[2]).toBeCloseTo(1, 3);
      expect(clip.duration).toBeCloseTo(3 / 250_000);
      expect(pickChannel(clip, "mix")?.[0]).toBeCloseTo(0.125, 3);
      expect(pickChannel(clip, 1)?.[1]).toBeCloseTo(-0.25, 3);
    }
    expect(() => parseWav(new ArrayBuffer(20))).toThrow(/WAV/);
  });
});

describe("playback DSP", () => {
  it("time expansion divides the buffer rate, upsampling below the browser minimum", () => {
    const x = new Float32Array([0, 1, 0, -1]);
    expect(timeExpansion(x, 250_000, 10)).toEqual({ samples: x, bufferRate: 25_000 });
    const low = timeExpansion(x, 44_100, 20); // 2205 Hz < 3000 Hz
    expect(low.bufferRate).toBeGreaterThanOrEqual(MIN_BUFFER_RATE);
    // Same duration and pitch: samples / rate unchanged.
    expect(low.samples.length / low.bufferRate).toBeCloseTo(x.length / 2205, 9);
    expect(upsample(new Float32Array([0, 2]), 2)).toEqual(new Float32Array([0, 1, 2, 2]));
  });

  it("peak-normalises", () => {
    const y = normalizePeak(new Float32Array([0.1, -0.2, 0.05]), 0.9);
    expect(Math.max(...y.map(Math.abs))).toBeCloseTo(0.9);
    expect(normalizePeak(new Float32Array(3))).toEqual(new Float32Array(3));
  });

  it("heterodyne shifts a 45 kHz tone to 5 kHz", () => {
    const fs = 250_000;
    const n = 25_000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * 45_000 * i) / fs);
    const y = heterodyne(x, fs, 40_000);
    // Dominant frequency by zero crossings over the settled part.
    let crossings = 0;
    for (let i = 5001; i < n; i++) if ((y[i - 1] ?? 0) < 0 && (y[i] ?? 0) >= 0) crossings++;
    const f = crossings / ((n - 5001) / fs);
    expect(f).toBeGreaterThan(4_500);
    expect(f).toBeLessThan(5_500);
  });

  it("heterodyne of a recording above the browser's highest buffer rate plays at a rate it accepts, same pitch", () => {
    // A x20 time-expanded 44.1 kHz file read in real time: 882 kHz.
    const fs = 882_000;
    const n = 88_200;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * 45_000 * i) / fs);
    const { samples, bufferRate } = fitBufferRate(heterodyne(x, fs, 40_000), fs);
    expect(bufferRate).toBeLessThanOrEqual(MAX_BUFFER_RATE);
    expect(bufferRate).toBe(441_000);
    expect(samples.length).toBe(n / 2);
    let crossings = 0;
    const from = samples.length / 5;
    for (let i = from + 1; i < samples.length; i++)
      if ((samples[i - 1] ?? 0) < 0 && (samples[i] ?? 0) >= 0) crossings++;
    const f = crossings / ((samples.length - from - 1) / bufferRate);
    expect(f).toBeGreaterThan(4_500);
    expect(f).toBeLessThan(5_500);
    expect(fitBufferRate(x, 500_000).bufferRate).toBe(500_000);
  });

  it("min/max envelope per column", () => {
    const { min, max } = minMaxEnvelope(new Float32Array([0, 1, -1, 0.5, 0.2, -0.3]), 2);
    expect([...min]).toEqual([-1, -0.30000001192092896]);
    expect([...max]).toEqual([1, 0.5]);
  });
});
