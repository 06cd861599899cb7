// Call-type taxonomy journey in a real browser against the real API, worker and PostgreSQL: a
// researcher creates a species with call types FM, CF and QCF, uploads bat1_angie_19.wav with its
// 42 calls, runs the (dummy) classifier, makes a task batch and labels three calls FM, CF, CF →
// on the species page merges CF into FM: the dialog previews what the merge rewrites, the history
// lists it → the batch page and the task-batch CSV show FM where CF was, the run's results CSV has
// no CF column any more, and both exports re-expressed in taxonomy version 0 say "FM|CF".

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext } from "playwright-core";
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

const SHARED = path.resolve(REPO_ROOT, "../shared/data");
const SOURCE_WAV = path.join(SHARED, "recordings/bat1_angie_19.wav");
const SEGMENTS = 42;

const SHOTS_DIR =
  process.env.BATTYCODA_E2E_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-taxonomy-"));
const suffix = Date.now().toString(36).slice(-5);
const user = {
  username: `tax_${suffix}`,
  email: `tax.${suffix}@example.test`,
  password: "tax-eptesicus-9",
};

let stack: Stack;
const contexts: BrowserContext[] = [];
const consoleErrors: string[] = [];

/** CSV rows as arrays of cells (the exports quote only cells that need it; none here do). */
const csvRows = (text: string) =>
  text
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split(","));

