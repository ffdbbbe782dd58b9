import { ProfileError } from '../profile.js';
import { OperatorError } from '../ops/errors.js';

/** What a failed command prints: what went wrong, and (when known) what to do about it. */
export function describeFailure(err: unknown): { message: string; hint: string | undefined } {
  if (err instanceof OperatorError) return { message: err.message, hint: err.hint };
  if (err instanceof ProfileError)
    return {
      message: err.message,
      hint: 'fix that field of the profile (see network/profiles/*.yaml for examples)',
    };
  const withHint = err as { message?: unknown; hint?: unknown };
  if (err instanceof Error)
    return { message: err.message, hint: typeof withHint.hint === 'string' ? withHint.hint : undefined };
  return { message: String(err), hint: undefined };
}
