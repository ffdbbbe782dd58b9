import { Shim } from 'fabric-shim';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { quietDisabledDebugLogging, skipDisabledDebug, type DebugLogger } from './logging';

function fakeLogger(enabled: { debug: boolean }): DebugLogger & { written: unknown[][] } {
  const written: unknown[][] = [];
  return {
    written,
    debug(...args: unknown[]) {
      written.push(args);
      return this;
    },
    isDebugEnabled: () => enabled.debug,
  };
}

describe('skipDisabledDebug', () => {
  it('drops debug messages while debug is off and writes them once it is on', () => {
    const enabled = { debug: false };
    const logger = fakeLogger(enabled);
    skipDisabledDebug(logger);
    logger.debug('dropped');
    expect(logger.written).toEqual([]);
    enabled.debug = true;
    logger.debug('kept', 1);
    expect(logger.written).toEqual([['kept', 1]]);
  });

  it('wraps a logger only once', () => {
    const enabled = { debug: true };
    const logger = fakeLogger(enabled);
    skipDisabledDebug(logger);
    skipDisabledDebug(logger);
    logger.debug('once');
    expect(logger.written).toEqual([['once']]);
  });
});

describe('quietDisabledDebugLogging on the real shim loggers', () => {
  const level = process.env.CORE_CHAINCODE_LOGGING_LEVEL;
  afterEach(() => {
    process.env.CORE_CHAINCODE_LOGGING_LEVEL = level;
  });

  it('never reaches winston for a disabled debug message, and still logs warnings and enabled debug', () => {
    process.env.CORE_CHAINCODE_LOGGING_LEVEL = 'WARNING';
    quietDisabledDebugLogging();
    const handler = Shim.newLogger('lib/handler.js');
    const write = vi.spyOn(handler, 'write').mockImplementation(() => true);
    try {
      handler.debug('formatted for nobody');
      expect(write).not.toHaveBeenCalled();
      handler.warn('seen');
      expect(write).toHaveBeenCalledTimes(1);
      process.env.CORE_CHAINCODE_LOGGING_LEVEL = 'DEBUG';
      Shim.newLogger('lib/handler.js'); // the shim re-reads the level, as on each getLogger
      handler.debug('now wanted');
      expect(write).toHaveBeenCalledTimes(2);
    } finally {
      write.mockRestore();
    }
  });
});
