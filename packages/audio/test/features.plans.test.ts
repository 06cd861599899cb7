// The FFT plans of the call features are kept for the few most recent sizes only: a recording's
// calls bring a new length each, and every plan kept was MBs in a long-lived pool thread.
import { describe, expect, it } from "vitest";
import { cachedPlanCount } from "../src/features/dft.ts";
import { extractCallFeatures, FEATURE_NAMES } from "../src/features/index.ts";

const SR = 192_000;

function noise(n: number): Float32Array {
  const x = new Float32Array(n);
  let seed = 3;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    x[i] = seed / 0x7fffffff - 0.5;
  }
  return x;
}

describe("call feature FFT plans", () => {
  it("stay bounded over calls of many lengths, and an evicted size gives the same values again", () => {
    const x = noise(SR * 3);
    const first = { onset: 0.1, offset: 0.1 + 0.0123 };
    const before = extractCallFeatures(x, SR, [first])[0];
    const many = Array.from({ length: 60 }, (_, i) => ({
      onset: 0.2 + i * 0.04,
      offset: 0.2 + i * 0.04 + 0.005 + i * 0.0003,
    }));
    extractCallFeatures(x, SR, many);
    expect(cachedPlanCount()).toBeLessThanOrEqual(8);
    const after = extractCallFeatures(x, SR, [first])[0];
    for (const n of FEATURE_NAMES) expect(Object.is(after?.[n], before?.[n]), n).toBe(true);
    expect(Number.isFinite(before?.meanfreq)).toBe(true);
  });
});
