// `battycoda <command>`: run from the repo root as `pnpm exec battycoda …` (bin/battycoda.mjs
// loads this file through tsx). Later issues add their commands in src/commands/ and register
// them in buildProgram().
import { buildProgram } from "./program.ts";

let code = 0;
try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  // commander has already printed its own usage errors
  if (!(err as { code?: string }).code?.startsWith("commander.")) {
    process.stderr.write(`battycoda: ${(err as Error).message ?? String(err)}\n`);
  }
  code = 1;
}
// Exit explicitly: a library's leftover timer must not keep a finished command alive.
process.exit(code);
