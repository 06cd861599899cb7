export * from "./admin.ts";
export * from "./data.ts";
export * from "./default-classifiers.ts";
export * from "./initialize.ts";
