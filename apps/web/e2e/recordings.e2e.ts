// Recordings journey in a real browser against the real API, worker and PostgreSQL:
// register → upload a copy of bat1_angie_19.wav (+ its pickle of segments) through the upload page → the recording page shows
// the processing job → the spectrogram is drawn (canvas pixels vary) → zoom in (axis labels change)
// → play at 1/10 speed (AudioContext running, playhead moves) → the Jobs page lists the completed
// spectrogram job.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  finishRegistration,
  openPage,
  REPO_ROOT,
  type Stack,
  screenshot,
  startStack,
  trpcQuery,
} from "./harness";

const SOURCE_WAV = path.resolve(REPO_ROOT, "../shared/data/recordings/bat1_angie_19.wav");
const SMALL_WAV = path.resolve(REPO_ROOT, "../shared/data/recordings/test-audio.wav");
const SHOTS_DIR =
  process.env.BATTYCODA_E2E_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-shots-"));

const suffix = Date.now().toString(36).slice(-5);
const user = { username: `rec_${suffix}`, email: `rec.${suffix}@example.test`, password: "pipistrellus-3" };

let stack: Stack;
let tmpDir: string;
let mainPage: Page | undefined;
const contexts: BrowserContext[] = [];
const consoleErrors: string[] = [];

const shot = (page: Page, name: string) => screenshot(page, SHOTS_DIR, name);
const newPage = () => openPage(stack, contexts, consoleErrors, { height: 900, timeoutMs: 20_000 });

/** Pixel statistics of the spectrogram canvas: distinct colours and the luminance spread. */
async function canvasStats(page: Page) {
  return page.getByRole("img", { name: "Spectrogram" }).evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const ctx = c.getContext("2d");
    if (!ctx) return { colours: 0, std: 0, tiles: 0 };
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const colours = new Set<number>();
    let sum = 0;
    let sum2 = 0;
    let n = 0;
    for (let i = 0; i < data.length; i += 4 * 7) {
      const r = data[i] ?? 0;
      const g = data[i + 1] ?? 0;
      const b = data[i + 2] ?? 0;
      colours.add((r << 16) | (g << 8) | b);
      const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      sum += y;
      sum2 += y * y;
      n++;
    }
    const mean = sum / n;
    return {
      colours: colours.size,
      std: Math.sqrt(sum2 / n - mean * mean),
      tiles: Number(c.dataset.tiles ?? 0),
    };
  });
}

const timeLabels = (page: Page) =>
  page.locator('.spectro-xaxis[data-axis="time"] .spectro-xtick').allTextContents();

