import { randomBytes } from "node:crypto";
import type { Db, User } from "@battycoda/db";
import type { DbContext } from "../access/context.ts";
import { badRequest } from "../access/errors.ts";
import { ZRegisterRequest } from "../auth/auth.schemas.ts";
import { hashPassword } from "../auth/password.ts";
import { registerUser } from "../auth/register.ts";

export interface CreateSiteAdminInput {
  username: string;
  email: string;
  /** Generated (and returned) when omitted. */
  password?: string;
}

export interface CreateSiteAdminResult {
  user: User;
  created: boolean;
  /** The password that now works: the one given, or the generated one. Undefined when an existing
   *  account was promoted without a new password. */
  password: string | undefined;
}

export function generatePassword(): string {
  return randomBytes(15).toString("base64url"); // 20 characters, ~120 bits
}

/**
 * Creates a site administrator the same way registration creates any account (personal group,
 * Demo Project, starter species), or promotes the existing account with that username, setting
 * its password only when one is given.
 */
export async function createSiteAdmin(
  { db }: DbContext,
  input: CreateSiteAdminInput,
): Promise<CreateSiteAdminResult> {
  const existing = await db.user.findFirst({
    where: { username: { equals: input.username.trim(), mode: "insensitive" } },
  });
  if (existing) {
    const user = await db.user.update({
      where: { id: existing.id },
      data: {
        isSiteAdmin: true,
        isActive: true,
        ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}),
      },
    });
    return { user, created: false, password: input.password };
  }
  const password = input.password ?? generatePassword();
  const parsed = ZRegisterRequest.safeParse({ username: input.username, email: input.email, password });
  if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => i.message).join("; "));
  const user = await registerUser({ db }, parsed.data);
  const admin = await db.user.update({ where: { id: user.id }, data: { isSiteAdmin: true } });
  return { user: admin, created: true, password };
}
