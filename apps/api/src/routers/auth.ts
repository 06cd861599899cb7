import {
  changePassword,
  checkPasswordResetToken,
  completeRegistration,
  createSession,
  deleteSession,
  loadSessionUser,
  loginWithMagicLink,
  loginWithPassword,
  requestLoginCode,
  requestPasswordReset,
  requestRegistration,
  resetPassword,
  verifyLoginCode,
  ZChangePasswordRequest,
  ZCheckPasswordResetTokenRequest,
  ZCheckPasswordResetTokenResponse,
  ZCompleteRegistrationRequest,
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
  ZVerifyLoginCodeRequest,
} from "@battycoda/core";
import { TRPCError } from "@trpc/server";
import { type Context, createTRPCRouter, protectedProcedure, publicProcedure } from "../trpc.ts";

/** Issues a session cookie for the user (replacing the caller's current session, if any). */
async function startSession(ctx: Context, userId: string) {
  const previous = ctx.cookies.current();
  if (previous) await deleteSession(ctx, previous);
  const session = await createSession(ctx, userId, ctx.meta);
  ctx.cookies.set(session.token, session.expiresAt);
  const user = await loadSessionUser(ctx, userId);
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
    .query(({ ctx }) => (ctx.user ? loadSessionUser(ctx, ctx.user.id) : null)),

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

  logout: publicProcedure.output(ZOk).mutation(async ({ ctx }) => {
    const token = ctx.cookies.current();
    if (token) await deleteSession(ctx, token);
    ctx.cookies.clear();
    return ok;
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
  changePassword: protectedProcedure
    .input(ZChangePasswordRequest)
    .output(ZOk)
    .mutation(async ({ ctx, input }) => {
      await changePassword(ctx.mail, ctx.user.id, input, ctx.sessionId ?? undefined);
      return ok;
    }),
});
