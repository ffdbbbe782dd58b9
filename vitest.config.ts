import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'chaincode/src/**/*.test.ts',
      'chaincode/test/**/*.test.ts',
      'gateway/**/*.test.ts',
      'network/**/*.test.ts',
      'scripts/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    env: { CORE_CHAINCODE_LOGGING_LEVEL: 'CRITICAL' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
