import fs from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";
import { sendError } from "../errors.ts";
import { cspNonceOf } from "./security-headers.ts";

export interface SpaSettings {
  /** The Vite build (apps/web/dist); nothing is served when it has no index.html. */
  distDir: string;
  /** DISABLE_STATIC_CACHING: every response `no-store` (for debugging deployments). */
  disableCaching: boolean;
}

/** Paths that belong to the API: never answered with the SPA's index.html. */
const API_PREFIXES = ["/api/", "/trpc/", "/trpc", "/health"];

/**
 * index.html with this response's CSP nonce on every <script>, <link> and <style> tag, and in
 * `<meta property="csp-nonce">`, where Vite's preload helper finds it for the tags it adds.
 */
export function withNonce(html: string, nonce: string): string {
  return html
    .replace(/<(script|link|style)\b/gi, `<$1 nonce="${nonce}"`)
    .replace(/<head>/i, `<head>\n    <meta property="csp-nonce" nonce="${nonce}" />`);
}

/** The built index.html, re-read when a new build replaces it. */
function indexReader(file: string) {
  let cached: { mtimeMs: number; html: string } | null = null;
  return async (): Promise<string> => {
    const { mtimeMs } = await fs.promises.stat(file);
    if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, html: await fs.promises.readFile(file, "utf8") };
    return cached.html;
  };
}

/**
 * Serves the SPA with history fallback: unknown GET paths that want HTML get index.html so
 * client-side routes survive a reload. Vite's hashed /assets/* are cached for a year;
 * index.html is never stored, since each copy carries its own CSP nonce.
 */
export async function registerSpa(app: FastifyInstance, settings: SpaSettings) {
  const indexFile = path.join(settings.distDir, "index.html");
  const hasBuild = fs.existsSync(indexFile);
  const readIndex = indexReader(indexFile);
  const sendIndex = async (reply: FastifyReply) =>
    reply
      .header("cache-control", "no-store")
      .type("text/html; charset=utf-8")
      .send(withNonce(await readIndex(), cspNonceOf(reply)));
  if (hasBuild) {
    for (const url of ["/", "/index.html"]) app.get(url, (_req, reply) => sendIndex(reply));
    await app.register(fastifyStatic, {
      root: settings.distDir,
      index: false,
      cacheControl: false,
      etag: !settings.disableCaching,
      lastModified: !settings.disableCaching,
      setHeaders(reply, filePath) {
        const immutable = filePath.includes(`${path.sep}assets${path.sep}`);
        reply.header(
          "cache-control",
          settings.disableCaching
            ? "no-store"
            : immutable
              ? "public, max-age=31536000, immutable"
              : "no-cache",
        );
      },
    });
  }

  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split("?")[0] ?? "/";
    const wantsHtml = (req.headers.accept ?? "").includes("text/html");
    const isApi = API_PREFIXES.some((p) => url === p || url.startsWith(p));
    if (hasBuild && (req.method === "GET" || req.method === "HEAD") && wantsHtml && !isApi)
      return sendIndex(reply);
    return sendError(reply, 404, "NOT_FOUND", `Route ${req.method} ${url} not found`);
  });
}
