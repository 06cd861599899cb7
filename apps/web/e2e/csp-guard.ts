// Makes any Content-Security-Policy violation fail the e2e suite: every browser context the
// harness hands out reports `securitypolicyviolation` events (and Chromium's own "Refused to …"
// console lines) into one list, and the stack's stop() throws when it is not empty.
import type { Browser, BrowserContext } from "playwright-core";

const MARK = "[csp-violation]";

async function watch(context: BrowserContext, violations: string[]): Promise<void> {
  await context.addInitScript((mark) => {
    document.addEventListener(
      "securitypolicyviolation",
      (e) =>
        console.error(
          `${mark} ${e.disposition} ${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"} at ${e.sourceFile}:${e.lineNumber}`,
        ),
      true,
    );
  }, MARK);
  context.on("console", (msg) => {
    const text = msg.text();
    if (text.startsWith(MARK) || /Refused to .*Content Security Policy/.test(text))
      violations.push(`${msg.location().url || "(page)"}: ${text}`);
  });
}

/** Wraps `browser.newContext` / `newPage` so every context is watched; returns the shared list. */
export function guardCsp(browser: Browser): string[] {
  const violations: string[] = [];
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await watch(context, violations);
    return context;
  };
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on("close", () => void context.close().catch(() => {}));
    return page;
  };
  return violations;
}

export function cspFailure(violations: string[]): Error | null {
  if (violations.length === 0) return null;
  const unique = [...new Set(violations)];
  return new Error(`Content-Security-Policy violations (${unique.length}):\n${unique.join("\n")}`);
}
