import {
  changeEmail,
  generateApiKey,
  getApiKeyInfo,
  getProfile,
  groupStorage,
  revokeApiKeys,
  updatePreferences,
  ZChangeEmailRequest,
  ZChangeEmailResponse,
  ZGenerateApiKeyResponse,
  ZGetApiKeyResponse,
  ZGetProfileResponse,
  ZGroupStorage,
  ZOk,
  ZUpdatePreferencesRequest,
  ZUpdatePreferencesResponse,
} from "@battycoda/core";
import { uploadLimits } from "../http/upload-limits.ts";
import { createTRPCRouter, groupProcedure, protectedProcedure } from "../trpc.ts";

export const profileRouter = createTRPCRouter({
  get: protectedProcedure.output(ZGetProfileResponse).query(({ ctx }) => getProfile(ctx.db, ctx.user.id)),

  /** Theme and spectrogram colormap. */
  updatePreferences: protectedProcedure
    .input(ZUpdatePreferencesRequest)
    .output(ZUpdatePreferencesResponse)
    .mutation(({ ctx, input }) => updatePreferences(ctx.db, ctx.user.id, input)),

  changeEmail: protectedProcedure
    .input(ZChangeEmailRequest)
    .output(ZChangeEmailResponse)
    .mutation(({ ctx, input }) => changeEmail(ctx.db, ctx.user.id, input)),

  /** Prefix and dates of the active key; the key itself is never shown again. */
  apiKey: protectedProcedure
    .output(ZGetApiKeyResponse)
    .query(({ ctx }) => getApiKeyInfo(ctx.db, ctx.user.id)),

  /** Generates or regenerates (revoking the old one); the response is the only time the key is visible. */
  generateApiKey: protectedProcedure
    .output(ZGenerateApiKeyResponse)
    .mutation(({ ctx }) => generateApiKey(ctx.db, ctx.user.id)),

  revokeApiKey: protectedProcedure.output(ZOk).mutation(async ({ ctx }) => {
    await revokeApiKeys(ctx.db, ctx.user.id);
    return { ok: true as const };
  }),

  /** The current group's stored media against its quota. */
  storage: groupProcedure
    .output(ZGroupStorage)
    .query(({ ctx }) => groupStorage(ctx.db, ctx.access.groupId, uploadLimits(ctx.config))),
});
