import { z } from "zod";

export const ZEmailMessage = z.object({
  to: z.union([z.string().min(3), z.array(z.string().min(3)).min(1)]),
  subject: z.string().min(1),
  text: z.string(),
  html: z.string().optional(),
  /** Default: DEFAULT_FROM_EMAIL. */
  from: z.string().optional(),
  replyTo: z.string().optional(),
});
export type EmailMessage = z.infer<typeof ZEmailMessage>;

export function recipients(message: Pick<EmailMessage, "to">): string[] {
  return Array.isArray(message.to) ? message.to : [message.to];
}
