// The tus upload id comes from the URL path only: a query, an encoded slash, extra or doubled
// slashes must never make tus act on an upload other than the one whose group was checked.
import { readFile, stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createMediaStore, tusDir } from "@battycoda/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { socketRequest } from "./http-helpers.ts";
import { createRecordingsEnv, type Party, type RecordingsEnv } from "./recordings-fixtures.ts";

let env: RecordingsEnv;
let base: string;

beforeAll(async () => {
  env = await createRecordingsEnv();
  await env.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await env?.close();
});

/** Raw request: the path is sent byte for byte, as an attacker would. */
const send = (method: string, url: string, headers: Record<string, string>, body?: Buffer) =>
  socketRequest(base, method, url, headers, body);

const tus = (p: Party) => ({ "tus-resumable": "1.0.0", cookie: `bc_session=${p.token}` });
const meta = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString("base64")}`)
    .join(",");

async function createUpload(p: Party, filename: string, length = 1000): Promise<string> {
  const res = await send("POST", "/api/uploads/tus", {
    ...tus(p),
    "upload-length": String(length),
    "upload-metadata": meta({ filename, location: `${filename} secret place` }),
  });
  expect(res.status, res.body).toBe(201);
  return (res.headers.location as string).split("/").pop() as string;
}

/** Every URL shape that names MINE in the path but VICTIM somewhere tus could pick it up. */
const variants = (mine: string, victim: string) => [
  `/api/uploads/tus/${mine}?x=/${victim}`,
  `/api/uploads/tus/${mine}?/${victim}`,
  `/api/uploads/tus/${mine}?x=/${victim}/`,
  `/api/uploads/tus/${mine}?x=//${victim}`,
  `/api/uploads/tus/${mine}?x=%2F${victim}`,
  `/api/uploads/tus/${mine}?x=/a/b/${encodeURIComponent(victim)}`,
  `/api/uploads/tus/${mine}%2F${victim}`,
  `/api/uploads/tus/${mine}%2f${victim}`,
  `/api/uploads/tus/${mine}/${victim}`,
  `/api/uploads/tus/${mine}//${victim}`,
  `/api/uploads/tus//${victim}`,
  `/api/uploads/tus/${victim}/`,
  `/api/uploads/tus/${mine}/../${victim}`,
];

describe("tus ids come from the path, never the query", () => {
  let victim: string;
  let victimFile: string;

  beforeAll(async () => {
    victim = await createUpload(env.b, "victim.wav");
    victimFile = path.join(tusDir(createMediaStore(env.t.config)), victim);
  });

  async function victimUntouched() {
    expect((await stat(victimFile)).size).toBe(0);
    const row = await env.t.deps.db.upload.findUniqueOrThrow({ where: { tusId: victim } });
    expect(row.status).toBe("receiving");
    const head = await send("HEAD", `/api/uploads/tus/${victim}`, tus(env.b));
    expect(head.status).toBe(200);
    expect(head.headers["upload-offset"]).toBe("0");
  }

  it("HEAD never answers with another group's upload", async () => {
    const mine = await createUpload(env.a, "mine.wav");
    for (const url of variants(mine, victim)) {
      const res = await send("HEAD", url, tus(env.a));
      const m = String(res.headers["upload-metadata"] ?? "");
      expect(m, url).not.toContain(Buffer.from("victim.wav").toString("base64"));
      if (res.status === 200) expect(m, url).toContain(Buffer.from("mine.wav").toString("base64"));
      else expect(res.status, url).toBe(404);
    }
    await victimUntouched();
  });

  it("PATCH never appends to another group's upload", async () => {
    for (const shape of variants("MINE", "VICTIM")) {
      const mine = await createUpload(env.a, "mine.wav");
      const url = shape.replaceAll("MINE", mine).replaceAll("VICTIM", victim);
      const res = await send(
        "PATCH",
        url,
        { ...tus(env.a), "upload-offset": "0", "content-type": "application/offset+octet-stream" },
        Buffer.from("attacker bytes"),
      );
      expect([204, 404], `${url}: ${res.body}`).toContain(res.status);
      await victimUntouched();
    }
    expect(await readFile(victimFile)).toHaveLength(0);
  });

  it("DELETE never removes another group's upload or strands its row", async () => {
    for (const shape of variants("MINE", "VICTIM")) {
      const mine = await createUpload(env.a, "mine.wav");
      const url = shape.replaceAll("MINE", mine).replaceAll("VICTIM", victim);
      const res = await send("DELETE", url, tus(env.a));
      expect([204, 404], `${url}: ${res.body}`).toContain(res.status);
      await victimUntouched();
      // a DELETE that was answered acted on the caller's own upload, row and file together
      if (res.status === 204) {
        const row = await env.t.deps.db.upload.findUniqueOrThrow({ where: { tusId: mine } });
        expect(row.status).toBe("failed");
        await expect(stat(path.join(tusDir(createMediaStore(env.t.config)), mine))).rejects.toThrow();
      }
    }
  });

  it("the owner can still use the plain URL", async () => {
    const mine = await createUpload(env.a, "mine.wav", 5);
    const res = await send(
      "PATCH",
      `/api/uploads/tus/${mine}`,
      { ...tus(env.a), "upload-offset": "0", "content-type": "application/offset+octet-stream" },
      Buffer.from("ab"),
    );
    expect(res.status, res.body).toBe(204);
    expect(res.headers["upload-offset"]).toBe("2");
    const del = await send("DELETE", `/api/uploads/tus/${mine}`, tus(env.a));
    expect(del.status).toBe(204);
  });
});
