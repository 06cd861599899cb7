// Content-Security-Policy (CSP_MODE), the nonce in index.html, the report endpoint and its admin
// listing, and HSTS only over https (issue 8 #11).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CSP_REPORT_LIMITS } from "@battycoda/core";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withNonce } from "../src/http/spa.ts";
import { expectTRPCError } from "./expect-error.ts";
import { createTestEnv, makeSiteAdmin, registerAndLogin, sessionCaller, type TestEnv } from "./helpers.ts";
import { buildTestServer } from "./http-helpers.ts";

// What `vite build` writes (apps/web/index.html after the build): module script, preload, CSS.
const BUILT_INDEX = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
    <title>BattyCoda</title>
    <script type="module" crossorigin src="/assets/index-abc.js"></script>
    <link rel="modulepreload" crossorigin href="/assets/vendor-def.js">
    <link rel="stylesheet" crossorigin href="/assets/index-ghi.css">
  </head>
  <body><div id="root"></div></body>
</html>`;

let distDir: string;
const envs: TestEnv[] = [];
const servers: FastifyInstance[] = [];

async function serverWith(env: Record<string, string> = {}) {
  const t = await createTestEnv(env);
  envs.push(t);
  const app = await buildTestServer(t, distDir);
  servers.push(app);
  return { t, app };
}

const nonceOf = (csp: string) => /'nonce-([^']+)'/.exec(csp)?.[1];

beforeAll(() => {
  distDir = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-csp-dist-"));
  fs.writeFileSync(path.join(distDir, "index.html"), BUILT_INDEX);
  fs.mkdirSync(path.join(distDir, "assets"));
  fs.writeFileSync(path.join(distDir, "assets", "index-abc.js"), "console.log(1)\n");
});

afterAll(async () => {
  for (const s of servers) await s.close();
  for (const t of envs) await t.close();
  fs.rmSync(distDir, { recursive: true, force: true });
});

describe("CSP_MODE", () => {
  it("enforce (the default): Content-Security-Policy with nonces, no 'unsafe-inline', a report-uri", async () => {
    const { app } = await serverWith();
    const res = await app.inject({ method: "GET", url: "/health" });
    const csp = res.headers["content-security-policy"] as string;
    expect(csp).toBeDefined();
    expect(res.headers["content-security-policy-report-only"]).toBeUndefined();
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("strict-dynamic");
    const nonce = nonceOf(csp);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}'`);
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
    expect(csp).toContain("report-uri /api/csp-report");
  });

  it("report-only: the same policy, not enforced", async () => {
    const { app } = await serverWith({ CSP_MODE: "report-only" });
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.headers["content-security-policy"]).toBeUndefined();
    const csp = res.headers["content-security-policy-report-only"] as string;
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(csp).not.toContain("unsafe-inline");
  });

  it("strict: scripts only by nonce ('strict-dynamic'), base-uri 'none'", async () => {
    const { app } = await serverWith({ CSP_MODE: "strict" });
    const res = await app.inject({ method: "GET", url: "/health" });
    const csp = res.headers["content-security-policy"] as string;
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(csp).toContain("base-uri 'none'");
  });

  it("the deprecated CSP_ENFORCE=false still means report-only when CSP_MODE is unset", async () => {
    const { app } = await serverWith({ CSP_ENFORCE: "false" });
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.headers["content-security-policy"]).toBeUndefined();
    expect(res.headers["content-security-policy-report-only"]).toBeDefined();
  });
});

describe("index.html carries the response's nonce", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = (await serverWith()).app;
  });

  for (const url of ["/", "/index.html", "/recordings/some-client-route"]) {
    it(`${url}: every script/link tag and the csp-nonce meta carry the header's nonce`, async () => {
      const res = await app.inject({ method: "GET", url, headers: { accept: "text/html" } });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.headers["cache-control"]).toBe("no-store");
      const nonce = nonceOf(res.headers["content-security-policy"] as string);
      const tags = res.body.match(/<(script|link)\b[^>]*>/g) ?? [];
      expect(tags).toHaveLength(4);
      for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
      expect(res.body).toContain(`<meta property="csp-nonce" nonce="${nonce}" />`);
      expect(res.body.match(/nonce="([^"]+)"/g)?.every((n) => n === `nonce="${nonce}"`)).toBe(true);
    });
  }

  it("differs per response", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: "GET", url: "/", headers: { accept: "text/html" } });
      const nonce = nonceOf(res.headers["content-security-policy"] as string) as string;
      expect(res.body).toContain(`nonce="${nonce}"`);
      seen.add(nonce);
    }
    expect(seen.size).toBe(5);
  });

  it("static assets are still served, with their own header", async () => {
    const res = await app.inject({ method: "GET", url: "/assets/index-abc.js" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("console.log(1)\n");
  });

  it("withNonce adds the nonce to <style> too and leaves other tags alone", () => {
    const html = withNonce("<head><style>a{}</style><meta charset=x></head>", "N0");
    expect(html).toBe(
      '<head>\n    <meta property="csp-nonce" nonce="N0" /><style nonce="N0">a{}</style><meta charset=x></head>',
    );
  });
});

