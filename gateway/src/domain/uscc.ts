/**
 * Unified Social Credit Code (统一社会信用代码, GB 32100-2015) handling for the gateway.
 *
 * Validation is the chaincode's own implementation (`chaincode/src/uscc.ts`), re-exported here so
 * that the contract, the gateways and the CLI accept and reject exactly the same codes. This module
 * adds only input normalisation and a typed error.
 *
 * @packageDocumentation
 */
import { usccProblem, type UsccProblem } from '../../../chaincode/src/uscc.js';

export {
  isValidUscc,
  usccCheckCharacter,
  usccProblem,
  type UsccProblem,
} from '../../../chaincode/src/uscc.js';

declare const usccBrand: unique symbol;

/** A string that {@link normaliseUscc} has normalised and validated. */
export type Uscc = string & { readonly [usccBrand]: true };

/** Stable code of {@link UsccError}. */
export type UsccErrorCode = 'INVALID_USCC';

/**
 * Thrown when a string is not a valid USCC after normalisation. `problem` says why: `LENGTH`
 * (not 18 characters), `CHARACTERS` (outside the code alphabet or the layout) or `CHECK_CHARACTER`
 * (the 18th character does not match the first 17). The message never contains the input, so the
 * error can be logged without leaking a subject identifier.
 */
export class UsccError extends Error {
  readonly code: UsccErrorCode = 'INVALID_USCC';
  readonly problem: UsccProblem;

  constructor(problem: UsccProblem) {
    super(`INVALID_USCC: not a valid Unified Social Credit Code (${problem})`);
    this.name = 'UsccError';
    this.problem = problem;
  }
}

/**
 * Normalises user input to a canonical USCC: removes surrounding whitespace, upper-cases, then
 * validates with the chaincode's validator (GB 32100-2015 check character).
 *
 * Every pseudonym must be computed from this form, or the same enterprise would get two
 * `subjectRef`s.
 *
 * @param input - the code as typed or received, e.g. `' 91350100m000100y43 '`
 * @returns the canonical 18-character code
 * @throws {@link UsccError} `INVALID_USCC` with the problem found
 */
export function normaliseUscc(input: string): Uscc {
  if (typeof input !== 'string') throw new UsccError('CHARACTERS');
  const code = input.trim().toUpperCase();
  const problem = usccProblem(code);
  if (problem !== undefined) throw new UsccError(problem);
  return code as Uscc;
}
