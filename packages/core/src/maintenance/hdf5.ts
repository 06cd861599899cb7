// generate-missing-hdf5: finds recordings whose spectrogram file is missing or cannot be opened
// and regenerates them with the spectrogram job's own function, throttled so a large backlog
// never starves the lab's interactive work: a bounded number at a time, pausing while the
// machine is busy, checking for cancellation between recordings.
import os from "node:os";
import { isLegacySpectrogramFile, readSpectrogramAttrs } from "@battycoda/audio";
import type { Prisma } from "@battycoda/db";
import { assertMediaKey, type MediaStore } from "../media/store.ts";
import type { ProcessingDeps } from "../processing/deps.ts";
import { generateSpectrogram } from "../processing/spectrogram.ts";
import type { ProcedureReporter } from "./reporter.ts";

export interface GenerateMissingHdf5Options {
  dryRun?: boolean;
  /** Recordings examined per database page (default 50). */
  batchSize?: number;
  /** Spectrograms generated at once (default 1). */
  concurrency?: number;
  /** Pause while the 1-minute load average per core is above this (default 1.5). */
  maxLoadPerCore?: number;
  /** Tests: the load source and the pause between load checks. */
  loadavg?: () => number;
  pauseMs?: number;
  /**
   * Also rewrite readable files in an older encoding (float32 dB, or codes with another step or floor: issue 15) in
   * the current one. On S3 each file is staged to be checked.
   */
  rewriteLegacy?: boolean;
}

export type SpectrogramProblem = "missing" | "unreadable" | "legacy";

export interface GenerateMissingHdf5Result {
  dryRun: boolean;
  scanned: number;
  missing: number;
  unreadable: number;
  legacy: number;
  regenerated: number;
  failed: number;
  /** The recordings found (at most 200), for the dry run's report. */
  found: { id: string; name: string; problem: SpectrogramProblem }[];
}

