import { useRef } from "react";
import { addSample, type ProgressSample, runEta } from "./eta";

type RunLike = {
  id: string;
  status: string;
  processedCount: number;
  totalCount: number;
  startedAt: string | null;
};

/**
 * Remembers each running run's processed count across polls (per component) and returns a
 * function giving its ETA in seconds from the recent rate.
 */
export function useRunEtas(runs: readonly RunLike[] | undefined): (run: RunLike) => number | null {
  const samples = useRef(new Map<string, ProgressSample[]>());
  const now = Date.now();
  for (const r of runs ?? []) {
    if (r.status !== "running") {
      samples.current.delete(r.id);
      continue;
    }
    samples.current.set(
      r.id,
      addSample(samples.current.get(r.id) ?? [], { at: now, processed: r.processedCount }),
    );
  }
  return (run) => (run.status === "running" ? runEta(run, samples.current.get(run.id) ?? [], now) : null);
}
