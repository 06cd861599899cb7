// `battycoda classifier train|predict` and `initialize-defaults --features` as a user runs them
// (the real bin, a real PostgreSQL, real R servers; train/predict start their own when none answers).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { findFreePort, type RServerHandle, startRServer } from "@battycoda/r-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = path.resolve(import.meta.dirname, "..", "bin", "battycoda.mjs");
const FEATURES_DIR = path.resolve(import.meta.dirname, "../../../../shared/data/features");
const EFUSCUS = path.join(FEATURES_DIR, "efuscus_features.csv");

let t: TestDatabase;
let dir: string;
let nobody: string;

beforeAll(async () => {
  // Shared data missing in CI must fail the run, not skip it.
  for (const f of ["efuscus_features.csv", "carollia_features.csv"])
    expect(fs.existsSync(path.join(FEATURES_DIR, f)), `${f} in ${FEATURES_DIR}`).toBe(true);
  t = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-cli-classifier-"));
  // A URL where no R server listens: the commands must start their own.
  nobody = `http://127.0.0.1:${await findFreePort()}`;
});
afterAll(async () => {
  await t?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        DATA_DIR: dir,
        MEDIA_ROOT: path.join(dir, "media"),
        R_SERVER_URL: nobody,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("battycoda classifier", () => {
  it("trains (metrics JSON on stdout) and predicts (CSV with one probability per class)", async () => {
    const model = path.join(dir, "efuscus-knn.rds");
    const trained = await run([
      "classifier",
      "train",
      "--features",
      EFUSCUS,
      "--type",
      "knn",
      "--out",
      model,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/starting one/);
    const summary = JSON.parse(trained.stdout);
    expect(summary).toMatchObject({ method: "knn", modelPath: model });
    expect(summary.metrics).toMatchObject({ folds: 5, seed: 42 });
    expect(summary.metrics.balancedAccuracy).toBeGreaterThan(0.2);
    expect(fs.existsSync(model)).toBe(true);
    expect(fs.existsSync(model.replace(/\.rds$/, ".json"))).toBe(true);

    // Prediction input needs no labels.
    const unlabelled = path.join(dir, "unlabelled.csv");
    const lines = fs.readFileSync(EFUSCUS, "utf8").trim().split(/\r?\n/);
    fs.writeFileSync(unlabelled, `${lines.map((l) => l.slice(0, l.lastIndexOf(","))).join("\n")}\n`);
    const predicted = await run(["classifier", "predict", "--model", model, "--features", unlabelled]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const out = predicted.stdout.trim().split("\n");
    const header = out[0]?.split(",") ?? [];
    expect(header).toEqual(["row", "predicted", "confidence", ...summary.classes]);
    expect(out).toHaveLength(lines.length); // header + one line per call
    let agree = 0;
    for (const [i, line] of out.slice(1).entries()) {
      const cells = line.split(",");
      expect(Number(cells[0])).toBe(i + 1);
      const probs = cells.slice(3).map(Number);
      expect(probs.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 9);
      expect(Number(cells[2])).toBe(Math.max(...probs));
      // The predicted class has the top probability (KNN may break a tie either way).
      expect(probs[summary.classes.indexOf(cells[1])]).toBe(Math.max(...probs));
      if (lines[i + 1]?.endsWith(`,${cells[1]}`)) agree++;
    }
    // Predicting its own training calls: far better than the 56 % majority guess.
    expect(agree / (out.length - 1)).toBeGreaterThan(0.7);
  }, 240_000);

  it("rejects a bad CSV naming line and column, writing no model", async () => {
    const bad = path.join(dir, "bad.csv");
    const lines = fs.readFileSync(EFUSCUS, "utf8").split(/\r?\n/);
    lines[3] = (lines[3] as string).replace(/^[^,]*,[^,]*,[^,]*/, "0,0,n/a");
    fs.writeFileSync(bad, lines.join("\n"));
    const model = path.join(dir, "bad.rds");
    const r = await run(["classifier", "train", "--features", bad, "--type", "lda", "--out", model]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 4, column 'duration': not a finite number \(n\/a\)/);
    expect(r.stdout).toBe("");
    expect(fs.existsSync(model)).toBe(false);
  });
});

describe("battycoda initialize-defaults --features", () => {
  let r: RServerHandle;
  beforeAll(async () => {
    r = await startRServer();
  }, 60_000);
  afterAll(async () => {
    await r?.stop();
  });

  it("trains both default global classifiers, then skips them while the tables are unchanged", async () => {
    const first = await run(["initialize-defaults", "--features", FEATURES_DIR], { R_SERVER_URL: r.url });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Default classifiers: 2 created, 0 retrained, 0 unchanged/);
    const rows = () =>
      t.db.classifier.findMany({
        where: { groupId: null, type: { not: "dummy" } },
        include: { species: true },
        orderBy: { name: "asc" },
      });
    const created = await rows();
    expect(created.map((c) => [c.species?.name, c.version])).toEqual([
      ["Carollia perspicillata", 1],
      ["Eptesicus fuscus", 1],
    ]);
    for (const c of created) {
      expect(c.trainingDataHash).toMatch(/^[0-9a-f]{64}$/);
      expect((c.metrics as { folds: number }).folds).toBe(5);
      expect(fs.existsSync(path.join(dir, "media", c.modelPath as string))).toBe(true);
      // Every class the model predicts is a call type of its species.
      const callTypes = await t.db.callType.findMany({ where: { speciesId: c.speciesId as string } });
      const names = new Set(callTypes.map((ct) => ct.shortName));
      for (const cls of c.classes as string[]) expect(names.has(cls), cls).toBe(true);
    }

    const again = await run(["initialize-defaults", "--features", FEATURES_DIR], { R_SERVER_URL: r.url });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Default classifiers: 0 created, 0 retrained, 2 unchanged/);
    expect(await rows()).toEqual(created);
  }, 600_000);

  it("plain initialize-defaults trains nothing", async () => {
    const before = await t.db.classifier.count();
    const plain = await run(["initialize-defaults"], { R_SERVER_URL: r.url });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).not.toMatch(/Default classifiers/);
    expect(await t.db.classifier.count()).toBe(before);
  });
});