/** Why a recording's spectrogram needs regenerating, or null when it opens and has frames. */
export async function spectrogramProblem(
  media: MediaStore,
  rec: { spectrogramPath: string | null },
): Promise<SpectrogramProblem | null> {
  if (!rec.spectrogramPath) return "missing";
  try {
    assertMediaKey(rec.spectrogramPath);
  } catch {
    return "missing";
  }
  if (!(await media.stat(rec.spectrogramPath))) return "missing";
  if (!(await hasHdf5Signature(media, rec.spectrogramPath))) return "unreadable";
  // Opening the file is only cheap on a local disk; on S3 a scan of every file would download
  // them all, so there the signature (a ranged read of 8 bytes) is the check.
  const file = media.localPath(rec.spectrogramPath);
  if (!file) return null;
  try {
    const attrs = await readSpectrogramAttrs(file);
    return attrs.nFrames > 0 && attrs.nFreqBins > 0 ? null : "unreadable";
  } catch {
    return "unreadable";
  }
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Our writer puts the superblock at offset 0; anything else is not a file we wrote. */
async function hasHdf5Signature(media: MediaStore, key: string): Promise<boolean> {
  const source = await media.openRandomAccess(key);
  try {
    const buf = Buffer.alloc(8);
    const { bytesRead } = await source.read(buf, 0, 8, 0);
    return bytesRead === 8 && buf.equals(HDF5_SIGNATURE);
  } finally {
    await source.close();
  }
}

/** A readable file in an older encoding (spectrogramProblem has found it readable). */
async function legacyFile(media: MediaStore, key: string): Promise<boolean> {
  return media.withLocalFile(key, (file) => isLegacySpectrogramFile(file)).catch(() => false);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function generateMissingHdf5(
  deps: ProcessingDeps,
  options: GenerateMissingHdf5Options,
  report: ProcedureReporter,
): Promise<GenerateMissingHdf5Result> {
  const { db, media } = deps;
  const dryRun = options.dryRun ?? false;
  const batchSize = Math.max(1, Math.min(1000, Math.floor(options.batchSize ?? 50)));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const maxLoad = options.maxLoadPerCore ?? 1.5;
  const cores = Math.max(1, os.availableParallelism());
  const load = options.loadavg ?? (() => os.loadavg()[0] ?? 0);
  const pauseMs = options.pauseMs ?? 15_000;
  const result: GenerateMissingHdf5Result = {
    dryRun,
    scanned: 0,
    missing: 0,
    unreadable: 0,
    legacy: 0,
    regenerated: 0,
    failed: 0,
    found: [],
  };

  // a split recording's parent has no spectrogram of its own; recordings being processed get one
  const where: Prisma.RecordingWhereInput = {
    NOT: [{ partCount: { not: null }, parentRecordingId: null }],
    processingStatus: { notIn: ["pending", "processing"] },
  };
  const total = await db.recording.count({ where });
  await report.log(
    `${total} recordings to examine${dryRun ? " (dry run: nothing is generated)" : `, ${concurrency} at a time, pausing above load ${maxLoad} per core`}`,
  );

  const waitForQuietMachine = async (): Promise<boolean> => {
    let told = false;
    while (load() / cores > maxLoad) {
      if (!told) await report.log(`Pausing: load ${load().toFixed(2)} on ${cores} cores`);
      told = true;
      if (await report.isCancelled()) return false;
      await sleep(pauseMs);
    }
    if (told) await report.log("Load is down again: resuming");
    return true;
  };

  const regenerate = async (
    rec: { id: string; name: string; spectrogramPath: string | null; filePath: string },
    problem: SpectrogramProblem,
  ) => {
    if (problem === "unreadable" && rec.spectrogramPath)
      // a derived file that cannot be opened; the job only regenerates when none is there
      await media.delete(rec.spectrogramPath).catch(() => {});
    try {
      if (problem === "legacy" && rec.spectrogramPath) {
        // Replaced under its key only once the new file is complete: a failure leaves the old one readable.
        const key = rec.spectrogramPath;
        await media.withLocalFile(rec.filePath, (wav) =>
          media.withLocalOutput(key, (out) => deps.pool.spectrogram(wav, out)),
        );
        result.regenerated++;
        await report.log(`${rec.name}: rewritten in the current encoding`);
        return;
      }
      const r = await generateSpectrogram(deps, rec.id);
      if (r.status === "ready") {
        result.regenerated++;
        await report.log(`${rec.name}: regenerated${r.seconds ? ` in ${r.seconds.toFixed(1)} s` : ""}`);
      } else await report.log(`${rec.name}: ${r.status}${r.reason ? ` (${r.reason})` : ""}`);
    } catch (err) {
      result.failed++;
      await report.log(`${rec.name}: failed: ${(err as Error)?.message ?? String(err)}`);
    }
  };

  let cursor: string | undefined;
  for (;;) {
    if (await report.isCancelled()) {
      await report.log("Cancelled");
      break;
    }
    const page = await db.recording.findMany({
      where: { AND: [where, cursor ? { id: { gt: cursor } } : {}] },
      select: { id: true, name: true, spectrogramPath: true, filePath: true },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    if (page.length === 0) break;
    cursor = page[page.length - 1]?.id;
    const todo: { rec: (typeof page)[number]; problem: SpectrogramProblem }[] = [];
    for (const rec of page) {
      result.scanned++;
      const problem =
        (await spectrogramProblem(media, rec)) ??
        (options.rewriteLegacy && rec.spectrogramPath && (await legacyFile(media, rec.spectrogramPath))
          ? "legacy"
          : null);
      if (!problem) continue;
      result[problem]++;
      if (result.found.length < 200) result.found.push({ id: rec.id, name: rec.name, problem });
      await report.log(`${rec.name} (${rec.id}): spectrogram ${problem}`);
      todo.push({ rec, problem });
    }
    if (!dryRun) {
      // `concurrency` lanes drain this page's list
      let next = 0;
      const lane = async () => {
        while (next < todo.length) {
          if (!(await waitForQuietMachine()) || (await report.isCancelled())) return;
          const item = todo[next++];
          if (item) await regenerate(item.rec, item.problem);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
    }
    await report.progress(
      total > 0 ? result.scanned / total : 1,
      `${result.scanned} of ${total} examined, ${result.missing + result.unreadable + result.legacy} to regenerate, ${result.regenerated} done`,
    );
  }
  await report.log(
    `${dryRun ? "Dry run" : "Done"}: ${result.scanned} examined, ${result.missing} missing, ${result.unreadable} unreadable, ` +
      (options.rewriteLegacy ? `${result.legacy} in an older encoding, ` : "") +
      `${result.regenerated} regenerated, ${result.failed} failed`,
  );
  return result;
}
