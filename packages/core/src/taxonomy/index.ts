export * from "./classifiers.ts";
export * from "./history.ts";
export * from "./merge.ts";
export * from "./preview.ts";
export * from "./reexpress.ts";
export * from "./rename.ts";
export * from "./schemas.ts";
export * from "./split.ts";
