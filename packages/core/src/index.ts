// Domain logic shared by the API (tRPC + REST), the CLI and worker jobs: one implementation per
// operation. Functions take (db | mail context, access/actor, input) and throw DomainError.
export * from "./access/index.ts";
export * from "./auth/index.ts";
export * from "./dashboard/index.ts";
export * from "./groups/index.ts";
export * from "./media/index.ts";
export * from "./notifications/index.ts";
export * from "./profile/index.ts";
export * from "./projects/index.ts";
export * from "./recordings/index.ts";
export * from "./security/index.ts";
export * from "./segmentation/index.ts";
export * from "./species/index.ts";
export * from "./uploads/index.ts";
