// Butterworth design and filtering against known answers. Reference numbers were computed once with
// scipy 1.17 (signal.butter(..., output="sos"), sosfreqz, sosfilt) and pasted here.
import { describe, expect, it } from "vitest";
import {
  type ButterworthSpec,
  butterworth,
  sosfilt,
  sosfiltfilt,
  sosMagnitude,
} from "../src/filters/index.ts";

const FREQS = [1000, 9000, 15000, 20000, 50000, 80000];
const INPUT = Float64Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.7) + (i === 3 ? 1 : 0));

const CASES: { spec: ButterworthSpec; mags: number[]; y: [number, number, number] }[] = [
  {
    spec: { order: 4, type: "lowpass", cutoff: 20000, sampleRate: 250000 },
    mags: [
      0.9999999999835323, 0.9992675131964369, 0.9565811534843159, 0.707106781186548, 0.015595089159577767,
      0.0007049167514594144,
    ],
    y: [0.2820010578139719, -0.056005877347800576, 0.20093913280704623],
  },
  {
    spec: { order: 4, type: "highpass", cutoff: 15000, sampleRate: 384000 },
    mags: [
      1.936076076848732e-5, 0.12690291162923134, 0.7071067811865429, 0.9547635371669813, 0.9999785366528732,
      0.9999997772037172,
    ],
    y: [-1.2317586567471315, 0.6687300305912123, 0.8513568391266565],
  },
  {
    spec: { order: 4, type: "bandpass", cutoff: [20000, 80000], sampleRate: 250000 },
    mags: [
      2.821924471297524e-6, 0.021397877742260485, 0.21307081051169593, 0.7071067811865479, 0.9999999624933653,
      0.7071067811865467,
    ],
    y: [-0.7637290333948179, 0.1727087781702893, 0.9897537348530518],
  },
  {
    spec: { order: 4, type: "bandpass", cutoff: [9000, 21049], sampleRate: 44100 },
    mags: [
      6.726152240328879e-5, 0.7071067811865477, 0.9999708761739332, 0.9996914076932224, 0.11090818585029055,
      0.5060928014932392,
    ],
    y: [0.3066546763247812, -0.0450981835243498, -0.036712940748238374],
  },
];

describe("butterworth", () => {
  for (const { spec, mags, y } of CASES) {
    const name = `${spec.type} ${JSON.stringify(spec.cutoff)} Hz @ ${spec.sampleRate}`;
    it(`${name}: frequency response equals scipy's`, () => {
      const sos = butterworth(spec);
      expect(sos.length).toBe(spec.type === "bandpass" ? 4 : 2);
      FREQS.forEach((f, i) => {
        expect(sosMagnitude(sos, f, spec.sampleRate)).toBeCloseTo(mags[i]!, 10);
      });
    });
    it(`${name}: sosfilt output equals scipy's`, () => {
      const out = sosfilt(butterworth(spec), INPUT);
      expect(out[5]).toBeCloseTo(y[0], 10);
      expect(out[20]).toBeCloseTo(y[1], 10);
      expect(out[63]).toBeCloseTo(y[2], 10);
    });
  }

  it("is -3.01 dB at every cutoff edge", () => {
    const sos = butterworth({ order: 4, type: "bandpass", cutoff: [25000, 110000], sampleRate: 384000 });
    expect(sosMagnitude(sos, 25000, 384000)).toBeCloseTo(Math.SQRT1_2, 9);
    expect(sosMagnitude(sos, 110000, 384000)).toBeCloseTo(Math.SQRT1_2, 9);
  });

  it("rejects cutoffs outside (0, Nyquist)", () => {
    expect(() => butterworth({ order: 4, type: "lowpass", cutoff: 30000, sampleRate: 44100 })).toThrow(
      RangeError,
    );
    expect(() =>
      butterworth({ order: 4, type: "bandpass", cutoff: [5000, 1000], sampleRate: 44100 }),
    ).toThrow(RangeError);
  });

  it("sosfiltfilt is zero-phase: a filtered in-band tone keeps its phase and amplitude", () => {
    const sr = 250000;
    const f = 40000;
    const x = Float64Array.from({ length: 5000 }, (_, i) => Math.sin((2 * Math.PI * f * i) / sr));
    const y = sosfiltfilt(
      butterworth({ order: 4, type: "bandpass", cutoff: [20000, 80000], sampleRate: sr }),
      x,
    );
    for (let i = 1000; i < 4000; i += 37) expect(y[i]).toBeCloseTo(x[i]!, 3);
  });
});
