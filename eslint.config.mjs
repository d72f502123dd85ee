// Lint: typescript-eslint's strict type-checked rules, and the dependency direction of the architecture:
// domain ← store, graph, mail ← engine ← http ← main; the add-in imports only the server's HTTP contract.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const adapters = ['**/store/**', '**/graph/**', '**/mail/**', '**/engine/**', '**/http/**', '**/import/**', '**/sandbox/**', '**/main', '**/config'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'test-artifacts/', '**/*.cjs', '*.config.*', 'webpack.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['server/**/*.ts'],
    ignores: ['server/config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only server/config.ts reads the environment.' }],
    },
  },
  {
    files: ['server/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: adapters, message: 'The domain is pure: it imports no adapter.' },
          { group: ['node:*', 'fs', 'http', 'https', 'net', 'child_process', 'kysely', 'pg', '@electric-sql/*', 'fastify', '@microsoft/*', '@azure/*', 'pino'], message: 'The domain does no I/O.' },
        ],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'The domain takes `now` as an argument.' },
        { object: 'Math', property: 'random', message: 'The domain takes ids as arguments.' },
        { object: 'process', property: 'env', message: 'Only server/config.ts reads the environment.' },
      ],
    },
  },
  {
    files: ['server/store/**/*.ts', 'server/graph/**/*.ts', 'server/mail/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/engine/**', '**/http/**', '**/sandbox/**', '**/main'], message: 'Adapters import the domain, not the layers above them.' }] }],
    },
  },
  {
    files: ['addin/**/*.ts', 'addin/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '(^|/)server/(?!http/contract)', message: 'The add-in imports only the server contract (server/http/contract).' }],
      }],
    },
  },
  {
    // Sandbox tests assert on Graph's JSON answers field by field; typing every answer would restate the CSDL.
    files: ['test/server/sandbox/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
