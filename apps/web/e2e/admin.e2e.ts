// The admin panel in a real browser against the real API, worker and PostgreSQL:
// a researcher uploads a recording and the worker draws its spectrogram; the file is then deleted
// from disk. A site admin runs generate-missing-hdf5 from the panel as a dry run (it lists the
// recording, changes nothing) and then for real, watching the live log until the run completes
// and the file is back. Then the admin acts as the researcher: the banner is on every page, admin
// procedures are refused, Stop returns to the admin's own session, and the audit log lists both.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSiteAdmin } from "@battycoda/core/defaults";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  finishRegistration,
  openPage,
  REPO_ROOT,
  type Stack,
  screenshot,
  startStack,
  until,
} from "./harness";

const SOURCE_WAV = path.resolve(REPO_ROOT, "../shared/data/recordings/test-audio.wav");
const SHOTS_DIR =
  process.env.BATTYCODA_E2E_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-shots-"));
const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

const suffix = Date.now().toString(36).slice(-5);
const rita = {
  username: `rita_${suffix}`,
  email: `rita.${suffix}@example.test`,
  password: "Rhinolophus-9-ferrum",
};
const root = {
  username: `root_${suffix}`,
  email: `root.${suffix}@example.test`,
  password: "Nyctalus-noctula-31",
};

let stack: Stack;
let tmpDir: string;
const contexts: BrowserContext[] = [];
const errors: string[] = [];

const shot = (page: Page, name: string) => screenshot(page, SHOTS_DIR, name);

function startsWithHdf5(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(8);
    return fs.readSync(fd, buf, 0, 8, 0) === 8 && buf.equals(HDF5_SIGNATURE);
  } finally {
    fs.closeSync(fd);
  }
}

/** Runs the selected procedure from the panel and waits for the run shown to end; returns its log. */
async function runAndWatch(page: Page, procedure: string): Promise<string> {
  const before = await page
    .getByTestId("maintenance-run")
    .getAttribute("data-run-id")
    .catch(() => null);
  await page.getByRole("button", { name: `Run ${procedure}` }).click();
  const run = page.getByTestId("maintenance-run");
  // the run the click started, not a previous one still shown
  await expect.poll(() => run.getAttribute("data-run-id"), { timeout: 20_000 }).not.toBe(before);
  await expect
    .poll(() => page.getByTestId("run-status").textContent(), { timeout: 180_000, interval: 500 })
    .toMatch(/^(completed|failed|cancelled)$/);
  expect(
    await page.getByTestId("run-status").textContent(),
    (await page.getByTestId("run-log").textContent()) ?? "",
  ).toBe("completed");
  return (await page.getByTestId("run-log").textContent()) ?? "";
}

