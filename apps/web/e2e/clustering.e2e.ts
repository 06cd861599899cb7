// Clustering journey in a real browser against the real API, worker (Rscript with Debian's R
// packages) and PostgreSQL: register → upload a 250 kHz recording of three synthetic call shapes
// with its segments → start k-means (k = 3) from the form → the explorer shows three clusters →
// hover shows a call's spectrogram, a click plays it → lasso one group → it becomes a new cluster
// → name it → map it to a call type → apply → the calls carry the label; exports follow.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeShapesWav } from "../../../packages/core/src/clustering/testing.ts";
import { decodePoints, fitView, lassoSelect, toScreenX, toScreenY } from "../src/features/clustering/scatter";
import {
  finishRegistration,
  openPage,
  type Stack,
  screenshot,
  startStack,
  trpcMutation,
  trpcQuery,
  until,
} from "./harness";

const SHOTS_DIR =
  process.env.BATTYCODA_E2E_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-cl-shots-"));
const suffix = Date.now().toString(36).slice(-5);
const user = { username: `cl_${suffix}`, email: `cl.${suffix}@example.test`, password: "myotis-lucifugus-7" };
const CALLS = 60;

let stack: Stack;
let tmpDir = "";
const contexts: BrowserContext[] = [];
const consoleErrors: string[] = [];
const shot = (page: Page, name: string) => screenshot(page, SHOTS_DIR, name);

type Points = Parameters<typeof decodePoints>[0] & {
  clusters: { id: string; index: number; label: string }[];
};

