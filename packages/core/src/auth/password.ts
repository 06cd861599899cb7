import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

// scrypt is memory-hard: 128·N·r bytes per hash (32 MiB at N=2^15, r=8), which makes GPU
// guessing expensive. Parameters are stored in the hash so they can be raised later without
// invalidating existing passwords: scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>.
const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const SALT_LEN = 16;

export const MIN_PASSWORD_LENGTH = 8;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number, keyLen: number) {
  const N = 2 ** logN;
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, keyLen, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await derive(password, salt, LOG_N, R, P, KEY_LEN);
  return ["scrypt", LOG_N, R, P, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, logN, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, "base64url");
  const actual = await derive(password, Buffer.from(saltB64, "base64url"), +logN, +r, +p, expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// Verifying against a real-cost dummy hash when the account does not exist keeps the response
// time the same, so timing does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword("not-a-real-password");
  await verifyPassword(password, await dummyHash);
}
