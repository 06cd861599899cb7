import { Theme } from "@battycoda/db";
import { z } from "zod";
import { MIN_PASSWORD_LENGTH } from "./password.ts";
import { weakPasswordReason } from "./password-strength.ts";

// Shared field schemas: the SPA, REST and tRPC all validate with these.
export const ZUsername = z
  .string()
  .trim()
  .min(3, { error: "Username must be at least 3 characters" })
  .max(150, { error: "Username must be at most 150 characters" })
  .regex(/^[A-Za-z0-9_.-]+$/, { error: "Username may contain only letters, digits, '.', '_' and '-'" });
export const ZEmail = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "Enter a valid email address" }).max(254));
export const ZPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, { error: `Password must be at least ${MIN_PASSWORD_LENGTH} characters` })
  .max(256, { error: "Password must be at most 256 characters" })
  .superRefine((password, ctx) => {
    if (password.length < MIN_PASSWORD_LENGTH) return;
    const reason = weakPasswordReason(password);
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  });
/** Username or email address. */
export const ZIdentifier = z.string().trim().min(1, { error: "Enter your username or email" }).max(254);
export const ZToken = z.string().trim().min(16, { error: "Invalid token" }).max(200);
/** Dates leave the API as ISO-8601 strings (no superjson): the output type says string, and it is. */
export const ZIsoDate = z
  .date()
  .transform((d) => d.toISOString())
  .meta({ type: "string", format: "date-time" });
export const ZOk = z.object({ ok: z.literal(true) });

export const ZRegisterRequest = z.object({
  email: ZEmail,
  username: ZUsername,
  password: ZPassword,
  /** Join this invitation's group right after registering. */
  invitationToken: ZToken.optional(),
});
export type TRegisterRequest = z.infer<typeof ZRegisterRequest>;

export const ZLoginRequest = z.object({ identifier: ZIdentifier, password: z.string().min(1).max(256) });
export type TLoginRequest = z.infer<typeof ZLoginRequest>;

export const ZRequestLoginCodeRequest = z.object({ identifier: ZIdentifier });
export type TRequestLoginCodeRequest = z.infer<typeof ZRequestLoginCodeRequest>;

export const ZVerifyLoginCodeRequest = z.object({
  identifier: ZIdentifier,
  code: z
    .string()
    .trim()
    .regex(/^\d{6,8}$/, { error: "The code is 6 to 8 digits" }),
});
export type TVerifyLoginCodeRequest = z.infer<typeof ZVerifyLoginCodeRequest>;

export const ZMagicLinkLoginRequest = z.object({ token: ZToken });
export type TMagicLinkLoginRequest = z.infer<typeof ZMagicLinkLoginRequest>;

/** Username or email, as at login (`email` is the older field name, still accepted). */
export const ZRequestPasswordResetRequest = z
  .object({ identifier: ZIdentifier.optional(), email: ZEmail.optional() })
  .refine((v) => v.identifier !== undefined || v.email !== undefined, {
    error: "Enter your username or email",
    path: ["identifier"],
  });
export type TRequestPasswordResetRequest = z.infer<typeof ZRequestPasswordResetRequest>;

export const ZCheckPasswordResetTokenRequest = z.object({ token: ZToken });
export const ZCheckPasswordResetTokenResponse = z.object({ valid: z.boolean() });

export const ZResetPasswordRequest = z.object({ token: ZToken, password: ZPassword });
export type TResetPasswordRequest = z.infer<typeof ZResetPasswordRequest>;

export const ZChangePasswordRequest = z.object({
  currentPassword: z.string().max(256),
  newPassword: ZPassword,
  /** A changed password usually means the old one leaked, and so may the API key: revoke by default. */
  keepApiKey: z.boolean().default(false),
});
export type TChangePasswordRequest = z.input<typeof ZChangePasswordRequest>;

export const ZSessionUser = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  isSiteAdmin: z.boolean(),
  hasPassword: z.boolean(),
  theme: z.enum(Theme),
  spectrogramColormap: z.string(),
  currentGroup: z.object({ id: z.string(), name: z.string(), isAdmin: z.boolean() }).nullable(),
});
export type TSessionUser = z.input<typeof ZSessionUser>;

export const ZMeResponse = ZSessionUser.nullable();
export const ZLoginResponse = z.object({ user: ZSessionUser });
/** "check-email": a link went to the address (or its owner was told it has an account already). */
export const ZRegisterResponse = z.discriminatedUnion("status", [
  z.object({ status: z.literal("check-email"), email: z.string() }),
  z.object({ status: z.literal("registered"), user: ZSessionUser }),
]);
export const ZCompleteRegistrationRequest = z.object({ token: z.string().min(1).max(200) });

export const ZApiKeyInfo = z.object({
  prefix: z.string(),
  name: z.string(),
  createdAt: ZIsoDate,
  lastUsedAt: ZIsoDate.nullable(),
});
export const ZGetApiKeyResponse = ZApiKeyInfo.nullable();
/** The full key appears in exactly one response: this one. */
export const ZGenerateApiKeyResponse = z.object({ key: z.string(), info: ZApiKeyInfo });
