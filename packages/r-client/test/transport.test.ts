// Client behaviour that needs no R: server down, timeouts, malformed answers, error mapping.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  findFreePort,
  modelFromBytes,
  predict,
  RClient,
  RServerInternalError,
  RServerRequestError,
  RServerResponseError,
  RServerStartError,
  RServerTimeoutError,
  RServerUnavailableError,
  startRServer,
  trainClassifier,
} from "../src/index.ts";

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    ),
  );
});

/** A fake "R server" answering every request with `handler`. */
async function fakeServer(handler: http.RequestListener): Promise<string> {
  const srv = http.createServer(handler);
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

const aModel = modelFromBytes(Buffer.from("not really a model"));

describe("r-client transport", () => {
  it("throws RServerUnavailableError naming the URL when nothing listens", async () => {
    const port = await findFreePort();
    const client = new RClient({ baseUrl: `http://127.0.0.1:${port}` });
    const err = await client.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RServerUnavailableError);
    expect((err as Error).message).toContain(`http://127.0.0.1:${port}/ping`);
    expect((err as RServerUnavailableError).code).toBe("ECONNREFUSED");
    await expect(
      trainClassifier({
        baseUrl: `http://127.0.0.1:${port}`,
        method: "knn",
        features: [{ a: 1 }],
        labels: ["x"],
      }),
    ).rejects.toBeInstanceOf(RServerUnavailableError);
    await expect(
      predict({ baseUrl: `http://127.0.0.1:${port}`, method: "lda", model: aModel, features: [] }),
    ).rejects.toThrow(/unavailable at http:\/\/127\.0\.0\.1:\d+\/predict\/lda/);
  });

  it("times out with RServerTimeoutError when the server does not answer", async () => {
    const url = await fakeServer(() => {
      /* never answers */
    });
    const client = new RClient({ baseUrl: url, timeoutMs: 200 });
    const t0 = Date.now();
    const err = await client.predict({ method: "knn", model: aModel, features: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RServerTimeoutError);
    expect((err as RServerTimeoutError).timeoutMs).toBe(200);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it("maps 4xx to RServerRequestError with the server's message and details", async () => {
    const url = await fakeServer((_req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: "missing feature column(s): 'f3'",
          status: 400,
          details: { missingColumns: ["f3"] },
        }),
      );
    });
    const err = await new RClient({ baseUrl: url })
      .predict({ method: "knn", model: aModel, features: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RServerRequestError);
    const e = err as RServerRequestError;
    expect(e.status).toBe(400);
    expect(e.serverMessage).toBe("missing feature column(s): 'f3'");
    expect(e.details).toEqual({ missingColumns: ["f3"] });
  });

  it("maps 5xx to RServerInternalError, and off-contract bodies to RServerResponseError", async () => {
    let mode = "500";
    const url = await fakeServer((_req, res) => {
      if (mode === "500") {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "internal error: boom" }));
      } else if (mode === "html") {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>hello</html>");
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "ok", rVersion: 4 }));
      }
    });
    const client = new RClient({ baseUrl: url });
    await expect(client.ping()).rejects.toBeInstanceOf(RServerInternalError);
    mode = "html";
    await expect(client.ping()).rejects.toBeInstanceOf(RServerResponseError);
    mode = "wrong-shape";
    await expect(client.ping()).rejects.toBeInstanceOf(RServerResponseError);
  });

  it("honours an AbortSignal", async () => {
    const url = await fakeServer(() => {});
    const ac = new AbortController();
    const p = new RClient({ baseUrl: url }).ping({ signal: ac.signal });
    setTimeout(() => ac.abort(new Error("cancelled by test")), 50);
    await expect(p).rejects.toThrow("cancelled by test");
  });

  it("startRServer reports a missing Rscript and a missing script clearly", async () => {
    await expect(startRServer({ rscript: "/nonexistent/Rscript" })).rejects.toThrow(/not found/);
    await expect(startRServer({ serverScript: "/nonexistent/server.R" })).rejects.toBeInstanceOf(
      RServerStartError,
    );
  });
});
