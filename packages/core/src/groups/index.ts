export * from "./groups.schemas.ts";
export * from "./groups.ts";
export * from "./invitations.ts";
export * from "./locate.ts";
export * from "./members.ts";
