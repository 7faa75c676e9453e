// Reliability suites (`npm run test:reliability`): long scenario tests that pass or fail on
// correctness (crashes, faults, duplicates, several processes, a Postgres restart). Two files at a
// time, as the main suite: each has its own databases (the database-restart suite stops a Postgres
// server of its own, never the shared one) and waits on conditions, not on timings.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.reliability-spec.ts'],
  testTimeout: 300_000,
  maxWorkers: 2,
};
