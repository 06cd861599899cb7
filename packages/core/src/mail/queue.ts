import type { DbOrTx, Job } from "@battycoda/db";
import type PgBoss from "pg-boss";
import type { CoreContext } from "../access/context.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import type { JobHandler } from "../jobs/handler.ts";
import { QUEUES } from "../jobs/queues.ts";
import type { Mailer } from "./mailer.ts";
import { type EmailMessage, recipients, ZEmailMessage } from "./message.ts";

/**
 * Queues an email; the worker's `email.send` handler delivers it (with retries), so requests
 * never wait for, or fail because of, the mail provider.
 */
export async function queueEmail(
  { db, boss }: Pick<CoreContext, "db"> & { boss: PgBoss },
  message: EmailMessage,
  meta: { userId?: string | null; groupId?: string | null } = {},
): Promise<Job> {
  const parsed = ZEmailMessage.parse(message);
  return enqueueJob(
    { db, boss },
    {
      type: QUEUES.emailSend,
      payload: { message: parsed },
      userId: meta.userId ?? null,
      groupId: meta.groupId ?? null,
      message: `Email to ${recipients(parsed).join(", ")}: ${parsed.subject}`,
    },
  );
}

/** The worker's handler for `email.send`. */
export function emailSendHandler(mailer: Mailer): JobHandler<"email.send"> {
  return async ({ payload }) => {
    const sent = await mailer.send(ZEmailMessage.parse(payload.message));
    return sent;
  };
}
