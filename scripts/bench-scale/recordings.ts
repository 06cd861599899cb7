// The scale bench's recordings: deterministic synthetic field recordings (FM bat calls over
// noise), generated once per run so every worker count and both storages see the same bytes.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { encodeWav } from "@battycoda/audio";

export const SAMPLE_RATE = 250_000;

/** Seeded PRNG: the same i gives the same file in every run (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let shared: Float32Array | undefined;
/**
 * Triangular noise in [-1, 1), made once and read at a different offset and level by each
 * recording: drawing fresh noise per file took most of a minute for 200 files on the loaded
 * machine, and the STFT's cost does not depend on which noise it sees.
 */
function noiseTable(n: number): Float32Array {
  if (shared?.length === n) return shared;
  const rand = prng(0xb47);
  shared = new Float32Array(n);
  for (let k = 0; k < n; k++) shared[k] = rand() + rand() - 1;
  return shared;
}

/**
 * Recording i: noise at its own level and offset, and a varying number of downward FM sweeps (start,
 * bandwidth, length, level and a second harmonic differ per call), so files are not copies of
 * one another and none compresses to nothing.
 */
export function syntheticRecording(i: number, seconds: number): Uint8Array {
  const rand = prng(0x5eed + i * 7919);
  const n = Math.round(seconds * SAMPLE_RATE);
  const x = new Float32Array(n);
  const noise = 0.002 + rand() * 0.03;
  const table = noiseTable(n);
  const offset = Math.floor(rand() * n);
  for (let k = 0; k < n; k++) x[k] = noise * (table[(k + offset) % n] ?? 0);
  const calls = 5 + Math.floor(rand() * 12 * seconds);
  for (let c = 0; c < calls; c++) {
    const len = Math.round((0.001 + rand() * 0.011) * SAMPLE_RATE);
    const onset = Math.floor(rand() * (n - len));
    const f0 = 40_000 + rand() * 70_000;
    const f1 = Math.max(15_000, f0 - 15_000 - rand() * 45_000);
    const amp = 0.05 + rand() * 0.75;
    const harmonic = rand() < 0.3 ? 0.3 : 0;
    let phase = 0;
    for (let k = 0; k < len; k++) {
      phase += (2 * Math.PI * (f0 + ((f1 - f0) * k) / len)) / SAMPLE_RATE;
      const env = Math.sin((Math.PI * k) / len) ** 2;
      const j = onset + k;
      x[j] = (x[j] ?? 0) + amp * env * (Math.sin(phase) + harmonic * Math.sin(2 * phase));
    }
  }
  for (let k = 0; k < n; k++) x[k] = Math.max(-1, Math.min(1, x[k] ?? 0));
  return encodeWav([x], { sampleRate: SAMPLE_RATE, bitsPerSample: 16, format: "pcm" });
}

export interface BenchRecording {
  path: string;
  name: string;
  bytes: number;
}

export async function writeRecordings(
  dir: string,
  count: number,
  seconds: number,
): Promise<BenchRecording[]> {
  const out: BenchRecording[] = [];
  for (let i = 0; i < count; i++) {
    const name = `night-${String(i).padStart(4, "0")}.wav`;
    const wav = syntheticRecording(i, seconds);
    const file = path.join(dir, name);
    await writeFile(file, wav);
    out.push({ path: file, name, bytes: wav.length });
  }
  return out;
}
