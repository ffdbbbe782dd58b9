/**
 * Keeps fabric-shim's and fabric-contract-api's debug logging from costing CPU when it is off.
 *
 * Both log through winston 3, which runs its whole format pipeline (timestamp, metadata, colours,
 * padding, printf) on every message and only then lets the console transport drop it by level; the
 * shim logs about forty debug messages per transaction, so at the peer's default level (INFO or
 * above) formatting messages nobody sees took about a sixth of this process's CPU (measured with
 * `--cpu-prof` under the benchmark's SubmitReport load). Each logger's `debug` is wrapped to return
 * at once while debug is disabled; with `CORE_CHAINCODE_LOGGING_LEVEL=DEBUG` every message is
 * written as before, and a level changed later is honoured because the check runs on each call.
 */
import { Shim } from 'fabric-shim';

/** The fabric-shim loggers a transaction goes through (names as the shim's modules register them). */
const SHIM_LOGGERS = [
  'lib/chaincode.js',
  'lib/handler.js',
  'lib/stub.js',
  'lib/iterators.js',
  'contracts-spi/chaincodefromcontract.js',
  'contracts-spi/datamarshall.js',
] as const;

/** fabric-contract-api's logger of its JSON serializer (parameters and return values). */
const CONTRACT_API_LOGGERS = ['./lib/jsontransactionserializer.js'] as const;

/** The part of a winston logger this module touches. */
export interface DebugLogger {
  debug: (...args: unknown[]) => unknown;
  isDebugEnabled(): boolean;
}

const wrapped = new WeakSet<DebugLogger>();

/** Makes `logger.debug` return without formatting while debug is disabled; idempotent. */
export function skipDisabledDebug(logger: DebugLogger): void {
  if (wrapped.has(logger)) return;
  const debug = logger.debug.bind(logger);
  logger.debug = (...args: unknown[]): unknown => (logger.isDebugEnabled() ? debug(...args) : logger);
  wrapped.add(logger);
}

interface LoggerModule {
  getLogger(name: string): DebugLogger;
}

/** Applies {@link skipDisabledDebug} to the shim's and the contract API's per-transaction loggers. */
export function quietDisabledDebugLogging(): void {
  for (const name of SHIM_LOGGERS) skipDisabledDebug(Shim.newLogger(name));
  // fabric-contract-api exports no logger factory; its module is stable across the pinned 2.5 line.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const contractApi = require('fabric-contract-api/lib/logger.js') as LoggerModule;
  for (const name of CONTRACT_API_LOGGERS) skipDisabledDebug(contractApi.getLogger(name));
}