describe("admin panel", () => {
  beforeAll(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-admin-"));
    stack = await startStack();
    await createSiteAdmin({ db: stack.database.db }, root);
    console.log(`[e2e] API ${stack.baseUrl}; screenshots in ${SHOTS_DIR}`);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await stack?.stop();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it("generate-missing-hdf5 from the panel: dry run, then for real; then acting as a user and back", async () => {
    const db = stack.database.db;
    let page: Page | undefined;
    try {
      // ── a researcher's recording, processed by the worker ──
      const wav = path.join(tmpDir, "pond-night.wav");
      fs.copyFileSync(SOURCE_WAV, wav);
      const researcher = await openPage(stack, contexts, errors, { height: 900, timeoutMs: 20_000 });
      await researcher.goto("/register");
      await researcher.getByLabel("Email").fill(rita.email);
      await researcher.getByLabel("Username").fill(rita.username);
      await researcher.getByLabel("Password", { exact: true }).fill(rita.password);
      await researcher.getByLabel("Confirm password").fill(rita.password);
      await researcher.getByRole("button", { name: "Create account" }).click();
      await finishRegistration(researcher, stack, rita.email);
      await researcher.getByText(`Welcome, ${rita.username}`).first().waitFor();
      await researcher.goto("/recordings/upload");
      await researcher.getByLabel("WAV file").setInputFiles(wav);
      await researcher.getByLabel("Project").selectOption({ label: "Demo Project" });
      await researcher.getByRole("button", { name: "Upload", exact: true }).click();
      await researcher.waitForURL(/\/recordings\/(?!upload$|duplicates$)[^/]+$/);
      const recordingId = researcher.url().split("/").pop() as string;
      const recording = await until(
        "the spectrogram job",
        async () => {
          const r = await db.recording.findUnique({ where: { id: recordingId } });
          return r?.spectrogramPath && r.processingStatus === "ready" ? r : null;
        },
        120_000,
      );
      const mediaRoot = path.join(stack.dataDir, "media");
      const file = path.join(mediaRoot, recording.spectrogramPath as string);
      expect(startsWithHdf5(file)).toBe(true);
      fs.rmSync(file);

      // ── the site admin: dry run, then for real ──
      page = await openPage(stack, contexts, errors, { height: 1000, timeoutMs: 20_000 });
      await page.goto("/login");
      await page.getByLabel("Username or email").fill(root.username);
      await page.getByLabel("Password").fill(root.password);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("navigation", { name: "System" }).getByRole("link", { name: "Admin" }).click();
      await page.getByRole("heading", { name: "Maintenance" }).waitFor();
      await page.getByLabel("Procedure").selectOption("generate-missing-hdf5");
      // the machine running the tests is shared and busy: do not let the run wait for a quiet one
      await page.getByLabel("Pause above load per core").fill("1000");
      expect(await page.getByLabel("Dry run (report only, change nothing)").isChecked()).toBe(true);
      // the dry run also looks for files in an older encoding (there are none: all were just written)
      const legacy = page.getByLabel(/Also rewrite readable files in an older encoding/);
      await legacy.check();

      const dryLog = await runAndWatch(page, "generate-missing-hdf5");
      expect(dryLog).toContain(`${recording.name} (${recording.id}): spectrogram missing`);
      expect(dryLog).toMatch(
        /Dry run: \d+ examined, 1 missing, 0 unreadable, 0 in an older encoding, 0 regenerated, 0 failed/,
      );
      await legacy.uncheck();
      expect(fs.existsSync(file)).toBe(false);
      await shot(page, "a01-dry-run");

      await page.getByLabel("Dry run (report only, change nothing)").uncheck();
      const realLog = await runAndWatch(page, "generate-missing-hdf5");
      expect(realLog).toContain(`${recording.name}: regenerated`);
      expect(realLog).toMatch(/Done: \d+ examined, 1 missing, 0 unreadable, 1 regenerated, 0 failed/);
      expect(startsWithHdf5(file)).toBe(true);
      // both runs are in the list, newest first, and in the audit log
      const runs = page
        .getByRole("table", { name: "Recent procedure runs" })
        .getByRole("button", { name: /^Show log of generate-missing-hdf5/ });
      await expect.poll(() => runs.count()).toBe(2);
      await shot(page, "a02-regenerated");

      // ── acting as the researcher ──
      const users = page.getByRole("region", { name: "Users" });
      await users.getByLabel("Search").fill(rita.username);
      // Granting site admin asks first; dismissed, nothing changes.
      const asked: string[] = [];
      page.once("dialog", (d) => {
        asked.push(d.message());
        void d.dismiss();
      });
      await users.getByRole("button", { name: "Make admin" }).click();
      await expect.poll(() => asked.length).toBe(1);
      expect(asked[0]).toContain(`Make ${rita.username} a site admin?`);
      const ritaRow = await stack.database.db.user.findUniqueOrThrow({ where: { username: rita.username } });
      expect(ritaRow.isSiteAdmin).toBe(false);
      await users.getByRole("button", { name: `Act as ${rita.username}` }).click();
      await page.waitForURL(`${stack.baseUrl}/`);
      const banner = page.getByRole("status", { name: "Acting as another user" });
      await expect.poll(() => banner.textContent()).toContain(`You are acting as ${rita.username}`);
      await page.getByText(`Welcome, ${rita.username}`).first().waitFor();
      expect(
        await page.getByRole("navigation", { name: "System" }).getByRole("link", { name: "Admin" }).count(),
      ).toBe(0);
      await shot(page, "a03-acting-as");
      // on every page
      await page
        .getByRole("navigation", { name: "Workflow" })
        .getByRole("link", { name: "Recordings" })
        .click();
      await page.getByRole("link", { name: recording.name }).first().waitFor();
      expect(await banner.isVisible()).toBe(true);
      // a fresh page load too
      await page.goto("/profile");
      await banner.waitFor();
      // the session is rita's, and no admin's
      const stats = await page.request.get("/trpc/admin.stats");
      expect(stats.status()).toBe(403);
      const key = await page.request.post("/trpc/profile.generateApiKey", { data: null });
      expect(key.status()).toBe(403);

      await banner.getByRole("button", { name: "Stop" }).click();
      await page.waitForURL(`${stack.baseUrl}/admin`);
      await page.getByRole("heading", { name: "Maintenance" }).waitFor();
      expect(await banner.count()).toBe(0);
      expect(await page.getByRole("link", { name: "Your profile" }).textContent()).toBe(root.username);
      expect((await page.request.get("/trpc/admin.stats")).status()).toBe(200);

      await page
        .getByRole("region", { name: "Audit log" })
        .getByLabel("Show")
        .selectOption({ label: "acting as users" });
      const audit = page.getByTestId("audit-log");
      await expect.poll(() => audit.textContent()).toContain("impersonation.stop");
      expect(await audit.textContent()).toContain("impersonation.start");
      await page
        .getByRole("region", { name: "Audit log" })
        .getByLabel("Show")
        .selectOption({ label: "procedures" });
      await expect.poll(async () => (await audit.getByText("maintenance.run").count()) >= 2).toBe(true);
      await shot(page, "a04-audit");

      // ── the panel on a phone: its wide tables scroll inside their cards, the page does not ──
      const phone = await stack.browser.newContext({
        baseURL: stack.baseUrl,
        viewport: { width: 390, height: 844 },
        storageState: await page.context().storageState(),
      });
      contexts.push(phone);
      const mobile = await phone.newPage();
      await mobile.goto("/admin");
      await mobile.getByRole("heading", { name: "Maintenance" }).waitFor();
      await mobile.getByTestId("audit-log").waitFor();
      const width = await mobile.evaluate(() => document.scrollingElement?.scrollWidth ?? 0);
      await shot(mobile, "a05-phone");
      expect(width).toBeLessThanOrEqual(390);
      expect(errors).toEqual([]);
    } catch (err) {
      if (page) await shot(page, "a99-failure").catch(() => {});
      console.error(stack.logs());
      throw err;
    }
  });
});
