import {
  listNotifications,
  markNotificationsRead,
  ZListNotificationsRequest,
  ZListNotificationsResponse,
  ZMarkNotificationsReadRequest,
  ZMarkNotificationsReadResponse,
} from "@battycoda/core";
import { actorOf, createTRPCRouter, protectedProcedure } from "../trpc.ts";

// Per user, not per group: a run started in one group still reports after switching groups.
//   list({unreadOnly?, limit?, cursor?}) → { items: [{id, kind, title, message, link, readAt, createdAt}], unread, nextCursor }
//   markRead({ids} | {all: true}) → { updated }
export const notificationsRouter = createTRPCRouter({
  list: protectedProcedure
    .input(ZListNotificationsRequest)
    .output(ZListNotificationsResponse)
    .query(({ ctx, input }) => listNotifications(ctx, actorOf(ctx), input)),
  markRead: protectedProcedure
    .input(ZMarkNotificationsReadRequest)
    .output(ZMarkNotificationsReadResponse)
    .mutation(({ ctx, input }) => markNotificationsRead(ctx, actorOf(ctx), input)),
});
