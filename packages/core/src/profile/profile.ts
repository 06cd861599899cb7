import type { DbContext } from "../access/context.ts";
import type { DbOrTx } from "../access/db.ts";
import type { TUpdatePreferencesRequest } from "./profile.schemas.ts";
import { COLORMAPS } from "./profile.schemas.ts";

type Colormap = (typeof COLORMAPS)[number];
const asColormap = (v: string): Colormap =>
  (COLORMAPS as readonly string[]).includes(v) ? (v as Colormap) : "roseus";

export async function getProfile({ db }: DbContext, userId: string) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  const profile = await db.profile.upsert({ where: { userId }, create: { userId }, update: {} });
  return {
    userId: user.id,
    username: user.username,
    email: user.email,
    theme: profile.theme,
    spectrogramColormap: asColormap(profile.spectrogramColormap),
    hasPassword: user.passwordHash !== null,
    isSiteAdmin: user.isSiteAdmin,
    currentGroupId: profile.currentGroupId,
    createdAt: user.createdAt,
    lastLoginAt: user.lastLoginAt,
  };
}

export async function updatePreferences({ db }: DbContext, userId: string, input: TUpdatePreferencesRequest) {
  const data = {
    ...(input.theme !== undefined ? { theme: input.theme } : {}),
    ...(input.spectrogramColormap !== undefined ? { spectrogramColormap: input.spectrogramColormap } : {}),
  };
  await db.profile.upsert({ where: { userId }, create: { userId, ...data }, update: data });
  return getProfile({ db }, userId);
}
