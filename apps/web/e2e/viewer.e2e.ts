// Spectrogram readability and measurement in a real browser against the real API and worker:
// a quiet field recording (bat1_angie_19.wav, peak 53 of 32767) is auto-levelled, a synthetic
// recording with a DC offset draws its 0 Hz row no brighter than the rest, the hover readout names
// the frequency of a known tone where it is drawn, the measure tool reports a synthetic call's
// duration and band within one STFT bin, "kHz +" zooms to the tone, the colormap choice is kept
// in the profile, and Space plays / stops.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeWavFile } from "@battycoda/audio";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  finishRegistration,
  openPage,
  REPO_ROOT,
  type Stack,
  screenshot,
  startStack,
  trpcMutation,
  trpcQuery,
  until,
} from "./harness";

const QUIET_WAV = path.resolve(REPO_ROOT, "../shared/data/recordings/bat1_angie_19.wav");
const SHOTS_DIR =
  process.env.BATTYCODA_E2E_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-viewer-"));
const suffix = Date.now().toString(36).slice(-5);
const user = {
  username: `view_${suffix}`,
  email: `view.${suffix}@example.test`,
  password: "myotis-viewer-7",
};

// The synthetic recording: 1 s at 384 kHz, noise, a 5 % DC offset, a 50 kHz tone from 0.2 to
// 0.4 s and a linear 60 → 30 kHz call of 8 ms at 0.6 s (onset on the 128-sample frame grid).
const SR = 384_000;
const HOP_S = 128 / SR;
const BIN_HZ = SR / 512;
const TONE = { f: 50_000, start: 0.2, end: 0.4 };
const CALL = { onset: 0.6, duration: 0.008, f0: 60_000, f1: 30_000 };

function synthetic(): Float32Array {
  const x = new Float32Array(SR);
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < x.length; i++) {
    // Sum of uniforms ≈ gaussian, σ ≈ 0.002.
    const g = (rand() + rand() + rand() + rand() - 2) * 0.0035;
    x[i] = 0.05 + g;
  }
  for (let i = Math.round(TONE.start * SR); i < Math.round(TONE.end * SR); i++)
    x[i] = x[i]! + 0.1 * Math.sin((2 * Math.PI * TONE.f * i) / SR);
  const n = Math.round(CALL.duration * SR);
  const i0 = Math.round(CALL.onset * SR);
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    const phase = 2 * Math.PI * (CALL.f0 * t + ((CALL.f1 - CALL.f0) * t * t) / (2 * CALL.duration));
    x[i0 + i] = x[i0 + i]! + 0.2 * Math.sin(phase);
  }
  return x;
}

let stack: Stack;
let tmpDir: string;
const contexts: BrowserContext[] = [];
const consoleErrors: string[] = [];

/** Luminance statistics of the spectrogram canvas (with the gray colormap: the LUT index). */
async function canvasLuma(page: Page) {
  return page.getByRole("img", { name: "Spectrogram" }).evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const ctx = c.getContext("2d");
    if (!ctx) throw new Error("no 2d context");
    const { data, width, height } = ctx.getImageData(0, 0, c.width, c.height);
    const lum = (i: number) => 0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!;
    const values: number[] = [];
    const rows = new Float64Array(height);
    const cols = new Float64Array(width);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const v = lum((y * width + x) * 4);
        values.push(v);
        rows[y] = rows[y]! + v / width;
        cols[x] = cols[x]! + v / height;
      }
    values.sort((a, b) => a - b);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    return {
      width,
      height,
      mean,
      std,
      p50: values[Math.floor(values.length * 0.5)]!,
      p99: values[Math.floor(values.length * 0.99)]!,
      rows: Array.from(rows),
      cols: Array.from(cols),
      lo: Number(c.dataset.levelLo),
      hi: Number(c.dataset.levelHi),
    };
  });
}

async function waitForTiles(page: Page) {
  await page.waitForFunction(
    () => {
      const c = document.querySelector<HTMLCanvasElement>('canvas[aria-label="Spectrogram"]');
      return !!c && Number(c.dataset.tiles ?? 0) > 0 && !document.querySelector(".spectro-status");
    },
    undefined,
    { timeout: 60_000 },
  );
  await page.waitForTimeout(200); // the last tile's draw
}

