// The house rules, checked by `npm run lint` (and .ci/run). Deliberately small: TypeScript's own
// checks do the rest. Type-aware rules read tsconfig.json through the project service.
import { readdirSync } from 'node:fs';
import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// A feature folder's index.ts is its public surface: other features import it, never its files.
const FEATURES = readdirSync(new URL('./src/modules', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const featureSurfaces = FEATURES.map((feature) => ({
  target: `./src/modules/!(${feature})/**/*`,
  from: `./src/modules/${feature}`,
  except: ['./index.ts'],
  message: `Another feature is used through its public surface, src/modules/${feature}/index.ts`,
}));

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'test/graphql/generated.ts'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      // import-x parses the files an import leads to (for no-cycle) with the TypeScript parser.
      'import-x/extensions': ['.ts', '.js', '.cjs', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })],
    },
    rules: {
      // A promise nobody awaits loses its rejection: await it, or `void` it where a catch is attached.
      '@typescript-eslint/no-floating-promises': 'error',
      // Fastify hooks, event emitters and timers do not await an async callback's promise.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Runtime cycles only (`import type` is erased by the compiler and ignored here).
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/core',
              from: './src/modules',
              message: 'core/ never imports a module: the module hands it what it needs (DESIGN.md).',
            },
            ...featureSurfaces,
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'src/config.ts is the only reader of process.env.' },
      ],
    },
  },
  {
    // The one reader of the environment; tests and benchmarks set up and read their own.
    files: ['src/config.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
