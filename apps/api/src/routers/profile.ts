import {
  confirmEmailChange,
  generateApiKey,
  getApiKeyInfo,
  getProfile,
  groupStorage,
  requestEmailChange,
  revokeApiKeys,
  updatePreferences,
  ZConfirmEmailChangeRequest,
  ZConfirmEmailChangeResponse,
  ZGenerateApiKeyResponse,
  ZGetApiKeyResponse,
  ZGetProfileResponse,
  ZGroupStorage,
  ZOk,
  ZRequestEmailChangeRequest,
  ZRequestEmailChangeResponse,
  ZUpdatePreferencesRequest,
  ZUpdatePreferencesResponse,
} from "@battycoda/core";
import { uploadLimits } from "../http/upload-limits.ts";
import {
  accountOwnerProcedure,
  createTRPCRouter,
  groupProcedure,
  protectedProcedure,
  publicProcedure,
} from "../trpc.ts";

export const profileRouter = createTRPCRouter({
  get: protectedProcedure.output(ZGetProfileResponse).query(({ ctx }) => getProfile(ctx, ctx.user.id)),

  /** Theme and spectrogram colormap. */
  updatePreferences: protectedProcedure
    .input(ZUpdatePreferencesRequest)
    .output(ZUpdatePreferencesResponse)
    .mutation(({ ctx, input }) => updatePreferences(ctx, ctx.user.id, input)),

  /** Needs the current password; takes effect only when the link sent to the new address is opened. */
  requestEmailChange: accountOwnerProcedure
    .input(ZRequestEmailChangeRequest)
    .output(ZRequestEmailChangeResponse)
    .mutation(({ ctx, input }) => requestEmailChange(ctx.mail, ctx.config.secretKey, ctx.user.id, input)),

  /** Public: the link may be opened in a browser where the user is not signed in. */
  confirmEmailChange: publicProcedure
    .input(ZConfirmEmailChangeRequest)
    .output(ZConfirmEmailChangeResponse)
    .mutation(({ ctx, input }) => confirmEmailChange(ctx.mail, ctx.config.secretKey, input)),

  /** Prefix and dates of the active key; the key itself is never shown again. */
  apiKey: protectedProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/api-key",
        tag: "account",
        summary: "Prefix and dates of the active API key",
      },
    })
    .output(ZGetApiKeyResponse)
    .query(({ ctx }) => getApiKeyInfo(ctx, ctx.user.id)),

  /** Generates or regenerates (revoking the old one); the response is the only time the key is visible. */
  generateApiKey: accountOwnerProcedure
    .meta({
      rest: {
        method: "POST",
        path: "/api/v1/api-key",
        tag: "account",
        summary: "Generate a new API key (revokes the current one); the only time the key is shown",
        status: 201,
      },
    })
    .output(ZGenerateApiKeyResponse)
    .mutation(({ ctx }) => generateApiKey(ctx, ctx.user.id)),

  revokeApiKey: accountOwnerProcedure.output(ZOk).mutation(async ({ ctx }) => {
    await revokeApiKeys(ctx, ctx.user.id);
    return { ok: true as const };
  }),

  /** The current group's stored media against its quota. */
  storage: groupProcedure
    .output(ZGroupStorage)
    .query(({ ctx }) => groupStorage(ctx, ctx.access.groupId, uploadLimits(ctx.config))),
});
