import { CreditContract } from './contract';
import { quietDisabledDebugLogging } from './logging';
import { cacheShimParameterValidators } from './validator-cache';

quietDisabledDebugLogging();
cacheShimParameterValidators();

export { CreditContract };
export { ContractError, ErrorCodes, type ErrorCode } from './errors';
export { isValidUscc, usccCheckCharacter, usccProblem, type UsccProblem } from './uscc';
export * as eip712 from './eip712';
export { canonicalJson } from './canonical';
export type * from './model';

/** The contracts `fabric-chaincode-node` serves; the first is the default. */
export const contracts = [CreditContract];
