// Which build is running: the production bundles carry a stamp from the build (esbuild `define`);
// source runs read the checked-out commit from .git without spawning git.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "@battycoda/config";

declare const __BATTYCODA_VERSION__: string | undefined;

let cached: string | undefined;

/** The repository's git folders: `.git` itself, or (worktree, submodule) where its `gitdir:` line points. */
function gitDirs(root: string): { head: string; refs: string } {
  const dotGit = path.join(root, ".git");
  if (!fs.statSync(dotGit).isFile()) return { head: dotGit, refs: dotGit };
  const line = fs.readFileSync(dotGit, "utf8").trim();
  const head = path.resolve(root, line.replace(/^gitdir:\s*/, ""));
  // a worktree keeps HEAD of its own and shares refs with the main checkout (`commondir`)
  let refs = head;
  try {
    refs = path.resolve(head, fs.readFileSync(path.join(head, "commondir"), "utf8").trim());
  } catch {}
  return { head, refs };
}

export function gitCommit(root: string): string | undefined {
  try {
    const dirs = gitDirs(root);
    const head = fs.readFileSync(path.join(dirs.head, "HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 12);
    const ref = head.slice(5);
    try {
      return fs.readFileSync(path.join(dirs.refs, ref), "utf8").trim().slice(0, 12);
    } catch {
      const packed = fs.readFileSync(path.join(dirs.refs, "packed-refs"), "utf8");
      return packed
        .split("\n")
        .find((l) => l.endsWith(` ${ref}`))
        ?.slice(0, 12);
    }
  } catch {
    return undefined;
  }
}

/** BATTYCODA_VERSION, else the build stamp, else `dev+<commit>` from the checkout, else `dev`. */
export function appVersion(): string {
  if (cached) return cached;
  const stamped = typeof __BATTYCODA_VERSION__ === "string" ? __BATTYCODA_VERSION__ : undefined;
  const commit = stamped ? undefined : gitCommit(REPO_ROOT);
  cached = process.env.BATTYCODA_VERSION || stamped || (commit ? `dev+${commit}` : "dev");
  return cached;
}

export function hostName(): string {
  return os.hostname();
}
