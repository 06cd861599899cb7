// measure-missing-bands: gives a frequency box to segments stored without one before boxes were measured for them
// (imports without frequencies, segments drawn by hand, runs of the original threshold/energy algorithms). New imports
// queue their own `segmentation.bands` job; this is the same measurement, for data that is already there.
import type { Db } from "@battycoda/db";
import type { MediaStore } from "../media/store.ts";
import type { AudioTaskRunner } from "../segmentation/audio.ts";
import { BOXLESS, measureMissingBands } from "../segmentation/bands-job.ts";
import type { ProcedureReporter } from "./reporter.ts";

export interface MeasureMissingBandsResult {
  /** Segmentations holding segments without a box (all of them on a dry run). */
  segmentations: number;
  /** Their segments without a box. */
  segments: number;
  /** Of those, the ones that got a box (the others hold no call that stands out). */
  measured: number;
  /** Segmentations whose recording could not be read (named in the log). */
  failed: number;
  dryRun: boolean;
}

export async function measureAllMissingBands(
  deps: { db: Db; media: MediaStore; pool?: AudioTaskRunner | null },
  options: { dryRun?: boolean },
  report: ProcedureReporter,
): Promise<MeasureMissingBandsResult> {
  const { db } = deps;
  const dryRun = options.dryRun ?? false;
  const counts = await db.segment.groupBy({
    by: ["segmentationId"],
    where: { ...BOXLESS, segmentation: { status: "completed" } },
    _count: { _all: true },
  });
  const total = counts.reduce((n, c) => n + c._count._all, 0);
  const result: MeasureMissingBandsResult = {
    segmentations: counts.length,
    segments: total,
    measured: 0,
    failed: 0,
    dryRun,
  };
  await report.log(`${total} segments without a frequency box in ${counts.length} segmentations`);
  if (dryRun || total === 0) return result;
  let done = 0;
  for (const c of counts) {
    if (await report.isCancelled()) {
      await report.log("Cancelled");
      break;
    }
    const before = done;
    try {
      const r = await measureMissingBands({ db }, deps, c.segmentationId, {
        isCancelled: () => report.isCancelled(),
        progress: (n) => report.progress((before + n) / total, `Measured ${before + n} of ${total} segments`),
      });
      result.measured += r.measured ?? 0;
    } catch (err) {
      // One unreadable recording must not stop the others: it is named, and the procedure can run again.
      result.failed++;
      await report.log(`Segmentation ${c.segmentationId}: ${(err as Error)?.message ?? String(err)}`);
    }
    done = before + c._count._all;
    await report.progress(done / total, `Measured ${done} of ${total} segments`);
  }
  await report.log(`${result.measured} of ${total} segments got a frequency box`);
  return result;
}
