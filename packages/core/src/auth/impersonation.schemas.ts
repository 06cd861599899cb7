// Shapes of the impersonation procedures (admin.impersonate, auth.impersonation, auth.stopImpersonating).
import { z } from "zod";
import { ZIsoDate } from "./auth.schemas.ts";

const ZUserRef = z.object({ id: z.string(), username: z.string() });

export const ZImpersonateRequest = z.object({ userId: z.string().min(1).max(64) });
export const ZImpersonateResponse = z.object({ user: ZUserRef, expiresAt: ZIsoDate });

/** null: an ordinary session. */
export const ZImpersonationStatus = z
  .object({ impersonator: ZUserRef, user: ZUserRef, expiresAt: ZIsoDate })
  .nullable();

export const ZStopImpersonatingResponse = z.object({
  /** false: the admin's own session was gone too, so they are signed out. */
  restored: z.boolean(),
});
