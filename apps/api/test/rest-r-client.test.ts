// docs/r-client.md runs as written: its ```r blocks are extracted, concatenated and run with
// Rscript (Debian r-cran-httr2) against a running API, worker and R server, with two reference
// WAVs as the folder to upload. The script's JSON summary and the server's rows must agree.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BAT_WAV, type ScriptingEnv, SHORT_WAV, startScriptingEnv } from "./rest-env.ts";

const run = promisify(execFile);
const DOC = path.resolve(import.meta.dirname, "../../../docs/r-client.md");

let env: ScriptingEnv;
let dir: string;

beforeAll(async () => {
  env = await startScriptingEnv();
  dir = await mkdtemp(path.join(os.tmpdir(), "battycoda-r-client-"));
}, 120_000);
afterAll(async () => {
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function rCodeOf(markdown: string): string {
  return [...markdown.matchAll(/^```r\n([\s\S]*?)^```$/gm)].map((m) => m[1]).join("\n");
}

describe("docs/r-client.md", () => {
  it("runs the whole R workflow against the server", async () => {
    const code = rCodeOf(await readFile(DOC, "utf8"));
    expect(code).toContain("req_body_multipart");
    const script = path.join(dir, "workflow.R");
    await writeFile(script, code);
    const wavDir = path.join(dir, "wavs");
    const outDir = path.join(dir, "out");
    await mkdir(wavDir);
    await copyFile(BAT_WAV, path.join(wavDir, "bat1.wav"));
    await copyFile(SHORT_WAV, path.join(wavDir, "short.WAV"));

    const { stdout, stderr } = await run("Rscript", [script], {
      env: {
        ...process.env,
        BATTYCODA_URL: env.baseUrl,
        BATTYCODA_API_KEY: env.alice.apiKey,
        WAV_DIR: wavDir,
        OUT_DIR: outDir,
      },
      timeout: 280_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`Rscript failed: ${err.message}\n${err.stderr ?? ""}\n${err.stdout ?? ""}`);
    });
    expect(stderr).toContain("2 recordings ready");
    const summary = JSON.parse(stdout.trim().split("\n").at(-1) as string) as {
      project: string;
      recordings: number;
      segmentations: number;
      calls: number;
      taskBatch: string;
      tasks: number;
      topTypeTasks: number;
    };
    expect(summary.recordings).toBe(2);

    // What the script reports is what the server holds.
    const db = env.t.deps.db;
    const recordings = await db.recording.count({ where: { projectId: summary.project } });
    expect(recordings).toBe(2);
    const runs = await db.classificationRun.findMany({
      where: { segmentation: { recording: { projectId: summary.project } } },
      select: { status: true },
    });
    expect(runs.map((r) => r.status)).toEqual(Array(summary.segmentations).fill("completed"));
    const results = await db.classificationResult.count({
      where: { run: { segmentation: { recording: { projectId: summary.project } } } },
    });
    expect(summary.calls).toBe(results);
    expect(await db.task.count({ where: { batchId: summary.taskBatch } })).toBe(summary.tasks);
    expect(summary.topTypeTasks).toBeGreaterThan(0);

    const zip = await readFile(path.join(outDir, "tasks.zip"));
    expect(zip.subarray(0, 2).toString()).toBe("PK");
    expect((await stat(path.join(outDir, "results-with-probabilities.csv"))).size).toBeGreaterThan(100);
  }, 300_000);
});
