export * from "./storage.schemas.ts";
export * from "./storage.ts";
export * from "./tus-storage.ts";
export * from "./uploads.schemas.ts";
export * from "./uploads.ts";
