// Reliability suites (`npm run test:reliability`): long scenario tests that pass or fail on
// correctness (crashes, faults, duplicates, several processes, a Postgres restart). They run one
// file at a time: the database-restart suite stops the server every other file is using.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.reliability-spec.ts'],
  testTimeout: 300_000,
  maxWorkers: 1,
};
