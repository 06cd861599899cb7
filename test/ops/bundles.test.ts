// The production bundles (scripts/build.ts) run: the CLIs answer --help through their bin
// wrappers, the API answers /health and the worker starts and stops on a real database, the
// audio pool's threads run the bundled worker with the same results as the sources, and a
// bundle is only used while none of its sources changed.
import { execFile, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AudioPool, runTask } from "../../packages/audio/src/pool/index.ts";
import { freshBundle } from "../../scripts/build-fresh.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
let t: TestDatabase;
let tmp: string;

beforeAll(async () => {
  // all five bundles in one esbuild run (≈10–30 s on the shared machine)
  const b = spawnSync(process.execPath, ["--import", "tsx", "scripts/build.ts"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr}${b.stdout}`);
  t = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-bundles-"));
}, 240_000);
afterAll(async () => {
  await t?.drop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe("bundles", () => {
  it("are fresh right after the build and name every source file they contain", () => {
    for (const out of [
      "apps/api/dist/main.mjs",
      "apps/worker/dist/main.mjs",
      "packages/cli/dist/battycoda.mjs",
      "packages/audio/dist/battycoda-audio.mjs",
      "packages/audio/dist/pool-worker.mjs",
    ]) {
      const file = path.join(ROOT, out);
      expect(freshBundle(new URL(`file://${file}`))).toBe(`file://${file}`);
      const manifest = JSON.parse(fs.readFileSync(file.replace(/\.mjs$/, ".inputs.json"), "utf8"));
      expect(manifest.inputs).toContain("pnpm-lock.yaml");
      const code = fs.readFileSync(file, "utf8");
      expect(code).not.toMatch(/tsx\/esm\/api/); // no TypeScript loader inside a bundle
      expect(fs.existsSync(`${file}.map`)).toBe(true);
    }
    const pool = JSON.parse(
      fs.readFileSync(path.join(ROOT, "packages/audio/dist/pool-worker.inputs.json"), "utf8"),
    );
    expect(pool.inputs).toContain("packages/audio/src/pool/worker.ts");
  });

  it("the CLIs answer --help through their bin wrappers", async () => {
    const cli = await run(process.execPath, [path.join(ROOT, "packages/cli/bin/battycoda.mjs"), "--help"]);
    expect(cli.stdout).toMatch(/^Usage: battycoda /);
    expect(cli.stdout).toContain("create-admin");
    const audio = await run(process.execPath, [
      path.join(ROOT, "packages/audio/bin/battycoda-audio.mjs"),
      "--help",
    ]);
    expect(audio.stdout).toMatch(/^Usage: battycoda-audio /);
    expect(audio.stdout).toContain("spectrogram");
  });

  it("the CLI and API load their heavy code only when it is reached (split chunks beside the entry)", () => {
    /** Chunk files an entry imports statically, i.e. loads at start. */
    const staticChunks = (file: string) =>
      [...fs.readFileSync(file, "utf8").matchAll(/^import[^;]*?from\s*"(\.\/[^"]+)"/gm)].map(
        (m) => m[1] as string,
      );
    const dynamicChunks = (file: string) =>
      [...fs.readFileSync(file, "utf8").matchAll(/import\("(\.\/[^"]+)"\)/g)].map((m) => m[1] as string);
    const kb = (file: string) => fs.statSync(file).size / 1024;

    const cli = path.join(ROOT, "packages/cli/dist/battycoda.mjs");
    // `battycoda --help` reads commander and the command definitions: tens of KB, not megabytes
    expect(kb(cli)).toBeLessThan(200);
    const cliStatic = staticChunks(cli).map((c) => path.join(path.dirname(cli), c));
    expect(cliStatic.reduce((sum, f) => sum + kb(f), 0)).toBeLessThan(50);
    const commands = dynamicChunks(cli);
    for (const name of ["maintenance.run", "migrate.run", "create-admin.run", "classifier.run"])
      expect(
        commands.some((c) => c.includes(`battycoda.${name}-`)),
        name,
      ).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(cli.replace(/\.mjs$/, ".inputs.json"), "utf8"));
    for (const c of commands) expect(manifest.chunks).toContain(c.slice(2));

    // the API: the xlsx writer and the SES client are not part of start-up
    const api = path.join(ROOT, "apps/api/dist/main.mjs");
    const apiStatic = [api, ...staticChunks(api).map((c) => path.join(path.dirname(api), c))];
    for (const f of apiStatic) {
      const code = fs.readFileSync(f, "utf8");
      expect(code, f).not.toContain("WorksheetWriter");
      expect(code, f).not.toContain("SESServiceException");
    }
  });

  it("the API bundle serves /health from a real database, with its build stamp", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["--enable-source-maps", "dist/main.mjs"], {
      cwd: path.join(ROOT, "apps/api"),
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        DATA_DIR: tmp,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      await expect
        .poll(
          async () => {
            if (child.exitCode !== null) throw new Error(`API exited: ${output}`);
            return (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok ?? false;
          },
          { timeout: 60_000, interval: 250 },
        )
        .toBe(true);
      const body = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Record<string, string>;
      const stamp = JSON.parse(
        fs.readFileSync(path.join(ROOT, "apps/api/dist/main.inputs.json"), "utf8"),
      ).version;
      expect(body).toMatchObject({ status: "ok", database: "ok", host: os.hostname(), version: stamp });
      // one JSON object per log line (journalctl shows them as they are)
      const lines = output.trim().split("\n").filter(Boolean);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 90_000);

  it("the worker bundle starts, keeps a heartbeat and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--enable-source-maps", "dist/main.mjs"], {
      cwd: path.join(ROOT, "apps/worker"),
      env: { ...process.env, DATABASE_URL: t.url, DATA_DIR: tmp, LOG_LEVEL: "info", SENTRY_DSN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      await expect.poll(() => output, { timeout: 60_000, interval: 200 }).toContain("worker started");
      const beat = await t.db.workerHeartbeat.findFirstOrThrow({ where: { pid: child.pid } });
      const stamp = JSON.parse(
        fs.readFileSync(path.join(ROOT, "apps/worker/dist/main.inputs.json"), "utf8"),
      ).version;
      expect(beat.version).toBe(stamp);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(output).toContain("worker stopped");
    expect(await t.db.workerHeartbeat.count({ where: { pid: child.pid } })).toBe(0);
  }, 90_000);

  it("the audio pool runs the bundled worker thread, with the sources' results", async () => {
    const signal = () => Float32Array.from({ length: 96_000 }, (_, i) => Math.sin(i * 0.37) * 0.2);
    const expected = (await runTask({ type: "spectrogram", channels: [signal()], sampleRate: 192_000 })) as {
      data: Float32Array;
    };
    const bundled = new AudioPool({ threads: 1 });
    const previous = process.env.BATTYCODA_POOL_BUNDLE;
    process.env.BATTYCODA_POOL_BUNDLE = "0";
    const sources = new AudioPool({ threads: 1 });
    if (previous === undefined) delete process.env.BATTYCODA_POOL_BUNDLE;
    else process.env.BATTYCODA_POOL_BUNDLE = previous;
    try {
      expect(bundled.bundled).toBe(true);
      expect(sources.bundled).toBe(false);
      for (const pool of [bundled, sources]) {
        const grid = (await pool.run({ type: "spectrogram", channels: [signal()], sampleRate: 192_000 })) as {
          data: Float32Array;
        };
        expect(Buffer.from(grid.data.buffer).equals(Buffer.from(expected.data.buffer))).toBe(true);
      }
    } finally {
      await bundled.destroy();
      await sources.destroy();
    }
  });
});

