import {
  changeEmail,
  generateApiKey,
  getApiKeyInfo,
  getProfile,
  revokeApiKeys,
  updatePreferences,
  ZChangeEmailRequest,
  ZChangeEmailResponse,
  ZGenerateApiKeyResponse,
  ZGetApiKeyResponse,
  ZGetProfileResponse,
  ZOk,
  ZUpdatePreferencesRequest,
  ZUpdatePreferencesResponse,
} from "@battycoda/core";
import { createTRPCRouter, protectedProcedure } from "../trpc.ts";

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
});
