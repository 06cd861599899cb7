// Segmentation benchmark: speed (x real time, one core) on a generated 60 s 384 kHz recording, and
// recall/precision of every algorithm on bat1_angie_19.wav (vs its pickle) and on synthetic calls in noise.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { matchSegments, SEGMENTATION_ALGORITHMS, type Segment, segment } from "../src/segmentation/index.ts";
import { readWavFile } from "../src/wav/index.ts";
import { makeTempDir, removeTempDir } from "../test/fixtures/generate.ts";
import { type CallSpec, synthRecording } from "../test/fixtures/synth.ts";
import { writeLongRecording } from "./long-wav.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.resolve(here, "../../../../shared/data");
const ALGOS = SEGMENTATION_ALGORITHMS.map((a) => a.name) as ("spectral" | "threshold" | "energy")[];

const CALL_TYPES: Omit<CallSpec, "onset">[] = [
  { duration: 0.0005, f0: 90000, f1: 40000, kind: "linear" },
  { duration: 0.002, f0: 80000, f1: 30000, kind: "linear" },
  { duration: 0.006, f0: 100000, f1: 40000, kind: "hyperbolic" },
  { duration: 0.004, f0: 60000, f1: 25000, kind: "exponential" },
  { duration: 0.02, f0: 40000, kind: "cf" },
  { duration: 0.05, f0: 83000, kind: "cf", taper: 0.02 },
];

function scene(sampleRate: number, seconds: number, snrDb: number, seed: number) {
  const calls: CallSpec[] = [];
  let t = 0.05;
  let i = 0;
  const scale = Math.min(1, (0.45 * sampleRate) / 100000);
  while (t < seconds - 0.1) {
    const c = CALL_TYPES[i % CALL_TYPES.length]!;
    calls.push({ ...c, f0: c.f0 * scale, f1: (c.f1 ?? c.f0) * scale, onset: t });
    t += c.duration + 0.02 + ((i * 7) % 5) * 0.012;
    i++;
  }
  return synthRecording({ sampleRate, duration: seconds, calls, snrDb, seed });
}

export function pickleSegments(file: string): Segment[] | string {
  const script =
    "import pickle,sys,json\nd=pickle.load(open(sys.argv[1],'rb'))\n" +
    "on,off=(d['onsets'],d['offsets']) if isinstance(d,dict) else (d[0],d[1])\n" +
    "print(json.dumps([[float(a),float(b)] for a,b in zip(on,off)]))";
  try {
    const out = execFileSync("python3", ["-c", script, file], { encoding: "utf8", timeout: 20000 });
    return (JSON.parse(out) as [number, number][]).map(([onset, offset]) => ({ onset, offset }));
  } catch (e) {
    return `skipped (python3 with numpy not available to read the pickle: ${(e as Error).message.split("\n")[0]})`;
  }
}

const pct = (v: number): string => `${(100 * v).toFixed(0)}%`;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
};

