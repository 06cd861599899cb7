export * from "./csp-reports.ts";
