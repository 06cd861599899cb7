// Two real R servers and a dead address behind one pool: calls alternate between the live ones,
// the dead one is stepped around, a stopped server is skipped, a rejected request is not retried
// elsewhere, and with every server gone the caller gets the real "unavailable" error. A model
// trained on one server reaches the other through the pool by itself (uploaded once).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findFreePort,
  type ModelSource,
  type RServerHandle,
  RServerPool,
  RServerRequestError,
  RServerUnavailableError,
  sha256Hex,
  startRServer,
} from "../src/index.ts";

describe("RServerPool (real R processes)", () => {
  let a: RServerHandle;
  let b: RServerHandle;
  let deadUrl: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([startRServer(), startRServer()]);
    deadUrl = `http://127.0.0.1:${await findFreePort()}`;
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("spreads calls over the live servers and steps around a dead one", async () => {
    const pool = new RServerPool([a.url, deadUrl, b.url], { timeoutMs: 10_000 });
    const pids: number[] = [];
    for (let i = 0; i < 6; i++) pids.push((await pool.call((c) => c.ping())).pid);
    expect(new Set(pids)).toEqual(new Set([a.pid, b.pid]));
    expect(pids.filter((p) => p === a.pid).length).toBeGreaterThanOrEqual(2);
    expect(pids.filter((p) => p === b.pid).length).toBeGreaterThanOrEqual(2);
    expect(pool.answered()[deadUrl]).toBe(0);
  });

  it("predicts through the pool with a model only one server trained: the other gets it uploaded once", async () => {
    const features = { f1: [0, 0.2, 0.1, 5, 5.1, 4.9], f2: [1, 1.1, 0.9, 7, 7.2, 6.8] };
    const labels = ["a", "a", "a", "b", "b", "b"];
    const trained = await a.client.train({ method: "lda", features, labels, options: { cvFolds: 0 } });
    const loads: number[] = [];
    const model: ModelSource = {
      sha256: trained.modelSha256,
      load: async () => {
        loads.push(Date.now());
        return trained.model;
      },
    };
    const pool = new RServerPool([a.url, b.url], { timeoutMs: 10_000 });
    for (let i = 0; i < 4; i++) {
      const res = await pool.call((c) =>
        c.predict({ method: "lda", model, features: { f1: [0.1, 5], f2: [1, 7] } }),
      );
      expect(res.predictions.map((p) => p.label)).toEqual(["a", "b"]);
    }
    expect(pool.answered()).toEqual({ [a.url]: 2, [b.url]: 2 });
    expect(loads).toHaveLength(1); // b lacked it once; a trained it
  });

  it("does not try another server for a request R rejects", async () => {
    const pool = new RServerPool([a.url, b.url]);
    let attempts = 0;
    // bytes that are not the named model: refused by the server (sha256_mismatch), on one server only
    const wrong: ModelSource = { sha256: sha256Hex(Buffer.from("y")), load: async () => Buffer.from("z") };
    await expect(
      pool.call((c) => {
        attempts++;
        return c.predict({ method: "knn", model: wrong, features: { f1: [1] } });
      }),
    ).rejects.toBeInstanceOf(RServerRequestError);
    expect(attempts).toBe(1);
  });

  it("keeps answering from the other server when one stops, and fails with the real error when none is left", async () => {
    const pool = new RServerPool([a.url, b.url], { timeoutMs: 10_000 });
    await a.stop();
    const pids = new Set<number>();
    for (let i = 0; i < 4; i++) pids.add((await pool.call((c) => c.ping())).pid);
    expect(pids).toEqual(new Set([b.pid]));
    await b.stop();
    await expect(pool.call((c) => c.ping())).rejects.toBeInstanceOf(RServerUnavailableError);
  });

  it("refuses an empty list of servers", () => {
    expect(() => new RServerPool([])).toThrow(/at least one URL/);
  });
});
