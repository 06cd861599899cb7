// scripts/setup_nginx.sh writes a site that Debian's nginx accepts (`nginx -t` on a minimal main
// configuration around it, nothing of the system's touched), over HTTP or, when a certificate
// exists, HTTPS, with the upload limit from the environment file.
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const execFileP = promisify(execFile);
let tmp: string;

async function setup(args: string[]) {
  try {
    const r = await execFileP("bash", ["scripts/setup_nginx.sh", ...args], { cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(() => {
  if (!fs.existsSync("/usr/sbin/nginx"))
    throw new Error("nginx is missing: ./scripts/install.sh installs it");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "battycoda-nginx-"));
  fs.writeFileSync(
    path.join(tmp, "env"),
    "# test\nDOMAIN_NAME=bats.example.org\nMAX_UPLOAD_SIZE_MB=250.5 # a comment\nHOST=0.0.0.0\nPORT=8123\n",
  );
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

it("writes an HTTP site that passes nginx -t: proxy, cached assets, no media, upload limits", async () => {
  const out = path.join(tmp, "http", "site.conf");
  const r = await setup([
    "--env-file",
    path.join(tmp, "env"),
    "--output",
    out,
    "--letsencrypt-dir",
    path.join(tmp, "none"),
  ]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("nginx -t: ok");
  expect(r.stdout).toContain("HTTP only");
  const site = fs.readFileSync(out, "utf8");
  expect(site).toContain("server 127.0.0.1:8123;"); // 0.0.0.0 is not an address to connect to
  expect(site).toContain("server_name bats.example.org;");
  expect(site).toContain("client_max_body_size 251m;");
  expect(site).not.toContain("listen 443");
  expect(site).toMatch(/location \^~ \/assets\/ \{\s+alias [^;]+\/apps\/web\/dist\/assets\/;/);
  expect(site).toContain('add_header Cache-Control "public, max-age=31536000, immutable" always;');
  expect(site).toMatch(/location \^~ \/media\/ \{\s+return 404;/);
  expect(site).toMatch(
    /location \^~ \/api\/uploads\/tus \{\s+client_max_body_size 0;\s+proxy_request_buffering off;/,
  );
  expect(site).not.toMatch(/\.data\/media|MEDIA_ROOT|root .*media/);
  const proxy = fs.readFileSync(path.join(tmp, "http", "battycoda-proxy.conf"), "utf8");
  expect(proxy).toContain("proxy_set_header X-Forwarded-Proto $scheme;");
});

it("switches to HTTPS with a redirect when the certificate exists", async () => {
  const le = path.join(tmp, "le");
  const dir = path.join(le, "bats.example.org");
  fs.mkdirSync(dir, { recursive: true });
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=bats.example.org",
      "-keyout",
      path.join(dir, "privkey.pem"),
      "-out",
      path.join(dir, "fullchain.pem"),
    ],
    { stdio: "ignore" },
  );
  const out = path.join(tmp, "https", "site.conf");
  const r = await setup(["--env-file", path.join(tmp, "env"), "--output", out, "--letsencrypt-dir", le]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const site = fs.readFileSync(out, "utf8");
  expect(site).toContain("listen 443 ssl http2;");
  expect(site).toContain(`ssl_certificate ${dir}/fullchain.pem;`);
  expect(site).toContain("return 301 https://$host$request_uri;");
  expect(site).toContain("location ^~ /.well-known/acme-challenge/");
});

it("fails when nginx refuses the result, and on bad settings", async () => {
  // a certificate nginx cannot load makes `nginx -t` fail, and the script with it
  const le = path.join(tmp, "broken-le");
  fs.mkdirSync(path.join(le, "bats.example.org"), { recursive: true });
  fs.writeFileSync(path.join(le, "bats.example.org", "fullchain.pem"), "not a certificate");
  fs.writeFileSync(path.join(le, "bats.example.org", "privkey.pem"), "not a key");
  const broken = await setup([
    "--env-file",
    path.join(tmp, "env"),
    "--output",
    path.join(tmp, "b", "site.conf"),
    "--letsencrypt-dir",
    le,
  ]);
  expect(broken.code).not.toBe(0);
  expect(broken.stderr).toMatch(/nginx: \[emerg\]/);

  fs.writeFileSync(path.join(tmp, "bad-env"), "DOMAIN_NAME=bats.example.org\nMAX_UPLOAD_SIZE_MB=lots\n");
  const bad = await setup([
    "--env-file",
    path.join(tmp, "bad-env"),
    "--output",
    path.join(tmp, "c", "site.conf"),
  ]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain("MAX_UPLOAD_SIZE_MB 'lots' is not a number");
  const missing = await setup(["--env-file", path.join(tmp, "nope")]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain("no environment file");
  const help = await setup(["--help"]);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^usage: sudo scripts\/setup_nginx.sh/);
});
