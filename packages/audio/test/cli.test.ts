import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSpectrogramAttrs } from "../src/spectrogram/index.ts";
import { encodeWav } from "../src/wav/index.ts";
import { makeTempDir, removeTempDir, synthCall, tone, whiteNoise } from "./fixtures/generate.ts";

const run = promisify(execFile);
const RECORDINGS = join(import.meta.dirname, "../../../../shared/data/recordings");
const bin = new URL("../bin/battycoda-audio.mjs", import.meta.url).pathname;
const cli = (...args: string[]) => run(process.execPath, [bin, ...args], { maxBuffer: 16 << 20 });

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(dir);
});

describe("battycoda-audio CLI", () => {
  it("info prints the format of a real recording as JSON", async () => {
    const { stdout } = await cli("info", `${RECORDINGS}/bat1_angie_19.wav`);
    const info = JSON.parse(stdout);
    expect(info).toMatchObject({
      sampleRate: 44100,
      channels: 2,
      bitsPerSample: 16,
      format: "pcm",
      frames: 392347,
      warnings: [],
    });
    expect(info.duration).toBeCloseTo(8.9, 1);
    expect(info.metadata.chunks.map((c: { id: string }) => c.id)).toEqual(["fmt ", "data"]);
  });

  it("info includes GUANO metadata and rejects bad files with their error code", async () => {
    const { writeFile } = await import("node:fs/promises");
    const wav = join(dir, "g.WAV");
    await writeFile(
      wav,
      encodeWav([tone(40000, 0.01, 384000)], {
        sampleRate: 384000,
        bitsPerSample: 16,
        format: "pcm",
        metadata: {
          guano: {
            fields: { "GUANO|Version": "1.0", Make: "Wildlife Acoustics", "WA|Song Meter|Prefix": "SM4" },
          },
        },
      }),
    );
    const info = JSON.parse((await cli("info", wav)).stdout);
    expect(info.metadata.guano.fields).toEqual({
      "GUANO|Version": "1.0",
      Make: "Wildlife Acoustics",
      "WA|Song Meter|Prefix": "SM4",
    });
    const bad = join(dir, "bad.wav");
    await writeFile(bad, "not a wav file, just some text");
    await expect(cli("info", bad)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("NOT_RIFF"),
    });
  });

  it("spectrogram writes HDF5 with progress on stderr; render makes a PNG", async () => {
    const out = join(dir, "s.h5");
    const { stdout, stderr } = await cli(
      "spectrogram",
      `${RECORDINGS}/batdetect2/20180530_213516-EPTSER-LR_0_0.5.wav`,
      "-o",
      out,
    );
    expect(stderr).toContain("100%");
    expect(JSON.parse(stdout)).toMatchObject({ sampleRate: 384000, nFrames: 1501, nFreqBins: 257 });
    expect(await readSpectrogramAttrs(out)).toMatchObject({
      sampleRate: 384000,
      nFrames: 1501,
      duration: 0.5,
    });
    const png = join(dir, "s.png");
    await cli("render", out, "-o", png, "--start", "0.1", "--end", "0.2", "--colormap", "magma");
    const img = PNG.sync.read(await readFile(png));
    expect(img.height).toBe(257);
    expect(img.width).toBe(101); // a pixel per stored column: the maxima of frame groups 100-200 (frames 300-600)

    // A close-up (a pixel per frame) from the file alone repeats each column maximum; with --wav it has every frame.
    const wav = `${RECORDINGS}/batdetect2/20180530_213516-EPTSER-LR_0_0.5.wav`;
    const window = ["--start", "0.1", "--end", "0.2", "--width", "301"];
    const columnsOnly = join(dir, "columns.png");
    const note = await cli("render", out, "-o", columnsOnly, ...window);
    expect(note.stderr).toContain("pass --wav");
    const frames = join(dir, "frames.png");
    const drawn = await cli("render", out, "-o", frames, ...window, "--wav", wav);
    expect(drawn.stderr).toBe("");
    const distinctColumns = (file: Buffer) => {
      const png = PNG.sync.read(file);
      const cols = new Set<string>();
      for (let x = 0; x < png.width; x++) {
        let col = "";
        for (let y = 0; y < png.height; y++)
          col += png.data.readUInt32BE((y * png.width + x) * 4).toString(36);
        cols.add(col);
      }
      return { width: png.width, distinct: cols.size };
    };
    const a = distinctColumns(await readFile(columnsOnly));
    const b = distinctColumns(await readFile(frames));
    expect(a.width).toBe(301);
    expect(b.width).toBe(301);
    expect(a.distinct).toBeLessThanOrEqual(101);
    expect(b.distinct).toBeGreaterThan(250);
    // Another recording is refused, with both shapes in the message.
    await expect(
      cli("render", out, "-o", frames, ...window, "--wav", `${RECORDINGS}/test-audio.wav`),
    ).rejects.toMatchObject({ stderr: expect.stringContaining("is not the recording") });
  }, 90_000);

  it("segment finds the calls of the channel asked for; a channel the file lacks is an error", async () => {
    // Two channels of 70 s: channel 2 holds a call every 5 s (so the file is read in pieces), channel 1 noise only.
    const sr = 96000;
    const noise = () => whiteNoise(70 * sr, 0.002, 3);
    const calls = noise();
    const onsets = Array.from({ length: 13 }, (_, i) => 2.5 + 5 * i);
    for (const onset of onsets) synthCall(calls, sr, { onset, duration: 0.01, f0: 40000, f1: 25000 });
    const file = join(dir, "two-channels.wav");
    const { writeWavFile } = await import("../src/wav/index.ts");
    await writeWavFile(file, [noise(), calls], { sampleRate: sr, bitsPerSample: 16, format: "pcm" });
    const found = JSON.parse((await cli("segment", file, "--channel", "2")).stdout) as {
      segments: { onset: number; offset: number; lowFreq: number; highFreq: number }[];
    };
    expect(found.segments.map((x) => Math.round(x.onset * 100) / 100)).toEqual(onsets);
    expect(found.segments.every((x) => Math.abs(x.highFreq - 40000) < 2000)).toBe(true);
    expect(JSON.parse((await cli("segment", file)).stdout)).toEqual({ segments: [] });
    await expect(cli("segment", file, "--channel", "3")).rejects.toMatchObject({
      stderr: expect.stringContaining('--channel must be 1..2 or "mix", got "3"'),
    });
  }, 90_000);
});
