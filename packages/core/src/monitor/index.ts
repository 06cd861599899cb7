export * from "./active-jobs.ts";
export * from "./heap.ts";
export * from "./heartbeat.ts";
export * from "./memory.ts";
export * from "./version.ts";
