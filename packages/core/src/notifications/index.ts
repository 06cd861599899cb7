export * from "./job-outcomes.ts";
export * from "./notifications.ts";
