// Password strength and common-password matching, shared by the server (policy checks) and the
// browser (the set-password page's meter). Uses only zxcvbn-ts and plain JavaScript — no Node
// APIs — so the web bundle can import it. The dictionaries are a few megabytes: the browser
// should load this module lazily (dynamic import) on the set-password page only.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type { Score, ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

export type StrengthScore = Score;

export interface PasswordStrength {
  /** 0 (trivially guessable) to 4 (very strong), as zxcvbn defines it. */
  score: StrengthScore;
  /** A short warning about the weakest part, or null. */
  warning: string | null;
  suggestions: string[];
}

let factory: ZxcvbnFactory | undefined;

/** The zxcvbn instance, built once with the bundled common, breached and English dictionaries. */
function zxcvbn(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    translations: english.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...english.dictionary },
    useLevenshteinDistance: false,
  });
  return factory;
}

/** Full zxcvbn analysis; `userInputs` (name, email parts) count as guessable words. */
export function analysePassword(
  password: string,
  userInputs: readonly string[] = [],
): ZxcvbnResult {
  return zxcvbn().check(password, [...userInputs]);
}

/** Score 0–4 and feedback for a strength meter. */
export function passwordStrength(
  password: string,
  userInputs: readonly string[] = [],
): PasswordStrength {
  const result = analysePassword(password, userInputs);
  return {
    score: result.score,
    warning: result.feedback.warning,
    suggestions: result.feedback.suggestions,
  };
}
