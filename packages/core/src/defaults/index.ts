export * from "./data.ts";
export * from "./initialize.ts";
export * from "./admin.ts";
