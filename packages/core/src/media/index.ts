export * from "./audio.ts";
export * from "./create-store.ts";
export * from "./local-store.ts";
export * from "./media.ts";
export * from "./not-found.ts";
export * from "./store.ts";
export * from "./temp-files.ts";
