// Public surface of @battycoda/api. The SPA only does `import type { AppRouter }`, which pulls in
// no runtime code; importing this module has no side effects (nothing starts until main.ts).
export type { HttpErrorBody } from "./errors.ts";
export type { AppRouter } from "./router.ts";
export { appRouter, createCaller } from "./router.ts";
export { type BuildServerOptions, buildServer } from "./server.ts";
export { type Context, createInnerContext, type ServerDeps } from "./trpc.ts";
