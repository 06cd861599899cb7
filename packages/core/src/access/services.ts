import type { Db } from "./db.ts";

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

/** What operations that send email need besides the database. */
export interface MailContext {
  db: Db;
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
