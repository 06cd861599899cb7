// Annotation journey in a real browser against the real API, worker and PostgreSQL: Alice registers
// and invites Bob and Carol → uploads bat1_angie_19.wav with its pickle (42 calls) → a dummy
// classification run (no trained model) → "Create task batch" from the run page (name checked as
// typed, preview count) → the annotation screen: five calls labelled with the keyboard only, one
// skipped, reload resumes at the next call, undo, detail/overview, hover readout, time-expanded
// playback → the .xlsx ZIP export opened with exceljs (labels and exact times) → a blind batch for
// Bob and Carol: each labels six calls without seeing the other's labels → Alice sees Cohen's kappa
// (checked against the value computed here) → adjudicates a disagreement.
// Printed, not asserted: keypress "save" → next call drawn, p50/p95.

import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignShortcuts } from "../src/features/tasks/keyboard";
import {
  finishRegistration,
  linkIn,
  openPage,
  REPO_ROOT,
  type Stack,
  screenshot,
  startStack,
  trpcMutation,
  trpcQuery,
  until,
  waitForEmail,
} from "./harness";

// exceljs and yauzl are dependencies of @battycoda/core (which writes the export); the web package
// does not depend on them, so the test loads them from there.
const coreRequire = createRequire(path.join(REPO_ROOT, "packages/core/package.json"));
type Cell = { value: unknown };
type Row = { getCell(i: number): Cell; cellCount: number; values: unknown[] };
type Sheet = { name: string; rowCount: number; getRow(i: number): Row };
type Workbook = { xlsx: { load(b: Buffer): Promise<unknown> }; worksheets: Sheet[] };
const ExcelJS = coreRequire("exceljs") as { Workbook: new () => Workbook };
type ZipFile = {
  on(ev: "entry", cb: (e: { fileName: string }) => void): void;
  on(ev: "end" | "error", cb: (e?: unknown) => void): void;
  readEntry(): void;
  openReadStream(e: unknown, cb: (err: Error | null, s: NodeJS.ReadableStream) => void): void;
};
const yauzl = coreRequire("yauzl") as {
  fromBuffer(b: Buffer, o: { lazyEntries: boolean }, cb: (err: Error | null, z: ZipFile) => void): void;
};

const SHARED = path.resolve(REPO_ROOT, "../shared/data");
const SOURCE_WAV = path.join(SHARED, "recordings/bat1_angie_19.wav");
const SEGMENTS = 42;

const SHOTS_DIR =
  process.env.BATTYCODA_E2E_SCREENSHOTS ??
  fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-annot-shots-"));
const suffix = Date.now().toString(36).slice(-5);
const mk = (n: string) => ({
  username: `${n}_${suffix}`,
  email: `${n}.${suffix}@example.test`,
  password: `${n}-eptesicus-9`,
});
const alice = mk("alice");
const bob = mk("bob");
const carol = mk("carol");

let stack: Stack;
const contexts: BrowserContext[] = [];
const consoleErrors: string[] = [];

const shot = (page: Page, name: string) => screenshot(page, SHOTS_DIR, name);

/** Cohen's kappa of two label sequences, computed here independently of the server. */
function cohen(a: string[], b: string[]): number {
  const n = a.length;
  const cats = [...new Set([...a, ...b])];
  const po = a.filter((x, i) => x === b[i]).length / n;
  const pe = cats.reduce(
    (s, c) => s + (a.filter((x) => x === c).length / n) * (b.filter((x) => x === c).length / n),
    0,
  );
  return (po - pe) / (1 - pe);
}

function readZip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on("entry", (entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
          stream.on("error", reject);
        });
      });
      zip.on("end", () => resolve(out));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

function cellText(v: unknown): string {
  if (v == null) return "";
  if (typeof v === "object" && v !== null) {
    const o = v as { text?: unknown; result?: unknown; richText?: { text: string }[] };
    if (o.richText) return o.richText.map((r) => r.text).join("");
    if (o.text !== undefined) return String(o.text);
    if (o.result !== undefined) return String(o.result);
  }
  return String(v);
}

