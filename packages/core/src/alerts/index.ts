export * from "./alerts.ts";
export * from "./template.ts";
export * from "./unit-failure.ts";
