import { PrismaPg } from "@prisma/adapter-pg";
import { type Prisma, PrismaClient } from "./generated/prisma/client.ts";

export * from "./generated/prisma/client.ts";

export type Db = PrismaClient;
/** What `db.$transaction(async (tx) => …)` hands to its callback. */
export type DbTransaction = Prisma.TransactionClient;
/** Functions that work inside or outside a transaction take this. */
export type DbOrTx = PrismaClient | Prisma.TransactionClient;

export interface CreatePrismaClientOptions {
  /** Pool size per client (pg default 10). Tests use small pools because every file has its own DB. */
  max?: number;
  log?: ("query" | "info" | "warn" | "error")[];
}

/**
 * The one way to open the database. Prisma runs its query compiler in WASM (no engine binary,
 * see ../shared/stack.md) and talks to PostgreSQL through node-postgres.
 */
export function createPrismaClient(url: string, options: CreatePrismaClientOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, ...(options.max ? { max: options.max } : {}) });
  return new PrismaClient({ adapter, ...(options.log ? { log: options.log } : {}) });
}
