import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { errorCode, errorMessage, fieldErrors } from "./errors";

function trpcError(message: string, data: Record<string, unknown>) {
  return TRPCClientError.from({ error: { message, code: -32600, data } });
}

describe("form error helpers", () => {
  it("maps the API's flattened zod errors to the first message per field", () => {
    const err = trpcError("[...]", {
      code: "BAD_REQUEST",
      zodError: { formErrors: [], fieldErrors: { name: ["Name is required", "too short"], email: [] } },
    });
    expect(fieldErrors(err)).toEqual({ name: "Name is required" });
    // named with their messages: not every form highlights its fields
    expect(errorMessage(err)).toBe("Please correct name: Name is required.");
    expect(errorCode(err)).toBe("BAD_REQUEST");
  });

  it("shows form-level zod errors and domain error messages as they are", () => {
    expect(errorMessage(trpcError("x", { zodError: { formErrors: ["Pick one"], fieldErrors: {} } }))).toBe(
      "Pick one",
    );
    const conflict = trpcError("That username is already taken", { code: "CONFLICT", zodError: null });
    expect(errorMessage(conflict)).toBe("That username is already taken");
    expect(fieldErrors(conflict)).toEqual({});
  });

  it("handles non-tRPC errors and no error", () => {
    expect(errorMessage(null)).toBeNull();
    expect(errorMessage(new Error("Upload failed (413)"))).toBe("Upload failed (413)");
    expect(fieldErrors(new Error("x"))).toEqual({});
  });
});
