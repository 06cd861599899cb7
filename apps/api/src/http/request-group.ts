// The group a request asks to act in: `group_id` in the query or the X-Group-Id header, for members of several
// groups. Without one a request acts in the caller's current group, which another browser session or the web app
// can switch at any time: a script uploading in a loop, or an upload resuming after a group switch, names its group.
import type { AuthenticatedUser, GroupAccess } from "@battycoda/core";
import { groupAccessIn } from "@battycoda/core";
import type { FastifyRequest } from "fastify";
import type { ServerDeps } from "../trpc.ts";

export const GROUP_ID_PARAM = "group_id";
export const GROUP_ID_HEADER = "x-group-id";

export function requestedGroupId(req: FastifyRequest): string | null {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const header = req.headers[GROUP_ID_HEADER];
  const groupId = query[GROUP_ID_PARAM] ?? (typeof header === "string" ? header : undefined);
  return typeof groupId === "string" && groupId ? groupId : null;
}

/** The caller acting in `groupId`; NOT_FOUND unless a member (another group's existence is not told). */
export function accessInGroup(
  deps: ServerDeps,
  user: AuthenticatedUser,
  groupId: string,
): Promise<GroupAccess> {
  return groupAccessIn(deps, { userId: user.id, isSiteAdmin: user.isSiteAdmin }, groupId);
}
