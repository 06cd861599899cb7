import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password.ts";
import { hashToken, randomNumericCode, randomToken } from "./tokens.ts";

describe("password hashing", () => {
  it("hashes with scrypt N=2^15 r=8 p=1 and a per-user salt, and verifies", async () => {
    const a = await hashPassword("correct horse");
    const b = await hashPassword("correct horse");
    expect(a).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct horsE", a)).toBe(false);
  });

  it("rejects malformed hashes instead of throwing", async () => {
    expect(await verifyPassword("x", "")).toBe(false);
    expect(await verifyPassword("x", "bcrypt$whatever")).toBe(false);
  });

  it("honours the parameters stored in the hash (so they can be raised later)", async () => {
    const { scryptSync, randomBytes } = await import("node:crypto");
    const salt = randomBytes(16);
    const key = scryptSync("old", salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const encoded = ["scrypt", 14, 8, 1, salt.toString("base64url"), key.toString("base64url")].join("$");
    expect(await verifyPassword("old", encoded)).toBe(true);
  });
});

describe("tokens", () => {
  it("random tokens are 256-bit url-safe strings; only their sha256 is stored", () => {
    const t = randomToken();
    expect(t).toMatch(/^[\w-]{43}$/);
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(randomNumericCode(6)).toMatch(/^\d{6}$/);
  });
});
