export * from "./access.ts";
export * from "./context.ts";
export * from "./db.ts";
export * from "./errors.ts";
export * from "./services.ts";
