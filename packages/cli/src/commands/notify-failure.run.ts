import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { getConfig } from "@battycoda/config";
import { notifyUnitFailure } from "@battycoda/core/alerts";
import { print, withDatabase } from "./context.ts";

const run = promisify(execFile);

/** Output of a systemd tool, or undefined where there is none (containers, tests). */
async function tryRun(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run(cmd, args, { timeout: 10_000, maxBuffer: 1024 * 1024 })).stdout;
  } catch {
    return undefined;
  }
}

export async function notifyFailure(unit: string, opts: { lines: string }) {
  const lines = Number(opts.lines);
  if (!Number.isInteger(lines) || lines < 0) throw new Error("--lines: expected a whole number ≥ 0");
  const [journal, status] = await Promise.all([
    lines > 0
      ? tryRun("journalctl", ["-u", unit, "-n", String(lines), "--no-pager", "-o", "short-iso"])
      : undefined,
    tryRun("systemctl", ["show", unit, "-p", "Result,ExecMainStatus,NRestarts", "--value"]),
  ]);
  await withDatabase(async ({ db }) => {
    const r = await notifyUnitFailure(
      { db, boss: null, config: getConfig() },
      {
        unit,
        ...(journal ? { journal } : {}),
        ...(status?.trim() ? { status: status.trim().split("\n").join(", ") } : {}),
      },
    );
    if (r.sent) print(`Alert about ${unit} sent to ${r.recipients.join(", ")}`);
    else if (r.reason === "throttled")
      print(
        `Alert about ${unit} already sent at ${r.lastSentAt.toISOString()}; not repeated within the hour`,
      );
    else print("No active site admin to alert");
  });
}
