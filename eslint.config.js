import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', 'network/.local/**', 'bench/results/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    files: ['**/*.test.ts', 'chaincode/test/**/*.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['chaincode/src/**/*.ts'],
    ignores: ['chaincode/src/**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Chaincode must be deterministic: use the transaction timestamp.' },
        { name: 'setTimeout', message: 'Chaincode must be deterministic.' },
        { name: 'setInterval', message: 'Chaincode must be deterministic.' },
        { name: 'fetch', message: 'Chaincode must not access the network.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Chaincode must be deterministic.' },
        { object: 'crypto', property: 'randomUUID', message: 'Chaincode must be deterministic.' },
        { object: 'crypto', property: 'getRandomValues', message: 'Chaincode must be deterministic.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'fs', message: 'Chaincode must not access files.' },
            { name: 'node:fs', message: 'Chaincode must not access files.' },
            { name: 'fs/promises', message: 'Chaincode must not access files.' },
            { name: 'node:fs/promises', message: 'Chaincode must not access files.' },
            { name: 'http', message: 'Chaincode must not access the network.' },
            { name: 'https', message: 'Chaincode must not access the network.' },
            { name: 'net', message: 'Chaincode must not access the network.' },
            { name: 'node:http', message: 'Chaincode must not access the network.' },
            { name: 'node:https', message: 'Chaincode must not access the network.' },
            { name: 'node:net', message: 'Chaincode must not access the network.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='randomBytes']",
          message: 'Chaincode must be deterministic.',
        },
        {
          selector: "CallExpression[callee.property.name='randomUUID']",
          message: 'Chaincode must be deterministic.',
        },
        {
          selector: "CallExpression[callee.name='randomBytes']",
          message: 'Chaincode must be deterministic.',
        },
        { selector: "CallExpression[callee.name='randomUUID']", message: 'Chaincode must be deterministic.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
