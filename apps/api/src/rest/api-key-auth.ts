// Who a script is and in which group it acts: the API key (headers only, or the deprecated
// `api_key` field on /simple-api/), one rate-limit bucket per key, and an optional group_id for
// members of several groups (default: the owner's current group).
import {
  type AuthenticatedUser,
  authenticateApiKey,
  consumeLimit,
  DomainError,
  type GroupAccess,
  hashToken,
  type RateLimitRule,
  resolveGroupAccess,
} from "@battycoda/core";
import type { FastifyRequest } from "fastify";
import { apiKeyFromHeaders } from "../http/request-auth.ts";
import { accessInGroup, requestedGroupId } from "../http/request-group.ts";

export { GROUP_ID_PARAM } from "../http/request-group.ts";

import { API_KEY_REQUIRED_MESSAGE, INVALID_API_KEY_MESSAGE } from "../http/route-auth.ts";
import type { ServerDeps } from "../trpc.ts";

/** Generous for a script looping over thousands of files, low enough to stop a runaway loop. */
export const DEFAULT_API_KEY_RATE_LIMIT: RateLimitRule = { limit: 1200, windowMs: 60_000 };

export interface ApiCaller {
  user: AuthenticatedUser;
  /** Resolved lazily: account routes (me, groups, keys) need no group. */
  access(): Promise<GroupAccess>;
  /** The group the caller chose with group_id, or null for their current group. */
  requestedGroupId: string | null;
}

/** The key's owner, counted against the key's limit; throws UNAUTHORIZED or TOO_MANY_REQUESTS. */
export async function authenticateKey(
  deps: ServerDeps,
  rule: RateLimitRule,
  key: string | undefined,
): Promise<AuthenticatedUser> {
  if (!key) throw new DomainError("UNAUTHORIZED", API_KEY_REQUIRED_MESSAGE);
  const user = await authenticateApiKey(deps, key);
  if (!user) throw new DomainError("UNAUTHORIZED", INVALID_API_KEY_MESSAGE);
  // Keyed by the key's hash, so regenerating a key starts a fresh allowance and one user's two
  // scripts with the same key share one.
  await consumeLimit(deps, `api:key:${hashToken(key).slice(0, 32)}`, rule);
  return user;
}

/** The caller in `requestedGroupId` (NOT_FOUND unless a member) or in their current group. */
export function apiCallerOf(
  deps: ServerDeps,
  user: AuthenticatedUser,
  requestedGroupId: string | null,
): ApiCaller {
  let access: Promise<GroupAccess> | undefined;
  return {
    user,
    requestedGroupId,
    access: () => {
      access ??= requestedGroupId
        ? accessInGroup(deps, user, requestedGroupId)
        : resolveGroupAccess(deps, { userId: user.id, isSiteAdmin: user.isSiteAdmin });
      return access;
    },
  };
}

export async function authenticateApiCall(
  deps: ServerDeps,
  rule: RateLimitRule,
  key: string | undefined,
  requestedGroupId: string | null,
): Promise<ApiCaller> {
  return apiCallerOf(deps, await authenticateKey(deps, rule, key), requestedGroupId);
}

/** The key from the headers; the group from `group_id` (query) or X-Group-Id. */
export function restCredentials(req: FastifyRequest): { key: string | undefined; groupId: string | null } {
  return { key: apiKeyFromHeaders(req), groupId: requestedGroupId(req) };
}
