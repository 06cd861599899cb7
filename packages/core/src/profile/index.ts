export * from "./email-change.ts";
export * from "./profile.schemas.ts";
export * from "./profile.ts";
