import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { SESClient } from "@aws-sdk/client-ses";
import type { Config } from "@battycoda/config";
import { type EmailMessage, recipients } from "./message.ts";

export interface SentEmail {
  /** SES MessageId, or the outbox file's id. */
  id: string;
  transport: "ses" | "outbox";
  /** The outbox file (outbox transport only). */
  path?: string;
}

export interface Mailer {
  transport: "ses" | "outbox";
  send(message: EmailMessage): Promise<SentEmail>;
}

/** What an outbox file contains (one JSON file per message). */
export interface OutboxMessage {
  id: string;
  createdAt: string;
  from: string;
  to: string[];
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
}

type MailerConfig = Pick<Config, "ses" | "defaultFromEmail" | "outboxDir">;

export interface CreateMailerOptions {
  /** Called with each outbox file written (the worker logs it). */
  onOutboxWrite?: (file: string, message: OutboxMessage) => void;
  /** For tests: a prepared client (e.g. pointed at a local double). */
  sesClient?: SESClient;
}

/** AWS SES when both AWS_SES_* keys are set, otherwise JSON files in <DATA_DIR>/outbox. */
export function createMailer(config: MailerConfig, options: CreateMailerOptions = {}): Mailer {
  if (config.ses.enabled && config.ses.accessKeyId && config.ses.secretAccessKey) {
    // The SDK is pinned in the lockfile to releases that support Node 20 (../shared/stack.md);
    // its "later releases need Node 22" warning would only add noise to every worker start.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const { accessKeyId, secretAccessKey } = config.ses;
    // the SDK is loaded with the first email: every API and CLI start would pay for it otherwise
    let sdk: Promise<{
      client: SESClient;
      SendEmailCommand: typeof import("@aws-sdk/client-ses").SendEmailCommand;
    }>;
    const loadSdk = () =>
      (sdk ??= import("@aws-sdk/client-ses").then((mod) => {
        // CommonJS: Node's import() gives its exports by name and as `default`, a split bundle's
        // chunk only as `default`
        const m = mod.default ?? mod;
        return {
          SendEmailCommand: m.SendEmailCommand,
          client:
            options.sesClient ??
            new m.SESClient({
              region: config.ses.region,
              credentials: { accessKeyId, secretAccessKey },
              // retries belong to the job queue, which also survives restarts
              maxAttempts: 1,
            }),
        };
      }));
    return {
      transport: "ses",
      async send(message) {
        const { client, SendEmailCommand } = await loadSdk();
        const out = await client.send(
          new SendEmailCommand({
            Source: message.from ?? config.defaultFromEmail,
            Destination: { ToAddresses: recipients(message) },
            ...(message.replyTo ? { ReplyToAddresses: [message.replyTo] } : {}),
            Message: {
              Subject: { Data: message.subject, Charset: "UTF-8" },
              Body: {
                Text: { Data: message.text, Charset: "UTF-8" },
                ...(message.html ? { Html: { Data: message.html, Charset: "UTF-8" } } : {}),
              },
            },
            ...(config.ses.configurationSet ? { ConfigurationSetName: config.ses.configurationSet } : {}),
          }),
        );
        return { id: out.MessageId ?? "", transport: "ses" };
      },
    };
  }
  return {
    transport: "outbox",
    async send(message) {
      const createdAt = new Date();
      const id = randomUUID();
      const record: OutboxMessage = {
        id,
        createdAt: createdAt.toISOString(),
        from: message.from ?? config.defaultFromEmail,
        to: recipients(message),
        ...(message.replyTo ? { replyTo: message.replyTo } : {}),
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
      };
      await fs.mkdir(config.outboxDir, { recursive: true });
      // sortable by time, readable by recipient
      const slug = record.to[0]?.replace(/[^a-zA-Z0-9@._-]/g, "_").slice(0, 60) ?? "unknown";
      const file = path.join(
        config.outboxDir,
        `${createdAt.toISOString().replace(/[:.]/g, "-")}_${slug}_${id.slice(0, 8)}.json`,
      );
      // write-then-rename so readers never see half a file
      await fs.writeFile(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
      await fs.rename(`${file}.tmp`, file);
      options.onOutboxWrite?.(file, record);
      return { id, transport: "outbox", path: file };
    },
  };
}

/** Messages in an outbox folder, oldest first, optionally only those to `to`. For tests and the CLI. */
export async function readOutbox(
  outboxDir: string,
  filter: { to?: string } = {},
): Promise<(OutboxMessage & { path: string })[]> {
  let names: string[];
  try {
    names = await fs.readdir(outboxDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const out: (OutboxMessage & { path: string })[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    const file = path.join(outboxDir, name);
    const msg = JSON.parse(await fs.readFile(file, "utf8")) as OutboxMessage;
    if (filter.to && !msg.to.some((t) => t.toLowerCase() === filter.to?.toLowerCase())) continue;
    out.push({ ...msg, path: file });
  }
  return out;
}

/** Polls the outbox until a message to `to` (matching `subject` if given) appears. */
export async function waitForOutboxMessage(
  outboxDir: string,
  to: string,
  options: { subject?: RegExp; timeoutMs?: number; after?: Date } = {},
): Promise<OutboxMessage & { path: string }> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (true) {
    const found = (await readOutbox(outboxDir, { to })).filter(
      (m) =>
        (!options.subject || options.subject.test(m.subject)) &&
        (!options.after || new Date(m.createdAt) >= options.after),
    );
    const last = found.at(-1);
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`No email to ${to} arrived in ${outboxDir}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
