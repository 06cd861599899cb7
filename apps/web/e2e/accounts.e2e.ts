// Account flows in a real browser against the real API + worker: password reset and passwordless
// login (code and magic link) with the links read from the outbox, project deletion with the
// API's preview, repertoire image upload, and the API key shown once.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  finishRegistration,
  linkIn,
  type OutboxEmail,
  type Stack,
  startStack,
  waitForEmail,
  waitForEmails,
} from "./harness";

const SHOTS_DIR =
  process.env.BATTYCODA_E2E_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-shots-"));
const suffix = Date.now().toString(36).slice(-5);
const carol = {
  username: `carol_${suffix}`,
  email: `carol.${suffix}@example.test`,
  password: "pipistrellus-3",
};
const newPassword = "rhinolophus-4";
// 2×2 PNG (red, green / blue, white)
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==",
  "base64",
);

let stack: Stack;
let context: BrowserContext;
let page: Page;

async function shot(name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS_DIR, `accounts-${name}.png`), fullPage: true });
}
const seen = (text: string | RegExp) => page.getByText(text).first().waitFor({ state: "visible" });

async function logOut() {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login/);
}

describe("account flows", () => {
  beforeAll(async () => {
    stack = await startStack();
    context = await stack.browser.newContext({
      baseURL: stack.baseUrl,
      viewport: { width: 1280, height: 860 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (err) => console.error(`[browser] ${err.message}`));
    console.log(`[e2e] screenshots in ${SHOTS_DIR}`);
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    await stack?.stop();
  });

  it("password reset, login code, magic link", async () => {
    try {
      await page.goto("/register");
      await page.getByLabel("Email").fill(carol.email);
      await page.getByLabel("Username").fill(carol.username);
      await page.getByLabel("Password", { exact: true }).fill("short");
      await page.getByLabel("Confirm password").fill("short");
      await page.getByRole("button", { name: "Create account" }).click();
      await seen("Password must be at least 8 characters"); // field error from the API's zod formatter
      await page.getByLabel("Password", { exact: true }).fill(carol.password);
      await page.getByLabel("Confirm password").fill(carol.password);
      await page.getByRole("button", { name: "Create account" }).click();
      await finishRegistration(page, stack, carol.email);
      await seen(`Welcome, ${carol.username}`);
      await logOut();

      // password reset
      await page.getByRole("link", { name: "Forgot your password?" }).click();
      await page.getByLabel("Email").fill(carol.email);
      await page.getByRole("button", { name: "Email me a reset link" }).click();
      await seen("we have emailed it a link");
      const reset = await waitForEmail(stack.outboxDir, carol.email, /Reset your BattyCoda password/);
      await page.goto(linkIn(reset, `${stack.baseUrl}/reset-password?token=`));
      await page.getByLabel("New password", { exact: true }).fill(newPassword);
      await page.getByLabel("Confirm new password").fill(newPassword);
      await page.getByRole("button", { name: "Set password" }).click();
      await page.waitForURL(/\/login\?reset=1/);
      await seen("Your password was changed");
      await page.getByLabel("Username or email").fill(carol.username);
      await page.getByLabel("Password").fill(newPassword);
      await page.getByRole("button", { name: "Log in" }).click();
      await seen(`Welcome, ${carol.username}`);
      await logOut();

      // login code
      await page.getByRole("link", { name: "Email me a login code instead" }).click();
      await page.getByLabel("Username or email").fill(carol.username);
      await page.getByRole("button", { name: "Email me a code" }).click();
      await seen("a code is on its way");
      const codeMail = await waitForEmail(stack.outboxDir, carol.email, /login code/);
      const code = codeMail.subject.match(/(\d{6,8})/)?.[1];
      expect(code).toBeTruthy();
      await page.getByLabel("Login code").fill(code ?? "");
      await shot("01-code");
      await page.getByRole("button", { name: "Log in" }).click();
      await seen(`Welcome, ${carol.username}`);
      await logOut();

      // magic link (a second code email; the first one is spent)
      await page.goto("/login/code");
      await page.getByLabel("Username or email").fill(carol.email);
      await page.getByRole("button", { name: "Email me a code" }).click();
      await seen("a code is on its way");
      const codeMails = await waitForEmails(stack.outboxDir, carol.email, /login code/, 2);
      const magic = linkIn(
        codeMails[codeMails.length - 1] as OutboxEmail,
        `${stack.baseUrl}/login/magic?token=`,
      );
      await page.goto(magic);
      await seen(`Welcome, ${carol.username}`);
      // the link is single-use
      const other = await context.browser()?.newContext({ baseURL: stack.baseUrl });
      const p2 = await other?.newPage();
      await p2?.goto(magic);
      await p2?.getByText(/invalid, used or expired/).waitFor();
      await other?.close();
    } catch (err) {
      await shot("failure-auth").catch(() => {});
      console.error(stack.logs());
      throw err;
    }
  });

  it("project deletion preview, repertoire image, API key", async () => {
    try {
      // delete the Demo Project through the confirmation that lists what would be removed
      await page.goto("/projects");
      await page.getByRole("button", { name: "Delete Demo Project" }).click();
      const dialog = page.getByRole("dialog", { name: "Delete Demo Project?" });
      await dialog.getByTestId("delete-preview").getByText("recordings").waitFor();
      expect(await dialog.getByTestId("delete-preview").locator("li").count()).toBe(7);
      await shot("02-delete-preview");
      await dialog.getByRole("button", { name: "Delete project" }).click();
      await dialog.waitFor({ state: "detached" });
      await seen("No projects yet");

      // repertoire image on the starter species
      await page.goto("/species");
      await page.getByRole("table", { name: "Group species" }).getByRole("link").first().click();
      await page
        .getByLabel("Repertoire image file")
        .setInputFiles({ name: "repertoire.png", mimeType: "image/png", buffer: PNG });
      await page.getByAltText("Preview of the chosen repertoire").waitFor();
      await page.getByRole("button", { name: "Upload image" }).click();
      const img = page.getByAltText(/Call repertoire of/);
      await img.waitFor();
      await page.waitForFunction(() => {
        const el = document.querySelector<HTMLImageElement>('img[alt^="Call repertoire of"]');
        return !!el && el.complete && el.naturalWidth === 2;
      });
      await shot("03-species-image");

      // API key: generated, shown once with a copy button, then only its prefix
      await page.getByRole("link", { name: "Your profile" }).click();
      await page.getByRole("button", { name: "Generate key" }).click();
      const key = (await page.getByTestId("api-key").textContent()) ?? "";
      expect(key).toMatch(/^bc_/);
      await page.getByRole("button", { name: "Copy key" }).waitFor();
      await shot("04-api-key");
      await page.reload();
      await seen(/Active key/);
      expect(await page.getByTestId("api-key").count()).toBe(0);
      // the key works against the API
      const res = await fetch(`${stack.baseUrl}/trpc/auth.me`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const body = (await res.json()) as { result?: { data?: { username?: string } } };
      expect(body.result?.data?.username).toBe(carol.username);
    } catch (err) {
      await shot("failure-misc").catch(() => {});
      console.error(stack.logs());
      throw err;
    }
  });
});
