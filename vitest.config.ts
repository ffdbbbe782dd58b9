import ts from 'typescript';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * Vite's esbuild transform drops `emitDecoratorMetadata`, which fabric-contract-api needs to learn
 * parameter types. Chaincode sources are therefore compiled with the real TypeScript compiler, as
 * `tsc` does for the deployable package.
 */
function chaincodeDecoratorMetadata(): Plugin {
  return {
    name: 'creditchain:chaincode-decorator-metadata',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]chaincode[\\/]src[\\/].*\.ts$/.test(id) || id.endsWith('.test.ts')) return null;
      const out = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          sourceMap: true,
          inlineSources: true,
        },
      });
      return { code: out.outputText, map: out.sourceMapText ?? null };
    },
  };
}

export default defineConfig({
  plugins: [chaincodeDecoratorMetadata()],
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
    env: { CORE_CHAINCODE_LOGGING_LEVEL: 'ERROR' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
