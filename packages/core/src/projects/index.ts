export * from "./projects.schemas.ts";
export * from "./projects.ts";
