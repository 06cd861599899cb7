// The audit log: which site admin changed what (and who acted as whom). Each row is written after
// its change succeeded, so the log never claims an action that was refused.
import type { Prisma } from "@battycoda/db";
import type { DbContext } from "../access/context.ts";

export interface AuditInput {
  actorId: string | null;
  /** e.g. "user.deactivate", "impersonation.start", "maintenance.run", "job.retry" */
  action: string;
  target?: { type: string; id: string };
  details?: Prisma.InputJsonValue;
  ip?: string | null | undefined;
}

export async function writeAudit({ db }: DbContext, entry: AuditInput): Promise<void> {
  await db.auditEntry.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      ...(entry.details !== undefined ? { details: entry.details } : {}),
      ip: entry.ip ?? null,
    },
  });
}

export interface AuditEntryView {
  id: string;
  action: string;
  actorId: string | null;
  /** null when the actor's account is gone (the row outlives it). */
  actorName: string | null;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
  ip: string | null;
  createdAt: Date;
}

/** Newest first; `action` matches a prefix ("impersonation." finds start and stop). */
export async function listAuditEntries(
  { db }: DbContext,
  input: { limit: number; action?: string | undefined; targetId?: string | undefined },
): Promise<AuditEntryView[]> {
  const rows = await db.auditEntry.findMany({
    where: {
      ...(input.action ? { action: { startsWith: input.action } } : {}),
      ...(input.targetId ? { targetId: input.targetId } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
  });
  // AuditEntry has no relation to User on purpose (entries stay when an account is deleted)
  const actorIds = [...new Set(rows.map((r) => r.actorId).filter((id): id is string => id !== null))];
  const actors = await db.user.findMany({
    where: { id: { in: actorIds } },
    select: { id: true, username: true },
  });
  const names = new Map(actors.map((a) => [a.id, a.username]));
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    actorId: r.actorId,
    actorName: r.actorId ? (names.get(r.actorId) ?? null) : null,
    targetType: r.targetType,
    targetId: r.targetId,
    details: r.details ?? null,
    ip: r.ip,
    createdAt: r.createdAt,
  }));
}
