import {
  changePassword,
  checkPasswordResetToken,
  completeRegistration,
  createSession,
  deleteSession,
  impersonationOf,
  loadSessionUser,
  loginWithMagicLink,
  loginWithPassword,
  requestLoginCode,
  requestPasswordReset,
  requestRegistration,
  resetPassword,
  stopImpersonation,
  verifyLoginCode,
  ZChangePasswordRequest,
  ZCheckPasswordResetTokenRequest,
  ZCheckPasswordResetTokenResponse,
  ZCompleteRegistrationRequest,
  ZImpersonationStatus,
  ZLoginRequest,
  ZLoginResponse,
  ZMagicLinkLoginRequest,
  ZMeResponse,
  ZOk,
  ZRegisterRequest,
  ZRegisterResponse,
  ZRequestLoginCodeRequest,
  ZRequestPasswordResetRequest,
  ZResetPasswordRequest,
  ZStopImpersonatingResponse,
  ZVerifyLoginCodeRequest,
} from "@battycoda/core";
import { TRPCError } from "@trpc/server";
import {
  accountOwnerProcedure,
  type Context,
  createTRPCRouter,
  protectedProcedure,
  publicProcedure,
} from "../trpc.ts";

/** Issues a session cookie for the user (replacing the caller's current session, if any). */
async function startSession(ctx: Context, userId: string) {
  const previous = ctx.cookies.current();
  if (previous) await deleteSession(ctx, previous);
  // a fresh sign-in ends any impersonation this browser was in; its admin token is not kept
  ctx.cookies.adminSession.clear();
  const session = await createSession(ctx, userId, ctx.meta);
  ctx.cookies.set(session.token, session.expiresAt);
  const user = await loadSessionUser(ctx, userId, session.id);
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "This account is disabled" });
  return { user };
}

const ok = { ok: true as const };

export const authRouter = createTRPCRouter({
  me: publicProcedure
    .meta({
      rest: {
        method: "GET",
        path: "/api/v1/me",
        tag: "account",
        summary: "The API key's user, with their current group",
      },
    })
    .output(ZMeResponse)
    .query(({ ctx }) => (ctx.user ? loadSessionUser(ctx, ctx.user.id, ctx.sessionId) : null)),

  /** Mails a link that finishes the registration; the answer does not reveal existing accounts. */
  register: publicProcedure
    .input(ZRegisterRequest)
    .output(ZRegisterResponse)
    .mutation(async ({ ctx, input }) => {
      const result = await requestRegistration(ctx.mail, input, ctx.meta);
      if (result.status === "check-email") return result;
      const { user } = await startSession(ctx, result.userId);
      return { status: "registered" as const, user };
    }),

  completeRegistration: publicProcedure
    .input(ZCompleteRegistrationRequest)
    .output(ZLoginResponse)
    .mutation(async ({ ctx, input }) => {
      const user = await completeRegistration(ctx, input.token);
      return startSession(ctx, user.id);
    }),

  login: publicProcedure
    .input(ZLoginRequest)
    .output(ZLoginResponse)
    .mutation(async ({ ctx, input }) => {
      const user = await loginWithPassword(ctx, input, ctx.meta);
      return startSession(ctx, user.id);
    }),

  /** Logging out while acting as someone ends the impersonation and the admin's own session too. */
  logout: publicProcedure.output(ZOk).mutation(async ({ ctx }) => {
    if (ctx.impersonatorId && ctx.sessionId) {
      await stopImpersonation(ctx, { sessionId: ctx.sessionId, reason: "logout", meta: ctx.meta });
      const adminToken = ctx.cookies.adminSession.current();
      if (adminToken) await deleteSession(ctx, adminToken);
    }
    const token = ctx.cookies.current();
    if (token) await deleteSession(ctx, token);
    ctx.cookies.clear();
    ctx.cookies.adminSession.clear();
    return ok;
  }),

  /** Who is acting as whom through this browser's session (the SPA's banner), or null. */
  impersonation: protectedProcedure
    .output(ZImpersonationStatus)
    .query(({ ctx }) => (ctx.impersonatorId && ctx.sessionId ? impersonationOf(ctx, ctx.sessionId) : null)),

  /** Ends acting as another user and returns to the admin's own session (kept aside since Start). */
  stopImpersonating: protectedProcedure.output(ZStopImpersonatingResponse).mutation(async ({ ctx }) => {
    if (!ctx.impersonatorId || !ctx.sessionId)
      throw new TRPCError({ code: "BAD_REQUEST", message: "You are not acting as another user" });
    const { restored } = await stopImpersonation(ctx, {
      sessionId: ctx.sessionId,
      adminToken: ctx.cookies.adminSession.current(),
      meta: ctx.meta,
    });
    ctx.cookies.adminSession.clear();
    if (restored) ctx.cookies.set(restored.token, restored.expiresAt);
    else ctx.cookies.clear();
    return { restored: restored !== null };
  }),

  /** Always answers ok, whether or not the account exists. */
  requestLoginCode: publicProcedure
    .input(ZRequestLoginCodeRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await requestLoginCode(ctx.mail, input, ctx.meta);
      return ok;
    }),

  verifyLoginCode: publicProcedure
    .input(ZVerifyLoginCodeRequest)
    .output(ZLoginResponse)
    .mutation(async ({ ctx, input }) => {
      const user = await verifyLoginCode(ctx, input, ctx.meta);
      return startSession(ctx, user.id);
    }),

  loginWithMagicLink: publicProcedure
    .input(ZMagicLinkLoginRequest)
    .output(ZLoginResponse)
    .mutation(async ({ ctx, input }) => {
      const user = await loginWithMagicLink(ctx, input);
      return startSession(ctx, user.id);
    }),

  /** Always answers ok, whether or not the address has an account. */
  requestPasswordReset: publicProcedure
    .input(ZRequestPasswordResetRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await requestPasswordReset(ctx.mail, input, ctx.meta);
      return ok;
    }),

  /** Whether a reset link still works (checked when the page opens); does not use it up. */
  checkPasswordResetToken: publicProcedure
    .input(ZCheckPasswordResetTokenRequest)
    .output(ZCheckPasswordResetTokenResponse)
    .query(({ ctx, input }) => checkPasswordResetToken(ctx, input.token)),

  resetPassword: publicProcedure
    .input(ZResetPasswordRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await resetPassword(ctx.mail, input);
      return ok;
    }),

  /** Signs out every other session of the user. */
  changePassword: accountOwnerProcedure
    .input(ZChangePasswordRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await changePassword(ctx.mail, ctx.user.id, input, ctx.sessionId ?? undefined);
      return ok;
    }),
});