/** CPU seconds (user + system) of one call: robust to other processes sharing the cores, unlike wall time. */
function cpuSeconds(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

/**
 * Speed on 60 s at 384 kHz, one thread: the minimum CPU time over `repeats` runs (after a warm-up on the full
 * input), as x real time per core. Also used standalone: `tsx bench/segmentation.ts --speed [repeats]`.
 */
export function runSpeed(
  repeats = 7,
  params: Record<string, Record<string, number>> = {},
): Record<string, number> {
  const sr = 384000;
  const rec = scene(sr, 60, 10, 42);
  const speeds: Record<string, number> = {};
  const load = (): string =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(" ");
  // CPU time is robust to other processes, not immune: on a loaded machine (load > cores) caches and SMT siblings
  // are shared, so report the load with the numbers.
  console.log(`speed: load average ${load()} on ${cpus().length} cores before the runs`);
  for (const algorithm of ALGOS) {
    const opts = { algorithm, params: params[algorithm] };
    segment(rec.samples.subarray(0, sr), sr, opts); // warm-up (JIT)
    segment(rec.samples, sr, opts);
    let best = Number.POSITIVE_INFINITY;
    let sum = 0;
    for (let r = 0; r < repeats; r++) {
      const secs = cpuSeconds(() => segment(rec.samples, sr, opts));
      best = Math.min(best, secs);
      sum += secs;
    }
    speeds[algorithm] = 60 / best;
    console.log(
      `speed ${algorithm.padEnd(9)} 60 s @ 384 kHz: min CPU ${(best * 1000).toFixed(0)} ms (mean ${((sum / repeats) * 1000).toFixed(0)} ms, ` +
        `${repeats} runs) = ${(60 / best).toFixed(0)}x real time per core (target >= 500x)`,
    );
  }
  console.log(`speed: load average ${load()} after the runs`);
  return speeds;
}

export async function run(): Promise<void> {
  console.log("== segmentation");
  const speeds = runSpeed();
  console.log(`speed ratio spectral/threshold: ${(speeds.spectral! / speeds.threshold!).toFixed(2)}`);

  // Real recording vs its pickle (matching: IoU >= 0.5 or onset within 2 ms).
  const wavPath = path.join(DATA, "recordings/bat1_angie_19.wav");
  if (!existsSync(wavPath)) console.log(`bat1_angie_19: skipped (${wavPath} absent)`);
  else {
    const ref = pickleSegments(`${wavPath}.pickle`);
    if (typeof ref === "string") console.log(`bat1_angie_19: ${ref}`);
    else {
      const wav = await readWavFile(wavPath);
      const x = wav.channels[0]!;
      const base = matchSegments(ref, segment(x, wav.info.sampleRate, { algorithm: "threshold" }));
      for (const algorithm of ALGOS) {
        const det = segment(x, wav.info.sampleRate, { algorithm });
        const m = matchSegments(ref, det);
        console.log(
          `bat1_angie_19 (44.1 kHz, ${ref.length} pickle calls) ${algorithm.padEnd(9)} detections ${String(det.length).padStart(3)} ` +
            // Precision of zero detections is undefined; printing 100 % would read as a result.
            `recall ${pct(m.recall)} precision ${det.length ? pct(m.precision) : "n/a"}` +
            (algorithm === "threshold"
              ? " (baseline)"
              : ` | recall vs threshold x${(m.recall / Math.max(base.recall, 1e-9)).toFixed(2)}`),
        );
      }
    }
  }

  // Synthetic: known calls in white noise at several SNRs and sample rates.
  for (const rate of [192000, 384000, 500000]) {
    for (const snr of [20, 10, 6, 3, 0]) {
      const s = scene(rate, 3, snr, 7 + snr);
      const ref = s.calls.map(({ onset, offset }) => ({ onset, offset }));
      const parts: string[] = [];
      let baseRecall = 0;
      for (const algorithm of ALGOS) {
        const m = matchSegments(ref, segment(s.samples, rate, { algorithm }));
        if (algorithm === "threshold") baseRecall = m.recall;
        const err = m.onsetErrors.length
          ? ` onset err median ${(1000 * median(m.onsetErrors)).toFixed(2)} ms`
          : "";
        parts.push(
          `${algorithm} R ${pct(m.recall)} P ${pct(m.precision)}${algorithm === "spectral" ? err : ""}`,
        );
      }
      const spectralR = matchSegments(ref, segment(s.samples, rate)).recall;
      console.log(
        `synthetic ${rate / 1000} kHz SNR ${String(snr).padStart(2)} dB (${ref.length} calls): ${parts.join(" | ")} | spectral/threshold recall ${
          baseRecall > 0 ? `x${(spectralR / baseRecall).toFixed(1)}` : "(threshold 0)"
        }`,
      );
    }
  }
  await runMemory();
}

/**
 * Peak RSS of the default detector on a 10-minute 384 kHz recording, each way in a fresh process: the whole recording
 * read at once (the baseline) and a piece at a time (the worker's way). Memory must not grow with the length.
 */
export async function runMemory(): Promise<void> {
  const dir = await makeTempDir("battycoda-seg-rss-");
  try {
    const wav = path.join(dir, "600s.wav");
    await writeLongRecording(wav, 600);
    const child = fileURLToPath(new URL("./segment-rss-child.ts", import.meta.url));
    const measure = (mode: "whole" | "pieces") =>
      JSON.parse(
        execFileSync(process.execPath, ["--import", "tsx", child, mode, wav], { encoding: "utf8" }),
      ) as {
        maxRssMB: number;
        cpuSeconds: number;
        found: number;
      };
    const whole = measure("whole");
    const pieces = measure("pieces");
    console.log(
      `memory, 10 min @ 384 kHz: whole recording peak RSS ${whole.maxRssMB.toFixed(0)} MB, ${whole.found} segments, ` +
        `${whole.cpuSeconds.toFixed(1)} CPU-s | in pieces ${pieces.maxRssMB.toFixed(0)} MB (x${(pieces.maxRssMB / whole.maxRssMB).toFixed(2)}), ` +
        `${pieces.found} segments, ${pieces.cpuSeconds.toFixed(1)} CPU-s (x${(pieces.cpuSeconds / whole.cpuSeconds).toFixed(2)})`,
    );
  } finally {
    await removeTempDir(dir);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === "--speed") runSpeed(Number(process.argv[3] ?? 7));
  else if (process.argv[2] === "--memory") await runMemory();
  else await run();
}
