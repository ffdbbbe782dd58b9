import { describe, expect, it } from 'vitest';
import * as chaincodeUscc from '../../../chaincode/src/uscc.js';
import { UsccError, isValidUscc, normaliseUscc, usccCheckCharacter, usccProblem } from './index.js';

/** A widely published real code (a Fuzhou enterprise), as in the chaincode's own tests. */
const PUBLISHED = '91350100M000100Y43';

function problemOf(input: string): unknown {
  try {
    normaliseUscc(input);
  } catch (error) {
    if (error instanceof UsccError) return { code: error.code, problem: error.problem };
    throw error;
  }
  return undefined;
}

describe('USCC (domain)', () => {
  it('re-exports the chaincode validator itself, not a copy', () => {
    expect(isValidUscc).toBe(chaincodeUscc.isValidUscc);
    expect(usccProblem).toBe(chaincodeUscc.usccProblem);
    expect(usccCheckCharacter).toBe(chaincodeUscc.usccCheckCharacter);
    expect(isValidUscc(PUBLISHED)).toBe(true);
  });

  it('normalises by trimming and upper-casing, then validates', () => {
    expect(normaliseUscc(PUBLISHED)).toBe(PUBLISHED);
    expect(normaliseUscc('  91350100m000100y43\t\n')).toBe(PUBLISHED);
    expect(normaliseUscc('\u300091350100M000100Y43')).toBe(PUBLISHED); // ideographic space is whitespace
  });

  it('refuses invalid codes with INVALID_USCC and the problem', () => {
    expect(problemOf('91350100M000100Y4')).toEqual({ code: 'INVALID_USCC', problem: 'LENGTH' });
    expect(problemOf('')).toEqual({ code: 'INVALID_USCC', problem: 'LENGTH' });
    expect(problemOf('9135 0100M000100Y43')).toEqual({ code: 'INVALID_USCC', problem: 'LENGTH' });
    // I, O, Z, S and V are not in the alphabet; letters are not allowed in the division code.
    expect(problemOf('91350100M000100I43')).toEqual({ code: 'INVALID_USCC', problem: 'CHARACTERS' });
    expect(problemOf('9135010AM000100Y43')).toEqual({ code: 'INVALID_USCC', problem: 'CHARACTERS' });
    expect(problemOf('91350100M000100Y44')).toEqual({ code: 'INVALID_USCC', problem: 'CHECK_CHARACTER' });
  });

  it('does not put the rejected input in the error message', () => {
    const error = (() => {
      try {
        normaliseUscc('91350100M000100Y44');
      } catch (e) {
        return e as UsccError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.message).toBe('INVALID_USCC: not a valid Unified Social Credit Code (CHECK_CHARACTER)');
    expect(error.message).not.toContain('91350100');
    expect(error.name).toBe('UsccError');
  });
});
