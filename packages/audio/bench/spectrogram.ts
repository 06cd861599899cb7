// Spectrogram + HDF5 benchmark: seconds of audio per CPU-second (one thread and on the pool) for a
// generated 60 s 384 kHz 16-bit recording, against a naive baseline measured in the same run; peak
// RSS of a 10-minute 384 kHz job in a child process; then the HDF5 encodings compared
// (spectrogram-encoding.ts: MB per minute of audio with the write speed and the on-screen difference).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadH5wasm } from "../src/hdf5/h5wasm.ts";
import { AudioPool } from "../src/pool/index.ts";
import { stft, writeSpectrogramFile } from "../src/spectrogram/index.ts";
import { readWavFile } from "../src/wav/index.ts";
import { makeTempDir, removeTempDir } from "../test/fixtures/generate.ts";
import { writeLongRecording } from "./long-wav.ts";
import { compareEncodings } from "./spectrogram-encoding.ts";

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};
const fmt = (x: number, digits = 1) => x.toFixed(digits);

/**
 * Baseline: what a straightforward port does — decode the whole file, one-shot STFT into one big
 * array, write it with h5wasm (gzip level 4, h5py's usual choice). Same output, same file format.
 */
async function naive(wav: string, out: string, seconds: number): Promise<number> {
  const h5wasm = await loadH5wasm();
  const c0 = process.cpuUsage();
  const { channels } = await readWavFile(wav, { end: seconds });
  const s = stft(channels[0]!);
  const f = new h5wasm.File(out, "w");
  f.create_dataset({
    name: "spectrogram",
    data: s.data,
    shape: [s.bins, s.frames],
    dtype: "<f4",
    chunks: [s.bins, 512],
    compression: "gzip",
    compression_opts: 4,
  });
  f.close();
  return cpuSeconds(c0);
}

export async function run(): Promise<void> {
  const dir = await makeTempDir("battycoda-bench-");
  try {
    console.log("\n## Spectrogram + HDF5 (n_fft 512, hop 128, 384 kHz, 16-bit mono, noise + 10 calls/s)");
    const wav60 = join(dir, "60s.wav");
    await writeLongRecording(wav60, 60);

    const baseSeconds = 10;
    const baseCpu = await naive(wav60, join(dir, "naive.h5"), baseSeconds);
    const baseRate = baseSeconds / baseCpu;
    console.log(
      `baseline (whole-file decode, one-shot STFT, h5wasm gzip-4), first ${baseSeconds} s: ${fmt(baseRate)} s audio / CPU-s`,
    );

    // One thread: warm the JIT on a short file first (the machine is shared: CPU time, not wall time).
    const wav5 = join(dir, "5s.wav");
    await writeLongRecording(wav5, 5);
    await writeSpectrogramFile(wav5, join(dir, "warm.h5"));
    let oneRate = 0;
    for (let round = 0; round < 3; round++) {
      const c1 = process.cpuUsage();
      await writeSpectrogramFile(wav60, join(dir, "one.h5"));
      oneRate = Math.max(oneRate, 60 / cpuSeconds(c1));
    }
    console.log(
      `streamed, one thread: ${fmt(oneRate)}x real time per core (best of 3, target >= 20x; ${fmt(oneRate / baseRate, 2)}x the baseline); sizes: encodings below`,
    );

    const pool = new AudioPool();
    try {
      // Warm the workers (tsx compile) before timing.
      await Promise.all(
        Array.from({ length: pool.threads }, (_, i) =>
          pool.run({ type: "spectrogram-file", wavPath: wav5, outPath: join(dir, `w${i}.h5`) }),
        ),
      );
      const jobs = pool.threads;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: jobs }, (_, i) =>
          pool.run({ type: "spectrogram-file", wavPath: wav60, outPath: join(dir, `p${i}.h5`) }),
        ),
      );
      const wall = (performance.now() - t0) / 1000;
      const cpu = cpuSeconds(c0);
      console.log(
        `pool (${pool.threads} threads, ${jobs} x 60 s files): ${fmt((jobs * 60) / cpu)} s audio / CPU-s, ${fmt((jobs * 60) / wall)} s audio / wall-s (${fmt((jobs * 60) / wall / oneRate, 2)}x one thread's CPU rate; shared machine)`,
      );
    } finally {
      await pool.destroy();
    }

    await compareEncodings(dir, wav60);

    // Peak RSS in a fresh process, for 1 and 10 minutes: memory must not grow with length.
    const child = fileURLToPath(new URL("./rss-child.ts", import.meta.url));
    const measure = (wav: string) =>
      JSON.parse(
        execFileSync(process.execPath, ["--import", "tsx", child, wav, join(dir, "rss.h5")], {
          encoding: "utf8",
        }),
      ) as {
        maxRssMB: number;
        cpuSeconds: number;
        duration: number;
      };
    const r60 = measure(wav60);
    const wav600 = join(dir, "600s.wav");
    await writeLongRecording(wav600, 600);
    const r600 = measure(wav600);
    console.log(
      `peak RSS, 1-minute file: ${fmt(r60.maxRssMB)} MB; 10-minute file: ${fmt(r600.maxRssMB)} MB (target <= 150 MB); 10-minute job ran at ${fmt(r600.duration / r600.cpuSeconds)}x real time per CPU-s`,
    );
    console.log(
      `(a whole-file approach holds the 10-minute STFT alone in ${fmt((257 * (1 + Math.floor((600 * 384000) / 128)) * 4) / 1e6)} MB)`,
    );
  } finally {
    await removeTempDir(dir);
  }
}

// Standalone: `pnpm exec tsx bench/spectrogram.ts` (`pnpm bench` imports run() instead).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
