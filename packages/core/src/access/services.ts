import type { DbContext } from "./context.ts";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Queues an email (the API binds it to `queueEmail(db, boss, …)`; the worker delivers it), so
 * a slow or failing mail provider never blocks a request.
 */
export type SendEmail = (email: OutgoingEmail) => Promise<void>;

/** The context of operations that send email: the database plus the mail queue and link base. */
export interface MailContext extends DbContext {
  sendEmail: SendEmail;
  /** Base URL of the SPA for links in emails, without a trailing slash. */
  publicUrl: string;
}

/** Request facts used for rate limiting and session bookkeeping. */
export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
