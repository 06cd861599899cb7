export * from "./admin.ts";
export * from "./data.ts";
export * from "./initialize.ts";
