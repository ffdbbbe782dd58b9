/**
 * The member gateway's pure domain building blocks.
 *
 * @packageDocumentation
 */
export {
  UsccError,
  isValidUscc,
  normaliseUscc,
  usccCheckCharacter,
  usccProblem,
  type Uscc,
  type UsccErrorCode,
  type UsccProblem,
} from './uscc.js';
