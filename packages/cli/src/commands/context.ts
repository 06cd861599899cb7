import { type Config, getConfig } from "@battycoda/config";
import { createPrismaClient, type Db } from "@battycoda/db";
import { openDatabase } from "@battycoda/db/embedded";

export interface CommandContext {
  config: Config;
  url: string;
  db: Db;
}

/** Opens the database for one command and always closes it (and a cluster it had to start). */
export async function withDatabase<T>(fn: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const config = getConfig();
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const db = createPrismaClient(handle.url, { max: 2 });
  try {
    return await fn({ config, url: handle.url, db });
  } finally {
    await db.$disconnect();
    await handle.stop();
  }
}

export const print = (line: string) => process.stdout.write(`${line}\n`);
