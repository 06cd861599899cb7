// /api/reference in a real browser under CSP_MODE=strict and enforce: the page renders with its
// styles applied (the nonce'd <style>), runs no script and causes no CSP violation.
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { buildServer } from "../src/server.ts";
import { createTestEnv, type TestEnv } from "./helpers.ts";

const envs: TestEnv[] = [];
afterAll(async () => {
  for (const t of envs) await t.close();
});

describe("/api/reference", () => {
  for (const mode of ["strict", "enforce"] as const) {
    it(`renders under CSP_MODE=${mode} without a violation`, async () => {
      const t = await createTestEnv({ CSP_MODE: mode });
      envs.push(t);
      const app = await buildServer({ deps: t.deps, webDistDir: "/nonexistent" });
      await app.listen({ host: "127.0.0.1", port: 0 });
      const address = app.server.address();
      const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
      const browser = await chromium.launch({
        executablePath: "/usr/bin/chromium",
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
      try {
        const page = await browser.newPage();
        const violations: string[] = [];
        page.on("console", (m) => {
          if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
        });
        const res = await page.goto(`${base}/api/reference`);
        expect(res?.status()).toBe(200);
        expect(res?.headers()["content-security-policy"]).toContain("style-src 'self' 'nonce-");
        expect(await page.locator("h1").count()).toBe(1);
        expect(await page.locator("h1").textContent()).toContain("BattyCoda API");
        // The stylesheet applied: the nav is a fixed-width column with its background.
        // (the browser's getComputedStyle; this package's tsconfig has no DOM types)
        const nav = await page
          .locator("nav")
          .evaluate(
            (el) =>
              (
                globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
              ).getComputedStyle(el).backgroundColor,
          );
        expect(nav).toBe("rgb(244, 246, 248)");
        // Every operation of the document is on the page.
        const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
          paths: Record<string, Record<string, { operationId?: string }>>;
        };
        const ids = Object.values(doc.paths).flatMap((ops) =>
          Object.values(ops).flatMap((op) => (op.operationId ? [op.operationId] : [])),
        );
        expect(ids.length).toBeGreaterThan(50);
        for (const id of ids) expect(await page.locator(`[id="${id}"]`).count(), id).toBe(1);
        expect(await page.locator("script").count()).toBe(0);
        expect(violations).toEqual([]);
      } finally {
        await browser.close();
        await app.close();
      }
    }, 120_000);
  }
});
