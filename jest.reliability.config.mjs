/**
 * The reliability suite (npm run test:reliability): protections, token abuse, fuzzing, crash and outage tests.
 * Separate from `npm test` because it is slow (5,000-request fuzzing, child-process crashes, a dedicated
 * PostgreSQL cluster for the outage test). Bounded: every test has its own timeout, the whole run ~10 minutes.
 */
import base from './jest.config.mjs';

const e2e = base.projects.find((p) => p.displayName === 'e2e');

export default {
  globalSetup: base.globalSetup,
  globalTeardown: base.globalTeardown,
  maxWorkers: 2,
  testTimeout: 300_000,
  projects: [
    {
      ...e2e,
      displayName: 'reliability',
      testMatch: ['<rootDir>/test/reliability/**/*.rel-spec.ts'],
    },
  ],
};
