// The real R server on a free port: lifecycle, training/prediction on synthetic clusters, and the
// server's 4xx errors surfacing as RServerRequestError.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FeatureRow,
  findFreePort,
  isModelNotCached,
  type ModelSource,
  modelFromBytes,
  RClient,
  type RServerHandle,
  RServerInternalError,
  RServerRequestError,
  RServerStartError,
  RServerUnavailableError,
  sha256Hex,
  startRServer,
} from "../src/index.ts";

/** Three well separated clusters in 3 dimensions (deterministic). */
function clusters(perClass = 12): { rows: FeatureRow[]; labels: string[] } {
  const rows: FeatureRow[] = [];
  const labels: string[] = [];
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  ["A", "B", "C"].forEach((label, i) => {
    for (let j = 0; j < perClass; j++) {
      rows.push({ f1: 20 * i + rand(), f2: -10 * i + rand(), f3: 5 + rand() });
      labels.push(label);
    }
  });
  return { rows, labels };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** A ModelSource that counts how often a server asked for the bytes. */
function counted(bytes: Uint8Array): ModelSource & { loads: number } {
  const src = {
    sha256: sha256Hex(bytes),
    loads: 0,
    load: async () => {
      src.loads++;
      return bytes;
    },
  };
  return src;
}

describe("R server (real process)", () => {
  let server: RServerHandle;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "r-client-test-"));
    server = await startRServer({ env: { R_MODEL_CACHE_DIR: path.join(dir, "cache") } });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("answers /ping with R and package versions from its own pid", async () => {
    const ping = await server.client.ping();
    expect(ping.status).toBe("ok");
    expect(ping.pid).toBe(server.pid);
    expect(ping.rVersion).toMatch(/^4\.\d+\.\d+$/);
    for (const pkg of ["plumber", "MASS", "class", "ranger", "jsonlite"])
      expect(ping.packages[pkg]).toMatch(/^\d/);
    expect(ping.methods).toEqual(["knn", "lda", "rf", "ensemble"]);
    expect(ping.training).toMatchObject({ active: 0 });
  });

  it.each(["knn", "lda", "rf", "ensemble"] as const)(
    "%s: separable clusters give CV accuracy 1 and valid probabilities",
    async (method) => {
      const { rows, labels } = clusters();
      const options = method === "knn" ? { k: 3 } : method === "lda" ? {} : { numTrees: 50, numThreads: 1 };
      const trained = await server.client.train({ method, features: rows, labels, options });
      // the model came back as bytes, named by their hash, as stored in the server's cache
      expect(sha256Hex(trained.model)).toBe(trained.modelSha256);
      expect(trained.model.length).toBe(trained.modelSize);
      const cached = await readFile(path.join(dir, "cache", `${trained.modelSha256}.rds`));
      expect(cached.equals(trained.model)).toBe(true);
      expect(trained.classes).toEqual(["A", "B", "C"]);
      expect(trained.cv?.accuracy).toBe(1);
      expect(trained.cv?.balancedAccuracy).toBe(1);
      expect(trained.cv?.confusionMatrix.matrix).toEqual([
        [12, 0, 0],
        [0, 12, 0],
        [0, 0, 12],
      ]);
      expect(trained.featureNames).toEqual(["f1", "f2", "f3"]);

      const test: FeatureRow[] = [
        { f3: 5, f2: 0.1, f1: 0.2, extra: 99 },
        { f1: 20, f2: -10, f3: 5 },
        { f1: 40.3, f2: -20, f3: 5 },
      ];
      const model = counted(trained.model);
      const res = await server.client.predict({ method, model, features: test });
      expect(model.loads).toBe(0); // the server that trained it holds it
      expect(res.predictions.map((p) => p.label)).toEqual(["A", "B", "C"]);
      for (const p of res.predictions) {
        expect(Object.keys(p.probabilities)).toEqual(["A", "B", "C"]);
        expect(sum(Object.values(p.probabilities))).toBeCloseTo(1, 10);
        expect(p.confidence).toBe(Math.max(...Object.values(p.probabilities)));
      }
    },
  );

  it("KNN probabilities are vote fractions over k neighbours", async () => {
    const rows = [0, 1, 2, 10, 11].map((x) => ({ x }));
    const trained = await server.client.train({
      method: "knn",
      features: rows,
      labels: ["a", "a", "a", "b", "b"],
      // the baseline's plain vote fractions (the defaults weight by distance and equalise priors)
      options: { k: 5, cvFolds: 0, weighting: "uniform", prior: "proportional" },
    });
    const res = await server.client.predict({
      method: "knn",
      model: modelFromBytes(trained.model),
      features: [{ x: 5 }],
    });
    expect(res.predictions[0]?.probabilities).toEqual({ a: 0.6, b: 0.4 });
  });

  it("bad input surfaces as RServerRequestError with the server's message", async () => {
    const { rows, labels } = clusters(5);
    const nanRows = rows.map((r, i) => (i === 3 ? { ...r, f2: Number.NaN } : r));
    const err1 = await server.client
      .train({ method: "lda", features: nanRows, labels })
      .catch((e: unknown) => e);
    expect(err1).toBeInstanceOf(RServerRequestError);
    expect((err1 as RServerRequestError).status).toBe(400);
    expect((err1 as RServerRequestError).serverMessage).toMatch(/non-finite.*'f2'.*row\(s\) 4/);

    const lda = modelFromBytes(
      (await server.client.train({ method: "lda", features: rows, labels, options: { cvFolds: 0 } })).model,
    );
    const err2 = await server.client
      .predict({ method: "lda", model: lda, features: [{ f1: 1, f2: 2 }] })
      .catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(RServerRequestError);
    expect((err2 as RServerRequestError).serverMessage).toContain("missing feature column(s): 'f3'");
    expect((err2 as RServerRequestError).details).toEqual({ missingColumns: ["f3"] });

    const err3 = await server.client
      .train({
        method: "knn",
        features: [...rows, { f1: 99, f2: 99, f3: 99 }],
        labels: [...labels, "Lonely"],
      })
      .catch((e: unknown) => e);
    expect((err3 as RServerRequestError).status).toBe(422);
    expect((err3 as RServerRequestError).serverMessage).toMatch(/'Lonely' \(1\)/);

    const err4 = await server.client.downloadModel("0".repeat(64)).catch((e: unknown) => e);
    expect((err4 as RServerRequestError).status).toBe(404);
    expect((err4 as RServerRequestError).code).toBe("model_not_cached");

    const err5 = await server.client
      .predict({ method: "knn", model: lda, features: rows })
      .catch((e: unknown) => e);
    expect((err5 as RServerRequestError).serverMessage).toMatch(/lda model; use POST \/predict\/lda/);

    const err6 = await server.client
      // @ts-expect-error the server writes no file a client names
      .train({ method: "knn", features: rows, labels, modelPath: "/etc/evil.rds" })
      .catch((e: unknown) => e);
    expect((err6 as RServerRequestError).status).toBe(400);
    expect((err6 as RServerRequestError).serverMessage).toMatch(/unknown field.*'modelPath'/);

    const err7 = await server.client
      // @ts-expect-error an unknown option is rejected by the server too
      .train({ method: "knn", features: rows, labels, options: { kk: 1 } })
      .catch((e: unknown) => e);
    expect((err7 as RServerRequestError).serverMessage).toMatch(/unknown option.*'kk'/);
  });

  it("an empty feature list predicts nothing", async () => {
    const { rows, labels } = clusters(4);
    const trained = await server.client.train({
      method: "lda",
      features: rows,
      labels,
      options: { cvFolds: 0 },
    });
    const res = await server.client.predict({
      method: "lda",
      model: modelFromBytes(trained.model),
      features: [],
    });
    expect(res.predictions).toEqual([]);
  });

  it("a server that lacks the model gets it uploaded once, then predicts from its cache", async () => {
    const { rows, labels } = clusters();
    const trained = await server.client.train({
      method: "rf",
      features: rows,
      labels,
      options: { numTrees: 30, numThreads: 1 },
    });
    const other = await startRServer({ env: { R_MODEL_CACHE_DIR: path.join(dir, "other-cache") } });
    try {
      const model = counted(trained.model);
      const first = await other.client.predict({ method: "rf", model, features: rows.slice(0, 4) });
      expect(model.loads).toBe(1);
      const again = await other.client.predict({ method: "rf", model, features: rows.slice(0, 4) });
      expect(model.loads).toBe(1);
      expect(again.predictions).toEqual(first.predictions);
      const here = await server.client.predict({ method: "rf", model, features: rows.slice(0, 4) });
      expect(here.predictions).toEqual(first.predictions);
      const copy = await readFile(path.join(dir, "other-cache", `${trained.modelSha256}.rds`));
      expect(copy.equals(trained.model)).toBe(true);
      expect((await other.client.ping()).modelCache).toMatchObject({ models: 1, bytes: trained.modelSize });

      // bytes that are not the named model: the server refuses them and the client does not loop
      const wrong = { sha256: sha256Hex(Buffer.from("x")), loads: 0, load: async () => trained.model };
      const err = await other.client
        .predict({ method: "rf", model: wrong, features: rows.slice(0, 1) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RServerRequestError);
      expect((err as RServerRequestError).code).toBe("sha256_mismatch");
      expect(isModelNotCached(err)).toBe(false);
    } finally {
      await other.stop();
    }
  });
});

