/**
 * Runs evaluation scripts that need the whole Nest application (decorator metadata, so ts-jest rather than tsx)
 * against a throwaway PostgreSQL, like the e2e tests. Not part of `npm test`: these write BENCHMARKS.md.
 */
import base from '../jest.config.mjs';

const e2e = base.projects.find((p) => p.displayName === 'e2e');

export default {
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  testTimeout: 3_600_000,
  maxWorkers: 1,
  ...Object.fromEntries(Object.entries(e2e).filter(([k]) => k !== 'displayName' && k !== 'testMatch')),
  rootDir: '..',
  testMatch: ['<rootDir>/eval/**/*.eval-run.ts'],
};
