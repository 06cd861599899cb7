// populate-memberships: repairs users left without a usable group (imports, old data, manual
// SQL). It never grants access to a shared group: only a user's own personal group is repaired,
// and a current group the user does not belong to is replaced, not joined.
import type { DbContext } from "../access/context.ts";
import { inTransaction } from "../access/context.ts";
import { createPersonalGroup } from "../groups/groups.ts";
import type { ProcedureReporter } from "./reporter.ts";

export interface PopulateMembershipsResult {
  personalGroupsCreated: number;
  personalMembershipsRestored: number;
  currentGroupsFixed: number;
  profilesCreated: number;
  dryRun: boolean;
}

export async function populateMemberships(
  { db }: DbContext,
  options: { dryRun?: boolean },
  report: ProcedureReporter,
): Promise<PopulateMembershipsResult> {
  const dryRun = options.dryRun ?? false;
  const result: PopulateMembershipsResult = {
    personalGroupsCreated: 0,
    personalMembershipsRestored: 0,
    currentGroupsFixed: 0,
    profilesCreated: 0,
    dryRun,
  };
  const users = await db.user.findMany({
    select: {
      id: true,
      username: true,
      profile: { select: { currentGroupId: true } },
      memberships: { select: { groupId: true, group: { select: { isPersonal: true } } } },
    },
    orderBy: { createdAt: "asc" },
  });
  for (const [i, u] of users.entries()) {
    await inTransaction(db, async (tx) => {
      let memberOf = u.memberships.map((m) => m.groupId);
      let personal = u.memberships.find((m) => m.group.isPersonal)?.groupId;
      if (!personal) {
        // the personal group created for this user at registration, left without its membership
        const orphan = await tx.group.findFirst({
          where: { isPersonal: true, name: `${u.username}'s group`, memberships: { none: {} } },
          select: { id: true },
        });
        if (orphan) {
          await report.log(`${u.username}: restore admin membership of personal group ${orphan.id}`);
          if (!dryRun)
            await tx.membership.create({ data: { userId: u.id, groupId: orphan.id, isAdmin: true } });
          result.personalMembershipsRestored++;
          personal = orphan.id;
          memberOf = [...memberOf, orphan.id];
        } else if (memberOf.length === 0) {
          await report.log(`${u.username}: no group at all; create a personal group`);
          result.personalGroupsCreated++;
          if (!dryRun) {
            const g = await createPersonalGroup(tx, u.id, u.username);
            personal = g.id;
            memberOf = [g.id];
          }
        }
      }
      const current = u.profile?.currentGroupId ?? null;
      if (current && memberOf.includes(current)) return;
      const next = personal ?? memberOf[0] ?? null;
      if (!u.profile) {
        await report.log(`${u.username}: no profile; create one`);
        result.profilesCreated++;
      } else if (current || next) {
        if (current === next) return;
        await report.log(
          current
            ? `${u.username}: current group ${current} without membership → ${next ?? "none"}`
            : `${u.username}: no current group → ${next}`,
        );
        result.currentGroupsFixed++;
      } else return;
      if (!dryRun)
        await tx.profile.upsert({
          where: { userId: u.id },
          create: { userId: u.id, currentGroupId: next },
          update: { currentGroupId: next },
        });
    });
    if (i % 50 === 0) await report.progress(i / users.length, `${i} of ${users.length} users checked`);
  }
  await report.log(
    `${dryRun ? "Would repair" : "Repaired"}: ${result.personalGroupsCreated} personal groups created, ` +
      `${result.personalMembershipsRestored} personal memberships restored, ${result.currentGroupsFixed} current groups, ` +
      `${result.profilesCreated} profiles`,
  );
  return result;
}
