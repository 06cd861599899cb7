// The effect on memory is measured by `pnpm bench classification` (worker peak RSS); here: the
// setting is validated, and a process that sets it still runs worker threads (they refuse such
// flags in their execArgv, which is why it is set at run time).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";
import { limitHeapGrowth } from "./heap.ts";

it("refuses a growing percent that is not an integer in 1..300", () => {
  for (const bad of [0, -5, 12.5, 301, Number.NaN]) expect(() => limitHeapGrowth(bad)).toThrow(/1\.\.300/);
});

it("a process with limited heap growth still runs worker threads, and its heap is not capped", () => {
  const script = `
    import { limitHeapGrowth } from ${JSON.stringify(path.join(import.meta.dirname, "heap.ts"))};
    import { Worker } from "node:worker_threads";
    limitHeapGrowth();
    const kept = [];
    for (let i = 0; i < 40; i++) kept.push(new Array(1 << 20).fill(i + 0.5)); // 320 MB of heap, all live
    const sum = await new Promise((resolve, reject) => {
      const w = new Worker("import('node:worker_threads').then((m) => m.parentPort.postMessage(2 + 2))", { eval: true });
      w.once("message", resolve).once("error", reject);
    });
    console.log(JSON.stringify({ kept: kept.length, last: kept[39][5], sum }));
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    encoding: "utf8",
    cwd: import.meta.dirname,
  });
  expect(r.status, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout.trim().split("\n").at(-1) as string)).toEqual({ kept: 40, last: 39.5, sum: 4 });
});
