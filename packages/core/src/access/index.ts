export * from "./access.ts";
export * from "./db.ts";
export * from "./errors.ts";
export * from "./services.ts";
