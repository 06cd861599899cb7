import path from "node:path";
import { createMediaStore, DomainError, retryAfterSecondsOf } from "@battycoda/core";
import cookie from "@fastify/cookie";
import multipart from "@fastify/multipart";
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { ZodError } from "zod";
import { formatZodIssues, sendDomainError, sendError } from "./errors.ts";
import { registerClassificationFileRoutes } from "./http/classification-files.ts";
import { registerCspReportRoute } from "./http/csp-reports.ts";
import { registerCsrfGuard } from "./http/csrf.ts";
import { registerHealthRoute } from "./http/health.ts";
import { createApiPool, POOL_RETRY_AFTER_SECONDS, PoolBusyError, sendPoolBusy } from "./http/heavy-work.ts";
import { registerRecordingFileRoutes } from "./http/recording-files.ts";
import { registerRecordingUploadRoutes } from "./http/recording-uploads.ts";
import {
  ADMIN_SESSION_COOKIE_NAME,
  authenticateRequest,
  type CookieSettings,
  clearAdminSessionCookie,
  clearSessionCookie,
  SESSION_COOKIE_NAME,
  setAdminSessionCookie,
  setSessionCookie,
} from "./http/request-auth.ts";
import { registerSecurityHeaders } from "./http/security-headers.ts";
import { registerSegmentFileRoutes } from "./http/segment-files.ts";
import { registerSpa } from "./http/spa.ts";
import { registerSpeciesImageRoutes } from "./http/species-image.ts";
import { registerTaskExportRoutes } from "./http/task-exports.ts";
import { registerTusRoutes } from "./http/tus.ts";
import { TRPC_MAX_BATCH_SIZE } from "./limits.ts";
import { DEFAULT_API_KEY_RATE_LIMIT } from "./rest/api-key-auth.ts";
import { type RestApiOptions, registerRestApi } from "./rest/register.ts";
import { type AppRouter, appRouter } from "./router.ts";
import { captureException } from "./sentry.ts";
import { registerSimpleApi } from "./simple-api/register.ts";
import { createInnerContext, type ServerDeps } from "./trpc.ts";

export interface BuildServerOptions {
  deps: ServerDeps;
  logger?: FastifyServerOptions["logger"];
  /** The SPA build to serve; default <repo>/apps/web/dist. */
  webDistDir?: string;
  /** Sees every route as it is registered (the access test lists them all this way). */
  onRoute?: (route: { method: string | string[]; url: string }) => void;
  /** Per-key limit of /api/v1 and /simple-api/ (tests lower it). */
  apiKeyRateLimit?: RestApiOptions["apiKeyRateLimit"];
}

const CODE_BY_STATUS: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  406: "NOT_ACCEPTABLE",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
};

/** The whole HTTP server, not listening yet: main.ts listens, tests use `server.inject`. */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const { config } = options.deps;
  // Created here unless the caller brings one (it then also closes it).
  const ownPool = options.deps.pool ? null : createApiPool(config);
  const deps = {
    ...options.deps,
    pool: options.deps.pool ?? (ownPool as NonNullable<typeof ownPool>),
    media: options.deps.media ?? createMediaStore(config),
  };
  const app = Fastify({
    logger: options.logger ?? false,
    // Only the configured reverse proxies (TRUST_PROXY, default this machine) may set
    // X-Forwarded-For/-Proto; otherwise clients could pick their own IP and dodge the per-IP
    // rate limits, or claim https.
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: 5000 },
    bodyLimit: 2 * 1024 * 1024,
  });
  const cookieSettings: CookieSettings = { secure: config.publicUrl.startsWith("https://") };
  const { onRoute } = options;
  if (onRoute) app.addHook("onRoute", (route) => onRoute({ method: route.method, url: route.url }));

  await app.register(cookie);
  if (ownPool) app.addHook("onClose", () => ownPool.destroy());
  if (config.csp.deprecatedVariables.length > 0)
    app.log.warn(
      `${config.csp.deprecatedVariables.join(" and ")} are deprecated: set CSP_MODE=${config.csp.mode} instead`,
    );
  await registerSecurityHeaders(app, {
    mode: config.csp.mode,
    connectSrc: config.sentry.dsn ? [new URL(config.sentry.dsn).origin] : [],
  });
  await app.register(multipart, { limits: { fileSize: config.maxUploadSizeBytes, files: 1, fields: 20 } });
  registerCsrfGuard(app, config.publicUrl);

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof DomainError) return sendDomainError(reply, err);
    if (err instanceof PoolBusyError) return sendPoolBusy(reply, err);
    if (err instanceof ZodError) return sendError(reply, 400, "BAD_REQUEST", formatZodIssues(err));
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status < 500)
      return sendError(reply, status, CODE_BY_STATUS[status] ?? "BAD_REQUEST", (err as Error).message);
    req.log.error(err);
    captureException(err);
    return sendError(reply, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
  });

  registerHealthRoute(app, deps.db, config.rServerUrls);

  await app.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      maxBatchSize: TRPC_MAX_BATCH_SIZE,
      async createContext({ req, res }) {
        const auth = await authenticateRequest(deps.db, req, res, cookieSettings);
        return createInnerContext(deps, {
          user: auth.user,
          sessionId: auth.sessionId,
          impersonatorId: auth.impersonatorId,
          meta: { ip: req.ip, userAgent: req.headers["user-agent"] },
          cookies: {
            set: (token, expiresAt) => setSessionCookie(res, token, expiresAt, cookieSettings),
            clear: () => clearSessionCookie(res, cookieSettings),
            current: () => req.cookies[SESSION_COOKIE_NAME],
            adminSession: {
              set: (token, expiresAt) => setAdminSessionCookie(res, token, expiresAt, cookieSettings),
              clear: () => clearAdminSessionCookie(res, cookieSettings),
              current: () => req.cookies[ADMIN_SESSION_COOKIE_NAME],
            },
          },
        });
      },
      responseMeta({ errors }) {
        if (errors.some((e) => e.code === "SERVICE_UNAVAILABLE"))
          return { headers: { "retry-after": String(POOL_RETRY_AFTER_SECONDS) } };
        // a rate limit that knows its wait (login back-off, per-IP limits) says it here too
        const wait = errors
          .map((e) => (e.cause instanceof DomainError ? retryAfterSecondsOf(e.cause) : null))
          .find((s) => s !== null);
        return wait ? { headers: { "retry-after": String(wait) } } : {};
      },
      onError({ error, path, req }) {
        if (error.code === "INTERNAL_SERVER_ERROR")
          req.log.error({ err: error, path }, "tRPC internal error");
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"],
  });

  registerSpeciesImageRoutes(app, deps, cookieSettings);
  registerSegmentFileRoutes(app, deps, cookieSettings);
  registerClassificationFileRoutes(app, deps, cookieSettings);
  registerTaskExportRoutes(app, deps, cookieSettings);
  registerRecordingUploadRoutes(app, deps, cookieSettings);
  await registerRecordingFileRoutes(app, deps, cookieSettings, deps.pool);
  await registerCspReportRoute(app, deps.db);
  await registerTusRoutes(app, deps, cookieSettings);
  registerRestApi(app, deps, {
    ...(options.apiKeyRateLimit ? { apiKeyRateLimit: options.apiKeyRateLimit } : {}),
  });
  await registerSimpleApi(app, deps, options.apiKeyRateLimit ?? DEFAULT_API_KEY_RATE_LIMIT);
  await registerSpa(app, {
    distDir: options.webDistDir ?? path.join(config.repoRoot, "apps", "web", "dist"),
    disableCaching: config.disableStaticCaching,
  });
  return app;
}
