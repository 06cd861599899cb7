// `battycoda migrate-media` as an operator runs it: the real binary, a media folder, s3rver.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type LocalS3, startLocalS3 } from "@battycoda/core/maintenance/testing";
import { LocalMediaStore } from "@battycoda/core/media/local-store";
import { S3MediaStore } from "@battycoda/core/media/s3-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = path.resolve(import.meta.dirname, "..", "bin", "battycoda.mjs");
let s3: LocalS3;
let dataDir: string;

beforeAll(async () => {
  s3 = await startLocalS3("cli-media", "lab/media/");
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-cli-media-"));
});
afterAll(async () => {
  await s3?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        MEDIA_S3_BUCKET: s3.backup.bucket,
        MEDIA_S3_PREFIX: s3.backup.prefix,
        MEDIA_S3_ENDPOINT: s3.backup.endpoint ?? "",
        MEDIA_S3_ACCESS_KEY_ID: "S3RVER",
        MEDIA_S3_SECRET_ACCESS_KEY: "S3RVER",
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

describe("battycoda migrate-media", () => {
  it("moves a media folder to S3 and back, with a dry run first", async () => {
    const mediaRoot = path.join(dataDir, "media");
    const local = new LocalMediaStore(mediaRoot);
    await local.write("g1/recordings/r1/audio.wav", Buffer.alloc(400_000, 1));
    await local.write("g1/species/s1/card.png", "png");
    await local.write("g2/models/m1/model.rds", "model");

    const dry = await run(["migrate-media", "--to", "s3", "--dry-run"], { MEDIA_ROOT: mediaRoot });
    // (stderr may hold the AWS SDK's warning that its 2027 releases need Node 22)
    expect(dry.stderr).not.toContain("battycoda:");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      `Dry run: would copy media from ${path.resolve(mediaRoot)} to s3://cli-media/lab/media/`,
    );
    expect(dry.stdout).toMatch(/to copy: +3 \(0\.4 MB\)/);

    const bucket = new S3MediaStore({
      s3: { ...s3.backup, prefix: "lab/media/" },
      cacheDir: path.join(dataDir, "probe-cache"),
      cacheMaxBytes: 1e8,
    });
    const keys = async () => {
      const out: string[] = [];
      for await (const o of bucket.list("")) out.push(o.key);
      return out.sort();
    };
    expect(await keys()).toEqual([]);

    const up = await run(["migrate-media", "--to", "s3"], { MEDIA_ROOT: mediaRoot });
    expect(up.stderr).not.toContain("battycoda:");
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/3\/3 objects · .* · 3 copied, 0 already there/);
    expect(up.stdout).toContain("Set MEDIA_STORAGE=s3");
    expect(up.stdout).toContain("never deletes it");
    expect(await keys()).toEqual([
      "g1/recordings/r1/audio.wav",
      "g1/species/s1/card.png",
      "g2/models/m1/model.rds",
    ]);
    expect((await local.read("g2/models/m1/model.rds")).toString()).toBe("model"); // source kept

    const again = await run(["migrate-media", "--to", "s3"], { MEDIA_ROOT: mediaRoot });
    expect(again.stdout).toMatch(/0 copied, 3 already there/);

    // Now an S3 installation going back to a (new) local folder.
    const back = path.join(dataDir, "media-back");
    const down = await run(["migrate-media", "--to", "local"], { MEDIA_STORAGE: "s3", MEDIA_ROOT: back });
    expect(down.code).toBe(0);
    expect(down.stdout).toContain("Set MEDIA_STORAGE=local");
    expect(fs.readFileSync(path.join(back, "g1/recordings/r1/audio.wav"))).toEqual(Buffer.alloc(400_000, 1));
  }, 90_000);

  it("refuses a target that is the current store, or an S3 target without a bucket", async () => {
    const same = await run(["migrate-media", "--to", "local"], {});
    expect(same.code).toBe(1);
    expect(same.stderr).toContain("MEDIA_STORAGE is already local");
    const noBucket = await run(["migrate-media", "--to", "s3"], { MEDIA_S3_BUCKET: "" });
    expect(noBucket.code).toBe(1);
    expect(noBucket.stderr).toContain("MEDIA_S3_BUCKET is not set");
    const bad = await run(["migrate-media", "--to", "gcs"], {});
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Allowed choices are s3, local/);
  });
});
