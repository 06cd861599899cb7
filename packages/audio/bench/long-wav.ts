// Writes long synthetic field recordings without holding them in memory: white noise plus a train of
// FM and CF calls, 16-bit PCM, streamed to disk one second at a time.
import { open } from "node:fs/promises";
import { buildWavHeader, encodeFrames } from "../src/wav/index.ts";
import { gaussian, synthCall } from "../test/fixtures/synth.ts";

export async function writeLongRecording(
  path: string,
  seconds: number,
  sampleRate = 384000,
  seed = 42,
): Promise<void> {
  const frames = Math.round(seconds * sampleRate);
  const fh = await open(path, "w");
  try {
    await fh.write(buildWavHeader({ sampleRate, bitsPerSample: 16, format: "pcm" }, 1, frames * 2));
    const g = gaussian(seed);
    // Noise at about -50 dBFS RMS, like a quiet night recording through a detector's gain. Eight
    // distinct seconds are cycled: generating 10 minutes of fresh Gaussian noise would dominate the bench.
    const noise = Array.from({ length: 8 }, () =>
      Float32Array.from({ length: sampleRate }, () => 0.003 * g()),
    );
    const block = new Float32Array(sampleRate);
    for (let start = 0, second = 0; start < frames; start += sampleRate, second++) {
      const n = Math.min(sampleRate, frames - start);
      const x = n === block.length ? block : block.subarray(0, n);
      x.set(noise[second % noise.length]!.subarray(0, n));
      // Ten calls per second alternating FM and CF, -12 dBFS peak.
      for (let c = 0; c < 10; c++) {
        const onset = c * 0.1 + 0.01;
        if (onset * sampleRate + 0.02 * sampleRate > n) break;
        synthCall(
          x,
          sampleRate,
          c % 2
            ? { onset, duration: 0.004, f0: 90000, f1: 35000, kind: "hyperbolic", amplitude: 0.25 }
            : { onset, duration: 0.015, f0: 42000, amplitude: 0.25 },
        );
      }
      await fh.write(encodeFrames([x], { bitsPerSample: 16, format: "pcm" }));
    }
  } finally {
    await fh.close();
  }
}
