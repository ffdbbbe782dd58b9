import { describe, expect, it } from 'vitest';
import { isValidUscc, usccCheckCharacter, usccProblem } from './uscc';

/*
 * Reference implementation written from GB 32100-2015 itself, independent of uscc.ts: the code
 * alphabet is the ten digits and the capital letters without I, O, Z, S and V (31 characters, each
 * valued by its position); the 18th character C18 satisfies C18 = 31 - MOD(Σ Ci·Wi, 31) for the
 * weights Wi = 3^(i-1) mod 31, with a value of 31 written as 0.
 */
const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.replace(/[IOZSV]/g, '');
const ALPHABET = DIGITS + LETTERS;
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

function referenceCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17.charAt(i)) * (WEIGHTS[i] ?? 0);
  return ALPHABET.charAt((31 - (sum % 31)) % 31);
}

/** A valid code built from the first 17 characters. */
function complete(first17: string): string {
  return first17 + referenceCheck(first17);
}

/** Deterministic pseudo-random generator (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomFirst17(next: () => number): string {
  const pick = (chars: string): string => chars.charAt(Math.floor(next() * chars.length));
  let s = pick(ALPHABET) + pick(ALPHABET);
  for (let i = 0; i < 6; i++) s += pick(DIGITS);
  for (let i = 0; i < 9; i++) s += pick(ALPHABET);
  return s;
}

function replaceAt(code: string, index: number, char: string): string {
  return code.slice(0, index) + char + code.slice(index + 1);
}

/** A widely published real code (a Fuzhou enterprise), used in many descriptions of the standard. */
const PUBLISHED = '91350100M000100Y43';

/** Valid codes computed here from the standard's algorithm. */
const COMPUTED = [
  complete('91110000600037053'),
  complete('91440300708461136'),
  complete('12100000400000770'),
  complete('Y1000000000000000'),
  complete('93310115MA1H0000Q'),
  complete('00000000000000000'),
  complete('YY999999YYYYYYYYY'),
];

describe('the reference algorithm', () => {
  it('has the 31-character alphabet and the weights 3^(i-1) mod 31', () => {
    expect(ALPHABET).toBe('0123456789ABCDEFGHJKLMNPQRTUWXY');
    expect(ALPHABET).toHaveLength(31);
    expect(WEIGHTS).toEqual(Array.from({ length: 17 }, (_v, i) => Number(3n ** BigInt(i) % 31n)));
  });

  it("confirms the published example 91350100M000100Y43 is valid (check character '3')", () => {
    expect(referenceCheck(PUBLISHED.slice(0, 17))).toBe('3');
    expect(PUBLISHED.charAt(17)).toBe('3');
  });

  it('gives 0 when the weighted sum is a multiple of 31', () => {
    expect(referenceCheck('00000000000000000')).toBe('0');
  });
});

