import { describe, expect, it } from "vitest";
import { ZPassword, ZRegisterRequest } from "./auth.schemas.ts";
import { weakPasswordReason } from "./password-strength.ts";

// Issue 8 #10: `password` and friends were accepted as new passwords.
describe("new passwords", () => {
  it("refuses common, keyboard-walk and repeated passwords with a reason", () => {
    for (const weak of ["password", "password1", "12345678", "qwertyuiop", "iloveyou", "aaaaaaaa"]) {
      expect(weakPasswordReason(weak), weak).toMatch(/too easy to guess/);
      expect(ZPassword.safeParse(weak).success, weak).toBe(false);
    }
  });

  it("accepts passphrases and mixed passwords", () => {
    for (const ok of ["myotis-lucifugus-2", "a brand new password", "Tr0ub4dor&3x", "pw-bob-secret"]) {
      expect(weakPasswordReason(ok), ok).toBeNull();
      expect(ZPassword.safeParse(ok).success, ok).toBe(true);
    }
  });

  it("reports the length rule alone for short passwords", () => {
    const r = ZRegisterRequest.safeParse({ email: "a@example.org", username: "abc", password: "pw" });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual(["Password must be at least 8 characters"]);
  });
});
