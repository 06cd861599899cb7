import {
  acceptInvitation,
  createGroup,
  inviteMember,
  listInvitations,
  listMembers,
  listMyGroups,
  locateItem,
  previewInvitation,
  removeMember,
  revokeInvitation,
  setMemberAdmin,
  switchGroup,
  updateGroup,
  ZAcceptInvitationResponse,
  ZCreateGroupRequest,
  ZCreateGroupResponse,
  ZGroupSummary,
  ZInvitationTokenRequest,
  ZInviteMemberRequest,
  ZInviteMemberResponse,
  ZListGroupsResponse,
  ZListInvitationsResponse,
  ZListMembersResponse,
  ZLocateItemRequest,
  ZLocateItemResponse,
  ZOk,
  ZPreviewInvitationResponse,
  ZRemoveMemberRequest,
  ZRevokeInvitationRequest,
  ZSetMemberAdminRequest,
  ZSetMemberAdminResponse,
  ZSwitchGroupRequest,
  ZSwitchGroupResponse,
  ZUpdateGroupRequest,
  ZUpdateGroupResponse,
} from "@battycoda/core";
import { TRPCError } from "@trpc/server";
import {
  actorOf,
  createTRPCRouter,
  groupAdminProcedure,
  groupProcedure,
  protectedProcedure,
  publicProcedure,
} from "../trpc.ts";

const ok = { ok: true as const };

export const groupsRouter = createTRPCRouter({
  list: protectedProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/groups",
        tag: "account",
        summary: "Groups the user belongs to (pass one as group_id to act in it)",
      },
    })
    .output(ZListGroupsResponse)
    .query(({ ctx }) => listMyGroups(ctx, actorOf(ctx))),

  current: groupProcedure.output(ZGroupSummary).query(async ({ ctx }) => {
    const found = (await listMyGroups(ctx, ctx.access)).find((g) => g.id === ctx.access.groupId);
    if (!found) throw new TRPCError({ code: "NOT_FOUND", message: "Group not found" });
    return found;
  }),

  create: protectedProcedure
    .input(ZCreateGroupRequest)
    .output(ZCreateGroupResponse)
    .mutation(({ ctx, input }) => createGroup(ctx, actorOf(ctx), input)),

  update: groupAdminProcedure
    .input(ZUpdateGroupRequest)
    .output(ZUpdateGroupResponse)
    .mutation(({ ctx, input }) => updateGroup(ctx, ctx.access, input)),

  /**
   * For a link that answered NOT_FOUND: which of the caller's own groups holds the item, so the
   * page can offer to switch. Null for ids that do not exist and for groups the caller is not in.
   */
  locate: protectedProcedure
    .input(ZLocateItemRequest)
    .output(ZLocateItemResponse)
    .query(({ ctx, input }) => locateItem(ctx, actorOf(ctx), input)),

  switch: protectedProcedure
    .input(ZSwitchGroupRequest)
    .output(ZSwitchGroupResponse)
    .mutation(({ ctx, input }) => switchGroup(ctx, actorOf(ctx), input.groupId)),

  members: groupProcedure.output(ZListMembersResponse).query(({ ctx }) => listMembers(ctx, ctx.access)),

  /** Admins remove anyone; a member may remove themself (leave). Never the last admin. */
  removeMember: groupProcedure
    .input(ZRemoveMemberRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx, ctx.access, input.membershipId);
      return ok;
    }),

  setMemberAdmin: groupAdminProcedure
    .input(ZSetMemberAdminRequest)
    .output(ZSetMemberAdminResponse)
    .mutation(({ ctx, input }) => setMemberAdmin(ctx, ctx.access, input.membershipId, input.isAdmin)),

  invitations: groupAdminProcedure
    .output(ZListInvitationsResponse)
    .query(({ ctx }) => listInvitations(ctx, ctx.access)),

  invite: groupAdminProcedure
    .input(ZInviteMemberRequest)
    .output(ZInviteMemberResponse)
    .mutation(({ ctx, input }) => inviteMember(ctx.mail, ctx.access, input)),

  revokeInvitation: groupAdminProcedure
    .input(ZRevokeInvitationRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await revokeInvitation(ctx, ctx.access, input.invitationId);
      return ok;
    }),

  /** For the accept page, before the visitor has logged in or registered. */
  previewInvitation: publicProcedure
    .input(ZInvitationTokenRequest)
    .output(ZPreviewInvitationResponse)
    .query(({ ctx, input }) => previewInvitation(ctx, input.token)),

  /** Joins with whichever account is logged in; without an account, use auth.register with invitationToken. */
  acceptInvitation: protectedProcedure
    .input(ZInvitationTokenRequest)
    .output(ZAcceptInvitationResponse)
    .mutation(({ ctx, input }) => acceptInvitation(ctx, ctx.user.id, input.token, ctx.sessionId)),
});