describe("recordings journey", () => {
  beforeAll(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-rec-"));
    stack = await startStack();
    console.log(`[e2e] API ${stack.baseUrl}; screenshots in ${SHOTS_DIR}`);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await stack?.stop();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it("upload → job progress → spectrogram → zoom → play → Jobs page", async () => {
    let page: Page | undefined;
    try {
      // A copy, so nothing can ever write to the shared data set.
      const wav = path.join(tmpDir, "bat1_angie_19.wav");
      fs.copyFileSync(SOURCE_WAV, wav);
      const pickle = path.join(tmpDir, "bat1_angie_19.wav.pickle");
      fs.copyFileSync(`${SOURCE_WAV}.pickle`, pickle);

      page = await newPage();
      mainPage = page;
      await page.goto("/register");
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Username").fill(user.username);
      await page.getByLabel("Password", { exact: true }).fill(user.password);
      await page.getByLabel("Confirm password").fill(user.password);
      await page.getByRole("button", { name: "Create account" }).click();
      await finishRegistration(page, stack, user.email);
      await page.getByText(`Welcome, ${user.username}`).waitFor();

      // ── upload through the UI ──
      await page
        .getByRole("navigation", { name: "Workflow" })
        .getByRole("link", { name: "Recordings" })
        .click();
      await page.getByRole("link", { name: "Upload", exact: true }).click();
      await page.getByLabel("WAV file").setInputFiles(wav);
      await page.getByLabel("Segment file (optional)").setInputFiles(pickle);
      expect(await page.getByLabel("Name").inputValue()).toBe("bat1_angie_19");
      await page.getByLabel("Project").selectOption({ label: "Demo Project" });
      await page.getByLabel("Location").fill("Barn roost, north wall");
      await page.getByLabel("Equipment").fill("Pettersson M500");
      await shot(page, "r01-upload-form");
      await page.getByRole("button", { name: "Upload", exact: true }).click();
      await page.waitForURL(/\/recordings\/(?!upload$|duplicates$)[^/]+$/);
      const recordingUrl = page.url();

      // ── the processing job is visible until the spectrogram is ready ──
      // Either the Processing panel (queued/running jobs with a progress bar) or, if the worker was
      // very fast, the ready badge; the panel is what a user normally sees first.
      const sawProgress = await page
        .getByRole("region", { name: "Processing" })
        .getByRole("progressbar")
        .first()
        .waitFor({ timeout: 10_000 })
        .then(() => true)
        .catch(() => false);
      if (sawProgress) await shot(page, "r02-processing");
      console.log(`[e2e] processing progress seen: ${sawProgress}`);

      // ── spectrogram drawn ──
      const canvas = page.getByRole("img", { name: "Spectrogram" });
      await canvas.waitFor({ timeout: 90_000 });
      await page.waitForFunction(
        () => {
          const c = document.querySelector<HTMLCanvasElement>('canvas[aria-label="Spectrogram"]');
          return !!c && Number(c.dataset.tiles ?? 0) > 0 && !document.querySelector(".spectro-status");
        },
        undefined,
        { timeout: 30_000 },
      );
      const stats = await canvasStats(page);
      console.log(`[e2e] spectrogram canvas: ${JSON.stringify(stats)}`);
      expect(stats.colours).toBeGreaterThan(50);
      expect(stats.std).toBeGreaterThan(5);
      expect(await page.getByText("Processing failed").count()).toBe(0);
      await page.getByRole("img", { name: "Waveform" }).waitFor();
      await page.waitForTimeout(600); // waveform clip (debounced fetch)
      // The pickle's 42 segments come in as the active segmentation and are drawn over the plot.
      await page.locator(".spectro-segment").first().waitFor();
      const drawn = await page.locator(".spectro-segment").count();
      console.log(`[e2e] segments drawn: ${drawn}`);
      expect(drawn).toBeGreaterThan(10);
      await shot(page, "r03-spectrogram");

      // ── zoom in: the time axis changes ──
      const before = await timeLabels(page);
      await page.getByRole("button", { name: "Zoom in", exact: true }).click();
      await page.getByRole("button", { name: "Zoom in", exact: true }).click();
      await page.waitForFunction(
        (prev) =>
          JSON.stringify(
            [...document.querySelectorAll('.spectro-xaxis[data-axis="time"] .spectro-xtick')].map(
              (e) => e.textContent,
            ),
          ) !== prev,
        JSON.stringify(before),
      );
      const after = await timeLabels(page);
      console.log(`[e2e] time axis ${before.join(" | ")} → ${after.join(" | ")}`);
      expect(after).not.toEqual(before);
      await page.getByRole("button", { name: "Zoom in frequency" }).click();
      await page.waitForFunction(() => {
        const c = document.querySelector<HTMLCanvasElement>('canvas[aria-label="Spectrogram"]');
        return !!c && Number(c.dataset.tiles ?? 0) > 0 && !document.querySelector(".spectro-status");
      });
      const zoomed = await canvasStats(page);
      expect(zoomed.colours).toBeGreaterThan(20);
      await shot(page, "r04-zoomed");

      // ── play at 1/10 speed: AudioContext running, playhead moves ──
      const playback = page.getByRole("group", { name: "Playback" });
      await expect(playback.getByLabel("Speed").inputValue()).resolves.toBe("10");
      await playback.getByRole("button", { name: /^Play/ }).click();
      await page.waitForFunction(
        () => document.querySelector("fieldset.playback")?.getAttribute("data-audio-state") === "running",
        undefined,
        { timeout: 15_000 },
      );
      const playhead = page.getByTestId("playhead");
      await playhead.waitFor();
      const t1 = Number(await playhead.getAttribute("data-time"));
      await page.waitForTimeout(800);
      const t2 = Number(await playhead.getAttribute("data-time"));
      console.log(`[e2e] playhead ${t1} → ${t2}`);
      expect(t2).toBeGreaterThan(t1);
      // 1/10 speed: 0.8 s of listening covers about 0.08 s of recording.
      expect(t2 - t1).toBeLessThan(0.3);
      await shot(page, "r05-playing");
      await playback.getByRole("button", { name: "Stop" }).click();

      // ── the recordings list shows it ready ──
      await page.goto("/recordings");
      const row = page.getByRole("row").filter({ hasText: "bat1_angie_19" });
      await row.getByText("ready").waitFor();

      // ── the Jobs page lists the completed spectrogram job ──
      await page.getByRole("navigation", { name: "System" }).getByRole("link", { name: "Jobs" }).click();
      const jobRow = page.getByRole("row").filter({ hasText: "spectrogram.generate" }).first();
      await jobRow.getByText("completed", { exact: true }).waitFor();
      await shot(page, "r06-jobs");
      await page.getByLabel("Status").selectOption("completed");
      await page.getByRole("row").filter({ hasText: "recording.ingest" }).first().waitFor();
      expect(await page.getByRole("row").filter({ hasText: "failed" }).count()).toBe(0);
      await jobRow.getByRole("link", { name: /bat1_angie_19/ }).click();
      await page.getByRole("heading", { name: /bat1_angie_19/ }).waitFor();
      expect(page.url()).toBe(recordingUrl);

      expect(consoleErrors).toEqual([]);
    } catch (err) {
      if (page) await shot(page, "failure").catch(() => {});
      console.error(stack?.logs());
      throw err;
    }
  });
  it("resumable (tus) upload creates the recording, time-expanded as the form says", async () => {
    const page = mainPage as Page;
    try {
      const wav = path.join(tmpDir, "test-audio.wav");
      fs.copyFileSync(SMALL_WAV, wav);
      await page.goto("/recordings/upload");
      await page.getByLabel("WAV file").setInputFiles(wav);
      await page.getByLabel("Resumable upload (tus)").check();
      // A 44.1 kHz file from a x10 time-expansion detector that does not say so: 441 kHz of the bat's sound.
      await page.getByLabel("Time expansion (×)").fill("10");
      await page.getByRole("button", { name: "Upload", exact: true }).click();
      await page.waitForURL(/\/recordings\/(?!upload$|duplicates$)[^/]+$/);
      await page.getByRole("heading", { name: /test-audio/ }).waitFor();
      await page.getByText(/time-expanded ×10 file: its header says 44\.1 kHz/).waitFor({ timeout: 60_000 });
      expect(consoleErrors).toEqual([]);
    } catch (err) {
      await shot(page, "failure-tus").catch(() => {});
      console.error(stack?.logs());
      throw err;
    }
  });

  it("a time expansion forgotten at upload is declared on the recording page", async () => {
    const page = mainPage as Page;
    try {
      const wav = path.join(tmpDir, "forgot-te.wav");
      fs.copyFileSync(SMALL_WAV, wav);
      await page.goto("/recordings/upload");
      await page.getByLabel("WAV file").setInputFiles(wav);
      await page.getByRole("button", { name: "Upload", exact: true }).click();
      await page.waitForURL(/\/recordings\/(?!upload$|duplicates$)[^/]+$/);
      const recordingId = new URL(page.url()).pathname.split("/").pop() ?? "";
      const heading = page.getByRole("heading", { name: /forgot-te/ });
      await heading.getByText("ready").waitFor({ timeout: 90_000 });
      // The old time base's view: 3 s long.
      await expect.poll(async () => Math.max(...(await timeLabels(page)).map(parseFloat))).toBeGreaterThan(2);
      const tileUrls: string[] = [];
      page.on("request", (req) => {
        if (req.url().includes(`/api/recordings/${recordingId}/spectrogram?`)) tileUrls.push(req.url());
      });
      await page.getByRole("button", { name: "Edit" }).click();
      await page.getByLabel("Time expansion (×)").fill("10");
      await page.getByRole("button", { name: "Save" }).click();
      // Read again in real time: 441 kHz, a tenth of the length, and a new spectrogram.
      await page.getByText(/time-expanded ×10 file: its header says 44\.1 kHz/).waitFor({ timeout: 90_000 });
      await heading.getByText("ready").waitFor({ timeout: 90_000 });
      // The view is on the new time base (no tick past 0.3 s), drawn from tiles of the new file (their URLs carry
      // its version: the browser's cache holds the old file's under the old URLs).
      await expect
        .poll(async () => Math.max(...(await timeLabels(page)).map(parseFloat)))
        .toBeLessThanOrEqual(0.3 + 1e-9);
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector<HTMLCanvasElement>('canvas[aria-label="Spectrogram"]')?.dataset.tiles,
          ) > 0,
      );
      const versions = new Set(tileUrls.map((u) => new URL(u).searchParams.get("v")));
      expect(versions.size, tileUrls.join("\n")).toBeGreaterThan(0);
      expect([...versions].every((v) => v !== null && /^[0-9a-f]{16}$/.test(v))).toBe(true);
      const detail = await trpcQuery<{ sampleRate: number; duration: number; hasSpectrogram: boolean }>(
        page,
        "recordings.get",
        { recordingId },
      );
      expect(detail).toMatchObject({ sampleRate: 441_000, hasSpectrogram: true });
      expect(detail.duration).toBeCloseTo(0.3, 6);
      await shot(page, "r09-time-expansion-declared");
      // Once stated, the factor is shown, not offered again.
      await page.getByRole("button", { name: "Edit" }).click();
      expect(await page.getByLabel("Time expansion (×)").isDisabled()).toBe(true);
      await page.getByText("The file states ×10.").waitFor();
      await page.getByRole("button", { name: "Cancel" }).click();
      expect(consoleErrors).toEqual([]);
    } catch (err) {
      await shot(page, "failure-te").catch(() => {});
      console.error(stack?.logs());
      throw err;
    }
  });

  it("batch ZIP upload reports each file", async () => {
    const page = mainPage as Page;
    try {
      // Nested folder, a segment file paired by name, a corrupt WAV and macOS junk.
      const src = path.join(tmpDir, "zip-src");
      fs.mkdirSync(path.join(src, "site-a"), { recursive: true });
      fs.mkdirSync(path.join(src, "__MACOSX"), { recursive: true });
      fs.copyFileSync(SMALL_WAV, path.join(src, "site-a", "night1.wav"));
      fs.writeFileSync(path.join(src, "site-a", "broken.wav"), "RIFF this is not audio");
      fs.writeFileSync(path.join(src, "__MACOSX", "._night1.wav"), "junk");
      const zip = path.join(tmpDir, "batch.zip");
      execFileSync("python3", [
        "-c",
        "import os,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED)\nfor d,_,fs in os.walk(sys.argv[2]):\n  for f in fs:\n    p=os.path.join(d,f); z.write(p, os.path.relpath(p, sys.argv[2]))\nz.close()",
        zip,
        src,
      ]);
      await page.goto("/recordings/upload");
      await page.getByRole("tab", { name: "Batch (ZIP)" }).click();
      await page.getByLabel("ZIP file").setInputFiles(zip);
      await page.getByLabel("Location").fill("Cave entrance");
      await page.getByRole("button", { name: "Upload ZIP" }).click();
      const report = page.getByRole("region", { name: "Batch upload report" });
      await report.getByText(/1 created · 1 rejected/).waitFor({ timeout: 60_000 });
      await report.getByRole("row").filter({ hasText: "site-a/night1.wav" }).getByText("created").waitFor();
      await report.getByRole("row").filter({ hasText: "site-a/broken.wav" }).getByText("rejected").waitFor();
      await shot(page, "r07-batch-report");
      await report.getByRole("link", { name: "site-a/night1.wav" }).click();
      await page.getByRole("heading", { name: /night1/ }).waitFor();
      expect(consoleErrors).toEqual([]);
    } catch (err) {
      await shot(page, "failure-zip").catch(() => {});
      console.error(stack?.logs());
      throw err;
    }
  });

  it("a file that is no WAV is refused with its reason, and the progress counted the file's own bytes", async () => {
    const page = mainPage as Page;
    try {
      const junk = path.join(tmpDir, "junk.wav");
      fs.writeFileSync(junk, "this is not a wav file at all.");
      expect(fs.statSync(junk).size).toBe(30);
      await page.goto("/recordings/upload");
      await page.getByLabel("WAV file").setInputFiles(junk);
      await page.getByRole("button", { name: "Upload", exact: true }).click();
      await page
        .getByRole("alert")
        .filter({ hasText: /WAV|RIFF/ })
        .first()
        .waitFor();
      // the request held ~300 bytes of form around the file; the progress says the file's own 30
      await page.getByText("30 B of 30 B").waitFor();
      expect(consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
    } catch (err) {
      await shot(page, "failure-junk").catch(() => {});
      console.error(stack?.logs());
      throw err;
    }
  });
});
