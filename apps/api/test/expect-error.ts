import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

/** Awaits a call that must fail with a tRPC error code (and message, if given). */
export async function expectTRPCError(
  promise: Promise<unknown>,
  code: TRPCError["code"],
  message?: string | RegExp,
): Promise<TRPCError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}, got success`).toBeInstanceOf(TRPCError);
  const trpcError = err as TRPCError;
  expect(trpcError.code, trpcError.message).toBe(code);
  if (message !== undefined) expect(trpcError.message).toMatch(message);
  return trpcError;
}
