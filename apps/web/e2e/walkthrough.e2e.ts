// Issue 11's walkthrough, in a real browser against the real API, worker and PostgreSQL:
// forgot-password by username → a used reset link says so when it opens (no form) → upload the real
// bat1_angie_19.wav with its pickle and a truncated copy (its first 30 000 bytes) → the truncated one
// is flagged on its page → the dashboard counts what the database holds → the recordings list shows
// segment counts and sorts by them → the Jobs page names recordings → a link into another of the
// user's groups offers the switch and stays on the page → the notifications page lists the
// truncation warning, filters and marks read → list and recording pages fit a 390 px wide phone.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  finishRegistration,
  linkIn,
  openPage,
  REPO_ROOT,
  type Stack,
  screenshot,
  startStack,
  trpcMutation,
  trpcQuery,
  until,
  waitForEmail,
} from "./harness";

const SOURCE_WAV = path.resolve(REPO_ROOT, "../shared/data/recordings/bat1_angie_19.wav");
const SHOTS_DIR =
  process.env.BATTYCODA_E2E_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-shots-"));

const suffix = Date.now().toString(36).slice(-5);
const user = { username: `walk_${suffix}`, email: `walk.${suffix}@example.test`, password: "pipistrellus-3" };
const newPassword = "rhinolophus-ferrum-9";

let stack: Stack;
let tmpDir: string;
let page: Page;
const contexts: BrowserContext[] = [];
const consoleErrors: string[] = [];
const shot = (p: Page, name: string) => screenshot(p, SHOTS_DIR, `walk-${name}`);
const seen = (p: Page, text: string | RegExp) => p.getByText(text).first().waitFor({ state: "visible" });

type RecordingRow = { id: string; name: string; processingStatus: string; segmentCount: number | null };

async function upload(p: Page, wav: string, pickle?: string): Promise<string> {
  await p.goto("/recordings/upload");
  await p.getByLabel("WAV file").setInputFiles(wav);
  if (pickle) await p.getByLabel("Segment file (optional)").setInputFiles(pickle);
  await p.getByRole("button", { name: "Upload", exact: true }).click();
  await p.waitForURL(/\/recordings\/(?!upload$|duplicates$)[^/]+$/);
  return new URL(p.url()).pathname.split("/").at(-1) as string;
}

