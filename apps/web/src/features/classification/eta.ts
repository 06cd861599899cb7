/** One observation of a run's progress, as polled. */
export interface ProgressSample {
  /** ms since epoch */
  at: number;
  processed: number;
}

/**
 * Seconds left for a run, from the rate seen across `samples` (oldest first): the newest sample
 * against the oldest within `windowMs`, so a run that waited for the classifier service and then
 * resumed is judged by its current pace, not by the whole wait. Falls back to the average since
 * `startedAt` while fewer than two samples exist. Null when nothing can be estimated yet.
 */
export function runEta(
  run: { processedCount: number; totalCount: number; startedAt: string | null },
  samples: readonly ProgressSample[],
  now: number,
  windowMs = 60_000,
): number | null {
  const left = run.totalCount - run.processedCount;
  if (run.totalCount <= 0 || left <= 0) return null;
  const recent = samples.filter((s) => now - s.at <= windowMs);
  const first = recent[0];
  const last = recent[recent.length - 1];
  if (first && last && last.at > first.at && last.processed > first.processed) {
    const perMs = (last.processed - first.processed) / (last.at - first.at);
    return left / perMs / 1000;
  }
  if (!run.startedAt || run.processedCount <= 0) return null;
  const elapsed = now - new Date(run.startedAt).getTime();
  if (!(elapsed > 0)) return null;
  return (left * elapsed) / run.processedCount / 1000;
}

/** "12 s", "3 min 05 s", "2 h 04 min" — null/NaN → "". */
export function formatEta(seconds: number | null): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s`;
  const total = Math.round(seconds);
  if (total < 3600) {
    const m = Math.floor(total / 60);
    return `${m} min ${String(total % 60).padStart(2, "0")} s`;
  }
  const h = Math.floor(total / 3600);
  return `${h} h ${String(Math.floor((total % 3600) / 60)).padStart(2, "0")} min`;
}

/** Appends a sample unless nothing changed, keeping the list short and time-ordered. */
export function addSample(
  samples: readonly ProgressSample[],
  sample: ProgressSample,
  keep = 30,
): ProgressSample[] {
  const last = samples[samples.length - 1];
  if (last && last.processed === sample.processed) return samples as ProgressSample[];
  // A retried run restarts its count: older samples would give a negative rate.
  const base = last && sample.processed < last.processed ? [] : samples;
  return [...base, sample].slice(-keep);
}
