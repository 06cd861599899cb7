import { createRequire } from "node:module";
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

// The packages are required on first use, not imported: the language packs decompress their
// dictionaries as they load (~100 ms), which every CLI start and API start would pay otherwise.
const lazyRequire = createRequire(import.meta.url);

/**
 * zxcvbn score (0–4) a new password needs. 0–1 are guessable within about 10^6 guesses
 * ("password", "12345678", "iloveyou", keyboard walks, a dictionary word with a digit).
 */
export const MIN_PASSWORD_SCORE = 2;

let estimator: ZxcvbnFactory | undefined;

// Built on first use: loading the dictionaries takes ~100 ms and most processes never need them.
function getEstimator(): ZxcvbnFactory {
  if (estimator) return estimator;
  const { ZxcvbnFactory: Factory } = lazyRequire("@zxcvbn-ts/core") as typeof import("@zxcvbn-ts/core");
  const common = lazyRequire("@zxcvbn-ts/language-common") as typeof import("@zxcvbn-ts/language-common");
  const en = lazyRequire("@zxcvbn-ts/language-en") as typeof import("@zxcvbn-ts/language-en");
  estimator = new Factory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return estimator;
}

/** Why a password is too weak, in words a user can act on; null when it is strong enough. */
export function weakPasswordReason(password: string, userInputs: string[] = []): string | null {
  const result = getEstimator().check(password, userInputs);
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const hint = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(" ");
  return `This password is too easy to guess.${hint ? ` ${hint}` : " Use a longer phrase of unrelated words."}`;
}
