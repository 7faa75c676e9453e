// Jest 30 on Node 20 cannot require() ESM, so the ESM-only packages (agenda, got, request-filtering-agent and their
// dependency closure) are transformed by swc like our own TypeScript.
const esmOnly = [
  'agenda', '@agendajs', 'got', '@sindresorhus', '@sec-ant', 'byte-counter', 'cacheable-lookup',
  'cacheable-request', 'decompress-response', 'get-stream', 'is-stream', 'lowercase-keys',
  'mimic-response', 'normalize-url', 'p-cancelable', 'responselike', 'form-data-encoder', 'request-filtering-agent',
  'http2-wrapper', 'keyv', 'quick-lru', 'type-fest', 'chunk-data', 'uint8array-extras',
];
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  testTimeout: 30_000,
  maxWorkers: 2,
};
