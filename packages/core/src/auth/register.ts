import type { Db } from "../access/db.ts";
import { conflict, isUniqueViolation } from "../access/errors.ts";
import type { RequestMeta } from "../access/services.ts";
import { createPersonalGroup } from "../groups/groups.ts";
import { acceptInvitationInTx, assertInvitationUsable } from "../groups/invitations.ts";
import { createStarterSpecies } from "../species/starter-species.ts";
import type { TRegisterRequest } from "./auth.schemas.ts";
import { hashPassword } from "./password.ts";
import { bucket, consumeLimit, RATE_LIMITS } from "./rate-limit.ts";

export const DEMO_PROJECT_NAME = "Demo Project";

/**
 * Creates the account with its personal group (user as admin), a "Demo Project" and a starter
 * species, and points the profile at that group — or at the invitation's group when the user
 * registers from an invitation link.
 */
export async function registerUser(db: Db, input: TRegisterRequest, meta: RequestMeta = {}) {
  // Each registration costs a 32 MiB scrypt hash and creates rows: cap it per IP (HTTP only;
  // the CLI passes no IP).
  if (meta.ip) await consumeLimit(db, bucket.ip("register", meta.ip), RATE_LIMITS.registrationsPerIp);
  const email = input.email.toLowerCase();
  const username = input.username;
  // Check the invitation before creating anything, so a bad link does not leave half an account.
  if (input.invitationToken) await assertInvitationUsable(db, input.invitationToken);
  await assertAvailable(db, email, username);
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, username, passwordHash } });
      const group = await createPersonalGroup(tx, user.id, username);
      await tx.project.create({
        data: {
          groupId: group.id,
          name: DEMO_PROJECT_NAME,
          description: "A place to try things out.",
          createdById: user.id,
        },
      });
      await createStarterSpecies(tx, group.id, user.id);
      await tx.profile.create({ data: { userId: user.id, currentGroupId: group.id } });
      if (input.invitationToken) await acceptInvitationInTx(tx, user.id, input.invitationToken);
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("That username or email is already taken");
    throw err;
  }
}

async function assertAvailable(db: Db, email: string, username: string) {
  const [byEmail, byName] = await Promise.all([
    db.user.findUnique({ where: { email } }),
    db.user.findFirst({ where: { username: { equals: username, mode: "insensitive" } } }),
  ]);
  if (byName) throw conflict("That username is already taken");
  if (byEmail) throw conflict("An account with that email already exists");
}
