import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import type { Db, DbOrTx } from "../access/db.ts";
import { escapeHtml, type MailContext } from "../access/services.ts";
import type { AuthenticatedUser } from "./sessions.ts";
import { HOUR_MS, hashToken, randomToken } from "./tokens.ts";

/** Recognisable prefix so leaked keys can be found by secret scanners and told apart in logs. */
export const API_KEY_PREFIX = "bc_";
const VISIBLE_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export interface ApiKeyInfo {
  prefix: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const toInfo = (k: ApiKeyInfo): ApiKeyInfo => ({
  prefix: k.prefix,
  name: k.name,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
});

export async function getApiKeyInfo({ db }: DbContext, userId: string): Promise<ApiKeyInfo | null> {
  const key = await db.apiKey.findFirst({
    where: { userId, revokedAt: null },
    orderBy: { createdAt: "desc" },
  });
  return key ? toInfo(key) : null;
}

/** Revokes the user's current key (if any) and returns a new one; the raw key is shown only now. */
export async function generateApiKey(
  { db }: DbContext,
  userId: string,
): Promise<{ key: string; info: ApiKeyInfo }> {
  const key = `${API_KEY_PREFIX}${randomToken()}`;
  const row = await inTransaction(db, async (tx) => {
    await tx.apiKey.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
    return tx.apiKey.create({
      data: { userId, keyHash: hashToken(key), prefix: key.slice(0, VISIBLE_PREFIX_LENGTH) },
    });
  });
  return { key, info: toInfo(row) };
}

/** Returns how many live keys were revoked. */
export async function revokeApiKeys({ db }: DbContext, userId: string): Promise<number> {
  const { count } = await db.apiKey.updateMany({
    where: { userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count;
}

/** Scripts stop working when a key goes: tell the owner why, so it is not a mystery. */
export async function notifyApiKeyRevoked(
  mail: MailContext,
  user: { email: string; username: string },
  reason: string,
): Promise<void> {
  const profile = `${mail.publicUrl}/profile`;
  await mail.sendEmail({
    to: user.email,
    subject: "Your BattyCoda API key was revoked",
    text: `Hello ${user.username},\n\nYour API key was revoked because ${reason}. Scripts that use it will be refused until you generate a new key on your profile page:\n${profile}\n\nIf you did not change your password, reset it now and tell your site admin.\n`,
    html: `<p>Hello ${escapeHtml(user.username)},</p><p>Your API key was revoked because ${escapeHtml(reason)}. Scripts that use it will be refused until you generate a new key on <a href="${escapeHtml(profile)}">your profile page</a>.</p><p>If you did not change your password, reset it now and tell your site admin.</p>`,
  });
}

export async function authenticateApiKey({ db }: DbContext, key: string): Promise<AuthenticatedUser | null> {
  if (!key.startsWith(API_KEY_PREFIX)) return null;
  const row = await db.apiKey.findUnique({ where: { keyHash: hashToken(key) }, include: { user: true } });
  if (!row || row.revokedAt || !row.user.isActive) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > HOUR_MS / 60) {
    await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  const { id, username, email, isSiteAdmin } = row.user;
  return { id, username, email, isSiteAdmin };
}
