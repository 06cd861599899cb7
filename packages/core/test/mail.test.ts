import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { loadConfig } from "@battycoda/config";
import { createTestDatabase, type TestDatabase } from "@battycoda/db/testing";
import { mockClient } from "aws-sdk-client-mock";
import type PgBoss from "pg-boss";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createBoss, registerJobHandler } from "../src/jobs/index.ts";
import {
  createMailer,
  emailSendHandler,
  queueEmail,
  readOutbox,
  waitForOutboxMessage,
} from "../src/mail/index.ts";
import { waitFor } from "./helpers.ts";

const tmpDirs: string[] = [];
function tmp() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-mail-"));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

const sesEnv = {
  AWS_SES_ACCESS_KEY_ID: "AKIATEST",
  AWS_SES_SECRET_ACCESS_KEY: "secret",
  AWS_SES_REGION_NAME: "eu-west-1",
  AWS_SES_CONFIGURATION_SET: "battycoda",
  DEFAULT_FROM_EMAIL: "BattyCoda <noreply@battycoda.example>",
};

describe("outbox mailer", () => {
  it("writes one JSON file per message and reports its path", async () => {
    const dataDir = tmp();
    const config = loadConfig({ DATA_DIR: dataDir }, { persistSecretKey: false });
    const written: string[] = [];
    const mailer = createMailer(config, { onOutboxWrite: (file) => written.push(file) });
    expect(mailer.transport).toBe("outbox");
    const sent = await mailer.send({
      to: "Ana@Example.org",
      subject: "Your code",
      text: "123456",
      html: "<b>123456</b>",
    });
    expect(sent.transport).toBe("outbox");
    expect(sent.path).toBe(written[0]);
    expect(path.dirname(sent.path!)).toBe(path.join(dataDir, "outbox"));
    const onDisk = JSON.parse(fs.readFileSync(sent.path!, "utf8"));
    expect(onDisk).toMatchObject({
      from: "BattyCoda <noreply@localhost>",
      to: ["Ana@Example.org"],
      subject: "Your code",
      text: "123456",
      html: "<b>123456</b>",
    });
    await mailer.send({ to: ["bo@example.org", "cy@example.org"], subject: "Second", text: "x" });
    expect((await readOutbox(config.outboxDir)).map((m) => m.subject)).toEqual(["Your code", "Second"]);
    expect((await readOutbox(config.outboxDir, { to: "ana@example.org" })).length).toBe(1);
    expect((await waitForOutboxMessage(config.outboxDir, "cy@example.org")).subject).toBe("Second");
    expect(fs.readdirSync(config.outboxDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("SES mailer", () => {
  const ses = mockClient(SESClient);
  afterEach(() => ses.reset());

  it("sends through the SDK with the configured sender and configuration set", async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: "ses-1" });
    const mailer = createMailer(loadConfig({ ...sesEnv, DATA_DIR: tmp() }, { persistSecretKey: false }));
    expect(mailer.transport).toBe("ses");
    const sent = await mailer.send({
      to: "ana@example.org",
      subject: "Hi",
      text: "plain",
      html: "<p>html</p>",
    });
    expect(sent).toEqual({ id: "ses-1", transport: "ses" });
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Source: "BattyCoda <noreply@battycoda.example>",
      Destination: { ToAddresses: ["ana@example.org"] },
      Message: {
        Subject: { Data: "Hi", Charset: "UTF-8" },
        Body: { Text: { Data: "plain", Charset: "UTF-8" }, Html: { Data: "<p>html</p>", Charset: "UTF-8" } },
      },
      ConfigurationSetName: "battycoda",
    });
    expect(await readOutbox(path.join(tmp(), "outbox"))).toEqual([]);
  });

  describe("queued through the worker", () => {
    let t: TestDatabase;
    let boss: PgBoss;
    beforeAll(async () => {
      t = await createTestDatabase();
      boss = await createBoss(t.url);
      // the production policy waits 30 s+ between attempts
      await boss.updateQueue("email.send", {
        name: "email.send",
        retryLimit: 3,
        retryDelay: 1,
        retryBackoff: false,
        expireInSeconds: 60,
      });
    });
    afterAll(async () => {
      await boss?.stop({ graceful: false, wait: true });
      await t?.drop();
    });

    it("retries a failed send and completes the job", async () => {
      ses
        .on(SendEmailCommand)
        .rejectsOnce(Object.assign(new Error("Maximum sending rate exceeded."), { name: "Throttling" }))
        .resolves({ MessageId: "ses-2" });
      const mailer = createMailer(loadConfig({ ...sesEnv, DATA_DIR: tmp() }, { persistSecretKey: false }));
      await registerJobHandler({ db: t.db, boss }, "email.send", emailSendHandler(mailer), {
        pollingIntervalSeconds: 0.5,
      });

      const job = await queueEmail(
        { db: t.db, boss },
        {
          to: "ana@example.org",
          subject: "Invitation",
          text: "Join us",
        },
      );
      expect(job).toMatchObject({
        type: "email.send",
        status: "queued",
        message: "Email to ana@example.org: Invitation",
      });

      const afterFirst = await waitFor(
        async () => {
          const j = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
          return j.error ? j : undefined;
        },
        15_000,
        "the first attempt to fail",
      );
      expect(afterFirst.error).toBe("Maximum sending rate exceeded.");

      const done = await waitFor(
        async () => {
          const j = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
          return j.status === "completed" ? j : undefined;
        },
        15_000,
        "the email job to complete",
      );
      expect(done.attempts).toBe(2);
      expect(done.result).toEqual({ id: "ses-2", transport: "ses" });
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
    });

    it("rejects a malformed message before queueing", async () => {
      const before = await t.db.job.count();
      await expect(queueEmail({ db: t.db, boss }, { to: "", subject: "", text: "" })).rejects.toThrow();
      expect(await t.db.job.count()).toBe(before);
    });
  });
});