describe("freshBundle", () => {
  it("accepts a bundle only while it exists and no input is newer than its build", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-fresh-"));
    try {
      fs.mkdirSync(path.join(dir, "src"));
      fs.mkdirSync(path.join(dir, "dist"));
      fs.writeFileSync(path.join(dir, "src", "a.ts"), "export {}");
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(path.join(dir, "src", "a.ts"), old, old);
      const bundle = path.join(dir, "dist", "x.mjs");
      const url = new URL(`file://${bundle}`);
      const manifest = { builtAt: Date.now() - 1000, root: "..", inputs: ["src/a.ts"] };
      fs.writeFileSync(path.join(dir, "dist", "x.inputs.json"), JSON.stringify(manifest));
      expect(freshBundle(url)).toBeNull(); // no bundle
      fs.writeFileSync(bundle, "export {}");
      expect(freshBundle(url)).toBe(`file://${bundle}`);
      process.env.BATTYCODA_SOURCES = "1";
      expect(freshBundle(url)).toBeNull();
      delete process.env.BATTYCODA_SOURCES;
      fs.writeFileSync(path.join(dir, "src", "a.ts"), "export const edited = 1;"); // edited after the build
      expect(freshBundle(url)).toBeNull();
      fs.utimesSync(path.join(dir, "src", "a.ts"), old, old);
      expect(freshBundle(url)).toBe(`file://${bundle}`);
      fs.rmSync(path.join(dir, "src", "a.ts")); // a source that is gone
      expect(freshBundle(url)).toBeNull();
      fs.writeFileSync(path.join(dir, "dist", "x.inputs.json"), "{not json");
      expect(freshBundle(url)).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
