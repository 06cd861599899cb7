// The foundation journey in a real browser against the real API, worker and PostgreSQL:
// register → log out/in → create a project → species with call types (inline + file import) →
// invite a second user by email (link read from the outbox the worker writes) → the second user
// registers from the link and joins → switches groups and sees the first group's project →
// the logged-in accept path for a second invitation → theme applies app-wide.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  finishRegistration,
  linkIn,
  openPage,
  type Stack,
  screenshot,
  startStack,
  waitForEmail,
} from "./harness";

const SHOTS_DIR =
  process.env.BATTYCODA_E2E_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-e2e-shots-"));

const suffix = Date.now().toString(36).slice(-5);
const alice = {
  username: `alice_${suffix}`,
  email: `alice.${suffix}@example.test`,
  password: "echolocation-1",
};
const bob = {
  username: `bob_${suffix}`,
  email: `bob.${suffix}@example.test`,
  password: "myotis-lucifugus-2",
};
const projectName = "Echolocation survey 2026";
const aliceGroup = `${alice.username}'s group`;
const bobGroup = `${bob.username}'s group`;

let stack: Stack;
const contexts: BrowserContext[] = [];
/** Console errors such as CSP violations; the journey must produce none. */
const consoleErrors: string[] = [];

const shot = (page: Page, name: string) => screenshot(page, SHOTS_DIR, name);
const newPage = () => openPage(stack, contexts, consoleErrors, { height: 860, timeoutMs: 15_000 });

async function expectText(page: Page, text: string | RegExp) {
  await page.getByText(text).first().waitFor({ state: "visible" });
}

/** Uses the header's group switcher; personal groups are labelled "(personal)". */
async function switchGroup(page: Page, label: string) {
  const select = page.getByLabel("Group", { exact: true });
  await select.selectOption({ label });
  await select.locator("option:checked").filter({ hasText: label }).waitFor({ state: "attached" });
}

