// Preview latency: `pnpm exec tsx packages/core/src/segmentation/bench-preview.ts`.
// A 20 s, 384 kHz, 16-bit recording with a call every 50 ms; times readWindow + detector for
// 3 s and 5 s windows, in this thread and through an AudioPool (what previewSegmentation does).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AudioPool } from "@battycoda/audio";
import { callTrain, synthRecording, writeFixture } from "../../../audio/test/fixtures/generate.ts";
import { LocalMediaStore } from "../media/local-store.ts";
import { type AudioTaskRunner, readWindow, runSegment } from "./audio.ts";
import type { AlgorithmKey } from "./params.ts";

const SR = 384_000;
const dir = mkdtempSync(path.join(tmpdir(), "bc-preview-bench-"));
const rec = synthRecording({
  sampleRate: SR,
  duration: 20,
  calls: callTrain(390, 0.1, 0.05, { duration: 0.004, f0: 70_000, f1: 30_000, kind: "hyperbolic" }),
  snrDb: 25,
});
await writeFixture(dir, "long.wav", rec.samples, { sampleRate: SR });
const media = new LocalMediaStore(dir);
const pool = new AudioPool({ threads: 1, idleTimeout: 60_000 });

async function once(algorithm: AlgorithmKey, w: number, runner: AudioTaskRunner | null, center: number) {
  const t0 = performance.now();
  const win = await readWindow(media, "long.wav", center, w, null);
  const found = await runSegment(win.samples, win.sampleRate, algorithm, {}, runner);
  return { ms: performance.now() - t0, n: found.length };
}

try {
  for (const [label, runner] of [
    ["in-thread", null],
    ["pool", pool],
  ] as const) {
    await once("spectral", 1, runner, 5); // warm-up (JIT, thread start)
    for (const algorithm of ["spectral", "threshold", "energy"] as const) {
      for (const w of [3, 5]) {
        const times: number[] = [];
        let n = 0;
        for (let i = 0; i < 5; i++) {
          const r = await once(algorithm, w, runner, 3 + i * 2.5);
          times.push(r.ms);
          n = r.n;
        }
        times.sort((a, b) => a - b);
        console.log(
          `${label.padEnd(9)} ${algorithm.padEnd(9)} ${w} s window: median ${times[2]?.toFixed(0)} ms, max ${times[4]?.toFixed(0)} ms (${n} segments)`,
        );
      }
    }
  }
} finally {
  await pool.destroy();
  rmSync(dir, { recursive: true, force: true });
}
