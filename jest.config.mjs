/** Jest in ESM mode (NestJS 12 is ESM-only). Projects: unit (libs, apps), e2e (HTTP against real PostgreSQL). */
const common = {
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@mira/core/util$': '<rootDir>/libs/core/src/util/index.ts',
    '^@mira/(.*)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  // Shares the host's typed-array constructors with the test realm (onnxruntime checks them with instanceof).
  testEnvironment: '<rootDir>/test/support/node-environment.cjs',
};

export default {
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  maxWorkers: 2,
  testTimeout: 60_000,
  collectCoverageFrom: ['libs/**/src/**/*.ts', '!libs/**/src/index.ts', '!**/*.spec.ts'],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 80 } },
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
