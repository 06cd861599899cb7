// `battycoda migrate-media --to s3|local`: migrateMedia from the configured store to the other,
// with a progress line every few seconds and the switch-over steps at the end.
import { getConfig, type MediaStorageKind } from "@battycoda/config";
import { createMediaStore } from "@battycoda/core/media/create-store";
import {
  type MigrationProgress,
  type MigrationResult,
  migrateMedia,
  migrationJournalPath,
} from "@battycoda/core/media/migrate";

const print = (line: string) => process.stdout.write(`${line}\n`);
const PRINT_EVERY_MS = 3000;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const duration = (s: number) =>
  s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;

function progressLine(p: MigrationProgress): string {
  const pct = p.bytes.total > 0 ? Math.floor((100 * p.bytes.done) / p.bytes.total) : 100;
  const rate = p.elapsedSeconds > 0 ? p.bytes.moved / p.elapsedSeconds : 0;
  return [
    `[${String(pct).padStart(3)}%] ${p.objects.done}/${p.objects.total} objects`,
    `${mb(p.bytes.done)} of ${mb(p.bytes.total)}`,
    `${mb(rate)}/s`,
    p.etaSeconds !== null ? `ETA ${duration(p.etaSeconds)}` : "ETA …",
    `${p.objects.copied} copied, ${p.objects.skipped} already there${p.objects.failed ? `, ${p.objects.failed} FAILED` : ""}`,
  ].join(" · ");
}

export async function migrateMediaCommand(opts: {
  to: MediaStorageKind;
  dryRun?: boolean;
  concurrency?: number;
}) {
  const config = getConfig();
  const from = config.mediaStorage.kind;
  if (opts.to === from)
    throw new Error(
      `MEDIA_STORAGE is already ${from}: the source of a migration is the current store, so --to must be the other one`,
    );
  const source = createMediaStore(config);
  const target = createMediaStore(config, opts.to);
  print(
    `${opts.dryRun ? "Dry run: would copy" : "Copying"} media from ${source.location} to ${target.location}`,
  );

  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    print("Stopping after the copies under way (Ctrl-C again to quit now; nothing half-written is left)…");
    stop.abort();
  };
  process.on("SIGINT", onSigint);
  let lastPrint = 0;
  let result: MigrationResult;
  try {
    result = await migrateMedia({ media: source }, target, {
      dryRun: Boolean(opts.dryRun),
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      journalPath: migrationJournalPath(config.dataDir, source, target),
      signal: stop.signal,
      onProgress: (p) => {
        if (p.phase === "done" || Date.now() - lastPrint < PRINT_EVERY_MS) return;
        lastPrint = Date.now();
        print(p.phase === "listing" ? `Listing… ${p.objects.total} objects so far` : progressLine(p));
      },
    });
  } finally {
    process.off("SIGINT", onSigint);
  }

  if (result.plan) {
    const { copy, copyBytes, check, checkBytes, journaled } = result.plan;
    print(`${result.objects.total} objects, ${mb(result.bytes.total)} in ${source.location}`);
    print(`  to copy:                        ${copy} (${mb(copyBytes)})`);
    print(`  present, same size (hashed):    ${check} (${mb(checkBytes)})`);
    print(`  already copied and verified:    ${journaled}`);
    print("Nothing was copied (dry run).");
    return;
  }
  print(progressLine(result));
  print(`Finished in ${duration(result.elapsedSeconds)}. The source was not changed.`);
  for (const f of result.failures) print(`FAILED ${f.key}: ${f.error}`);
  if (result.failures.length > 0)
    throw new Error(`${result.failures.length} object(s) failed: run the same command again to retry them`);
  if (result.interrupted) {
    print("Interrupted: run the same command again to continue where it stopped.");
    return;
  }
  print("");
  print("Every object is in the target and verified. To switch:");
  print("  1. Stop the API and worker processes (or rerun this command right before switching:");
  print("     it copies only what was added since).");
  if (opts.to === "s3")
    print(
      "  2. Set MEDIA_STORAGE=s3 (keep the MEDIA_S3_* settings) in the environment of every API and worker host.",
    );
  else
    print(
      "  2. Set MEDIA_STORAGE=local (MEDIA_ROOT as now) in the environment of every API and worker host.",
    );
  print("  3. Start them again and check a few recordings, spectrograms and images.");
  print(`  4. Only then remove the old media yourself (${source.location}); this command never deletes it.`);
}
