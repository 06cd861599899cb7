import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SpectrogramGrid } from "../src/pool/index.ts";
import { AudioPool, runTask, transferListOf } from "../src/pool/index.ts";
import { measureBands } from "../src/segmentation/index.ts";
import { readSpectrogramWindow, stft } from "../src/spectrogram/index.ts";
import { makeTempDir, removeTempDir, synthRecording, writeFixture } from "./fixtures/generate.ts";

let dir: string;
let pool: AudioPool;
beforeAll(async () => {
  dir = await makeTempDir();
  pool = new AudioPool({ threads: 2 });
});
afterAll(async () => {
  await pool.destroy();
  await removeTempDir(dir);
});

const recording = () =>
  synthRecording({
    sampleRate: 384000,
    duration: 0.4,
    calls: [
      { onset: 0.05, duration: 0.008, f0: 60000, f1: 30000, kind: "hyperbolic" },
      { onset: 0.25, duration: 0.02, f0: 83000 },
    ],
    snrDb: 30,
  }).samples;

describe("audio pool", () => {
  it("runs a spectrogram task on a worker, moving the audio, and matches the in-thread result", async () => {
    const x = recording();
    const expected = stft(x);
    const grid = (await pool.run({
      type: "spectrogram",
      channels: [x],
      sampleRate: 384000,
    })) as SpectrogramGrid;
    expect(x.length).toBe(0); // transferred, not copied
    expect(grid.frames).toBe(expected.frames);
    expect(grid.bins).toBe(257);
    expect(Buffer.compare(Buffer.from(grid.data.buffer), Buffer.from(expected.data.buffer))).toBe(0);
  });

  it("streams a WAV file to HDF5 inside a worker", async () => {
    const x = recording();
    const wav = await writeFixture(dir, "p.wav", x, { sampleRate: 384000 });
    const out = join(dir, "p.h5");
    const summary = await pool.run({ type: "spectrogram-file", wavPath: wav, outPath: out });
    expect(summary).toMatchObject({
      nFrames: 1201,
      nColumns: 401,
      framesPerColumn: 3,
      nFreqBins: 257,
      datasets: ["spectrogram"],
    });
    const w = await readSpectrogramWindow(out, { start: 0.1, end: 0.2 });
    expect(w.frames).toBe(101); // frames 300-600: the groups of 3 from 100 to 200
  });

  it("runs segmentation and feature tasks with the same results as in-thread", async () => {
    const x = recording();
    const segTask = { type: "segment", samples: x.slice(), sampleRate: 384000 } as const;
    const [pooled, local] = await Promise.all([
      pool.run(segTask),
      runTask({ ...segTask, samples: x.slice() }),
    ]);
    expect(pooled).toEqual(local);
    const segments = [
      { onset: 0.05, offset: 0.058 },
      { onset: 0.25, offset: 0.27 },
    ];
    const feats = await pool.run({ type: "features", samples: x.slice(), sampleRate: 384000, segments });
    expect(feats).toHaveLength(2);
    expect(feats).toEqual(
      await runTask({ type: "features", samples: x.slice(), sampleRate: 384000, segments }),
    );
    // Frequency boxes of spans (imported segments): the sweep's 60-30 kHz, the tone's 83 kHz.
    const bands = await pool.run({ type: "bands", samples: x.slice(), sampleRate: 384000, spans: segments });
    expect(bands).toEqual(measureBands(x, 384000, segments));
    expect(bands[0]!.lowFreq).toBeGreaterThan(25000);
    expect(bands[0]!.highFreq).toBeLessThan(66000);
    expect(bands[1]!.lowFreq).toBeLessThan(83000);
    expect(bands[1]!.highFreq).toBeGreaterThan(83000);
  });

  it("runs tasks concurrently on several threads", async () => {
    const tasks = Array.from({ length: 4 }, () =>
      pool.run({ type: "spectrogram", channels: [recording()], sampleRate: 384000 }),
    );
    const grids = (await Promise.all(tasks)) as SpectrogramGrid[];
    expect(grids.map((g) => g.frames)).toEqual([1201, 1201, 1201, 1201]);
  });

  it("reports task errors to the caller", async () => {
    await expect(
      pool.run({ type: "spectrogram-file", wavPath: join(dir, "missing.wav"), outPath: join(dir, "m.h5") }),
    ).rejects.toThrow(/ENOENT/);
  });

  it("only lists whole buffers for transfer", () => {
    const whole = new Float32Array(10);
    const view = new Float32Array(new ArrayBuffer(400), 40, 10);
    expect(transferListOf({ type: "segment", samples: whole, sampleRate: 1 })).toEqual([whole.buffer]);
    expect(transferListOf({ type: "segment", samples: view, sampleRate: 1 })).toEqual([]);
  });
});

describe("pool threads' execArgv", () => {
  it("drops the process's V8 heap and GC flags, which a worker thread refuses", async () => {
    const { Worker } = await import("node:worker_threads");
    const { threadExecArgv } = await import("../src/pool/pool.ts");
    const parent = [
      "--max-semi-space-size=4",
      "--max-old-space-size",
      "512",
      "--expose-gc",
      "--enable-source-maps",
      "--import",
      "tsx",
    ];
    // the raw list is what a thread would inherit: refused
    expect(() => new Worker("", { eval: true, execArgv: parent })).toThrow(/invalid execArgv/);
    const kept = threadExecArgv(parent, false);
    expect(kept).toEqual(["--enable-source-maps", "--import", "tsx"]);
    expect(threadExecArgv(parent, true)).toEqual(["--enable-source-maps"]);
    const w = new Worker("", { eval: true, execArgv: threadExecArgv(parent, true) });
    await w.terminate();
  });
});
