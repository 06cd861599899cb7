export * from "./api.ts";
export * from "./boss.ts";
export * from "./enqueue.ts";
export * from "./handler.ts";
export * from "./housekeeping.ts";
export * from "./leases.ts";
export * from "./queues.ts";
