import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";

/** URL-safe random secret for cookies, links and API keys (256 bits by default). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** Only hashes of secrets are stored, so a database leak does not hand out sessions or keys. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function randomNumericCode(digits: number): string {
  return randomInt(0, 10 ** digits)
    .toString()
    .padStart(digits, "0");
}

export function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a, "hex");
  const bb = Buffer.from(b, "hex");
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;
