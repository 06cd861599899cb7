import { afterEach, describe, expect, it, vi } from "vitest";
import { inConstantTime } from "./rate-limit.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("inConstantTime", () => {
  it("answers no sooner than the floor, whether the work was quick or failed", async () => {
    vi.useFakeTimers();
    for (const work of [async () => "done", async () => Promise.reject(new Error("boom"))]) {
      let settled = false;
      const p = inConstantTime(250, work).then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      await vi.advanceTimersByTimeAsync(249);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await p;
      expect(settled).toBe(true);
    }
  });

  it("adds nothing when the work already took longer", async () => {
    vi.useFakeTimers();
    let settled = false;
    const p = inConstantTime(100, () => new Promise((r) => setTimeout(r, 300))).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(300);
    await p;
    expect(settled).toBe(true);
  });
});