describe("foundation journey", () => {
  beforeAll(async () => {
    stack = await startStack();
    console.log(`[e2e] API ${stack.baseUrl}; screenshots in ${SHOTS_DIR}`);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await stack?.stop();
  });

  it("register → project → species → invite → accept → switch group", async () => {
    try {
      // ── Alice registers ──
      const a = await newPage();
      await a.goto("/");
      await a.waitForURL(/\/login/);
      await shot(a, "01-login");
      await a.getByRole("link", { name: "Create an account" }).click();
      await a.getByLabel("Email").fill(alice.email);
      await a.getByLabel("Username").fill(alice.username);
      await a.getByLabel("Password", { exact: true }).fill(alice.password);
      await a.getByLabel("Confirm password").fill(alice.password);
      await shot(a, "02-register");
      await a.getByRole("button", { name: "Create account" }).click();
      await finishRegistration(a, stack, alice.email);
      await expectText(a, `Welcome, ${alice.username}`);

      // ── log out, then log in with the password (by email, to cover both identifiers) ──
      await a.getByRole("button", { name: "Log out" }).click();
      await a.waitForURL(/\/login/);
      await a.getByLabel("Username or email").fill(alice.email);
      await a.getByLabel("Password").fill("wrong-password");
      await a.getByRole("button", { name: "Log in" }).click();
      await expectText(a, /invalid/i);
      await a.getByLabel("Password").fill(alice.password);
      await a.getByRole("button", { name: "Log in" }).click();
      await expectText(a, `Welcome, ${alice.username}`);
      await expectText(a, "Demo Project");
      await shot(a, "03-dashboard");

      // ── create a project (and see a field error from the API's zod formatter first) ──
      await a.getByRole("navigation", { name: "Set-up" }).getByRole("link", { name: "Projects" }).click();
      await a.getByRole("button", { name: "New project" }).click();
      await a.getByRole("button", { name: "Create project" }).click();
      await expectText(a, "Name is required");
      await a.getByLabel("Project name").fill(projectName);
      await a.getByLabel("Description").fill("Big brown bats at the barn roost, May–August.");
      await a.getByRole("button", { name: "Create project" }).click();
      await a.getByRole("table", { name: "Projects" }).getByRole("link", { name: projectName }).waitFor();
      await shot(a, "04-projects");
      // an empty project offers to upload into it, the project chosen
      await a.getByRole("table", { name: "Projects" }).getByRole("link", { name: projectName }).click();
      await a.getByRole("link", { name: "Upload into it" }).click();
      await a.getByLabel("WAV file").waitFor();
      expect(await a.getByLabel("Project").locator("option:checked").textContent()).toBe(projectName);

      // ── create a species with call types, then import more from a text file ──
      await a.getByRole("navigation", { name: "Set-up" }).getByRole("link", { name: "Species" }).click();
      await a.getByRole("link", { name: "New species" }).click();
      await a.getByLabel("Scientific name").fill("Myotis lucifugus");
      await a.getByLabel("Common name").fill("Little brown bat");
      await a.getByLabel("Call type 1 short name").fill("FM");
      await a.getByLabel("Call type 1 long name").fill("Frequency-modulated sweep");
      await a.getByRole("button", { name: "Add call type" }).click();
      await a.getByLabel("Call type 2 short name").fill("CF");
      await a.getByLabel("Call type 2 long name").fill("Constant frequency");
      await shot(a, "05-new-species");
      await a.getByRole("button", { name: "Create species" }).click();
      const callTypes = a.getByRole("table", { name: "Call types" });
      await callTypes.getByLabel("Short name of FM").waitFor();
      await callTypes.getByLabel("Short name of CF").waitFor();
      await a.getByLabel("Call type file").setInputFiles({
        name: "myotis-calls.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("# extra call types\nQCF|Quasi-constant frequency\nsocial,Social call, long\n"),
      });
      await a.getByRole("button", { name: "Import", exact: true }).click();
      await expectText(a, "2 added, 0 updated, 0 removed");
      await callTypes.getByLabel("Short name of QCF").waitFor();
      await expect(await callTypes.getByLabel("Long name of social").inputValue()).toBe("Social call, long");
      // inline edit of one call type
      await callTypes.getByLabel("Long name of CF").fill("Constant-frequency tail");
      await callTypes.getByRole("button", { name: "Save CF" }).click();
      await a.getByRole("button", { name: "Save CF" }).and(a.locator(":disabled")).waitFor();
      await shot(a, "06-species-detail");

      // ── invite Bob by email ──
      await a.getByRole("navigation", { name: "Set-up" }).getByRole("link", { name: "Groups" }).click();
      await expectText(a, `Current group: ${aliceGroup}`);
      await a.getByLabel("Invite by email").fill(bob.email);
      await a.getByRole("button", { name: "Send invitation" }).click();
      await expectText(a, `Invitation sent to ${bob.email}`);
      await a.getByRole("table", { name: "Pending invitations" }).getByText(bob.email).waitFor();
      await shot(a, "07-groups-invited");

      // ── the worker delivers the email to the outbox; Bob opens the link ──
      const email = await waitForEmail(stack.outboxDir, bob.email, /invited to join/);
      const link = linkIn(email, `${stack.baseUrl}/invitations/accept?token=`);
      const b = await newPage();
      await b.goto(link);
      await expectText(b, `Join ${aliceGroup}`);
      await shot(b, "08-invitation");
      await b.getByRole("link", { name: "Create an account and join" }).click();
      await expectText(b, "when your account is created");
      expect(await b.getByLabel("Email").inputValue()).toBe(bob.email);
      await b.getByLabel("Username").fill(bob.username);
      await b.getByLabel("Password", { exact: true }).fill(bob.password);
      await b.getByLabel("Confirm password").fill(bob.password);
      await b.getByRole("button", { name: "Create account" }).click();
      await expectText(b, `You joined ${aliceGroup}`);
      // the invitation's group is now Bob's current group: Alice's project is visible
      await b.getByTestId("dashboard-projects").getByRole("link", { name: projectName }).waitFor();
      await shot(b, "09-bob-joined");

      // ── Bob switches to his personal group (Alice's project disappears) and back ──
      await switchGroup(b, `${bobGroup} (personal)`);
      await expectText(b, `Working in ${bobGroup}`);
      await b.getByTestId("dashboard-projects").getByRole("link", { name: "Demo Project" }).waitFor();
      expect(await b.getByTestId("dashboard-projects").getByText(projectName).count()).toBe(0);
      await switchGroup(b, `${aliceGroup} (personal)`);
      await expectText(b, `Working in ${aliceGroup}`);
      await b.getByRole("navigation", { name: "Set-up" }).getByRole("link", { name: "Projects" }).click();
      await b.getByRole("table", { name: "Projects" }).getByRole("link", { name: projectName }).waitFor();
      await b.getByRole("navigation", { name: "Set-up" }).getByRole("link", { name: "Species" }).click();
      await b
        .getByRole("table", { name: "Group species" })
        .getByRole("link", { name: "Myotis lucifugus" })
        .waitFor();
      await shot(b, "10-bob-sees-alice-project");

      // ── Alice sees Bob as a member; the invitation is no longer pending ──
      await a.reload();
      await a.getByRole("table", { name: "Members" }).getByText(bob.username).waitFor();
      expect(await a.getByRole("table", { name: "Pending invitations" }).count()).toBe(0);

      // ── logged-in accept path: Alice creates a lab group and invites Bob, who accepts in place ──
      await a.getByRole("button", { name: "New group" }).click();
      await a.getByLabel("Group name").fill("Bat Lab");
      await a.getByRole("button", { name: "Create group" }).click();
      await expectText(a, "Current group: Bat Lab");
      await a.getByLabel("Invite by email").fill(bob.email);
      await a.getByRole("button", { name: "Send invitation" }).click();
      await expectText(a, `Invitation sent to ${bob.email}`);
      const second = await waitForEmail(stack.outboxDir, bob.email, /Bat Lab/);
      await b.goto(linkIn(second, `${stack.baseUrl}/invitations/accept?token=`));
      await expectText(b, `You are logged in as ${bob.username}`);
      await b.getByRole("button", { name: "Accept invitation" }).click();
      await expectText(b, "You joined Bat Lab");
      await expectText(b, "Working in Bat Lab");

      // ── theme: Bob picks dark on his profile; it applies to the whole app ──
      await b.getByRole("link", { name: "Your profile" }).click();
      await b.getByLabel("Dark").check();
      await b.waitForFunction(() => document.documentElement.dataset.theme === "dark");
      await b.getByRole("navigation", { name: "Overview" }).getByRole("link", { name: "Dashboard" }).click();
      await expectText(b, "Working in Bat Lab");
      expect(await b.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
      await shot(b, "11-bob-dark-dashboard");
      expect(consoleErrors).toEqual([]);
    } catch (err) {
      for (const c of contexts)
        for (const p of c.pages()) await shot(p, `failure-${contexts.indexOf(c)}`).catch(() => {});
      console.error(stack.logs());
      throw err;
    }
  });
});