describe("clustering journey", () => {
  beforeAll(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-cl-"));
    stack = await startStack();
    console.log(`[e2e] API ${stack.baseUrl}; screenshots in ${SHOTS_DIR}`);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await stack?.stop();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it("cluster → lasso a group → name it → map it to a call type → apply", async () => {
    const page = await openPage(stack, contexts, consoleErrors, { height: 1100, timeoutMs: 20_000 });
    try {
      await page.goto("/register");
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Username").fill(user.username);
      await page.getByLabel("Password", { exact: true }).fill(user.password);
      await page.getByLabel("Confirm password").fill(user.password);
      await page.getByRole("button", { name: "Create account" }).click();
      await finishRegistration(page, stack, user.email);
      await page.getByText(`Welcome, ${user.username}`).waitFor();

      const species = await trpcMutation<{ id: string }>(page, "species.create", {
        name: `Synthetica triplex ${suffix}`,
        callTypes: [{ shortName: "FM" }, { shortName: "CF" }, { shortName: "HOOK" }],
      });

      // ── a recording of three call shapes with its segments as CSV ──
      const wavPath = path.join(tmpDir, "shapes.wav");
      const synth = await writeShapesWav(wavPath, { sampleRate: 250_000, calls: CALLS });
      const up = await page.request.post("/api/recordings/upload", {
        multipart: {
          name: "shapes",
          speciesId: species.id,
          file: { name: "shapes.wav", mimeType: "audio/wav", buffer: fs.readFileSync(wavPath) },
          segmentFile: {
            name: "shapes.csv",
            mimeType: "text/csv",
            buffer: Buffer.from(
              `onset,offset\n${synth.calls.map((c) => `${c.onset},${c.offset}`).join("\n")}\n`,
            ),
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
            (s) => s.isActive && s.status === "completed" && s.segmentCount === CALLS,
          ),
        90_000,
      );

      // ── the form: one recording, MFCC, k-means with k = 3 ──
      await page
        .getByRole("navigation", { name: "Workflow" })
        .getByRole("link", { name: "Clustering" })
        .click();
      await page.getByRole("heading", { name: "Clustering", exact: true }).waitFor();
      await page.getByText("No clustering runs yet").waitFor();
      const form = page.getByRole("region", { name: "New clustering run" });
      await form.getByLabel("Calls from").selectOption("recording");
      await form.getByLabel("Recording").selectOption(segmentation.id);
      await form.getByTestId("scope-preview").getByText(`${CALLS} calls in 1 segmentation(s)`).waitFor();
      await form.getByLabel("Features").selectOption("mfcc");
      // one band for every recording of the run (the default bat band), so sample rates do not split clusters
      const band = form.getByRole("group", { name: "Frequency band (kHz)" });
      expect(await band.getByLabel("From").inputValue()).toBe("10");
      await band.getByLabel("To").fill("5");
      await band.getByText("The upper edge must be above the lower one").waitFor();
      expect(await form.getByRole("button", { name: "Start clustering" }).isDisabled()).toBe(true);
      await band.getByLabel("To").fill("120");
      await form.getByLabel("Algorithm").selectOption("kmeans");
      await form.getByLabel("Clusters (k)").fill("3");
      await shot(page, "cl-01-form");
      await form.getByRole("button", { name: "Start clustering" }).click();

      // ── the explorer once the job is done ──
      await page.getByTestId("cluster-count").filter({ hasText: "3" }).waitFor({ timeout: 240_000 });
      const runId = page.url().split("/").at(-1) as string;
      const canvas = page.getByTestId("cluster-scatter");
      await until(
        "the scatter drawn",
        async () => Number(await canvas.getAttribute("data-frames")) > 0,
        20_000,
      );
      await shot(page, "cl-02-explorer");

      const points = await trpcQuery<Points>(page, "clustering.points", { runId });
      const data = decodePoints(points);
      const box = await canvas.boundingBox();
      if (!box) throw new Error("no scatter canvas");
      const width = Number(await canvas.getAttribute("width"));
      const height = Number(await canvas.getAttribute("height"));
      const view = fitView(data.xy, width, height);
      const screen = (i: number) => ({
        x: box.x + toScreenX(view, data.xy[2 * i] as number),
        y: box.y + toScreenY(view, data.xy[2 * i + 1] as number),
      });

      // hover shows the call's spectrogram; a click plays it
      await page.mouse.move(screen(0).x, screen(0).y);
      const hoverImg = page.getByTestId("hover-card").locator("img");
      await hoverImg.waitFor();
      await until("the hover spectrogram loaded", () =>
        hoverImg.evaluate(
          (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0,
        ),
      );
      await page.mouse.click(screen(0).x, screen(0).y);
      await page.getByTestId("picked-call").waitFor();

      // ── lasso the calls of the first cluster ──
      const members = Array.from({ length: data.count }, (_, i) => i).filter((i) => data.cluster[i] === 0);
      expect(members.length).toBeGreaterThan(5);
      const xs = members.map((i) => toScreenX(view, data.xy[2 * i] as number));
      const ys = members.map((i) => toScreenY(view, data.xy[2 * i + 1] as number));
      const [x0, x1, y0, y1] = [
        Math.min(...xs) - 5,
        Math.max(...xs) + 5,
        Math.min(...ys) - 5,
        Math.max(...ys) + 5,
      ];
      const poly = [x0, y0, x1, y0, x1, y1, x0, y1];
      const expected = lassoSelect(data, view, poly).reduce((s, v) => s + v, 0);
      await page.getByRole("button", { name: "Lasso" }).click();
      await page.mouse.move(box.x + x0, box.y + y0);
      await page.mouse.down();
      for (const [px, py] of [
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0 + 1],
      ] as const)
        await page.mouse.move(box.x + px, box.y + py, { steps: 8 });
      await page.mouse.up();
      await page
        .getByTestId("selection-count")
        .filter({ hasText: `${expected} calls selected` })
        .waitFor();
      await shot(page, "cl-03-lasso");
      await page.getByRole("button", { name: "Make the selection a new cluster" }).click();

      // ── the new cluster: name it, map it, apply ──
      const newCluster = page.getByRole("button", { name: /^Cluster 4 \(/ });
      await newCluster.waitFor();
      await newCluster.click();
      const panel = page.getByTestId("cluster-panel");
      await panel.getByLabel("Name").fill("steep FM");
      await panel.getByRole("button", { name: "Save name" }).click();
      await page.getByRole("button", { name: /^steep FM \(/ }).waitFor();
      await panel.getByLabel("Call type").selectOption({ label: "FM" });
      await panel.getByLabel("Mapping confidence (0–1)").fill("0.9");
      await panel.getByRole("button", { name: "Save mapping" }).click();
      await page.getByRole("button", { name: /^steep FM \(.*→ FM/ }).waitFor();
      await page.getByRole("button", { name: "Apply mapping as labels" }).click();
      await page.getByTestId("apply-result").getByText(`${expected} calls labelled.`).waitFor();
      await shot(page, "cl-04-applied");

      const labelled = await stack.database.db.segment.count({
        where: { segmentationId: segmentation.id, label: "FM" },
      });
      expect(labelled).toBe(expected);

      // a review batch of the mapping, made like every task batch
      await page.getByLabel("Review batch name").fill("steep FM review");
      await page.getByRole("button", { name: "Create a task batch to review" }).click();
      await page.getByRole("link", { name: `${expected} tasks created` }).waitFor();
      const run = await stack.database.db.clusteringRun.findUniqueOrThrow({ where: { id: runId } });
      expect(run.name).toContain("mfcc 10–120 kHz");
      expect((run.parameters as { band?: unknown }).band).toEqual({ minHz: 10_000, maxHz: 120_000 });

      const csv = await trpcQuery<{ csv: string }>(page, "clustering.clustersCsv", { runId });
      const lines = csv.csv.trim().split("\n");
      expect(lines[0]).toBe("segment,recording,onset,offset,cluster,cluster_name,confidence,x,y");
      expect(lines).toHaveLength(CALLS + 1);
      expect(lines.filter((l) => l.includes(",steep FM,"))).toHaveLength(expected);
      const mappings = await trpcQuery<{ csv: string }>(page, "clustering.mappingsCsv", { runId });
      // numbered as on the page: the cluster shown as "Cluster 4" before it was named
      expect(mappings.csv).toContain(`4,steep FM,${expected},FM,0.9`);
      expect(consoleErrors).toEqual([]);
    } catch (err) {
      await shot(page, "cl-failure").catch(() => {});
      console.log(`console errors: ${JSON.stringify(consoleErrors)}`);
      console.log(stack.logs());
      throw err;
    }
  }, 600_000);
});
