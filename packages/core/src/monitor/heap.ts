// How far V8 lets a worker's heap grow past its live data before collecting. By default, on a
// host with gigabytes of RAM, the old generation may reach ~4x what survives a full GC: the
// classification bench's worker held 21-24 MB live but 87-130 MB of heap, and peaked at
// 290-300 MB RSS (issue 9's target is 300 MB). Growing by half instead keeps it at ~235 MB at the
// same speed, and unlike --max-old-space-size it caps nothing: a big clustering job still gets
// the memory it needs (the memory monitor watches that).
import v8 from "node:v8";

export const WORKER_HEAP_GROWING_PERCENT = 50;

/**
 * Sets V8's heap growing factor for this process (all its threads: V8 flags are per process) to
 * 1 + percent/100. Call once at start-up, before the work begins. It is set at run time rather
 * than on the node command line so that every way of starting a worker (systemd, start.sh, tests,
 * benches) gets it, and because worker threads refuse such flags in their execArgv.
 */
export function limitHeapGrowth(percent = WORKER_HEAP_GROWING_PERCENT): void {
  if (!Number.isInteger(percent) || percent < 1 || percent > 300)
    throw new Error(`Heap growing percent must be an integer in 1..300, not ${percent}`);
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