describe("taxonomy journey", () => {
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

  it("merges two call types: labels, history and exports follow; exports re-express version 0", async () => {
    const page = await openPage(stack, contexts, consoleErrors, { height: 1100, timeoutMs: 20_000 });
    // ── register; a species with three call types; the shared recording with its calls ──
    await page.goto("/register");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Username").fill(user.username);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByLabel("Confirm password").fill(user.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await finishRegistration(page, stack, user.email);
    await page.getByText(`Welcome, ${user.username}`).waitFor();

    const species = await trpcMutation<{ id: string; callTypes: { id: string; shortName: string }[] }>(
      page,
      "species.create",
      {
        name: `Carollia taxonomy ${suffix}`,
        callTypes: [{ shortName: "FM" }, { shortName: "CF" }, { shortName: "QCF" }],
      },
    );
    const up = await page.request.post("/api/recordings/upload", {
      multipart: {
        name: "bat1_angie_19",
        speciesId: species.id,
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

    // ── a batch from the run; three calls labelled FM, CF, CF ──
    const { batchId } = await trpcMutation<{ batchId: string }>(page, "tasks.createBatch", {
      name: `taxonomy ${suffix}`,
      source: { kind: "run", runId },
    });
    type Tasks = { items: { id: string; position: number; label: string | null }[] };
    const tasks = await until(
      "the batch's tasks",
      async () => {
        const t = await trpcQuery<Tasks>(page, "tasks.listTasks", { batchId, limit: 100 });
        return t.items.length === SEGMENTS ? t.items : null;
      },
      60_000,
    );
    const chosen = [...tasks].sort((a, b) => a.position - b.position).slice(0, 3);
    for (const [i, t] of chosen.entries())
      await trpcMutation(page, "tasks.saveLabel", { taskId: t.id, label: i === 0 ? "FM" : "CF" });

    // results CSV before: a column per call type, CF among them
    const resultsBefore = csvRows(
      await (await page.request.get(`/api/classification-runs/${runId}/results.csv`)).text(),
    );
    expect(resultsBefore[0]).toEqual(expect.arrayContaining(["p_FM", "p_CF", "p_QCF"]));

    // ── the species page: merge CF into FM with a preview first ──
    await page.goto(`/species/${species.id}`);
    const section = page.getByRole("region", { name: "Call-type taxonomy" });
    await section.getByText("Taxonomy version 0").waitFor();
    await section.getByRole("button", { name: "Merge…" }).click();
    const dialog = page.getByRole("dialog", { name: "Merge call types" });
    await dialog.getByLabel("Keep").selectOption({ label: "FM" });
    await dialog.getByRole("checkbox", { name: "CF", exact: true }).check();
    await dialog.getByRole("button", { name: "Preview" }).click();
    const preview = dialog.getByTestId("taxonomy-preview");
    await preview.getByText("CF → FM", { exact: true }).waitFor();
    // two task labels; one CF probability row per result (the dummy gives every call all three)
    expect(await preview.getByTestId("count-taskLabels").textContent()).toBe("2");
    expect(await preview.getByTestId("count-probabilities").textContent()).toBe(String(SEGMENTS));
    await screenshot(page, SHOTS_DIR, "taxonomy-01-preview");
    expect(
      (await trpcQuery<{ callTypes: unknown[] }>(page, "species.get", { speciesId: species.id })).callTypes,
    ).toHaveLength(3); // a preview changes nothing
    await dialog.getByRole("button", { name: "Merge", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await section.getByText("Taxonomy version 1").waitFor();
    const history = section.getByRole("table", { name: "Taxonomy history" });
    await history.getByText("merged FM + CF → FM").waitFor();
    await history.getByText(user.username).waitFor();
    await page.getByRole("table", { name: "Call types" }).getByLabel("Short name of QCF").waitFor();
    expect(await page.getByRole("table", { name: "Call types" }).getByLabel("Short name of CF").count()).toBe(
      0,
    );
    await screenshot(page, SHOTS_DIR, "taxonomy-02-merged");

    // ── the labels followed: the batch page and the API say FM where CF was ──
    const after = await trpcQuery<Tasks>(page, "tasks.listTasks", { batchId, limit: 100 });
    const labelOf = new Map(after.items.map((t) => [t.id, t.label]));
    expect(chosen.map((t) => labelOf.get(t.id))).toEqual(["FM", "FM", "FM"]);
    await page.goto(`/tasks/batches/${batchId}`);
    await page.getByRole("table", { name: "Task list" }).waitFor();
    for (const t of chosen) {
      // a label select for those who may relabel, plain text otherwise
      const shown = await page.locator(`tr[data-task-id="${t.id}"]`).evaluate((tr) => {
        const select = tr.querySelector("select");
        return select
          ? { value: select.value, options: [...select.options].map((o) => o.value) }
          : { value: tr.textContent ?? "", options: [] };
      });
      expect(shown.value).toContain("FM");
      expect(shown.value).not.toContain("CF");
      expect(shown.options).not.toContain("CF");
    }

    // ── exports follow; version 0 re-expresses the merged label ──
    const header = (rows: string[][]) => rows[0] as string[];
    const labelsIn = (rows: string[][]) => {
      const col = header(rows).indexOf("Label (human)");
      return rows.slice(1).map((r) => r[col] ?? "");
    };
    const now = csvRows(await (await page.request.get(`/api/task-batches/${batchId}/export.csv`)).text());
    expect(labelsIn(now).filter(Boolean).sort()).toEqual(["FM", "FM", "FM"]);
    const v0 = csvRows(
      await (await page.request.get(`/api/task-batches/${batchId}/export.csv?taxonomyVersion=0`)).text(),
    );
    expect(labelsIn(v0).filter(Boolean).sort()).toEqual(["FM|CF", "FM|CF", "FM|CF"]);
    const bad = await page.request.get(`/api/task-batches/${batchId}/export.csv?taxonomyVersion=7`);
    expect(bad.status()).toBe(400);
    expect(await bad.text()).toContain("Taxonomy version 7 does not exist");

    const results = csvRows(
      await (await page.request.get(`/api/classification-runs/${runId}/results.csv`)).text(),
    );
    expect(header(results).filter((h) => h.startsWith("p_"))).toEqual(["p_FM", "p_QCF"]);
    // the dummy's equal thirds: FM now holds two of them
    const pFM = header(results).indexOf("p_FM");
    expect(Number(results[1]?.[pFM])).toBeCloseTo(2 / 3, 12);
    const results0 = csvRows(
      await (
        await page.request.get(`/api/classification-runs/${runId}/results.csv?taxonomyVersion=0`)
      ).text(),
    );
    expect(header(results0).filter((h) => h.startsWith("p_"))).toEqual(["p_FM|CF", "p_QCF"]);
    expect(consoleErrors).toEqual([]);
  });
});
