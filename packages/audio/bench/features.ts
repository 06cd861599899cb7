// Feature benchmark: 27 warbleR features per second on one core, for short bat calls at 384 kHz (2-10 ms)
// and for the 44.1 kHz pickle segments; plus MFCC/mel/chroma summaries.
import { extractCallFeatures, extractClusteringFeatures } from "../src/features/index.ts";
import type { Segment } from "../src/segmentation/index.ts";
import { type CallSpec, synthRecording } from "../test/fixtures/synth.ts";

function timeIt(label: string, n: number, fn: () => void, target?: number): void {
  fn(); // warm-up (plans, JIT)
  const t0 = performance.now();
  let reps = 0;
  do {
    fn();
    reps++;
  } while (performance.now() - t0 < 3000);
  const perSec = (reps * n) / ((performance.now() - t0) / 1000);
  console.log(`${label}: ${perSec.toFixed(0)} calls/s (1 core${target ? `; target >= ${target}` : ""})`);
}

export async function run(): Promise<void> {
  console.log("== features");
  const sr = 384000;
  const calls: CallSpec[] = [];
  for (let i = 0; i < 200; i++) {
    calls.push({
      onset: 0.01 + i * 0.02,
      duration: [0.002, 0.004, 0.006, 0.01][i % 4]!,
      f0: 90000,
      f1: 35000,
      kind: "hyperbolic",
    });
  }
  const rec = synthRecording({ sampleRate: sr, duration: 4.1, calls, snrDb: 20, seed: 1 });
  const segs: Segment[] = rec.calls.map(({ onset, offset }) => ({ onset, offset }));
  timeIt(
    "27 warbleR features, 2-10 ms calls @ 384 kHz",
    segs.length,
    () => extractCallFeatures(rec.samples, sr, segs),
    1000,
  );

  const sr2 = 44100;
  const calls2: CallSpec[] = [];
  for (let i = 0; i < 200; i++)
    calls2.push({ onset: 0.01 + i * 0.02, duration: 0.002 + (i % 4) * 0.001, f0: 18000, f1: 10000 });
  const rec2 = synthRecording({ sampleRate: sr2, duration: 4.1, calls: calls2, snrDb: 20, seed: 2 });
  const segs2: Segment[] = rec2.calls.map(({ onset, offset }) => ({ onset, offset }));
  timeIt(
    "27 warbleR features, 2-5 ms calls @ 44.1 kHz",
    segs2.length,
    () => extractCallFeatures(rec2.samples, sr2, segs2),
    1000,
  );

  timeIt("MFCC/mel/chroma summaries, 2-10 ms calls @ 384 kHz", segs.length, () =>
    extractClusteringFeatures(rec.samples, sr, segs),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
