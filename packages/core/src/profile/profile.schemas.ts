import { z } from "zod";
import { ZEmail, ZIsoDate } from "../auth/auth.schemas.ts";

export const THEMES = ["light", "dark"] as const;
export const COLORMAPS = [
  "roseus",
  "viridis",
  "magma",
  "inferno",
  "plasma",
  "cividis",
  "hot",
  "gray",
  "classic",
] as const;

export const ZTheme = z.enum(THEMES);
export const ZColormap = z.enum(COLORMAPS);

export const ZProfile = z.object({
  userId: z.string(),
  username: z.string(),
  email: z.string(),
  theme: ZTheme,
  spectrogramColormap: ZColormap,
  hasPassword: z.boolean(),
  isSiteAdmin: z.boolean(),
  currentGroupId: z.string().nullable(),
  createdAt: ZIsoDate,
  lastLoginAt: ZIsoDate.nullable(),
});
export const ZGetProfileResponse = ZProfile;

export const ZUpdatePreferencesRequest = z.object({
  theme: ZTheme.optional(),
  spectrogramColormap: ZColormap.optional(),
});
export type TUpdatePreferencesRequest = z.infer<typeof ZUpdatePreferencesRequest>;
export const ZUpdatePreferencesResponse = ZProfile;

/** Code-only accounts have no password; for them the confirmation link is the only proof. */
export const ZRequestEmailChangeRequest = z.object({
  email: ZEmail,
  currentPassword: z.string().max(256).optional(),
});
export type TRequestEmailChangeRequest = z.infer<typeof ZRequestEmailChangeRequest>;
export const ZRequestEmailChangeResponse = z.object({ sentTo: z.string() });
export const ZConfirmEmailChangeRequest = z.object({ token: z.string().min(1).max(2048) });
export type TConfirmEmailChangeRequest = z.infer<typeof ZConfirmEmailChangeRequest>;
export const ZConfirmEmailChangeResponse = z.object({ email: z.string() });
