#!/usr/bin/env node
// The production bundle (dist/, made by `pnpm build`) while it is current; otherwise the
// TypeScript sources through tsx (development, or right after an edit).
import { freshBundle } from "../../../scripts/build-fresh.mjs";

const bundle = freshBundle(new URL("../dist/battycoda-audio.mjs", import.meta.url));
if (bundle) {
  await import(bundle);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
