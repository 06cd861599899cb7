export * from "./audio.ts";
export * from "./media.ts";
