import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";

/**
 * zxcvbn score (0–4) a new password needs. 0–1 are guessable within about 10^6 guesses
 * ("password", "12345678", "iloveyou", keyboard walks, a dictionary word with a digit).
 */
export const MIN_PASSWORD_SCORE = 2;

let estimator: ZxcvbnFactory | undefined;

// Built on first use: loading the dictionaries takes ~100 ms and most processes never need them.
function getEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
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
