/**
 * Unified Social Credit Code (统一社会信用代码, GB 32100-2015): 18 characters from a 31-character
 * alphabet (digits and capital letters without I, O, Z, S, V); characters 3 to 8 are the
 * administrative division code; the 18th is a check character over the first 17.
 *
 * The contract never receives a code in clear. Gateways and the CLI validate codes with this module
 * before turning them into pseudonyms, so every entry point shares one implementation.
 */

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const SHAPE = /^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$/;

/** Why a string is not a valid USCC. */
export type UsccProblem = 'LENGTH' | 'CHARACTERS' | 'CHECK_CHARACTER';

/** The check character GB 32100-2015 prescribes for the first 17 characters of a code. */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = ALPHABET.indexOf(first17.charAt(i));
    if (value < 0) throw new RangeError(`invalid USCC character at position ${i + 1}`);
    sum += value * (WEIGHTS[i] ?? 0);
  }
  const check = (31 - (sum % 31)) % 31;
  return ALPHABET.charAt(check);
}

/** Returns undefined for a valid code, otherwise the first problem found. */
export function usccProblem(code: string): UsccProblem | undefined {
  if (code.length !== 18) return 'LENGTH';
  if (!SHAPE.test(code)) return 'CHARACTERS';
  return usccCheckCharacter(code.slice(0, 17)) === code.charAt(17) ? undefined : 'CHECK_CHARACTER';
}

/** True when `code` is a well-formed USCC with a correct check character. */
export function isValidUscc(code: string): boolean {
  return usccProblem(code) === undefined;
}
