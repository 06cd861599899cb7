export * from "./profile.schemas.ts";
export * from "./profile.ts";