describe("walkthrough fixes (issue 11)", () => {
  beforeAll(async () => {
    // Shared data missing in CI must fail the run, not skip it.
    expect(fs.existsSync(SOURCE_WAV), SOURCE_WAV).toBe(true);
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-walk-"));
    stack = await startStack();
    page = await openPage(stack, contexts, consoleErrors, { height: 900, timeoutMs: 20_000 });
    console.log(`[e2e] screenshots in ${SHOTS_DIR}`);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await stack?.stop();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it("walks through the fixed rough edges", async () => {
    try {
      // ── register ──
      await page.goto("/register");
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Username").fill(user.username);
      await page.getByLabel("Password", { exact: true }).fill(user.password);
      await page.getByLabel("Confirm password").fill(user.password);
      await page.getByRole("button", { name: "Create account" }).click();
      await finishRegistration(page, stack, user.email);
      await seen(page, `Welcome, ${user.username}`);
      await page.getByRole("button", { name: "Log out" }).click();
      await page.waitForURL(/\/login/);

      // ── forgot-password by username; a used link says so as soon as it opens ──
      await page.getByRole("link", { name: "Forgot your password?" }).click();
      await page.getByLabel("Username or email").fill(user.username);
      await page.getByRole("button", { name: "Email me a reset link" }).click();
      await seen(page, "we have emailed it a link");
      const mail = await waitForEmail(stack.outboxDir, user.email, /Reset your BattyCoda password/);
      const link = linkIn(mail, `${stack.baseUrl}/reset-password?token=`);
      await page.goto(link);
      await page.getByLabel("New password", { exact: true }).fill(newPassword);
      await page.getByLabel("Confirm new password").fill(newPassword);
      await page.getByRole("button", { name: "Set password" }).click();
      await page.waitForURL(/\/login\?reset=1/);
      await page.goto(link);
      await seen(page, "This reset link is invalid, used or expired");
      expect(await page.getByLabel("New password", { exact: true }).count()).toBe(0);
      await shot(page, "01-used-reset-link");
      await page.goto("/login");
      await page.getByLabel("Username or email").fill(user.username);
      await page.getByLabel("Password").fill(newPassword);
      await page.getByRole("button", { name: "Log in" }).click();
      await seen(page, `Welcome, ${user.username}`);

      // ── uploads: the real file with its 42 segments, and a copy cut after 30 000 bytes ──
      const wav = path.join(tmpDir, "bat1_angie_19.wav");
      fs.copyFileSync(SOURCE_WAV, wav);
      const pickle = path.join(tmpDir, "bat1_angie_19.wav.pickle");
      fs.copyFileSync(`${SOURCE_WAV}.pickle`, pickle);
      const cut = path.join(tmpDir, "angie_cut.wav");
      fs.writeFileSync(cut, fs.readFileSync(SOURCE_WAV).subarray(0, 30_000));
      const fullId = await upload(page, wav, pickle);
      const cutId = await upload(page, cut);
      await page.getByTestId("truncated-notice").waitFor();
      expect(await page.getByTestId("truncated-notice").textContent()).toMatch(
        /declares 8\.\d\d s of audio but the file holds only 0\.17 s/,
      );
      await shot(page, "02-truncated-recording");
      const ready = await until("both recordings ready", async () => {
        const list = await trpcQuery<{ items: RecordingRow[] }>(page, "recordings.list", { sort: "name" });
        return list.items.length === 2 && list.items.every((r) => r.processingStatus === "ready")
          ? list.items
          : null;
      });
      expect(ready.find((r) => r.id === fullId)?.segmentCount).toBe(42);

      // ── dashboard: the database's own figures ──
      const db = stack.database.db;
      const group = await db.group.findFirstOrThrow({
        where: { memberships: { some: { user: { username: user.username } } } },
      });
      const active = await db.segmentation.findFirstOrThrow({
        where: { recordingId: fullId, isActive: true },
      });
      const labelled = await db.segment.findMany({
        where: { segmentationId: active.id },
        take: 3,
        orderBy: { onset: "asc" },
      });
      await db.segment.updateMany({
        where: { id: { in: labelled.map((s) => s.id) } },
        data: { label: "FM" },
      });
      const audio = await db.recording.aggregate({ where: { groupId: group.id }, _sum: { duration: true } });
      await page.goto("/");
      const stat = (label: string) => page.getByTestId(`stat-${label}`).locator(".dash-stat-value");
      await stat("Recordings").waitFor();
      expect(await stat("Recordings").textContent()).toBe("2");
      expect(await stat("Segments").textContent()).toBe("42");
      expect(await stat("Labelled calls").textContent()).toBe("3");
      expect(await stat("Audio").textContent()).toBe(`${(audio._sum.duration ?? 0).toFixed(1)} s`);
      await page.getByTestId("dashboard-activity").getByText("bat1_angie_19").first().waitFor();
      await shot(page, "03-dashboard");

      // ── recordings list: segment counts, sorted on the server ──
      await page.goto("/recordings?sort=segments&order=desc");
      await page.getByTestId("segment-count").first().waitFor();
      const counts = await page.getByTestId("segment-count").allTextContents();
      expect(counts).toEqual(["42", "0"]);
      await page.getByRole("button", { name: /^Segments/ }).click();
      await page.waitForURL(/order=asc/);
      await until("ascending order", async () =>
        (await page.getByTestId("segment-count").allTextContents()).join() === "0,42" ? true : null,
      );
      await seen(page, "truncated");

      // ── Jobs page names the recording, not "recording"; a job cancelled after its work shows no full bar ──
      await db.job.create({
        data: {
          type: "clustering.run",
          status: "cancelled",
          progress: 1,
          groupId: group.id,
          finishedAt: new Date(),
        },
      });
      await page.goto("/jobs");
      await page.getByTestId("job-subject").getByText("bat1_angie_19").first().waitFor();
      await page.getByTestId("job-subject").getByText("angie_cut").first().waitFor();
      const cancelled = page.locator('tr[data-job-status="cancelled"]');
      await cancelled.getByText("stopped at 100 %").waitFor();
      expect(await cancelled.getByRole("progressbar").count()).toBe(0);

      // ── a link into another of the user's groups ──
      const personal = `${user.username}'s group`;
      await trpcMutation(page, "groups.create", { name: `Field team ${suffix}` }); // becomes current
      await page.goto(`/recordings/${fullId}`);
      await page.getByTestId("other-group-notice").waitFor();
      expect(await page.getByTestId("other-group-notice").textContent()).toContain(personal);
      await shot(page, "04-other-group");
      await page.getByRole("button", { name: `Switch to ${personal}` }).click();
      await page.getByRole("heading", { name: /bat1_angie_19/ }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/recordings/${fullId}`);
      // switching from the header keeps the page: away (the notice), and back (the recording)
      const switcher = page.getByLabel("Group", { exact: true });
      await switcher.selectOption({ label: `Field team ${suffix}` });
      await page.getByTestId("other-group-notice").waitFor();
      await switcher.selectOption({ label: `${personal} (personal)` });
      await page.getByRole("heading", { name: /bat1_angie_19/ }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/recordings/${fullId}`);

      // ── notifications page ──
      await page.goto("/notifications");
      const list = page.getByRole("region", { name: "All notifications" });
      await list.getByText("angie_cut is truncated").waitFor();
      await page.getByLabel("Kind").selectOption("classification");
      await list.getByText("No notifications match.").waitFor();
      await page.getByLabel("Kind").selectOption("upload");
      await list.getByText("angie_cut is truncated").waitFor();
      await page.getByRole("button", { name: "Mark all read" }).click();
      await seen(page, "All caught up");
      await page.getByLabel("Show").selectOption("unread");
      await list.getByText("No notifications match.").waitFor();
      await shot(page, "05-notifications");

      // ── a stereo recording: the run form offers its channels, and the preview reads the one chosen ──
      await page.goto(`/recordings/${fullId}/segmentation`);
      const channelField = page.getByLabel("Channel", { exact: true });
      await channelField.waitFor();
      expect(await channelField.locator("option").allTextContents()).toEqual([
        "Automatic (where calls stand out most)",
        "Channel 1",
        "Channel 2",
      ]);
      await channelField.selectOption({ label: "Channel 2" });
      await page.getByRole("button", { name: "Preview", exact: true }).click();
      await page.getByText(/s, channel 2 \(\d+ ms\)/).waitFor();

      // ── 390 px wide: no horizontal overflow on list and recording pages ──
      const phone = await stack.browser.newContext({
        baseURL: stack.baseUrl,
        viewport: { width: 390, height: 844 },
        storageState: await page.context().storageState(),
      });
      contexts.push(phone);
      const mobile = await phone.newPage();
      mobile.setDefaultTimeout(20_000);
      const widths: Record<string, number> = {};
      for (const [route, ready] of [
        ["/", "stat-Recordings"],
        ["/recordings", "segment-count"],
        [`/recordings/${fullId}`, null],
        [`/recordings/${cutId}`, "truncated-notice"],
        [`/recordings/${fullId}/segmentation`, null],
        ["/jobs", "job-subject"],
        ["/notifications", null],
        ["/species", null],
      ] as const) {
        await mobile.goto(route);
        if (ready) await mobile.getByTestId(ready).first().waitFor();
        else await mobile.locator("main h1").first().waitFor();
        await mobile.waitForTimeout(300);
        widths[route] = await mobile.evaluate(() => document.scrollingElement?.scrollWidth ?? 0);
        await shot(mobile, `06-phone${route.replace(/\//g, "_")}`);
      }
      console.log(`[e2e] scroll widths at 390 px: ${JSON.stringify(widths)}`);
      for (const [route, w] of Object.entries(widths)) expect(w, route).toBeLessThanOrEqual(390);

      // The navigation folds behind "Menu" on a phone: the page's own content starts near the top, and choosing a
      // page from the menu closes it again.
      await mobile.goto("/recordings");
      const heading = mobile.locator("main h1").first();
      await heading.waitFor();
      const workflowNav = mobile.getByRole("navigation", { name: "Workflow" });
      expect(await workflowNav.isVisible()).toBe(false);
      expect((await heading.boundingBox())?.y ?? 999).toBeLessThan(200);
      await mobile.getByRole("button", { name: "Menu" }).click();
      // (a wide window shows the navigation and no Menu button)
      expect(await page.getByRole("button", { name: "Menu" }).isVisible()).toBe(false);
      expect(await page.getByRole("navigation", { name: "Workflow" }).isVisible()).toBe(true);
      await workflowNav.getByRole("link", { name: "Tasks" }).click();
      await mobile.waitForURL(/\/tasks$/);
      await mobile.locator("main h1").first().waitFor();
      await workflowNav.waitFor({ state: "hidden", timeout: 5_000 });
      await shot(mobile, "07-phone-menu-closed");

      expect(consoleErrors).toEqual([]);
    } catch (err) {
      console.error(stack?.logs());
      await shot(page, "zz-failure").catch(() => {});
      throw err;
    }
  });
});