/** The annotation screen's current task id once its spectrogram is on screen. */
async function currentDrawn(page: Page, not?: string): Promise<string> {
  const handle = await page.waitForFunction(
    (prev) => {
      const root = document.querySelector<HTMLElement>(".tasks-annotate");
      const id = root?.dataset.currentTask;
      if (!id || id === prev) return null;
      const img = document.querySelector<HTMLImageElement>(`img[data-current="true"][data-task-id="${id}"]`);
      return img?.complete && img.naturalWidth > 0 ? id : null;
    },
    not ?? null,
    { timeout: 20_000 },
  );
  return (await handle.jsonValue()) as string;
}

async function idle(page: Page) {
  await page.waitForFunction(
    () => document.querySelector(".tasks-annotate")?.getAttribute("data-in-flight") === "0",
  );
}

/** Presses the key of `label`, checks its button is chosen, saves with Enter; returns the saved task id. */
async function labelWithKeys(page: Page, keyOf: Map<string, string>, label: string): Promise<string> {
  const id = await currentDrawn(page);
  const key = keyOf.get(label);
  if (!key) throw new Error(`no key for ${label}`);
  await page.keyboard.press(key);
  await page
    .getByRole("group", { name: "Call types" })
    .getByRole("button", { pressed: true })
    .filter({ has: page.locator(".tasks-label-name", { hasText: new RegExp(`^${label}$`) }) })
    .waitFor();
  await page.keyboard.press("Enter");
  await currentDrawn(page, id);
  return id;
}

type BatchDetail = {
  id: string;
  callTypes: { shortName: string }[];
  taskCount: number;
};
type TaskRow = {
  id: string;
  position: number;
  onset: number;
  offset: number;
  status: string;
  label: string | null;
  recording: { id: string; name: string };
};

async function newUserInGroup(user: typeof bob, inviter: Page): Promise<Page> {
  await trpcMutation(inviter, "groups.invite", { email: user.email });
  const email = await waitForEmail(stack.outboxDir, user.email, /invited to join/);
  const link = linkIn(email, `${stack.baseUrl}/invitations/accept?token=`);
  const p = await openPage(stack, contexts, consoleErrors, { height: 1000, timeoutMs: 20_000 });
  await p.goto(link);
  await p.getByRole("link", { name: "Create an account and join" }).click();
  await p.getByLabel("Username").fill(user.username);
  await p.getByLabel("Password", { exact: true }).fill(user.password);
  await p.getByLabel("Confirm password").fill(user.password);
  await p.getByRole("button", { name: "Create account" }).click();
  await p.getByText(/You joined/).waitFor();
  return p;
}

