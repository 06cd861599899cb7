import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const PACKAGE_DIR = path.resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);

export interface PrismaCliResult {
  code: number;
  output: string;
}

export interface RunPrismaCliOptions {
  /**
   * Output that means the command has finished successfully. Prisma 6.19's WASM schema engine
   * leaves a 10 s timer behind, so the CLI lingers for 10 s after its work is done; once this
   * appears we stop waiting and end the process (exit code reported as 0).
   */
  doneWhen?: RegExp;
}

/** Runs the Prisma CLI of this package (with prisma.config.ts) against `databaseUrl`. */
export function runPrismaCli(
  args: string[],
  databaseUrl: string,
  options: RunPrismaCliOptions = {},
): Promise<PrismaCliResult> {
  const cli = require.resolve("prisma/build/index.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: PACKAGE_DIR,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        CHECKPOINT_DISABLE: "1",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let done = false;
    const onData = (d: Buffer) => {
      output += d.toString();
      if (!done && options.doneWhen?.test(output)) {
        done = true;
        // let it flush what it is writing, then stop the idle process
        setTimeout(() => child.kill("SIGTERM"), 100);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: done ? 0 : (code ?? 1), output }));
  });
}

/** Applies the committed migrations in prisma/migrations (`prisma migrate deploy`). */
export async function migrateDatabase(databaseUrl: string): Promise<string> {
  const { code, output } = await runPrismaCli(["migrate", "deploy"], databaseUrl, {
    doneWhen: /All migrations have been successfully applied\.|No pending migrations to apply\./,
  });
  if (code !== 0) throw new Error(`prisma migrate deploy failed (exit ${code}):\n${output.trim()}`);
  return output;
}
