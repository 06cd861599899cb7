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

export const ZChangeEmailRequest = z.object({ email: ZEmail });
export type TChangeEmailRequest = z.infer<typeof ZChangeEmailRequest>;
export const ZChangeEmailResponse = ZProfile;