async function upload(page: Page, file: string, name: string): Promise<string> {
  const res = await page.request.post("/api/recordings/upload", {
    multipart: {
      name,
      file: { name: path.basename(file), mimeType: "audio/wav", buffer: fs.readFileSync(file) },
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { recording: { id: string } }).recording.id;
}

describe("spectrogram viewer: levels, readout, measurement", () => {
  beforeAll(async () => {
    if (!fs.existsSync(QUIET_WAV)) throw new Error(`${QUIET_WAV} is missing: this test needs ../shared/data`);
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-viewer-in-"));
    stack = await startStack();
    console.log(`[e2e] API ${stack.baseUrl}; screenshots in ${SHOTS_DIR}`);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await stack?.stop();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it("auto-levels a quiet recording, reads out and measures a synthetic call", async () => {
    const page = await openPage(stack, contexts, consoleErrors, { height: 1000, timeoutMs: 20_000 });
    try {
      await page.goto("/register");
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Username").fill(user.username);
      await page.getByLabel("Password", { exact: true }).fill(user.password);
      await page.getByLabel("Confirm password").fill(user.password);
      await page.getByRole("button", { name: "Create account" }).click();
      await finishRegistration(page, stack, user.email);
      await page.getByText(`Welcome, ${user.username}`).waitFor();

      const quietCopy = path.join(tmpDir, "bat1_angie_19.wav");
      fs.copyFileSync(QUIET_WAV, quietCopy);
      const synthPath = path.join(tmpDir, "synthetic-384k.wav");
      await writeWavFile(synthPath, [synthetic()], { sampleRate: SR, bitsPerSample: 16, format: "pcm" });
      const quietId = await upload(page, quietCopy, "quiet angie");
      const synthId = await upload(page, synthPath, "synthetic tone and call");

      // ── the quiet recording, drawn in gray (colour-map index = luminance) ──
      await page.goto(`/recordings/${quietId}`);
      await waitForTiles(page);
      await page.getByLabel("Colormap").selectOption("gray");
      await page.waitForTimeout(300);
      const quiet = await canvasLuma(page);
      console.log(
        `[e2e] quiet recording: mean ${quiet.mean.toFixed(1)}, std ${quiet.std.toFixed(1)}, p50 ${quiet.p50.toFixed(0)}, p99 ${quiet.p99.toFixed(0)}, levels ${quiet.lo}…${quiet.hi} dB`,
      );
      await screenshot(page, SHOTS_DIR, "v01-quiet-auto-levels");
      // Noise in the lower part of the map, the loudest parts near the top: the old fixed range
      // (loudest − 80 dB) drew this recording's noise at about three quarters of the map (mean ≈ 190).
      expect(quiet.mean).toBeGreaterThan(40);
      expect(quiet.mean).toBeLessThan(140);
      expect(quiet.p99).toBeGreaterThan(190);
      expect(quiet.std).toBeGreaterThan(25);
      expect(quiet.hi - quiet.lo).toBeLessThan(60);

      // ── the colormap choice is kept for the user ──
      await until(
        "the profile's colormap",
        async () =>
          (await trpcQuery<{ spectrogramColormap: string }>(page, "profile.get", undefined))
            .spectrogramColormap === "gray",
        10_000,
        200,
      );

      // ── the synthetic recording opens in gray too ──
      await page.goto(`/recordings/${synthId}`);
      await waitForTiles(page);
      // Its jobs' "Processing" card sits above the viewer and goes when they end: wait for that, so the viewer does
      // not move between measuring its box and the pointer gestures below.
      await page.getByRole("region", { name: "Processing" }).waitFor({ state: "detached", timeout: 60_000 });
      expect(await page.getByLabel("Colormap").inputValue()).toBe("gray");
      await until(
        "the whole second in view",
        async () => Number(await page.locator(".spectro-plot").getAttribute("data-t1")) > 0.99,
        10_000,
        200,
      );
      const synth = await canvasLuma(page);
      await screenshot(page, SHOTS_DIR, "v02-synthetic");
      // The 5 % DC offset is removed before the STFT: the 0 Hz row (bottom pixel rows) and the
      // first and last frames are no brighter than the noise around them.
      const h = synth.height;
      const noiseRows = synth.rows.slice(Math.floor(h * 0.2), Math.floor(h * 0.4));
      const noiseRow = noiseRows.reduce((a, b) => a + b, 0) / noiseRows.length;
      const bottom = (synth.rows[h - 1]! + synth.rows[h - 2]!) / 2;
      console.log(`[e2e] synthetic: bottom rows ${bottom.toFixed(1)}, noise rows ${noiseRow.toFixed(1)}`);
      expect(bottom).toBeLessThan(noiseRow + 30);
      const midCols = synth.cols.slice(Math.floor(synth.width * 0.45), Math.floor(synth.width * 0.55));
      const midCol = midCols.reduce((a, b) => a + b, 0) / midCols.length;
      expect(synth.cols[0]!).toBeLessThan(midCol + 30);

      // ── hover readout at the tone: the brightest row between 0.25 and 0.35 s ──
      const box = await page.getByRole("img", { name: "Spectrogram" }).boundingBox();
      if (!box) throw new Error("no canvas box");
      const dpr = synth.width / box.width;
      const x0 = Math.round(synth.width * 0.25);
      const x1 = Math.round(synth.width * 0.35);
      const toneRow = await page.getByRole("img", { name: "Spectrogram" }).evaluate(
        (el, [a, b]) => {
          const c = el as HTMLCanvasElement;
          const { data } = (c.getContext("2d") as CanvasRenderingContext2D).getImageData(
            a,
            0,
            b - a,
            c.height,
          );
          let best = -1;
          let at = 0;
          for (let y = 0; y < c.height; y++) {
            let s = 0;
            for (let x = 0; x < b - a; x++) s += data[(y * (b - a) + x) * 4]!;
            if (s > best) {
              best = s;
              at = y;
            }
          }
          return at;
        },
        [x0, x1] as const,
      );
      const hoverX = box.x + (x0 + x1) / 2 / dpr;
      const hoverY = box.y + (toneRow + 0.5) / dpr;
      await page.mouse.move(hoverX, hoverY);
      const readout = await page.getByTestId("spectro-readout").textContent();
      console.log(`[e2e] readout at the tone: ${readout}`);
      const m = /([\d.]+) ms · ([\d.]+) kHz/.exec(readout ?? "");
      if (!m) throw new Error(`unexpected readout "${readout}"`);
      expect(Math.abs(Number(m[2]) * 1000 - TONE.f)).toBeLessThanOrEqual(BIN_HZ);
      expect(Math.abs(Number(m[1]) - 300)).toBeLessThan(1000 / box.width + 0.1);

      // ── measure tool: a loose box around the call ──
      await page.getByRole("button", { name: "Measure" }).click();
      const xOf = (t: number) => box.x + t * box.width;
      const yOf = (f: number) => box.y + (1 - f / (SR / 2)) * box.height;
      await page.mouse.move(xOf(0.59), yOf(80_000));
      await page.mouse.down();
      await page.mouse.move(xOf(0.605), yOf(50_000), { steps: 4 });
      await page.mouse.move(xOf(0.625), yOf(15_000), { steps: 4 });
      await page.mouse.up();
      const panel = page.getByRole("region", { name: "Measurements" });
      await panel.waitFor();
      await page.waitForFunction(() => {
        const el = document.querySelector('[aria-label="Measurements"]');
        return !!el?.getAttribute("data-signal-duration");
      });
      const attr = async (n: string) => Number(await panel.getAttribute(n));
      const duration = await attr("data-signal-duration");
      const start = await attr("data-signal-start");
      const low = await attr("data-signal-low");
      const high = await attr("data-signal-high");
      console.log(
        `[e2e] measured call: start ${(start * 1000).toFixed(2)} ms, duration ${(duration * 1000).toFixed(3)} ms, band ${low}–${high} Hz`,
      );
      await screenshot(page, SHOTS_DIR, "v03-measure");
      expect(Math.abs(duration - CALL.duration)).toBeLessThanOrEqual(HOP_S);
      expect(Math.abs(start - CALL.onset)).toBeLessThanOrEqual(HOP_S);
      expect(Math.abs(low - CALL.f1)).toBeLessThanOrEqual(BIN_HZ);
      expect(Math.abs(high - CALL.f0)).toBeLessThanOrEqual(BIN_HZ);
      await expect(panel.locator('[data-measure="deltaTime"] dd').textContent()).resolves.toMatch(/ms$/);
      await page.getByRole("button", { name: "Measure" }).click();

      // ── kHz +: zooms to the band with the most energy in view (the tone); the first step's
      // half-range is clamped to the axis, the second is centred on the tone ──
      await page.getByRole("button", { name: "Zoom in frequency" }).click();
      await page.getByRole("button", { name: "Zoom in frequency" }).click();
      const plot = page.locator(".spectro-plot");
      const fmin = Number(await plot.getAttribute("data-fmin"));
      const fmax = Number(await plot.getAttribute("data-fmax"));
      console.log(`[e2e] kHz + → ${fmin}–${fmax} Hz`);
      expect(fmax - fmin).toBeCloseTo(SR / 8, 0);
      expect(Math.abs((fmin + fmax) / 2 - TONE.f)).toBeLessThanOrEqual(2 * BIN_HZ);
      expect(await page.getByText("Alt+wheel", { exact: true }).isVisible()).toBe(true);

      // ── Space plays and stops ──
      await page.getByRole("heading", { level: 1 }).click();
      await page.keyboard.press("Space");
      const playback = page.getByRole("group", { name: "Playback" });
      await until(
        "playback to start",
        async () => (await playback.getAttribute("data-playing")) === "true",
        10_000,
        100,
      );
      await page.keyboard.press("Space");
      await until(
        "playback to stop",
        async () => (await playback.getAttribute("data-playing")) === "false",
        10_000,
        100,
      );

      // ── the same measure tool on the annotation screen: one task around the call ──
      const manual = await trpcMutation<{ id: string }>(page, "segmentation.createManual", {
        recordingId: synthId,
      });
      await trpcMutation(page, "segmentation.segments.batchEdit", {
        segmentationId: manual.id,
        expectedVersion: 0,
        ops: [{ op: "create", segment: { onset: CALL.onset, offset: CALL.onset + CALL.duration } }],
      });
      const { batchId } = await trpcMutation<{ batchId: string }>(page, "tasks.createBatch", {
        name: `measure ${suffix}`,
        source: { kind: "segmentation", segmentationId: manual.id },
      });
      await until(
        "the task batch",
        async () =>
          (await trpcQuery<{ status: string }>(page, "tasks.getBatch", { batchId })).status === "ready",
        60_000,
        300,
      );
      await page.goto(`/tasks/batches/${batchId}/annotate`);
      const current = page.locator('.tasks-plot img[data-current="true"]');
      await current.waitFor();
      await page.waitForFunction(() => {
        const img = document.querySelector<HTMLImageElement>('.tasks-plot img[data-current="true"]');
        return !!img && img.complete && img.naturalWidth > 0;
      });
      const fig = page.getByRole("figure");
      await fig.getByRole("button", { name: "Measure" }).click();
      const plotBox = await page.locator(".tasks-plot").boundingBox();
      if (!plotBox) throw new Error("no annotation plot");
      // The detail window is the call ± the default 8 ms padding, 0 … 192 kHz.
      const w0 = CALL.onset - 0.008;
      const w1 = CALL.onset + CALL.duration + 0.008;
      const ax = (t: number) => plotBox.x + ((t - w0) / (w1 - w0)) * plotBox.width;
      const ay = (f: number) => plotBox.y + (1 - f / (SR / 2)) * plotBox.height;
      await page.mouse.move(ax(0.595), ay(80_000));
      await page.mouse.down();
      await page.mouse.move(ax(0.605), ay(40_000), { steps: 4 });
      await page.mouse.move(ax(0.6125), ay(15_000), { steps: 4 });
      await page.mouse.up();
      const annPanel = page.getByRole("region", { name: "Measurements" });
      await annPanel.waitFor();
      await page.waitForFunction(() => {
        const el = document.querySelector('[aria-label="Measurements"]');
        return !!el?.getAttribute("data-signal-duration");
      });
      const annDuration = Number(await annPanel.getAttribute("data-signal-duration"));
      const annLow = Number(await annPanel.getAttribute("data-signal-low"));
      const annHigh = Number(await annPanel.getAttribute("data-signal-high"));
      console.log(
        `[e2e] annotation screen measure: duration ${(annDuration * 1000).toFixed(3)} ms, band ${annLow}–${annHigh} Hz`,
      );
      await screenshot(page, SHOTS_DIR, "v04-annotation-measure");
      expect(Math.abs(annDuration - CALL.duration)).toBeLessThanOrEqual(HOP_S);
      expect(Math.abs(annLow - CALL.f1)).toBeLessThanOrEqual(BIN_HZ);
      expect(Math.abs(annHigh - CALL.f0)).toBeLessThanOrEqual(BIN_HZ);
      // Times on this screen are relative to the call's onset.
      expect(await annPanel.locator('[data-measure="beginTime"] dd').textContent()).toMatch(
        /^-?\d+\.\d+ ms$/,
      );

      expect(consoleErrors).toEqual([]);
    } catch (err) {
      await screenshot(page, SHOTS_DIR, "v99-failure").catch(() => {});
      console.log(stack.logs().slice(-4000));
      throw err;
    }
  });
});
