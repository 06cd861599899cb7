import type { DbOrTx } from "../access/db.ts";
import { conflict, isUniqueViolation } from "../access/errors.ts";
import type { TChangeEmailRequest, TUpdatePreferencesRequest } from "./profile.schemas.ts";
import { COLORMAPS } from "./profile.schemas.ts";

type Colormap = (typeof COLORMAPS)[number];
const asColormap = (v: string): Colormap =>
  (COLORMAPS as readonly string[]).includes(v) ? (v as Colormap) : "roseus";

export async function getProfile(db: DbOrTx, userId: string) {
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

export async function updatePreferences(db: DbOrTx, userId: string, input: TUpdatePreferencesRequest) {
  const data = {
    ...(input.theme !== undefined ? { theme: input.theme } : {}),
    ...(input.spectrogramColormap !== undefined ? { spectrogramColormap: input.spectrogramColormap } : {}),
  };
  await db.profile.upsert({ where: { userId }, create: { userId, ...data }, update: data });
  return getProfile(db, userId);
}

export async function changeEmail(db: DbOrTx, userId: string, input: TChangeEmailRequest) {
  const email = input.email.toLowerCase();
  const taken = await db.user.findFirst({ where: { email, id: { not: userId } } });
  if (taken) throw conflict("An account with that email already exists");
  try {
    await db.user.update({ where: { id: userId }, data: { email } });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("An account with that email already exists");
    throw err;
  }
  return getProfile(db, userId);
}