describe("POST /api/csp-report and admin.cspReports", () => {
  let t: TestEnv;
  let app: FastifyInstance;
  const post = (type: string, body: string, ip = "10.20.0.1") =>
    app.inject({
      method: "POST",
      url: "/api/csp-report",
      headers: { "content-type": type, "user-agent": "TestBrowser/1" },
      payload: body,
      remoteAddress: ip,
    });

  beforeAll(async () => {
    ({ t, app } = await serverWith());
  });

  it("stores classic and Reporting API reports; site admins list them newest first", async () => {
    const classic = await post(
      "application/csp-report",
      JSON.stringify({
        "csp-report": {
          "document-uri": "http://battycoda.test/recordings",
          "blocked-uri": "inline",
          "effective-directive": "script-src-elem",
          disposition: "enforce",
          "source-file": "http://battycoda.test/recordings",
          "line-number": 12,
          "column-number": 3,
          "script-sample": "alert(1)",
        },
      }),
    );
    expect(classic.statusCode, classic.body).toBe(204);
    const modern = await post(
      "application/reports+json",
      JSON.stringify([
        {
          type: "csp-violation",
          age: 10,
          url: "http://battycoda.test/admin",
          user_agent: "Chromium/140",
          body: {
            documentURL: "http://battycoda.test/admin",
            blockedURL: "https://evil.example/x.js",
            effectiveDirective: "script-src-elem",
            disposition: "report",
            lineNumber: 1,
          },
        },
        { type: "deprecation", body: {} },
      ]),
    );
    expect(modern.statusCode, modern.body).toBe(204);

    const admin = await registerAndLogin(t, "siteadmin");
    await makeSiteAdmin(t, admin.id);
    const adminCaller = await sessionCaller(t, admin.token);
    const { items } = await adminCaller.admin.cspReports({ limit: 10 });
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      documentUri: "http://battycoda.test/admin",
      blockedUri: "https://evil.example/x.js",
      effectiveDirective: "script-src-elem",
      disposition: "report",
      line: 1,
      column: null,
      userAgent: "Chromium/140",
    });
    expect(items[1]).toMatchObject({
      documentUri: "http://battycoda.test/recordings",
      blockedUri: "inline",
      sourceFile: "http://battycoda.test/recordings",
      line: 12,
      column: 3,
      sample: "alert(1)",
      disposition: "enforce",
      userAgent: "TestBrowser/1",
    });
    expect((await adminCaller.admin.cspReports({ limit: 1 })).items).toHaveLength(1);
    // in the database, with the host that took them: every API host's reports in one list
    expect(await t.database.db.cspReport.count()).toBe(2);
    expect(items.every((r) => r.host === os.hostname() && !Number.isNaN(Date.parse(r.receivedAt)))).toBe(
      true,
    );
    expect(fs.existsSync(path.join(t.config.dataDir, "csp-reports"))).toBe(false);

    const member = await registerAndLogin(t, "member");
    await expectTRPCError(member.caller.admin.cspReports({ limit: 10 }), "FORBIDDEN");
  });

  it("refuses what is not a report with a specific error, storing nothing", async () => {
    const before = await t.database.db.cspReport.count();
    const notJson = await post("application/csp-report", "{not json", "10.20.0.2");
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.message).toMatch(/not valid JSON/);
    const noReport = await post("application/csp-report", JSON.stringify({ hello: 1 }), "10.20.0.2");
    expect(noReport.statusCode).toBe(400);
    expect(noReport.json().error.message).toBe("No CSP violation report in the body");
    const wrongType = await post("text/plain", "x", "10.20.0.2");
    expect(wrongType.statusCode).toBe(415);
    const noBody = await post(
      "application/reports+json",
      JSON.stringify([{ type: "csp-violation" }]),
      "10.20.0.2",
    );
    expect(noBody.statusCode).toBe(400);
    expect(await t.database.db.cspReport.count()).toBe(before);
  });

  it("is rate-limited per address, across API hosts (the limit is in the database)", async () => {
    const body = JSON.stringify({
      "csp-report": { "document-uri": "http://battycoda.test/", "blocked-uri": "eval" },
    });
    const statuses: number[] = [];
    const { limit } = CSP_REPORT_LIMITS.perAddress;
    // half through this server, half through a second one on the same database
    const other = await buildTestServer(t, distDir);
    servers.push(other);
    for (let i = 0; i < limit + 5; i++) {
      const via = i % 2 === 0 ? app : other;
      const res = await via.inject({
        method: "POST",
        url: "/api/csp-report",
        headers: { "content-type": "application/csp-report" },
        payload: body,
        remoteAddress: "10.20.0.3",
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, limit).every((s) => s === 204)).toBe(true);
    expect(statuses.slice(limit)).toEqual(Array(5).fill(429));
    // another address is not affected
    expect((await post("application/csp-report", body, "10.20.0.4")).statusCode).toBe(204);
  });
});

describe("HSTS", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = (await serverWith()).app;
  });

  it("is not sent over plain http", async () => {
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.headers["strict-transport-security"]).toBeUndefined();
  });

  it("is sent when a trusted proxy says the request came over https", async () => {
    const res = await app.inject({
      method: "GET",
      url: "/health",
      remoteAddress: "127.0.0.1",
      headers: { "x-forwarded-proto": "https" },
    });
    expect(res.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  });

  it("ignores X-Forwarded-Proto from an address outside TRUST_PROXY", async () => {
    const res = await app.inject({
      method: "GET",
      url: "/health",
      remoteAddress: "203.0.113.9",
      headers: { "x-forwarded-proto": "https" },
    });
    expect(res.headers["strict-transport-security"]).toBeUndefined();
  });

  it("trusts the proxies named in TRUST_PROXY", async () => {
    const { app: proxied } = await serverWith({ TRUST_PROXY: "203.0.113.0/24" });
    const res = await proxied.inject({
      method: "GET",
      url: "/health",
      remoteAddress: "203.0.113.9",
      headers: { "x-forwarded-proto": "https" },
    });
    expect(res.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  });
});
