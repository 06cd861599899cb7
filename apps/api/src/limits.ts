// Limits the SPA must honour too; kept free of imports so the browser bundle can take them.

/**
 * Procedures per batched tRPC request. One request ran 200 procedures in the security review; the
 * SPA's batch link splits at the same number, so a legitimate page never hits it.
 */
export const TRPC_MAX_BATCH_SIZE = 50;
