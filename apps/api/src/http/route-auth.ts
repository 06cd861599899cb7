import { type AuthenticatedUser, type GroupAccess, resolveGroupAccess } from "@battycoda/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import { sendError } from "../errors.ts";
import type { ServerDeps } from "../trpc.ts";
import { authenticateRequest, type CookieSettings } from "./request-auth.ts";
import { accessInGroup, requestedGroupId } from "./request-group.ts";

export const AUTH_REQUIRED_MESSAGE = "Authentication required";
export const INVALID_API_KEY_MESSAGE = "Invalid API key";
export const API_KEY_REQUIRED_MESSAGE = "API key required (Authorization: Bearer <key> or X-API-Key: <key>)";

export interface RouteAuthOptions {
  /** REST routes accept only API keys, so they never act on a browser's cookie (no CSRF surface). */
  apiKeyOnly?: boolean;
}

/** A route's caller, with the browser session (none for API keys) whose current group it acts in by default. */
export type RouteUser = AuthenticatedUser & { sessionId: string | null };

/** The caller, or null after sending 401. */
export async function requireUser(
  deps: ServerDeps,
  cookieSettings: CookieSettings,
  req: FastifyRequest,
  reply: FastifyReply,
  options: RouteAuthOptions = {},
): Promise<RouteUser | null> {
  const auth = await authenticateRequest(deps.db, req, reply, cookieSettings);
  if (auth.invalidApiKey) {
    sendError(reply, 401, "UNAUTHORIZED", INVALID_API_KEY_MESSAGE);
    return null;
  }
  if (!auth.user || (options.apiKeyOnly && auth.via !== "apiKey")) {
    sendError(
      reply,
      401,
      "UNAUTHORIZED",
      options.apiKeyOnly ? API_KEY_REQUIRED_MESSAGE : AUTH_REQUIRED_MESSAGE,
    );
    return null;
  }
  return { ...auth.user, sessionId: auth.sessionId };
}

/** The caller in the group the request names (group_id / X-Group-Id, members only), else in their current group. */
export function accessFor(deps: ServerDeps, user: RouteUser, req: FastifyRequest): Promise<GroupAccess> {
  const groupId = requestedGroupId(req);
  return groupId
    ? accessInGroup(deps, user, groupId)
    : resolveGroupAccess(deps, { userId: user.id, isSiteAdmin: user.isSiteAdmin, sessionId: user.sessionId });
}
