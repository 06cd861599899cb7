export * from "./recordings.schemas.ts";
export * from "./recordings.ts";
export * from "./segment-file.ts";
export * from "./time-expansion.ts";
