// Everything tRPC needs, in three parts: the context, the single initTRPC call, and the only
// base procedures routers may use (so nobody can bypass the access checks by building their own).
//
// Transformer: none. Dates leave the API as ISO-8601 strings — output schemas convert them with
// ZIsoDate, so the inferred client types say `string` and the SPA needs no superjson.
import type { AudioPool } from "@battycoda/audio";
import type { Config } from "@battycoda/config";
import {
  type Actor,
  type AuthenticatedUser,
  createMediaStore,
  DomainError,
  type GroupAccess,
  type MailContext,
  type MediaStore,
  type RequestMeta,
  resolveGroupAccess,
  type SendEmail,
} from "@battycoda/core";
import type { Db } from "@battycoda/db";
import { initTRPC, TRPCError } from "@trpc/server";
import type PgBoss from "pg-boss";
import { ZodError, z } from "zod";
import { toTRPCError } from "./errors.ts";
import type { RestMeta } from "./rest/meta.ts";
import { captureException } from "./sentry.ts";

// ─── 1. context ───

/** Long-lived dependencies of the server, created once in main.ts (or by a test). */
export interface ServerDeps {
  db: Db;
  config: Config;
  /** pg-boss, for queueing background work; null where nothing is queued (some tests). */
  boss: PgBoss | null;
  sendEmail: SendEmail;
  /** The API's bounded thread pool for CPU-heavy requests (buildServer creates one when absent). */
  pool?: AudioPool;
  /** Where media live (buildServer creates the configured store when absent). */
  media?: MediaStore;
}

/** The deps' media store, or the configured one (tests often pass deps without a store). */
export function mediaOf(deps: ServerDeps): MediaStore {
  if (!deps.media) deps.media = createMediaStore(deps.config);
  return deps.media;
}

/** How procedures touch the session cookie without knowing about Fastify. */
export interface SessionCookieJar {
  set(token: string, expiresAt: Date): void;
  clear(): void;
  /** The raw token of the current request's session cookie, if any. */
  current(): string | undefined;
  /** The admin's own session token, kept in a second cookie while they act as another user. */
  adminSession: {
    set(token: string, expiresAt: Date): void;
    clear(): void;
    current(): string | undefined;
  };
}

export interface Context extends ServerDeps {
  media: MediaStore;
  mail: MailContext;
  user: AuthenticatedUser | null;
  /** Set when the caller authenticated with a session cookie (not an API key). */
  sessionId: string | null;
  /** The site admin acting as `user` through this session (impersonation), else null. */
  impersonatorId: string | null;
  meta: RequestMeta;
  cookies: SessionCookieJar;
  /** The group a REST call chose with `group_id` (already checked); null: the user's current group. */
  presetAccess: GroupAccess | null;
}

export interface ContextInput {
  user?: AuthenticatedUser | null;
  sessionId?: string | null;
  impersonatorId?: string | null;
  meta?: RequestMeta;
  cookies?: SessionCookieJar;
  access?: GroupAccess | null;
}

const noCookies: SessionCookieJar = {
  set() {},
  clear() {},
  current: () => undefined,
  adminSession: { set() {}, clear() {}, current: () => undefined },
};

/** Builds a context from already-resolved auth; the HTTP adapter and createCaller tests both use it. */
export function createInnerContext(deps: ServerDeps, input: ContextInput = {}): Context {
  return {
    ...deps,
    media: mediaOf(deps),
    mail: { db: deps.db, sendEmail: deps.sendEmail, publicUrl: deps.config.publicUrl },
    user: input.user ?? null,
    sessionId: input.sessionId ?? null,
    impersonatorId: input.impersonatorId ?? null,
    meta: input.meta ?? {},
    cookies: input.cookies ?? noCookies,
    presetAccess: input.access ?? null,
  };
}

// ─── 2. initTRPC ───

/** Stacks and the text of unexpected errors (SQL, paths, ids) reach clients only in development. */
const exposeInternals = process.env.NODE_ENV === "development";

const t = initTRPC
  .context<Context>()
  .meta<RestMeta>()
  .create({
    isDev: exposeInternals,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const masked =
        error.code === "INTERNAL_SERVER_ERROR" && !exposeInternals && !(cause instanceof DomainError);
      return {
        ...shape,
        ...(masked ? { message: "Internal server error" } : {}),
        data: {
          ...shape.data,
          // Field errors for forms: { formErrors: string[], fieldErrors: { field: string[] } }.
          zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
          // e.g. line-numbered call-type import errors
          details: cause instanceof DomainError ? (cause.details ?? null) : null,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain functions throw DomainError; give clients its code and message instead of a 500. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof DomainError) throw toTRPCError(cause);
    if (result.error.code === "INTERNAL_SERVER_ERROR") captureException(cause ?? result.error);
  }
  return result;
});

// ─── 3. base procedures ───

/**
 * PostgreSQL cannot store NUL in text, so a NUL in any string input would surface as a 500 from the
 * database; no field has a use for it. Checked once here instead of in every schema.
 */
const noNulInput = t.middleware(async ({ getRawInput, next }) => {
  if (containsNul(await getRawInput()))
    throw new TRPCError({ code: "BAD_REQUEST", message: "Text may not contain NUL (\\u0000) characters" });
  return next();
});

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (depth > 32 || value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes("\u0000") || containsNul(v, depth + 1));
}

export const publicProcedure = t.procedure.use(domainErrors).use(noNulInput);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please log in" });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** The signed-in caller as the domain sees them, with the browser session that keeps its own current group. */
export function actorOf(ctx: { user: AuthenticatedUser; sessionId: string | null }): Actor {
  return { userId: ctx.user.id, isSiteAdmin: ctx.user.isSiteAdmin, sessionId: ctx.sessionId };
}

/** Resolves the caller's current group; ctx.access is what every group-scoped query filters on. */
export const groupProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  const access: GroupAccess = ctx.presetAccess ?? (await resolveGroupAccess(ctx, actorOf(ctx)));
  return next({ ctx: { ...ctx, access } });
});

export const groupAdminProcedure = groupProcedure.use(({ ctx, next }) => {
  if (!ctx.access.isGroupAdmin)
    throw new TRPCError({ code: "FORBIDDEN", message: "Only group admins can do this" });
  return next();
});

/**
 * The account's owner in person: not a site admin acting as them. Password, email and API keys
 * change only through here, so an impersonation can look but cannot take the account over.
 */
export const accountOwnerProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.impersonatorId)
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "Not while acting as another user: only they can change this",
    });
  return next();
});

/** Never through an impersonated session, even one of a user who is (or became) a site admin. */
export const siteAdminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isSiteAdmin || ctx.impersonatorId)
    throw new TRPCError({ code: "FORBIDDEN", message: "Only site admins can do this" });
  return next();
});
