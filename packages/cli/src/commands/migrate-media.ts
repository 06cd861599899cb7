import { type Command, Option } from "commander";

export function registerMigrateMedia(program: Command) {
  program
    .command("migrate-media")
    .description(
      "Copy every media object from the current store (MEDIA_STORAGE) to the other one, verifying SHA-256 " +
        "checksums. Resumable (run it again to continue or to catch up), never deletes the source; prints how " +
        "to switch MEDIA_STORAGE afterwards",
    )
    .addOption(new Option("--to <store>", "target store").choices(["s3", "local"]).makeOptionMandatory())
    .option("--dry-run", "list what would be copied, copy nothing")
    .option("--concurrency <n>", "objects copied at once", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--concurrency must be 1–64 (got "${v}")`);
      return n;
    })
    // Loaded only when the command runs (the AWS SDK is heavy): see program.ts.
    .action(async (opts) => (await import("./migrate-media.run.ts")).migrateMediaCommand(opts));
}
