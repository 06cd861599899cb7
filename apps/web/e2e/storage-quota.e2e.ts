// Storage quota in a real browser against the real API + worker: a site admin sets a group's
// quota on the admin page, and the profile page shows that group's usage against it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishRegistration, openPage, type Stack, screenshot, startStack } from "./harness";

const SHOTS_DIR =
  process.env.BATTYCODA_E2E_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-shots-"));
const suffix = Date.now().toString(36).slice(-5);
const dora = {
  username: `dora_${suffix}`,
  email: `dora.${suffix}@example.test`,
  password: "Myotis-daubentonii-77",
};

let stack: Stack;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
let page: Page;

describe("storage quota", () => {
  beforeAll(async () => {
    stack = await startStack();
    page = await openPage(stack, contexts, errors, { height: 900, timeoutMs: 15_000 });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await stack?.stop();
  });

  it("admin sets a group's quota; the profile shows usage against it", async () => {
    try {
      await page.goto("/register");
      await page.getByLabel("Email").fill(dora.email);
      await page.getByLabel("Username").fill(dora.username);
      await page.getByLabel("Password", { exact: true }).fill(dora.password);
      await page.getByLabel("Confirm password").fill(dora.password);
      await page.getByRole("button", { name: "Create account" }).click();
      await finishRegistration(page, stack, dora.email);
      await page.getByText(`Welcome, ${dora.username}`).first().waitFor();

      // no quota yet: site default 0 = unlimited
      await page.goto("/profile");
      await expect
        .poll(() => page.getByTestId("storage-usage").textContent())
        .toMatch(/0 B used \(no quota\)/);

      const db = stack.database.db;
      const user = await db.user.findUniqueOrThrow({ where: { username: dora.username } });
      await db.user.update({ where: { id: user.id }, data: { isSiteAdmin: true } });
      const membership = await db.membership.findFirstOrThrow({
        where: { userId: user.id },
        include: { group: true },
      });

      await page.goto("/admin");
      const input = page.getByLabel(`Quota of ${membership.group.name} in GB`);
      // a value that cannot be a quota says why Save is greyed out
      await input.fill("-1");
      await input
        .locator("xpath=..")
        .getByRole("alert")
        .getByText(/0 or more/)
        .waitFor();
      expect(await input.locator("xpath=..").getByRole("button", { name: "Save" }).isDisabled()).toBe(true);
      await input.fill("0.5");
      await input.locator("xpath=..").getByRole("button", { name: "Save" }).click();
      await expect
        .poll(
          async () =>
            (await db.group.findUniqueOrThrow({ where: { id: membership.groupId } })).storageQuotaBytes,
        )
        .toBe(BigInt(0.5 * 1024 ** 3));
      await page
        .getByRole("row", { name: new RegExp(membership.group.name) })
        .getByText("512 MB")
        .waitFor();
      await screenshot(page, SHOTS_DIR, "quota-admin");

      await page.goto("/profile");
      await expect.poll(() => page.getByTestId("storage-usage").textContent()).toMatch(/0 B used of 512 MB/);
      await page.getByText("A site admin set this group's quota").waitFor();
      await screenshot(page, SHOTS_DIR, "quota-profile");
      expect(errors).toEqual([]);
    } catch (err) {
      console.error(stack.logs());
      throw err;
    }
  });
});
