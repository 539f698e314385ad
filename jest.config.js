/** One jest run for the whole workspace: unit specs, int-specs (real NATS + Postgres), e2e. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const common = {
  transform: { '^.+\\.tsx?$': swc },
  // The web app bundles one dependency-free file of @baton/contracts on its own (apps/web/vite.config.ts).
  moduleNameMapper: { '^@baton/contracts/read-retry$': '<rootDir>/libs/contracts/src/read-retry.ts', '^@baton/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-setup-after-env.ts'],
};
module.exports = {
  transform: common.transform,
  globalSetup: '<rootDir>/libs/testing/src/jest-global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest-global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'], testTimeout: 60_000 },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'], testTimeout: 180_000 },
  ],
};
