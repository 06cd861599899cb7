import type { DbOrTx } from "@battycoda/db";
import { z } from "zod";
import type { Actor } from "../access/access.ts";
import type { DbContext } from "../access/context.ts";

/** In-app notifications: background work reports its outcome to the user who started it. */
export interface NewNotification {
  userId: string;
  /** e.g. "segmentation.completed"; the SPA picks an icon by prefix. */
  kind: string;
  title: string;
  message?: string;
  /** SPA path to open, e.g. "/recordings/<id>". */
  link?: string | null;
  /** The group the work was done in (its links open there); outcomes of different groups are never merged. */
  groupId?: string | null;
  /**
   * How to say it for several: a batch segmentation of 200 recordings finishes by the dozen, and 200 entries bury
   * everything else. With `many`, this outcome is merged into the user's unread notification of the same kind from
   * the last MERGE_WINDOW_MINUTES (which moves to the top), whose count goes up; `{n}` in these texts is that count.
   */
  many?: { title: string; message: string; link: string };
}

const MERGE_WINDOW_MINUTES = 10;

const clip = (text: string, max: number) => text.slice(0, max);

export async function createNotification({ db }: DbContext, n: NewNotification) {
  if (n.many) {
    // One statement, so two workers finishing at once each add their one (the row lock orders them).
    const merged = await db.$queryRaw<{ id: string }[]>`
      UPDATE "Notification" SET
        count = count + 1,
        title = replace(${clip(n.many.title, 480)}, '{n}', (count + 1)::text),
        message = replace(${clip(n.many.message, 4980)}, '{n}', (count + 1)::text),
        link = ${n.many.link},
        "createdAt" = now()
      WHERE id = (
        SELECT id FROM "Notification"
        WHERE "userId" = ${n.userId} AND kind = ${n.kind} AND "readAt" IS NULL
          AND "groupId" IS NOT DISTINCT FROM ${n.groupId ?? null}
          AND "createdAt" >= now() - make_interval(mins => ${MERGE_WINDOW_MINUTES}::int)
        ORDER BY "createdAt" DESC LIMIT 1
        FOR UPDATE
      )
      RETURNING id`;
    const id = merged[0]?.id;
    if (id) return db.notification.findUniqueOrThrow({ where: { id } });
  }
  return db.notification.create({
    data: {
      userId: n.userId,
      kind: n.kind,
      title: n.title.slice(0, 500),
      message: (n.message ?? "").slice(0, 5000),
      link: n.link ?? null,
      groupId: n.groupId ?? null,
    },
  });
}

/** The families the notifications page filters by (a kind is `<family>.<outcome>`). */
export const NOTIFICATION_FAMILIES = ["upload", "segmentation", "classification", "training"] as const;

export const ZListNotificationsRequest = z
  .object({
    unreadOnly: z.boolean().default(false),
    /** read: only those already read (unreadOnly wins when both are set). */
    readOnly: z.boolean().default(false),
    /** Only this family of kinds (e.g. "upload" → upload.completed, upload.failed, …). */
    family: z.enum(NOTIFICATION_FAMILIES).optional(),
    limit: z.number().int().min(1).max(200).default(50),
    /** id of the last item of the previous page */
    cursor: z.string().min(1).max(64).optional(),
  })
  .default({ unreadOnly: false, readOnly: false, limit: 50 });
export type TListNotificationsRequest = z.output<typeof ZListNotificationsRequest>;

export const ZNotification = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  message: z.string(),
  link: z.string().nullable(),
  /** The group the work was done in (null for account-wide news and notifications from before groups were kept). */
  groupName: z.string().nullable(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
});
export type NotificationDto = z.infer<typeof ZNotification>;
export const ZListNotificationsResponse = z.object({
  items: z.array(ZNotification),
  unread: z.number().int(),
  nextCursor: z.string().nullable(),
});
export const ZMarkNotificationsReadResponse = z.object({ updated: z.number().int() });

/** Only ever the caller's own notifications (they are per user, not per group). */
export async function listNotifications({ db }: DbContext, actor: Actor, input: TListNotificationsRequest) {
  const where = {
    userId: actor.userId,
    ...(input.unreadOnly ? { readAt: null } : input.readOnly ? { readAt: { not: null } } : {}),
    ...(input.family ? { kind: { startsWith: `${input.family}.` } } : {}),
  };
  const [rows, unread] = await Promise.all([
    db.notification.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: input.limit + 1,
      ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
      include: { group: { select: { name: true } } },
    }),
    db.notification.count({ where: { userId: actor.userId, readAt: null } }),
  ]);
  const items: NotificationDto[] = rows.slice(0, input.limit).map((r) => ({
    id: r.id,
    kind: r.kind,
    title: r.title,
    message: r.message,
    link: r.link,
    groupName: r.group?.name ?? null,
    readAt: r.readAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
  return { items, unread, nextCursor: rows.length > input.limit ? (items.at(-1)?.id ?? null) : null };
}

export const ZMarkNotificationsReadRequest = z.union([
  z.object({ ids: z.array(z.string().min(1).max(64)).min(1).max(500) }),
  z.object({ all: z.literal(true) }),
]);
export type TMarkNotificationsReadRequest = z.output<typeof ZMarkNotificationsReadRequest>;

/** Someone else's ids are silently ignored (the filter is on userId), so nothing leaks. */
export async function markNotificationsRead(
  { db }: DbContext,
  actor: Actor,
  input: TMarkNotificationsReadRequest,
) {
  const { count } = await db.notification.updateMany({
    where: { userId: actor.userId, readAt: null, ...("ids" in input ? { id: { in: input.ids } } : {}) },
    data: { readAt: new Date() },
  });
  return { updated: count };
}
