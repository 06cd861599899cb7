// Classification journey in a real browser against the real API, worker, PostgreSQL and R server:
// register → upload bat1_angie_19.wav with its pickle (42 segments) as Eptesicus fuscus → the
// Classification page shows the R service up → train a random forest from the shared E. fuscus
// features CSV through the train form (a broken CSV first: its line/column error shows inline) →
// classify the segmentation → the run completes → histogram, results, filter by call type, order
// by confidence, a call's spectrogram and time-expanded playback, apply labels, downloads →
// the classifier's confusion matrix, click a cell, the calls behind it are listed.
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
  until,
} from "./harness";

const SHARED = path.resolve(REPO_ROOT, "../shared/data");
const SOURCE_WAV = path.join(SHARED, "recordings/bat1_angie_19.wav");
const FEATURES_CSV = path.join(SHARED, "features/efuscus_features.csv");
const SEGMENTS = 42;

const SHOTS_DIR =
  process.env.BATTYCODA_E2E_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-cls-shots-"));
const suffix = Date.now().toString(36).slice(-5);
const user = {
  username: `cls_${suffix}`,
  email: `cls.${suffix}@example.test`,
  password: "eptesicus-fuscus-9",
};

let stack: Stack;
let tmpDir = "";
const contexts: BrowserContext[] = [];
const consoleErrors: string[] = [];

const shot = (page: Page, name: string) => screenshot(page, SHOTS_DIR, name);

