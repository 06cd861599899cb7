import { currentGroupOf } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";
import type { DbOrTx } from "../access/db.ts";
import type { TSessionUser } from "./auth.schemas.ts";

/** The signed-in user as the SPA sees it: identity, preferences and the current group (of this session, if given). */
export async function loadSessionUser(
  { db }: DbContext,
  userId: string,
  sessionId?: string | null,
): Promise<TSessionUser | null> {
  const user = await db.user.findUnique({ where: { id: userId }, include: { profile: true } });
  if (!user?.isActive) return null;
  const current = await currentGroupOf({ db }, { userId, isSiteAdmin: user.isSiteAdmin, sessionId });
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    isSiteAdmin: user.isSiteAdmin,
    hasPassword: user.passwordHash !== null,
    theme: user.profile?.theme ?? "light",
    spectrogramColormap: user.profile?.spectrogramColormap ?? "roseus",
    currentGroup: current
      ? { id: current.groupId, name: current.groupName, isAdmin: current.isGroupAdmin }
      : null,
  };
}
