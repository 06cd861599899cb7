export * from "./alerts.ts";
export * from "./template.ts";
