export * from "./media.ts";
