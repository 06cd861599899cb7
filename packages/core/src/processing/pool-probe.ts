// Imported once by pool-worker-entry.mjs to find out whether this thread can load TypeScript.
export const probe = true;
