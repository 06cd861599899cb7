export * from "./call-type-import.ts";
export * from "./call-types.ts";
export * from "./copy-species.ts";
export * from "./image.ts";
export * from "./species.schemas.ts";
export * from "./species.ts";
export * from "./starter-species.ts";
