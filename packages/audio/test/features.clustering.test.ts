import { describe, expect, it } from "vitest";
import { extractClusteringFeatures, melFilterbank, N_MELS } from "../src/features/index.ts";

function tone(sr: number, f: number, seconds: number, amp = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(sr * seconds) },
    (_, i) => amp * Math.sin((2 * Math.PI * f * i) / sr),
  );
}

describe("MFCC / mel / chroma summaries at the native sample rate", () => {
  it("mel filterbank spans 0 Hz to Nyquist (no resampling to 22 kHz)", () => {
    const sr = 384000;
    const fb = melFilterbank(sr, 1024);
    expect(fb.length).toBe(N_MELS);
    const last = fb[N_MELS - 1]!;
    const peakBin = last.indexOf(Math.max(...last));
    // The top filter peaks well above 150 kHz.
    expect((peakBin * sr) / 1024).toBeGreaterThan(150000);
    // As in librosa, the lowest Slaney filters are narrower than an FFT bin (375 Hz here) and can stay empty;
    // the upper half of the filters (the ultrasound) all have weight.
    const nonEmpty = fb.map((r) => r.some((v) => v > 0));
    expect(nonEmpty.slice(N_MELS / 2).every(Boolean)).toBe(true);
    expect(nonEmpty.filter(Boolean).length).toBeGreaterThan(90);
  });

  it("a 60 kHz tone at 384 kHz peaks in the mel band containing 60 kHz, with 13/128/12-long vectors", () => {
    const sr = 384000;
    const x = tone(sr, 60000, 0.02);
    const [f] = extractClusteringFeatures(x, sr, [{ onset: 0.002, offset: 0.018 }]);
    expect(f!.mfccMean.length).toBe(13);
    expect(f!.mfccStd.length).toBe(13);
    expect(f!.melMean.length).toBe(128);
    expect(f!.chromaMean.length).toBe(12);
    const fb = melFilterbank(sr, 1024);
    const best = f!.melMean.indexOf(Math.max(...f!.melMean));
    const bin60k = Math.round((60000 * 1024) / sr);
    expect(fb[best]![bin60k]).toBeGreaterThan(0);
    expect(f!.mfccMean.every(Number.isFinite)).toBe(true);
  });

  it("chroma puts an A (440 Hz x 2^7 = 56.32 kHz) in pitch class 9 and a C# (35.48 kHz) in class 1", () => {
    const sr = 384000;
    const [a] = extractClusteringFeatures(tone(sr, 440 * 2 ** 7, 0.02), sr, [{ onset: 0, offset: 0.02 }]);
    expect(a!.chromaMean.indexOf(Math.max(...a!.chromaMean))).toBe(9);
    const cSharp = 440 * 2 ** (4 / 12) * 2 ** 6; // C#, 4 semitones above A
    const [c] = extractClusteringFeatures(tone(sr, cSharp, 0.02), sr, [{ onset: 0, offset: 0.02 }]);
    expect(c!.chromaMean.indexOf(Math.max(...c!.chromaMean))).toBe(1);
  });

  it("a steady tone has ~zero frame-to-frame spread; very short segments give NaN", () => {
    const sr = 250000;
    const [f, short] = extractClusteringFeatures(tone(sr, 40000, 0.05), sr, [
      { onset: 0.01, offset: 0.04 },
      { onset: 0.01, offset: 0.01002 },
    ]);
    expect(Math.max(...f!.mfccStd)).toBeLessThan(0.5);
    expect(short!.mfccMean.every(Number.isNaN)).toBe(true);
  });
});
