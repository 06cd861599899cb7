import { randomBytes } from "node:crypto";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";

/**
 * Outputs this process is writing right now. Temp files carry the writer's pid
 * (`<target>.<pid>.<hex>.tmp`, from the audio package), but a restarted container often gets the
 * same pid again, so "my pid" alone does not mean "still being written".
 */
const writing = new Set<string>();

/** Marks `target` as being written by this process while `fn` runs. */
export async function writingTo<T>(target: string, fn: () => Promise<T>): Promise<T> {
  writing.add(target);
  try {
    return await fn();
  } finally {
    writing.delete(target);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A temp file untouched this long is abandoned even if its pid is alive (other host, pid reuse). */
const ABANDONED_AFTER_MS = 15 * 60_000;

/**
 * Removes temp files of `target` (e.g. `spectrogram.h5.1234.9f3a01bc.tmp`) left by a killed
 * attempt: their writer is gone (dead pid, or this process but not writing it now), or they have
 * not changed for a long time. Returns the names removed.
 */
export async function removeStaleTemps(target: string): Promise<string[]> {
  const dir = path.dirname(target);
  const base = path.basename(target);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    // The store's temp name, or a writer's own temp of that temp (`….tmp.<pid>.<hex>.tmp`).
    const m = /^\.(\d+)\.[0-9a-f]+\.tmp(?:\.\d+\.[0-9a-f]+\.tmp)?$/.exec(name.slice(base.length));
    if (!m) continue;
    const pid = Number(m[1]);
    const full = path.join(dir, name);
    let stale: boolean;
    if (pid === process.pid) stale = !writing.has(target);
    else if (!pidAlive(pid)) stale = true;
    else {
      const st = await stat(full).catch(() => null);
      stale = st !== null && Date.now() - st.mtimeMs > ABANDONED_AFTER_MS;
    }
    if (stale) {
      await rm(full, { force: true });
      removed.push(name);
    }
  }
  return removed;
}

/** A temp name for `target` that removeStaleTemps recognises: `<target>.<pid>.<hex>.tmp`. */
export function tempNameFor(target: string): string {
  return `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
}