describe("startRServer lifecycle", () => {
  it("stop() ends the process; afterwards calls fail with RServerUnavailableError", async () => {
    const server = await startRServer();
    const url = server.url;
    await server.stop();
    const exit = await server.exited;
    expect(exit.code !== null || exit.signal !== null).toBe(true);
    await server.stop(); // idempotent
    const err = await new RClient({ baseUrl: url }).ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RServerUnavailableError);
    expect((err as Error).message).toContain(url);
  });

  it("refuses a port another process holds instead of talking to the wrong server", async () => {
    const squatter = http.createServer((_q, r) => {
      r.writeHead(200, { "content-type": "application/json" });
      r.end(
        JSON.stringify({
          status: "ok",
          service: "x",
          rVersion: "4.2.2",
          rVersionString: "",
          packages: {},
          methods: [],
          pid: 1,
          uptimeSeconds: 0,
        }),
      );
    });
    await new Promise<void>((r) => squatter.listen(0, "127.0.0.1", () => r()));
    const port = (squatter.address() as AddressInfo).port;
    try {
      const err = await startRServer({ port, startupTimeoutMs: 20_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RServerStartError);
      expect((err as Error).message).toMatch(/exited during startup/);
    } finally {
      squatter.closeAllConnections();
      await new Promise<void>((r) => squatter.close(() => r()));
    }
  });
});

