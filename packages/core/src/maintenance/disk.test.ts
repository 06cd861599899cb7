import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { loadConfig } from "@battycoda/config";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createMailer } from "../mail/mailer.ts";
import { checkDisk, type StatFs, usageOf } from "./disk.ts";
import { silentReporter } from "./reporter.ts";

let t: TestDatabase;
const HOUR = 3_600_000;
const config = loadConfig(
  {
    DATA_DIR: "/tmp/battycoda-disk-test",
    AWS_SES_ACCESS_KEY_ID: "AKIATEST",
    AWS_SES_SECRET_ACCESS_KEY: "secret",
    DEFAULT_FROM_EMAIL: "ops@example.org",
  },
  { persistSecretKey: false },
);

/** A fake mount: 1 000 000 blocks of 4 KiB, `usedShare` of them used, nothing reserved. */
const mount = (usedShare: number) => async (): Promise<StatFs> => ({
  bsize: 4096,
  blocks: 1_000_000,
  bfree: Math.round(1_000_000 * (1 - usedShare)),
  bavail: Math.round(1_000_000 * (1 - usedShare)),
});

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.user.createMany({
    data: [
      { username: "root", email: "root@example.org", isSiteAdmin: true },
      { username: "plain", email: "plain@example.org" },
    ],
  });
});
afterAll(async () => {
  await t?.drop();
});

it("computes usage as df does (reserved blocks count as used)", () => {
  const u = usageOf({ bsize: 1024, blocks: 100, bfree: 20, bavail: 10 });
  expect(u.usedBytes).toBe(80 * 1024);
  expect(u.availableBytes).toBe(10 * 1024);
  expect(u.usedFraction).toBeCloseTo(80 / 90, 10);
});

it("a disk at 95 % sends exactly one SES alert per 4-hour period; a disk at 50 % none", async () => {
  const ses = mockClient(SESClient);
  ses.on(SendEmailCommand).resolves({ MessageId: "m-1" });
  // the real SDK client, answered by the local double
  const mailer = createMailer(config, { sesClient: new SESClient({ region: "us-east-1" }) });
  expect(mailer.transport).toBe("ses");
  const ctx = { db: t.db, boss: null, config };
  const paths = [{ label: "media" as const, path: "/srv/media" }];
  const t0 = new Date("2026-12-04T10:00:00Z");

  const first = await checkDisk(ctx, { statfs: mount(0.95), paths, now: t0 }, silentReporter, { mailer });
  expect(first[0]?.usedFraction).toBeCloseTo(0.95, 6);
  expect(first[0]?.alert).toBe("sent");
  const sent = ses.commandCalls(SendEmailCommand);
  expect(sent).toHaveLength(1);
  const input = sent[0]?.args[0].input;
  expect(input?.Destination?.ToAddresses).toEqual(["root@example.org"]);
  expect(input?.Message?.Subject?.Data).toMatch(/media disk 95\.0 % full/);
  expect(input?.Message?.Body?.Html?.Data).toMatch(/<html|<table|<p/i);

  for (const minutes of [1, 60, 239]) {
    const again = await checkDisk(
      ctx,
      { statfs: mount(0.97), paths, now: new Date(t0.getTime() + minutes * 60_000) },
      silentReporter,
      { mailer },
    );
    expect(again[0]?.alert).toBe("throttled");
  }
  expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);

  const calm = await checkDisk(
    ctx,
    { statfs: mount(0.5), paths: [{ label: "database", path: "/srv/db" }], now: t0 },
    silentReporter,
    { mailer },
  );
  expect(calm[0]?.alert).toBeUndefined();
  expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);

  const next = await checkDisk(
    ctx,
    { statfs: mount(0.95), paths, now: new Date(t0.getTime() + 4 * HOUR) },
    silentReporter,
    { mailer },
  );
  expect(next[0]?.alert).toBe("sent");
  expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  ses.restore();
});

it("checks the real media folder when no mount is injected", async () => {
  const r = await checkDisk(
    { db: t.db, boss: null, config },
    { paths: [{ label: "media", path: "/tmp" }], threshold: 1.01 },
    silentReporter,
  );
  expect(r[0]?.totalBytes).toBeGreaterThan(0);
  expect(r[0]?.usedFraction).toBeGreaterThan(0);
  expect(r[0]?.usedFraction).toBeLessThanOrEqual(1);
});