describe("annotation journey", () => {
  beforeAll(async () => {
    // Shared data is required: fail (not skip) when it is missing.
    for (const f of [SOURCE_WAV, `${SOURCE_WAV}.pickle`])
      if (!fs.existsSync(f)) throw new Error(`${f} is missing: this test needs ../shared/data`);
    stack = await startStack();
    console.log(`[e2e] API ${stack.baseUrl}; screenshots in ${SHOTS_DIR}`);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await stack?.stop();
  });

  it("batch from a run → keyboard labelling, skip, resume, undo → xlsx export → blind batch → kappa → adjudicate", async () => {
    const page = await openPage(stack, contexts, consoleErrors, { height: 1000, timeoutMs: 20_000 });
    try {
      // ── Alice registers; Bob and Carol join her group ──
      await page.goto("/register");
      await page.getByLabel("Email").fill(alice.email);
      await page.getByLabel("Username").fill(alice.username);
      await page.getByLabel("Password", { exact: true }).fill(alice.password);
      await page.getByLabel("Confirm password").fill(alice.password);
      await page.getByRole("button", { name: "Create account" }).click();
      await finishRegistration(page, stack, alice.email);
      await page.getByText(`Welcome, ${alice.username}`).waitFor();
      const bobPage = await newUserInGroup(bob, page);
      const carolPage = await newUserInGroup(carol, page);

      // ── upload the shared recording with its 42 calls; a dummy classification run ──
      const species = await trpcQuery<{ id: string; name: string; isSystem: boolean }[]>(
        page,
        "species.list",
        undefined,
      );
      const fuscus = species.find((s) => s.name === "Eptesicus fuscus" && !s.isSystem);
      if (!fuscus) throw new Error("no Eptesicus fuscus in the group");
      const up = await page.request.post("/api/recordings/upload", {
        multipart: {
          name: "bat1_angie_19",
          speciesId: fuscus.id,
          file: { name: "bat1_angie_19.wav", mimeType: "audio/wav", buffer: fs.readFileSync(SOURCE_WAV) },
          segmentFile: {
            name: "bat1_angie_19.wav.pickle",
            mimeType: "application/octet-stream",
            buffer: fs.readFileSync(`${SOURCE_WAV}.pickle`),
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
        400,
      );
      const { runId } = await trpcMutation<{ runId: string }>(page, "classification.startRun", {
        segmentationId: segmentation.id,
      });
      await until(
        "the dummy run",
        async () =>
          (await trpcQuery<{ status: string }>(page, "classification.getRun", { runId })).status ===
          "completed",
        120_000,
        400,
      );

      // ── "Create task batch" from the run page: name checked as typed, preview, create ──
      await page.goto(`/classification/runs/${runId}`);
      await page.getByRole("link", { name: "Create task batch" }).click();
      const dialog = page.getByRole("dialog", { name: "Create a task batch" });
      await dialog.locator(`option[value="${runId}"]`).waitFor({ state: "attached" });
      expect(await dialog.getByLabel("Run").inputValue()).toBe(runId);
      // the dialog starts with a usable name (dated), checked like a typed one
      expect(await dialog.getByLabel("Batch name").inputValue()).toMatch(
        /^Review \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/,
      );
      await dialog.getByText("Name available").waitFor();
      const batchName = `angie 19 review ${suffix}`;
      await dialog.getByLabel("Batch name").fill(batchName);
      await dialog.getByText("Name available").waitFor();
      await dialog
        .getByRole("status", { name: "Preview" })
        .getByText(`${SEGMENTS}`, { exact: true })
        .waitFor();
      await shot(page, "annot-01-create");
      await dialog.getByRole("button", { name: `Create ${SEGMENTS} tasks` }).click();
      await page.waitForURL(/\/tasks\/batches\/[^/]+$/);
      const batchId = page.url().split("/").pop() as string;
      const batch = await trpcQuery<BatchDetail>(page, "tasks.getBatch", { batchId });
      expect(batch.taskCount).toBe(SEGMENTS);
      const shortNames = batch.callTypes.map((c) => c.shortName);
      const keyOf = new Map(
        assignShortcuts(shortNames).flatMap((s) => (s.key ? [[s.label, s.key] as [string, string]] : [])),
      );
      await page.getByRole("table", { name: "Task list" }).waitFor();
      await shot(page, "annot-02-batch");

      // ── annotate with the keyboard only ──
      await page.getByRole("link", { name: "Annotate" }).click();
      await page.waitForURL(/\/annotate$/);
      await currentDrawn(page);
      // Shortcuts and every probability are on screen; the dummy predicts nothing, so nothing is chosen.
      await page.getByRole("region", { name: "Keyboard shortcuts" }).getByText("save and next").waitFor();
      const buttons = page.getByRole("group", { name: "Call types" }).getByRole("button");
      expect(await buttons.count()).toBe(shortNames.length + 1);
      await page
        .getByRole("group", { name: "Call types" })
        .getByRole("button", { name: /Unknown/ })
        .waitFor();
      expect(
        await page.getByRole("group", { name: "Call types" }).getByRole("button", { pressed: true }).count(),
      ).toBe(0);
      // axes, hover readout
      await page.getByText("ms from the call's onset").waitFor();
      const plotBox = await page.locator(".tasks-plot").boundingBox();
      if (!plotBox) throw new Error("no spectrogram plot");
      await page.mouse.move(plotBox.x + plotBox.width / 2, plotBox.y + plotBox.height / 2);
      const readout = (await page.locator("[data-readout]").textContent()) ?? "";
      expect(readout).toMatch(/ms \(.* s\) · \d+\.\d kHz/);
      const halfKHz = Number(/([\d.]+) kHz/.exec(readout)?.[1]);
      expect(halfKHz).toBeGreaterThan(0);
      await page.mouse.move(0, 0);
      // the call's segment is reached in the editor (not shown as an id): its segmentation opens with the segment
      // selected in the list and in view
      const editorHref =
        (await page
          .getByRole("region", { name: "Call info" })
          .getByRole("link", { name: "in the segmentation editor" })
          .getAttribute("href")) ?? "";
      expect(editorHref).toMatch(
        new RegExp(`^/recordings/${recordingId}/segmentation\\?s=${segmentation.id}&seg=[\\w-]+$`),
      );
      const callTime =
        (await page.getByRole("region", { name: "Call info" }).locator("dd.mono").textContent()) ?? "";
      const callOnsetMs = Number(/^([\d.]+) s/.exec(callTime)?.[1]) * 1000;
      const editorPage = await page.context().newPage();
      await editorPage.goto(editorHref);
      const picked = editorPage.locator('table[aria-label="Segments"] tr[aria-selected="true"]');
      await picked.waitFor({ timeout: 30_000 });
      const pickedOnset = Number(await picked.locator("td").nth(1).textContent());
      expect(Math.abs(pickedOnset - callOnsetMs)).toBeLessThanOrEqual(0.1);
      await editorPage.waitForFunction((t) => {
        const el = document.querySelector<HTMLElement>(".spectro-plot");
        return !!el && Number(el.dataset.t0) <= t && Number(el.dataset.t1) >= t;
      }, callOnsetMs / 1000);
      await editorPage.close();
      await shot(page, "annot-03-screen");
      // D toggles detail / overview
      await page.keyboard.press("d");
      await page.locator('figure[data-mode="overview"]').waitFor();
      await currentDrawn(page);
      await shot(page, "annot-04-overview");
      await page.keyboard.press("d");
      await page.locator('figure[data-mode="detail"]').waitFor();
      // Space plays (time-expanded) through Web Audio
      await page.keyboard.press(" ");
      await page.waitForFunction(
        () => document.querySelector(".tasks-annotate")?.getAttribute("data-audio-state") === "running",
        undefined,
        { timeout: 15_000 },
      );
      await page.keyboard.press(" "); // stop

      const chosen = [0, 1, 2, 3, 4].map((i) => shortNames[i % shortNames.length] as string);
      const labelled: { id: string; label: string }[] = [];
      for (const label of chosen) labelled.push({ id: await labelWithKeys(page, keyOf, label), label });
      const skipped = await currentDrawn(page);
      await page.keyboard.press("s");
      const afterSkip = await currentDrawn(page, skipped);
      await idle(page);
      await shot(page, "annot-05-after-skip");

      // ── reload: resume at the call after the skipped one ──
      const timings: number[] = [];
      const collect = async (p: Page) => {
        const t = await p.evaluate(
          () =>
            (window as unknown as { __battycodaAnnotationTimings?: { kind: string; ms: number }[] })
              .__battycodaAnnotationTimings ?? [],
        );
        timings.push(...t.filter((x) => x.kind === "save").map((x) => x.ms));
      };
      await collect(page);
      await page.reload();
      expect(await currentDrawn(page)).toBe(afterSkip);
      const rows = (await trpcQuery<{ items: TaskRow[] }>(page, "tasks.listTasks", { batchId, limit: 500 }))
        .items;
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const l of labelled) {
        expect(byId.get(l.id)?.status).toBe("done");
        expect(byId.get(l.id)?.label).toBe(l.label);
      }
      expect(byId.get(skipped)?.status).toBe("skipped");
      expect(byId.get(afterSkip)?.position).toBe(7);

      // ── Z undoes the last label and comes back to that call ──
      const undone = await labelWithKeys(page, keyOf, shortNames[5] as string);
      await page.keyboard.press("z");
      await page.waitForFunction(
        (id) => document.querySelector(".tasks-annotate")?.getAttribute("data-current-task") === id,
        undone,
      );
      await idle(page);
      const afterUndo = await trpcQuery<TaskRow>(page, "tasks.getTask", { taskId: undone });
      expect(afterUndo.label).toBeNull();
      expect(afterUndo.status).toBe("in_progress");

      // ── more calls at a human pace, for the save → next-drawn measurement ──
      for (let i = 0; i < 16; i++) {
        await labelWithKeys(page, keyOf, shortNames[(i * 7) % shortNames.length] as string);
        await page.waitForTimeout(250);
      }
      await idle(page);
      await collect(page);
      console.log(`[measure] save → drawn, in order (ms): ${timings.map((t) => t.toFixed(0)).join(" ")}`);
      timings.sort((a, b) => a - b);
      const q = (p: number) =>
        timings[Math.min(timings.length - 1, Math.floor(p * timings.length))]?.toFixed(0);
      console.log(
        `[measure] keypress "save" → next call drawn: n=${timings.length} p50=${q(0.5)} ms p95=${q(0.95)} ms max=${q(1)} ms`,
      );

      // ── export: the .xlsx ZIP, opened with exceljs: labels and exact times ──
      await page.goto(`/tasks/batches/${batchId}`);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: "Export .xlsx (ZIP)" }).click(),
      ]);
      const zipPath = await download.path();
      const files = await readZip(fs.readFileSync(zipPath));
      const xlsxNames = [...files.keys()].filter((f) => f.endsWith(".xlsx"));
      console.log(`[e2e] export ZIP: ${[...files.keys()].join(", ")}`);
      expect(xlsxNames.length).toBeGreaterThanOrEqual(1);
      const exportedRows = new Map<string, { label: string; onset: number; offset: number }>();
      for (const name of xlsxNames) {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(files.get(name) as Buffer);
        for (const ws of wb.worksheets) {
          const header = ws.getRow(1);
          const cols = new Map<string, number>();
          for (let c = 1; c <= header.cellCount; c++) cols.set(cellText(header.getCell(c).value), c);
          const idCol = cols.get("Task ID");
          const onCol = cols.get("Onset (s)");
          const offCol = cols.get("Offset (s)");
          const labelCol = cols.get("Label (human)");
          if (!idCol || !onCol || !offCol || !labelCol) continue;
          for (let r = 2; r <= ws.rowCount; r++) {
            const row = ws.getRow(r);
            const id = cellText(row.getCell(idCol).value);
            if (!id) continue;
            exportedRows.set(id, {
              label: cellText(row.getCell(labelCol).value),
              onset: Number(row.getCell(onCol).value),
              offset: Number(row.getCell(offCol).value),
            });
          }
        }
      }
      for (const l of labelled) {
        const x = exportedRows.get(l.id);
        const t = byId.get(l.id);
        expect(x, `task ${l.id} in the export`).toBeDefined();
        expect(x?.label).toBe(l.label);
        expect(x?.onset).toBe(t?.onset);
        expect(x?.offset).toBe(t?.offset);
      }
      await shot(page, "annot-06-batch-after");

      // ── review: filter by label, play the calls in sequence, relabel one in place ──
      const reviewLabel = labelled[0]?.label as string;
      const tasksRegion = page.getByRole("region", { name: "Tasks" });
      await tasksRegion
        .getByRole("group", { name: "Task filters" })
        .getByRole("combobox", { name: /^Label/ })
        .selectOption(reviewLabel);
      const filtered = await trpcQuery<{ items: { id: string; label: string | null }[] }>(
        page,
        "tasks.listTasks",
        {
          batchId,
          label: reviewLabel,
          limit: 200,
        },
      );
      expect(filtered.items.length).toBeGreaterThan(0);
      expect(filtered.items.every((t) => t.label === reviewLabel)).toBe(true);
      await page.waitForFunction(
        ([n, ids]) => {
          const rows = [...document.querySelectorAll("table[aria-label='Task list'] tbody tr")];
          return (
            rows.length === n &&
            rows.every((r) => (ids as string[]).includes(r.getAttribute("data-task-id") ?? ""))
          );
        },
        [filtered.items.length, filtered.items.map((t) => t.id)] as const,
      );
      // Every call the review player shows and whether it played, recorded in the page: the
      // sequence moves on by itself, faster than a poll from here could follow.
      await page.evaluate(() => {
        const log: { id: string; playing: boolean }[] = [];
        (window as unknown as { __review: typeof log }).__review = log;
        new MutationObserver(() => {
          const el = document.querySelector("[data-review-task]");
          if (!el) return;
          const id = el.getAttribute("data-review-task") ?? "";
          const playing = el.getAttribute("data-playing") === "playing";
          const last = log[log.length - 1];
          if (last?.id === id) last.playing ||= playing;
          else log.push({ id, playing });
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      const reviewButton = tasksRegion.getByRole("button", { name: "Review (play in sequence)" });
      await reviewButton.click();
      const review = page.getByRole("region", { name: "Review" });
      const expectedOrder = filtered.items.map((t) => t.id);
      const heard = await until(
        "the review to play the filtered calls in order",
        async () => {
          const log = await page.evaluate(
            () => (window as unknown as { __review: { id: string; playing: boolean }[] }).__review,
          );
          const want = Math.min(2, expectedOrder.length);
          return log.filter((e) => e.playing).length >= want ? log : null;
        },
        60_000,
        100,
      );
      expect(heard.map((e) => e.id)).toEqual(expectedOrder.slice(0, heard.length));
      // Relabel in place: a call-type key during review labels the call on screen and pauses.
      if (await review.count()) await review.getByRole("button", { name: "Stop review" }).click();
      // Over the done calls with any label, so the relabelled call stays in the list.
      const filters = tasksRegion.getByRole("group", { name: "Task filters" });
      await filters.getByRole("combobox", { name: /^Label/ }).selectOption("*");
      await filters.getByRole("combobox", { name: /^Status/ }).selectOption("done");
      await page.waitForFunction(() => {
        const rows = [...document.querySelectorAll("table[aria-label='Task list'] tbody tr")];
        return rows.length > 0 && rows.every((r) => r.getAttribute("data-status") === "done");
      });
      const firstDone = (
        await trpcQuery<{ items: { id: string; label: string | null }[] }>(page, "tasks.listTasks", {
          batchId,
          status: "done",
          limit: 1,
        })
      ).items[0];
      const relabelTo = shortNames.find((s) => s !== firstDone?.label) as string;
      await reviewButton.click();
      await page.keyboard.press(keyOf.get(relabelTo) as string);
      await review.getByText("paused").waitFor();
      const relabelledId = (await review.getAttribute("data-review-task")) as string;
      expect(relabelledId).toBe(firstDone?.id);
      await until("the relabel from the review player", async () => {
        const t = await trpcQuery<TaskRow>(page, "tasks.getTask", { taskId: relabelledId });
        return t.label === relabelTo ? t : null;
      });
      // the other labelled calls keep their labels
      for (const l of labelled.filter((x) => x.id !== relabelledId)) {
        expect((await trpcQuery<TaskRow>(page, "tasks.getTask", { taskId: l.id })).label).toBe(l.label);
      }
      await review.getByRole("button", { name: "Stop review" }).click();
      await review.waitFor({ state: "detached" });
      const relabelled = labelled.find((l) => l.id === relabelledId);
      if (relabelled) relabelled.label = relabelTo;

      // ── a blind batch for Bob and Carol (the name check refuses the taken name first) ──
      await page.goto("/tasks");
      await page.getByRole("button", { name: "Create task batch" }).click();
      const d2 = page.getByRole("dialog", { name: "Create a task batch" });
      await d2.locator(`option[value="${runId}"]`).waitFor({ state: "attached" });
      await d2.getByLabel("Run").selectOption(runId);
      await d2.getByLabel("Batch name").fill(batchName);
      await d2.getByText("A batch with this name already exists in your group").waitFor();
      const blindName = `angie 19 blind ${suffix}`;
      await d2.getByLabel("Batch name").fill(blindName);
      await d2.getByText("Name available").waitFor();
      await d2.getByLabel(bob.username).check();
      await d2.getByLabel(carol.username).check();
      await d2.getByText("blind double annotation").waitFor();
      await d2.getByRole("button", { name: `Create ${SEGMENTS} tasks` }).click();
      await page.waitForURL(/\/tasks\/batches\/[^/]+$/);
      const blindId = page.url().split("/").pop() as string;
      // Alice is not an assignee: no Annotate link, the agreement panel instead.
      await page.getByRole("region", { name: "Agreement" }).waitFor();
      expect(await page.getByRole("link", { name: "Annotate" }).count()).toBe(0);

      const bobLabels = [0, 1, 2, 0, 1, 2].map((i) => shortNames[i] as string);
      const carolLabels = [0, 1, 1, 0, 2, 2].map((i) => shortNames[i] as string);
      const annotateBlind = async (p: Page, labels: string[]) => {
        await p.goto(`/tasks/batches/${blindId}/annotate`);
        const ids: string[] = [];
        for (const l of labels) {
          // Blind: nothing of the other annotator's shows.
          expect(await p.locator("[data-existing-label]").count()).toBe(0);
          ids.push(await labelWithKeys(p, keyOf, l));
        }
        await idle(p);
        await collect(p);
        return ids;
      };
      const bobIds = await annotateBlind(bobPage, bobLabels);
      await shot(bobPage, "annot-07-bob");
      const carolIds = await annotateBlind(carolPage, carolLabels);
      expect(carolIds).toEqual(bobIds);

      // ── the batch list: both batches with their progress; Alice's filter by status ──
      await page.goto("/tasks");
      const list = page.getByRole("region", { name: "Task batches" });
      await list.getByRole("progressbar", { name: `Progress of ${blindName}` }).waitFor();
      await list.getByRole("progressbar", { name: `Progress of ${batchName}` }).waitFor();
      await shot(page, "annot-08-batches");
      await page.getByRole("region", { name: "Filters" }).getByLabel("Status").selectOption("done");
      await list.getByText("No task batches match these filters").waitFor();
      await page.goto(`/tasks/batches/${blindId}`);

      // ── Alice: kappa as computed here, two disagreements, adjudicate one ──
      const expected = cohen(bobLabels, carolLabels);
      const pairTable = page.getByRole("table", { name: "Cohen's kappa per pair" });
      await pairTable.waitFor();
      const pairText = (await pairTable.textContent()) ?? "";
      console.log(
        `[e2e] agreement: ${pairText.replace(/\s+/g, " ")} (expected kappa ${expected.toFixed(2)})`,
      );
      expect(pairText).toContain(expected.toFixed(2));
      const disagreements = page.getByRole("table", { name: "Disagreements" }).locator("tbody tr");
      expect(await disagreements.count()).toBe(2);
      await page.getByRole("region", { name: "Adjudication" }).getByRole("img").first().waitFor();
      await shot(page, "annot-09-agreement");
      const first = disagreements.first();
      const settledId = (await first.getAttribute("data-task-id")) as string;
      const settledLabel = carolLabels[bobIds.indexOf(settledId)] as string;
      await first.getByRole("button", { name: settledLabel, exact: true }).click();
      await page.getByText("1 to settle of 2").waitFor();
      const settled = await trpcQuery<TaskRow>(page, "tasks.getTask", { taskId: settledId });
      expect(settled.label).toBe(settledLabel);
      await shot(page, "annot-10-adjudicated");

      // ── delete the blind batch after seeing what goes ──
      await page.getByRole("button", { name: "Delete", exact: true }).click();
      const del = page.getByRole("dialog", { name: `Delete "${blindName}"?` });
      const goes = del.getByRole("status", { name: "What goes" });
      await goes.getByText(`${SEGMENTS}`, { exact: true }).waitFor();
      console.log(`[e2e] delete preview: ${(await goes.textContent())?.replace(/\s+/g, " ")}`);
      await del.getByRole("button", { name: "Delete batch" }).click();
      await page.waitForURL(/\/tasks$/);
      await page
        .getByRole("region", { name: "Task batches" })
        .getByRole("link", { name: batchName })
        .waitFor();
      expect(await page.getByRole("link", { name: blindName }).count()).toBe(0);

      expect(consoleErrors).toEqual([]);
    } catch (err) {
      await shot(page, "annot-failure").catch(() => {});
      console.error(stack.logs().slice(-8000));
      throw err;
    }
  });
});