describe("asynchronous training (real process)", () => {
  let server: RServerHandle;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "r-client-async-"));
    server = await startRServer();
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("trains in another process: ping and predict answer while the training is still running", async () => {
    const { rows, labels } = clusters();
    const quick = modelFromBytes(
      (await server.client.train({ method: "lda", features: rows, labels, options: { cvFolds: 0 } })).model,
    );
    // overlapping clusters and many trees: seconds of work in the training process
    const big = clusters(300);
    const noisy = big.rows.map((r, i) => ({
      f1: Number(r.f1) / 40 + (i % 7) * 0.1,
      f2: Number(r.f2) / 40 + (i % 5) * 0.1,
      f3: Number(r.f3),
    }));
    const started = await server.client.startTraining({
      method: "rf",
      features: noisy,
      labels: big.labels,
      options: { numTrees: 4000, numThreads: 1 },
    });
    if (!("trainingId" in started)) throw new Error("training was not asynchronous");
    const ping = await server.client.ping();
    const pred = await server.client.predict({ method: "lda", model: quick, features: rows.slice(0, 5) });
    const status = await server.client.status();
    const after = await server.client.trainingStatus(started.trainingId);
    // all three answered before the training finished
    expect(after.status).toBe("running");
    expect(ping.training?.active).toBe(1);
    expect(ping.training?.jobs[0]?.trainingId).toBe(started.trainingId);
    expect(pred.predictions.map((p) => p.label)).toEqual(["A", "A", "A", "A", "A"]);
    expect(status.state).toBe("busy");
    expect(status.training.active).toBe(1);
    expect(status.packages?.ranger).toMatch(/^\d/);
    const cancelled = await server.client.cancelTraining(started.trainingId);
    expect(cancelled.status).toBe("failed");
    expect((await server.client.status()).state).toBe("up");
  });

  it("train() reports progress and returns out-of-fold predictions for every request row", async () => {
    const { rows, labels } = clusters();
    // a duplicate of row 1 (same label) is dropped before CV and so has no prediction
    const withDup = [...rows, { ...(rows[0] as FeatureRow) }];
    const seen: number[] = [];
    const res = await server.client.train(
      {
        method: "knn",
        features: withDup,
        labels: [...labels, labels[0] as string],
      },
      { onProgress: (p) => seen.push(p.fraction) },
    );
    expect(res.nDuplicatesRemoved).toBe(1);
    expect(res.tuning?.k).toBeGreaterThanOrEqual(1);
    const preds = res.cv?.predictions ?? [];
    expect(preds.map((p) => p.row)).toEqual(rows.map((_, i) => i + 1));
    for (const p of preds) expect(p.label).toBe(labels[p.row - 1]);
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f, i) => i === 0 || f >= (seen[i - 1] as number))).toBe(true);
  });

  it("status() is down (not an exception) when nothing listens", async () => {
    const port = await findFreePort();
    const st = await new RClient({ baseUrl: `http://127.0.0.1:${port}` }).status();
    expect(st.state).toBe("down");
    expect(st.rVersion).toBeNull();
  });

  it("a training that fails in its process surfaces with the server's status and message", async () => {
    const { rows, labels } = clusters();
    const cache = path.join(dir, "broken-cache");
    const broken = await startRServer({ env: { R_MODEL_CACHE_DIR: cache } });
    try {
      // the model cache cannot be written: a file stands where its folder was
      await rm(cache, { recursive: true, force: true });
      await writeFile(cache, "x");
      const err = await broken.client
        .train({ method: "lda", features: rows, labels, options: { cvFolds: 0 } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RServerInternalError);
      expect((err as RServerInternalError).status).toBe(500);
      expect((err as RServerInternalError).serverMessage).toMatch(/model cache/);
    } finally {
      await broken.stop();
    }
  });
});
