export * from "./dashboard.ts";
