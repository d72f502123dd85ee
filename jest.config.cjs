// Two projects: the server in Node, the add-in in jsdom. ts-jest transpiles only (isolatedModules);
// `npm run typecheck` runs tsc. ESM-only packages are transformed too (see the note in README.md).
const transform = { '^.+\\.m?[tj]sx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const transformIgnorePatterns = ['/node_modules/(?!(jose|kysely|cookie|typebox)/)'];

module.exports = {
  // Shared 2-core machines run suites in parallel: a slow start is not a failure (speed is measured by benchmarks).
  testTimeout: 30_000,
  projects: [
    {
      displayName: 'server',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/server'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/server/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/server/helpers/global-teardown.ts',
      transform,
      transformIgnorePatterns,
    },
    {
      displayName: 'addin',
      testEnvironment: 'jsdom',
      roots: ['<rootDir>/test/addin'],
      testMatch: ['**/*.test.ts?(x)'],
      setupFilesAfterEnv: ['<rootDir>/test/addin/setup.ts'],
      // office-addin-mock imports office-addin-manifest, which does not load under Jest on Node 20 (an ESM-only
      // dependency of it); the mock needs only its host names.
      moduleNameMapper: { '^office-addin-manifest$': '<rootDir>/test/addin/helpers/office-app-hosts.cjs' },
      transform,
      transformIgnorePatterns,
    },
  ],
};
