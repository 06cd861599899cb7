// How a maintenance procedure tells the admin what it is doing. The same procedure runs as a
// pg-boss job (progress and log on its Job row, followed in the admin panel) and from the CLI
// (lines on stdout), so procedures talk to this interface and never to either directly.
import type { DbContext } from "../access/context.ts";

export interface ProcedureReporter {
  /** One line of the procedure's log (timestamped by the reporter). */
  log(line: string): Promise<void>;
  /** 0..1 and a short status message. */
  progress(fraction: number, message?: string): Promise<void>;
  /** True once someone cancelled the run; long procedures check it between steps. */
  isCancelled(): Promise<boolean>;
}

const stamp = (line: string, now = new Date()) => `${now.toISOString()} ${line}`;

/** Appends to Job.log in SQL so concurrent appends never overwrite each other. */
export function jobReporter({ db }: DbContext, jobId: string): ProcedureReporter {
  return {
    async log(line) {
      const text = `${stamp(line)}\n`;
      await db.$executeRaw`UPDATE "Job" SET "log" = "log" || ${text}, "updatedAt" = now() WHERE "id" = ${jobId}`;
    },
    async progress(fraction, message) {
      const p = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
      await db.job.updateMany({
        where: { id: jobId, status: "running" },
        data: { progress: p, ...(message !== undefined ? { message } : {}) },
      });
    },
    async isCancelled() {
      const row = await db.job.findUnique({ where: { id: jobId }, select: { status: true } });
      return !row || row.status === "cancelled";
    },
  };
}

/** Prints log lines (the CLI); progress only when the message changes. */
export function printReporter(print: (line: string) => void): ProcedureReporter {
  let last = "";
  return {
    async log(line) {
      print(line);
    },
    async progress(fraction, message) {
      const text = `${Math.round(fraction * 100)}%${message ? ` ${message}` : ""}`;
      if (text !== last) print(text);
      last = text;
    },
    async isCancelled() {
      return false;
    },
  };
}

/** A reporter that drops everything (tests, nested steps). */
export const silentReporter: ProcedureReporter = {
  log: async () => {},
  progress: async () => {},
  isCancelled: async () => false,
};

/** Collects lines in memory and forwards them (tests, and results that quote the log). */
export function both(a: ProcedureReporter, b: ProcedureReporter): ProcedureReporter {
  return {
    async log(line) {
      await Promise.all([a.log(line), b.log(line)]);
    },
    async progress(f, m) {
      await Promise.all([a.progress(f, m), b.progress(f, m)]);
    },
    async isCancelled() {
      return (await a.isCancelled()) || (await b.isCancelled());
    },
  };
}
