import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { gitCommit } from "./version.ts";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-version-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const write = (p: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
  fs.writeFileSync(path.join(root, p), text);
};
const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);

it("reads the checked-out commit of a clone, a worktree and packed refs without running git", () => {
  // a clone on a branch
  write("main/.git/HEAD", "ref: refs/heads/main\n");
  write("main/.git/refs/heads/main", `${A}\n`);
  expect(gitCommit(path.join(root, "main"))).toBe(A.slice(0, 12));

  // a worktree: `.git` is a file; HEAD is its own, refs are the main checkout's
  write("wt/.git", `gitdir: ${path.join(root, "main/.git/worktrees/wt")}\n`);
  write("main/.git/worktrees/wt/commondir", "../..\n");
  write("main/.git/worktrees/wt/HEAD", `${B}\n`);
  expect(gitCommit(path.join(root, "wt"))).toBe(B.slice(0, 12));
  write("main/.git/worktrees/wt/HEAD", "ref: refs/heads/main\n");
  expect(gitCommit(path.join(root, "wt"))).toBe(A.slice(0, 12));

  // a branch only in packed-refs
  write("main/.git/HEAD", "ref: refs/heads/old\n");
  write("main/.git/packed-refs", `# pack-refs with: peeled\n${C} refs/heads/old\n`);
  expect(gitCommit(path.join(root, "main"))).toBe(C.slice(0, 12));

  // not a checkout at all
  expect(gitCommit(path.join(root, "nowhere"))).toBeUndefined();
});
