// The Content-Security-Policy in a real browser: the built SPA starts under CSP_MODE=strict with
// the nonce of its own response, an injected inline handler is refused, the harness's guard sees
// the violation (so any journey that causes one fails), and Chromium's report reaches
// POST /api/csp-report, which stores it (in the database) for the admin page.
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPage, type Stack, startStack } from "./harness";

let stack: Stack;
const contexts: BrowserContext[] = [];
const errors: string[] = [];

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe("Content-Security-Policy in the browser", () => {
  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await stack?.stop();
  });

  it("runs the SPA by nonce, refuses an inline handler, and reports the violation", async () => {
    const page = await openPage(stack, contexts, errors, { height: 800, timeoutMs: 20_000 });
    const res = await page.goto("/");
    const csp = (await res?.allHeaders())?.["content-security-policy"] ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(csp).toContain("'strict-dynamic'");
    expect(nonce).toBeTruthy();
    await page.waitForURL(/\/login/);
    await page.getByRole("link", { name: "Create an account" }).waitFor();
    // The app's module script ran with this response's nonce (the DOM hides the attribute value).
    const scriptNonces = await page.$$eval("script[src]", (els) =>
      els.map((e) => (e as HTMLScriptElement).nonce),
    );
    expect(scriptNonces.length).toBeGreaterThan(0);
    expect(scriptNonces.every((n) => n === nonce)).toBe(true);
    expect(stack.cspViolations).toEqual([]);

    // The classic XSS shape: markup with an inline handler ('strict-dynamic' trusts scripts that
    // scripts create, never handler attributes).
    await page.evaluate(() => {
      const div = document.createElement("div");
      div.innerHTML = '<img src="/nonexistent.png" onerror="window.__injected = true">';
      document.body.appendChild(div);
    });
    const seen = await until("the guard to see the violation", () =>
      stack.cspViolations.length > 0 ? [...stack.cspViolations] : undefined,
    );
    expect(seen.join("\n")).toMatch(/script-src-attr/);
    expect(
      await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected),
    ).toBeUndefined();

    const stored = await until(
      "Chromium's report to be stored",
      async () =>
        (await stack.database.db.cspReport.findFirst({ orderBy: { receivedAt: "asc" } })) ?? undefined,
    );
    expect(stored).toMatchObject({
      documentUri: expect.stringMatching(new RegExp(`^${stack.baseUrl}/login`)),
      effectiveDirective: "script-src-attr",
      blockedUri: "inline",
    });
    // Provoked on purpose: not a failure of this file.
    stack.cspViolations.length = 0;
  });
});