describe('isValidUscc / usccProblem', () => {
  it.each([PUBLISHED, ...COMPUTED])('accepts %s', (code) => {
    expect(usccProblem(code)).toBeUndefined();
    expect(isValidUscc(code)).toBe(true);
    expect(usccCheckCharacter(code.slice(0, 17))).toBe(code.charAt(17));
  });

  it('agrees with the reference on 2000 pseudo-random codes', () => {
    const next = rng(32100);
    for (let n = 0; n < 2000; n++) {
      const first17 = randomFirst17(next);
      const expected = referenceCheck(first17);
      expect(usccCheckCharacter(first17), first17).toBe(expected);
      expect(isValidUscc(first17 + expected), first17).toBe(true);
    }
  });

  it.each([PUBLISHED, ...COMPUTED])(
    'rejects every other check character of %s as CHECK_CHARACTER',
    (code) => {
      const right = code.charAt(17);
      const wrong = ALPHABET.split('').filter((c) => c !== right);
      expect(wrong).toHaveLength(30);
      for (const c of wrong) {
        const altered = replaceAt(code, 17, c);
        expect(usccProblem(altered), altered).toBe('CHECK_CHARACTER');
        expect(isValidUscc(altered)).toBe(false);
      }
    },
  );

  it('rejects a change of any single character of the first 17 (CHECK_CHARACTER)', () => {
    // Every weight is a unit mod 31, so a single substitution always changes the check character.
    for (const code of [PUBLISHED, ...COMPUTED]) {
      for (let i = 0; i < 17; i++) {
        const pool = i >= 2 && i < 8 ? DIGITS : ALPHABET;
        for (const c of pool) {
          if (c === code.charAt(i)) continue;
          const altered = replaceAt(code, i, c);
          expect(usccProblem(altered), altered).toBe('CHECK_CHARACTER');
        }
      }
    }
  });

  it('rejects a swap of two adjacent different characters (CHECK_CHARACTER)', () => {
    for (let i = 0; i < 16; i++) {
      const a = PUBLISHED.charAt(i);
      const b = PUBLISHED.charAt(i + 1);
      if (a === b) continue;
      const swapped = PUBLISHED.slice(0, i) + b + a + PUBLISHED.slice(i + 2);
      if (/^..[0-9]{6}/.test(swapped)) expect(usccProblem(swapped), swapped).toBe('CHECK_CHARACTER');
    }
  });

  it.each([
    ['empty', ''],
    ['17 characters', PUBLISHED.slice(0, 17)],
    ['19 characters', `${PUBLISHED}0`],
    ['the 15-digit legacy registration number', '350100100001000'],
    ['a code with a space', `${PUBLISHED.slice(0, 9)} ${PUBLISHED.slice(9)}`],
    ['a code with surrounding whitespace', ` ${PUBLISHED}`],
  ])('rejects %s as LENGTH', (_label, code) => {
    expect(usccProblem(code)).toBe('LENGTH');
    expect(isValidUscc(code)).toBe(false);
  });

  describe('rejects the forbidden letters I, O, Z, S, V as CHARACTERS', () => {
    it.each(['I', 'O', 'Z', 'S', 'V'])('%s anywhere outside the division code', (letter) => {
      for (const i of [0, 1, 8, 9, 12, 16, 17]) {
        const altered = replaceAt(PUBLISHED, i, letter);
        expect(usccProblem(altered), altered).toBe('CHARACTERS');
      }
    });

    it('O for 0 and I for 1 are refused, not read as the digits they resemble', () => {
      expect(usccProblem(PUBLISHED.replace(/0/g, 'O'))).toBe('CHARACTERS');
      expect(usccProblem(PUBLISHED.replace(/1/g, 'I'))).toBe('CHARACTERS');
    });
  });

  it('rejects lower-case letters as CHARACTERS', () => {
    expect(usccProblem(PUBLISHED.toLowerCase())).toBe('CHARACTERS');
    expect(usccProblem(replaceAt(PUBLISHED, 8, 'm'))).toBe('CHARACTERS');
    expect(usccProblem(replaceAt(PUBLISHED, 15, 'y'))).toBe('CHARACTERS');
    expect(usccProblem(replaceAt(PUBLISHED, 17, 'a'))).toBe('CHARACTERS');
  });

  it('rejects a letter or symbol in the 6-digit division code (characters 3 to 8) as CHARACTERS', () => {
    for (let i = 2; i < 8; i++) {
      for (const c of ['A', 'M', 'Y', '-', ' ', '٣']) {
        const first17 = replaceAt(PUBLISHED, i, c).slice(0, 17);
        // Even with a check character computed over the letter, the division code must be digits.
        const check = ALPHABET.includes(c) ? referenceCheck(first17) : '3';
        const altered = first17 + check;
        expect(usccProblem(altered), altered).toBe('CHARACTERS');
      }
    }
  });

  it('rejects punctuation, full-width characters and non-ASCII digits as CHARACTERS', () => {
    expect(usccProblem(replaceAt(PUBLISHED, 0, '-'))).toBe('CHARACTERS');
    expect(usccProblem(replaceAt(PUBLISHED, 9, 'Ｍ'))).toBe('CHARACTERS');
    expect(usccProblem(replaceAt(PUBLISHED, 12, '１'))).toBe('CHARACTERS');
  });
});

describe('usccCheckCharacter', () => {
  it('throws RangeError for a character outside the alphabet', () => {
    expect(() => usccCheckCharacter('91350100M00010OY4')).toThrow(RangeError);
    expect(() => usccCheckCharacter('91350100m000100Y4')).toThrow(RangeError);
  });
});
