export * from "./uploads.schemas.ts";
export * from "./uploads.ts";
