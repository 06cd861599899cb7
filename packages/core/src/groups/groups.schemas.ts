import { z } from "zod";
import { ZEmail, ZIdentifier, ZIsoDate, ZToken } from "../auth/auth.schemas.ts";

export const ZId = z.string().trim().min(1).max(64);
const ZGroupName = z
  .string()
  .trim()
  .min(1, { error: "Name is required" })
  .max(100, { error: "Name must be at most 100 characters" });
const ZDescription = z.string().trim().max(2000, { error: "Description must be at most 2000 characters" });

export const ZGroupSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  isPersonal: z.boolean(),
  isAdmin: z.boolean(),
  isCurrent: z.boolean(),
  memberCount: z.number().int(),
  createdAt: ZIsoDate,
});
export const ZListGroupsResponse = z.array(ZGroupSummary);

export const ZCreateGroupRequest = z.object({ name: ZGroupName, description: ZDescription.default("") });
export type TCreateGroupRequest = z.input<typeof ZCreateGroupRequest>;
export const ZCreateGroupResponse = ZGroupSummary;

/** Edits the caller's current group. */
export const ZUpdateGroupRequest = z.object({
  name: ZGroupName.optional(),
  description: ZDescription.optional(),
});
export type TUpdateGroupRequest = z.infer<typeof ZUpdateGroupRequest>;
export const ZUpdateGroupResponse = ZGroupSummary;

export const ZSwitchGroupRequest = z.object({ groupId: ZId });
export type TSwitchGroupRequest = z.infer<typeof ZSwitchGroupRequest>;
export const ZSwitchGroupResponse = ZGroupSummary;

export const ZMember = z.object({
  membershipId: z.string(),
  userId: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  isAdmin: z.boolean(),
  isSelf: z.boolean(),
  joinedAt: ZIsoDate,
});
export const ZListMembersResponse = z.array(ZMember);

export const ZRemoveMemberRequest = z.object({ membershipId: ZId });
export type TRemoveMemberRequest = z.infer<typeof ZRemoveMemberRequest>;

export const ZSetMemberAdminRequest = z.object({ membershipId: ZId, isAdmin: z.boolean() });
export type TSetMemberAdminRequest = z.infer<typeof ZSetMemberAdminRequest>;
export const ZSetMemberAdminResponse = ZMember;

export const ZInvitation = z.object({
  id: z.string(),
  email: z.string(),
  isAdmin: z.boolean(),
  invitedBy: z.string().nullable(),
  expiresAt: ZIsoDate,
  accepted: z.boolean(),
  acceptedAt: ZIsoDate.nullable(),
  createdAt: ZIsoDate,
});
export const ZListInvitationsResponse = z.array(ZInvitation);

export const ZInviteMemberRequest = z.object({ email: ZEmail, isAdmin: z.boolean().default(false) });
export type TInviteMemberRequest = z.input<typeof ZInviteMemberRequest>;
export const ZInviteMemberResponse = ZInvitation;

export const ZRevokeInvitationRequest = z.object({ invitationId: ZId });
export type TRevokeInvitationRequest = z.infer<typeof ZRevokeInvitationRequest>;

export const ZInvitationTokenRequest = z.object({ token: ZToken });
export type TInvitationTokenRequest = z.infer<typeof ZInvitationTokenRequest>;

/** What the accept page shows before the visitor logs in or registers. */
export const ZPreviewInvitationResponse = z.object({
  groupName: z.string(),
  email: z.string(),
  invitedBy: z.string().nullable(),
  expiresAt: ZIsoDate,
  status: z.enum(["valid", "expired", "accepted"]),
});

export const ZAcceptInvitationResponse = z.object({ groupId: z.string(), groupName: z.string() });