describe("classification journey", () => {
  beforeAll(async () => {
    // Shared data is required: fail (not skip) when it is missing.
    for (const f of [SOURCE_WAV, `${SOURCE_WAV}.pickle`, FEATURES_CSV])
      if (!fs.existsSync(f)) throw new Error(`${f} is missing: this test needs ../shared/data`);
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-cls-"));
    stack = await startStack({ rServer: true });
    console.log(`[e2e] API ${stack.baseUrl}, R ${stack.rServer?.url}; screenshots in ${SHOTS_DIR}`);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await stack?.stop();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it("train from CSV → classify → results, filter, play → confusion matrix cell", async () => {
    const page = await openPage(stack, contexts, consoleErrors, { height: 1000, timeoutMs: 20_000 });
    try {
      // ── register (the new group gets its own Eptesicus fuscus with the reference call types) ──
      await page.goto("/register");
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Username").fill(user.username);
      await page.getByLabel("Password", { exact: true }).fill(user.password);
      await page.getByLabel("Confirm password").fill(user.password);
      await page.getByRole("button", { name: "Create account" }).click();
      await finishRegistration(page, stack, user.email);
      await page.getByText(`Welcome, ${user.username}`).waitFor();

      const species = await trpcQuery<{ id: string; name: string; isSystem: boolean }[]>(
        page,
        "species.list",
        undefined,
      );
      const fuscus = species.find((s) => s.name === "Eptesicus fuscus" && !s.isSystem);
      if (!fuscus) throw new Error(`no Eptesicus fuscus in ${JSON.stringify(species.map((s) => s.name))}`);

      // ── upload the recording with its segments (copies: the shared data stays untouched), without its species:
      //    the Classify dialog asks for it ──
      const wav = fs.readFileSync(SOURCE_WAV);
      const pickle = fs.readFileSync(`${SOURCE_WAV}.pickle`);
      const up = await page.request.post("/api/recordings/upload", {
        multipart: {
          name: "bat1_angie_19",
          file: { name: "bat1_angie_19.wav", mimeType: "audio/wav", buffer: wav },
          segmentFile: {
            name: "bat1_angie_19.wav.pickle",
            mimeType: "application/octet-stream",
            buffer: pickle,
          },
        },
      });
      expect(up.status(), await up.text()).toBe(201);
      const recordingId = ((await up.json()) as { recording: { id: string } }).recording.id;
      type SegList = { items: { id: string; status: string; isActive: boolean; segmentCount: number }[] };
      const segmentation = await until(
        "the imported segmentation",
        async () =>
          (await trpcQuery<SegList>(page, "segmentation.list", { recordingId })).items.find(
            (s) => s.isActive && s.status === "completed" && s.segmentCount === SEGMENTS,
          ),
        90_000,
      );

      // ── Classification page: the R service is up, no runs yet ──
      await page
        .getByRole("navigation", { name: "Workflow" })
        .getByRole("link", { name: "Classification" })
        .click();
      await page.getByRole("heading", { name: "Classification", exact: true }).waitFor();
      await page.locator('[data-service-state="up"]').first().waitFor({ timeout: 30_000 });
      await page.getByText("No classification runs yet").waitFor();
      await shot(page, "cls-01-empty");

      // ── train from the features CSV: first a broken file, whose error names line and column ──
      await page.getByRole("link", { name: "Classifiers", exact: true }).click();
      const form = page.getByRole("region", { name: "Train a classifier" });
      await form.getByLabel("Name").fill("E. fuscus forest");
      await form.getByLabel("Species").selectOption(fuscus.id);
      await form.getByLabel("Type").selectOption("rf");
      await form.getByLabel("Training data").selectOption("csv");
      const lines = fs.readFileSync(FEATURES_CSV, "utf8").split(/\r?\n/).slice(0, 40);
      const header = (lines[0] ?? "").split(",");
      const durationCol = header.indexOf("duration");
      const row = (lines[3] ?? "").split(",");
      row[durationCol] = "abc";
      lines[3] = row.join(",");
      const bad = path.join(tmpDir, "broken_features.csv");
      fs.writeFileSync(bad, `${lines.join("\n")}\n`);
      await form.getByLabel("Features CSV").setInputFiles(bad);
      await form.getByRole("button", { name: "Train" }).click();
      const csvError = form.locator("#train-csv-err");
      await csvError.waitFor();
      const csvErrorText = (await csvError.textContent()) ?? "";
      console.log(`[e2e] broken CSV: ${csvErrorText}`);
      expect(csvErrorText).toMatch(/line 4/);
      expect(csvErrorText).toMatch(/duration/);
      await shot(page, "cls-02-csv-error");
      expect(await page.getByRole("table", { name: "Trainings" }).count()).toBe(0);

      const good = path.join(tmpDir, "efuscus_features.csv");
      fs.copyFileSync(FEATURES_CSV, good);
      await form.getByLabel("Features CSV").setInputFiles(good);
      await form.getByRole("button", { name: "Train" }).click();
      await form.getByText("Training started").waitFor();
      const training = page
        .getByRole("table", { name: "Trainings" })
        .getByRole("row", { name: /E\. fuscus forest/ });
      await training.waitFor();
      await shot(page, "cls-03-training");
      await page
        .locator('tr[data-training-status="completed"]', { hasText: "E. fuscus forest" })
        .waitFor({ timeout: 240_000 });
      await training.getByRole("link", { name: "open" }).click();
      await page.waitForURL(/\/classification\/classifiers\/[^/]+$/);
      const classifierUrl = page.url();
      const classifierId = classifierUrl.split("/").pop() as string;
      await page.getByRole("figure", { name: "Confusion matrix" }).waitFor();
      const balanced = await page.getByRole("region", { name: "Cross-validated metrics" }).textContent();
      console.log(`[e2e] classifier metrics: ${balanced}`);
      await shot(page, "cls-04-classifier");

      // ── a link to classify it (?classify=): the species is asked for even when the recording is not among
      // those listed (the first 50, or none matching the search) ──
      await page.goto(`/classification?classify=${segmentation.id}`);
      const linkDialog = page.getByRole("dialog", { name: "Classify a segmentation" });
      await linkDialog.getByLabel("Find a recording").fill("no recording is called this");
      await linkDialog.getByText("No segmented recordings match.").waitFor();
      expect(await linkDialog.getByLabel("Segmentation").inputValue()).toBe(segmentation.id);
      await linkDialog
        .getByLabel("Species of this recording")
        .locator(`option[value="${fuscus.id}"]`)
        .waitFor({ state: "attached" });
      expect(await linkDialog.getByRole("button", { name: "Start classification" }).isDisabled()).toBe(true);
      await linkDialog.getByRole("button", { name: "Cancel" }).click();

      // ── classify the segmentation with it ──
      await page.goto("/classification");
      await page.getByRole("button", { name: "Classify a segmentation…" }).click();
      const dialog = page.getByRole("dialog", { name: "Classify a segmentation" });
      await dialog.locator(`option[value="${segmentation.id}"]`).waitFor({ state: "attached" });
      await dialog.getByLabel("Segmentation").selectOption(segmentation.id);
      const start = dialog.getByRole("button", { name: "Start classification" });
      const speciesPick = dialog.getByLabel("Species of this recording");
      await speciesPick.locator(`option[value="${fuscus.id}"]`).waitFor({ state: "attached" });
      expect(await start.isDisabled()).toBe(true);
      await speciesPick.selectOption(fuscus.id);
      await dialog.locator(`option[value="${classifierId}"]`).waitFor({ state: "attached" });
      await dialog.getByLabel("Classifier").selectOption(classifierId);
      await start.click();
      await page.waitForURL(/\/classification\/runs\/[^/]+$/);
      expect(
        (await trpcQuery<{ speciesId: string | null }>(page, "recordings.get", { recordingId })).speciesId,
      ).toBe(fuscus.id);
      const runId = page.url().split("/").pop() as string;
      const status = page.getByRole("region", { name: "Run status" });
      const sawProgress = await status
        .getByRole("progressbar")
        .waitFor({ timeout: 5_000 })
        .then(() => true)
        .catch(() => false);
      if (sawProgress) await shot(page, "cls-05-running");
      await status.getByText("completed", { exact: true }).waitFor({ timeout: 180_000 });

      // ── results: histogram of all 42, per-type counts, the table ──
      await page.getByRole("img", { name: `Confidence histogram of ${SEGMENTS} calls` }).waitFor();
      const results = page.getByRole("region", { name: "Results" });
      await results.getByText(`${SEGMENTS} calls`).waitFor();
      const table = results.getByRole("table", { name: "Classified calls" });
      expect(await table.locator("tbody tr").count()).toBe(SEGMENTS);
      expect(await page.getByText(/Dummy classifier/).count()).toBe(0);
      const counts = await page
        .getByRole("list", { name: "Per call type counts" })
        .locator("li")
        .evaluateAll((lis) =>
          lis.map((li) => ({
            label: li.querySelector(".cls-counts-label")?.textContent ?? "",
            count: Number(/^(\d+)/.exec(li.querySelector(".mono")?.textContent ?? "")?.[1]),
          })),
        );
      console.log(`[e2e] predicted: ${JSON.stringify(counts)}`);
      expect(counts.reduce((a, c) => a + c.count, 0)).toBe(SEGMENTS);
      await shot(page, "cls-06-results");

      // ── filter by the most frequent predicted type ──
      const top = counts[0] as { label: string; count: number };
      await results.getByLabel("Predicted call type").selectOption(top.label);
      await results.getByText(`${top.count} call${top.count === 1 ? "" : "s"}`, { exact: true }).waitFor();
      await page.waitForFunction(
        (n) => document.querySelectorAll('table[aria-label="Classified calls"] tbody tr').length === n,
        top.count,
      );
      const predicted = await table.locator("tbody tr td:nth-child(3)").allTextContents();
      expect(new Set(predicted)).toEqual(new Set([top.label]));
      expect(page.url()).toContain(`callType=${encodeURIComponent(top.label)}`);

      // ── order by confidence, highest first ──
      await results.getByLabel("Predicted call type").selectOption({ label: "All call types" });
      await results.getByLabel("Order").selectOption("confidence_desc");
      await results.getByText(`${SEGMENTS} calls`).waitFor();
      // The table keeps the previous rows on screen until the new order arrives.
      const sorted = await page
        .waitForFunction(
          (n) => {
            const cells = [
              ...document.querySelectorAll('table[aria-label="Classified calls"] tbody tr td:nth-child(4)'),
            ].map((td) => Number.parseFloat(td.textContent ?? ""));
            return cells.length === n && cells.every((v, i) => i === 0 || v <= (cells[i - 1] as number));
          },
          SEGMENTS,
          { timeout: 10_000 },
        )
        .then(() => true)
        .catch(() => false);
      if (!sorted) {
        const api = await trpcQuery<{ items: { confidence: number | null }[] }>(
          page,
          "classification.listResults",
          {
            runId,
            order: "confidence_desc",
            limit: 100,
          },
        );
        const shown = await table.locator("tbody tr td:nth-child(4)").allTextContents();
        throw new Error(
          `results not ordered by confidence: API ${JSON.stringify(api.items.map((i) => i.confidence))}, table ${JSON.stringify(shown)}`,
        );
      }

      // ── a call: its spectrogram and one-click time-expanded playback ──
      await table.locator("tbody tr").first().click();
      const detail = page.getByRole("complementary", { name: "Selected call" });
      const img = detail.getByRole("img", { name: /^Spectrogram of selected call/ });
      await img.waitFor();
      await page.waitForFunction(
        () => {
          const el = document.querySelector<HTMLImageElement>(".cls-detail img.cls-call-img");
          return !!el && el.complete && el.naturalWidth > 0;
        },
        undefined,
        { timeout: 20_000 },
      );
      await detail.getByRole("button", { name: /^Play selected call .* at 1\/10 speed$/ }).click();
      await page.waitForFunction(
        () => document.querySelector(".cls-detail .cls-call")?.getAttribute("data-audio-state") === "running",
        undefined,
        { timeout: 15_000 },
      );
      await shot(page, "cls-07-call");

      // ── apply labels, downloads, methods text ──
      const apply = page.getByRole("region", { name: "Apply labels" });
      await apply.getByLabel("Minimum confidence").fill("0");
      await apply.getByRole("button", { name: "Apply labels" }).click();
      await apply.getByText(`${SEGMENTS} segments labelled.`).waitFor();
      const csv = await page.request.get(`/api/classification-runs/${runId}/results.csv`);
      expect(csv.status()).toBe(200);
      const csvText = await csv.text();
      expect(csvText.split(/\r?\n/).filter((l) => l && !l.startsWith("#")).length).toBeGreaterThanOrEqual(
        SEGMENTS + 1,
      );
      for (const f of ["features.csv", "parameters.json"]) {
        const res = await page.request.get(`/api/classification-runs/${runId}/${f}`);
        expect(res.status(), f).toBe(200);
      }
      const methods = (await page.locator(".cls-methods").textContent()) ?? "";
      expect(methods.length).toBeGreaterThan(50);
      await page.locator("summary", { hasText: "Reproducibility stamp" }).click();
      await shot(page, "cls-08-run-bottom");

      // ── the classifier's confusion matrix: click a non-empty cell, see its calls ──
      await page
        .getByRole("region", { name: "Run status" })
        .getByRole("link", { name: /E\. fuscus forest/ })
        .click();
      await page.waitForURL(classifierUrl);
      const matrix = page.getByRole("figure", { name: "Confusion matrix" });
      await matrix.waitFor();
      const cells = matrix.getByRole("button");
      const labelsCount = await page
        .getByRole("table", { name: "Per-class metrics" })
        .locator("tbody tr")
        .count();
      expect(await cells.count()).toBe(labelsCount * labelsCount);
      // An off-diagonal cell with calls (a confusion), else the fullest diagonal one.
      const names = await cells.evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""));
      const parsed = names.map((n) => {
        const m = /^true (.+), predicted (.+): (\d+) calls?/.exec(n);
        return { name: n, t: m?.[1], p: m?.[2], count: Number(m?.[3] ?? 0) };
      });
      const pick =
        parsed.filter((c) => c.t !== c.p && c.count > 0).sort((a, b) => b.count - a.count)[0] ??
        parsed.sort((a, b) => b.count - a.count)[0];
      if (!pick || pick.count === 0)
        throw new Error(`the confusion matrix has no calls: ${JSON.stringify(names.slice(0, 5))}`);
      await matrix.getByRole("button", { name: pick.name }).click();
      const cellCalls = page.getByRole("region", { name: "Calls in the cell" });
      await cellCalls.getByText(`— ${pick.count} call${pick.count === 1 ? "" : "s"}`).waitFor();
      const listed = await cellCalls.locator(".cls-callgrid > li").count();
      expect(listed).toBe(Math.min(50, pick.count));
      await shot(page, "cls-09-confusion-cell");

      expect(consoleErrors).toEqual([]);
    } catch (err) {
      if (page) await shot(page, "cls-failure").catch(() => {});
      console.error(stack.logs().slice(-20_000));
      throw err;
    }
  });
});
