import type { DbContext } from "../access/context.ts";
import type { DbOrTx } from "../access/db.ts";
import type { TSessionUser } from "./auth.schemas.ts";

/** The signed-in user as the SPA sees it: identity, preferences and current group. */
export async function loadSessionUser({ db }: DbContext, userId: string): Promise<TSessionUser | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    include: { profile: { include: { currentGroup: true } } },
  });
  if (!user?.isActive) return null;
  const current = user.profile?.currentGroup ?? null;
  const membership = current
    ? await db.membership.findUnique({ where: { userId_groupId: { userId, groupId: current.id } } })
    : null;
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    isSiteAdmin: user.isSiteAdmin,
    hasPassword: user.passwordHash !== null,
    theme: user.profile?.theme ?? "light",
    spectrogramColormap: user.profile?.spectrogramColormap ?? "roseus",
    currentGroup:
      current && membership ? { id: current.id, name: current.name, isAdmin: membership.isAdmin } : null,
  };
}
