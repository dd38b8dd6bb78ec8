import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { adapterLink } from './adapter-link.ts';
import { createDmmfReader, type DmmfReader } from './dmmf-reuse.ts';
import { installGeneratorMemo, type GeneratorMemo } from './generator-memo.ts';
import { applyOutput, captureOutput, recognizeOutput } from './output-sync.ts';
import { catalogPgAdapterFactory } from './pg-catalog.ts';
import { pullAhead } from './pull-ahead.ts';
import { routeSchemaWasm } from './schema-wasm.ts';
import { spanRecorder } from './spans.ts';
import { findPackageDir } from './support.ts';

/**
 * `prisma db pull` and `prisma generate` in this process, with the project's own Prisma packages
 * (the ones the CLI bundle is built from, at its exact version), called as the CLI calls them.
 * The only module that knows Prisma's internals; it runs in the worker child, never in the daemon.
 * Everything here is `unknown`-typed on purpose: the packages are the project's, not schemasync's.
 */

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument --
   Prisma's internal packages, loaded at run time from the project: no types to check against. */
type Any = any;

export interface InProcessPrisma {
  version: string;
  /** Why the worker cannot serve this project, or undefined when it can. */
  unsupported: string | undefined;
  /** `prisma db pull --schema S --config C` for an existing schema (no --force/--print/--url). */
  pull(): Promise<void>;
  /** `prisma generate --schema S --config C`. */
  generate(): Promise<void>;
  /** Sets up the next pull while idle (pull-ahead.ts): after a generate, before the next save. */
  prepareNextPull(): Promise<void>;
  /** The database has just changed: the last pull's slow queries are sent ahead (query-prefetch.ts). */
  prefetch(): void;
  /** Compiles what the first request would (the schema wasm, the DMMF path) without writing anything. */
  warm(): Promise<void>;
  /** Fills the generator memo from the schema as it stands and introspects once, writing nothing. */
  prime(): Promise<void>;
  close(): Promise<void>;
  /** Milliseconds of each phase of the last pull or generate (for the debug log and the profile). */
  readonly spans: Record<string, number>;
  /** Renderings the last generate reused and rendered anew (generator-memo.ts), or why it reuses none. */
  readonly reuse: Record<string, number> | string;
}

/** Generators the packages bring in-process (`@prisma/client-generator-registry`). */
const REGISTRY_PROVIDERS = new Set(['prisma-client', 'prisma-client-js']);

export interface InProcessOptions {
  projectRoot: string;
  schema: string;
  configFile?: string | undefined;
  /** Tests: the DMMF handed to generators is deep-frozen (dmmf-reuse.ts). */
  freezeDmmf?: boolean;
}

export async function loadInProcessPrisma(options: InProcessOptions): Promise<InProcessPrisma> {
  const { projectRoot, schema, configFile } = options;
  const { internals, migrate, registry, enginesVersion, version, config, memo, dmmf } = await loadPackages(projectRoot, configFile, options.freezeDmmf);

  const major = Number(version.split('.')[0]);
  let unsupported = unsupportedConfig(major, config, projectRoot);
  const { schemaLocation, loadSchema } = schemaLoading(internals, major, config, projectRoot, schema);

  const foreignGenerators = (schemaContext: Any) => foreignGeneratorsOf(internals, schemaContext);
  // Said at start-up; a schema that does not load yet is the first request's business.
  unsupported ??= await loadSchema().then(foreignGenerators, () => undefined);

  // 6.x: the config's own adapter; 7.x has none in the config (see pg-catalog.ts).
  const link = adapterLink(() => Promise.resolve(major === 6 ? config.adapter() : catalogPgAdapterFactory(projectRoot, config.datasource.url)));

  const { spans, span, clearSpans } = spanRecorder();

  /** `write: false`: introspects and drops the result (prime). */
  async function pull({ write = true } = {}): Promise<void> {
    clearSpans();
    link.prefetch.begin();
    await pullOnce(write).finally(() => link.prefetch.end());
  }

  /** What DbPull does before it introspects: the schema loaded and validated, an engine started. */
  async function setUpPull(): Promise<{ schemaContext: Any; engine: Any }> {
    const schemaContext: Any = await span('pull.loadSchemaContext', () =>
      internals.loadSchemaContext({ ...schemaLocation(), printLoadMessage: false, allowNull: true }),
    );
    if (!schemaContext) throw new Error(`no schema at ${schema}`);
    // DbPull validates the schema (and its env vars) before introspecting.
    await span('pull.getConfig', () =>
      internals.getConfig(major === 6 ? { datamodel: schemaContext.schemaFiles, ignoreEnvVarErrors: false } : { datamodel: schemaContext.schemaFiles }),
    );
    const engine: Any = await span('pull.engineSetup', async () => migrate.SchemaEngineWasm.setup({ adapter: await link.factory(), schemaContext }));
    return { schemaContext, engine };
  }
  // A set-up not taken frees its wasm engine; the adapter stays.
  const ahead = pullAhead(schema, setUpPull, ({ engine }) => engine.stop());

  async function pullOnce(write: boolean): Promise<void> {
    const { schemaContext, engine } = (await ahead.take()) ?? (await setUpPull());
    try {
      const directories: Any = internals.inferDirectoryConfig(schemaContext, config);
      const result: Any = await span('pull.introspect', () =>
        engine.introspect({
          schema: internals.toSchemasContainer(schemaContext.schemaFiles),
          baseDirectoryPath: schemaContext.schemaRootDir ?? projectRoot,
          viewsDirectoryPath: directories.viewsDirPath,
          force: undefined,
          compositeTypeDepth: undefined,
          namespaces: undefined,
        }),
      );
      // As the CLI's saveSchemaFiles.
      if (write) await span('pull.write', () => Promise.all(result.schema.files.map((file: Any) => fs.promises.writeFile(file.path, file.content, 'utf8'))));
    } finally {
      await span('pull.engineStop', () => engine.stop());
    }
  }

  /** `write: false`: only the prisma-client generators run, and their output is dropped (prime). */
  async function generate({ write = true } = {}): Promise<void> {
    clearSpans();
    if (typeof memo !== 'string') memo.beginRun();
    const schemaContext: Any = await span('generate.loadSchema', loadSchema);
    const foreign = foreignGenerators(schemaContext);
    if (foreign) throw new Error(foreign);
    // The DMMF's objects are shared between runs only with generators known not to write to them.
    if (typeof dmmf !== 'string') dmmf.enabled = providersOf(internals, schemaContext).every((p) => p === 'prisma-client');
    const generators: Any[] = await span('generate.getGenerators', () =>
      internals.getGenerators(generateOptions(major, schemaContext, enginesVersion, registry)),
    );
    for (const generator of generators) {
      try {
        // prisma-client's output is written only where it changed (output-sync.ts); other
        // generators write as they do under the CLI.
        const output: unknown = generator.getProvider() === 'prisma-client' ? (generator.options?.generator ?? generator.config)?.output?.value : undefined;
        if (typeof output !== 'string' || !path.isAbsolute(output)) {
          if (write) await span('generate.emit', () => generator.generate());
          continue;
        }
        const captured = await span('generate.emit', () => captureOutput(output, () => generator.generate()));
        // Not written (prime): the files already as generated are known, and need no reading later.
        await span('generate.write', async () => void (write ? await applyOutput(output, captured) : await recognizeOutput(output, captured)));
      } finally {
        generator.stop();
      }
    }
  }

  async function warm(): Promise<void> {
    const schemaContext: Any = await loadSchema();
    await internals.getDMMF({ datamodel: schemaContext.schemaFiles });
  }

  // The first generate renders every model (a minute at 300 tables); rendered ahead from the schema
  // as it stands, the first save re-renders only what it changes. One introspection ahead too:
  // the first save's pull then has slow queries to send ahead, and a warm engine.
  async function prime(): Promise<void> {
    if (typeof memo !== 'string') await generate({ write: false });
    await pull({ write: false });
  }

  return {
    version,
    unsupported,
    pull,
    generate,
    warm,
    prime,
    prepareNextPull: () => ahead.prepare(),
    close: () => ahead.discard().finally(() => link.close()),
    prefetch: () => link.prefetch.hint(),
    spans,
    get reuse() {
      return reuseOf(memo, dmmf);
    },
  };
}

/** The CLI's ways of finding the schema (6.x takes the paths, 7.x a SchemaPathInput) and loading it for generate. */
function schemaLoading(internals: Any, major: number, config: Any, projectRoot: string, schema: string) {
  const schemaLocation = (): Any =>
    major === 6
      ? { schemaPathFromArg: schema, schemaPathFromConfig: config.schema, schemaEngineConfig: config }
      : { schemaPath: internals.createSchemaPathInput({ schemaPathFromArgs: schema, schemaPathFromConfig: config.schema, baseDir: projectRoot }) };
  const loadSchema = async (): Promise<Any> => {
    if (major === 6) {
      const schemaResult = await internals.getSchemaWithPath(schema, config.schema, { cwd: projectRoot });
      return internals.processSchemaResult({ schemaResult, ignoreEnvVarErrors: true, printLoadMessage: false });
    }
    const schemaResult = await internals.getSchemaWithPath({ ...schemaLocation(), cwd: projectRoot });
    return internals.processSchemaResult({ schemaResult });
  };
  return { schemaLocation, loadSchema };
}

/** The reuse counts of the last generate (the DMMF's when it was reused), or why there are none. */
function reuseOf(memo: GeneratorMemo | string, dmmf: DmmfReader | string): Record<string, number> | string {
  if (typeof memo === 'string') return memo;
  return typeof dmmf === 'string' || !dmmf.enabled ? memo.counts : { ...dmmf.counts, ...memo.counts };
}

/** The project's own Prisma packages, and its Prisma config loaded as the CLI's loadConfig does (c12 + jiti, its own imports included). */
async function loadPackages(projectRoot: string, configFile: string | undefined, freezeDmmf = false) {
  const fromProject = createRequire(path.join(projectRoot, 'package.json'));
  // Before anything loads the generator.
  const registryDir = findPackageDir('@prisma/client-generator-registry', projectRoot);
  const memo =
    process.env.SCHEMASYNC_PRISMA_REUSE === 'off'
      ? 'turned off by SCHEMASYNC_PRISMA_REUSE=off'
      : registryDir
        ? installGeneratorMemo(registryDir)
        : '@prisma/client-generator-registry is not installed';
  const internalsDir = findPackageDir('@prisma/internals', projectRoot);
  if (!internalsDir) throw new Error('@prisma/internals is not installed');
  redirectSchemaEngineWasm(internalsDir);
  // The DMMF is reused where the generator memo is on: with a generator reviewed for it.
  let dmmf: DmmfReader | string = typeof memo === 'string' ? memo : createDmmfReader({ freeze: freezeDmmf });
  if (typeof dmmf !== 'string') dmmf = routeSchemaWasm(internalsDir, dmmf) ?? dmmf;
  const { loadConfigFromFile }: Any = fromProject('@prisma/config');
  const loaded: Any = await loadConfigFromFile({ configFile });
  if (loaded.error)
    throw new Error(`cannot load ${loaded.resolvedPath ?? 'prisma.config.ts'}: ${loaded.error._tag} ${String(loaded.error.error ?? '')}`.trim());
  const internals: Any = fromProject('@prisma/internals');
  const migrate: Any = fromProject('@prisma/migrate');
  const registry: Any = fromProject('@prisma/client-generator-registry');
  // @prisma/engines as @prisma/internals sees it (its dependency, maybe not hoisted).
  const { enginesVersion }: Any = createRequire(path.join(internalsDir, 'package.json'))('@prisma/engines');
  const version: string = JSON.parse(fs.readFileSync(path.join(internalsDir, 'package.json'), 'utf8')).version;
  const config: Any = loaded.config;
  return { internals, migrate, registry, enginesVersion: enginesVersion as string, version, config, memo, dmmf };
}

/** Why a generator of the schema cannot run in-process, or undefined. */
function foreignGeneratorsOf(internals: Any, schemaContext: Any): string | undefined {
  const foreign = providersOf(internals, schemaContext).filter((p) => !REGISTRY_PROVIDERS.has(p));
  return foreign.length > 0 ? `generator ${foreign.join(', ')} is not one the worker runs in-process (${[...REGISTRY_PROVIDERS].join(', ')})` : undefined;
}

function providersOf(internals: Any, schemaContext: Any): string[] {
  return schemaContext.generators.map((g: Any) => internals.parseEnvValue(g.provider));
}

/** Why the worker cannot serve a project with this Prisma config (major version `major`), or undefined. */
function unsupportedConfig(major: number, config: Any, projectRoot: string): string | undefined {
  if (major === 6 && !(config.engine === 'js' && typeof config.adapter === 'function')) {
    return "prisma.config.ts does not select `engine: 'js'` with an `adapter`: the worker pulls through the project's driver adapter only";
  }
  if (major >= 7 && !config.datasource?.url) return 'prisma.config.ts has no `datasource.url`';
  if (major >= 7 && !findPackageDir('@prisma/adapter-pg', projectRoot)) return 'the worker pulls through @prisma/adapter-pg, which the project does not have';
  return undefined;
}

/**
 * The options of the CLI's Generate command (`prisma generate --schema S`) for `getGenerators`;
 * 6.x: leaving out postinstall: false changes the generated internal/class.ts.
 */
function generateOptions(major: number, schemaContext: Any, enginesVersion: string, registry: Any): Any {
  const common = { schemaContext, printDownloadProgress: true, version: enginesVersion, generatorNames: undefined, typedSql: undefined, allowNoModels: true };
  if (major !== 6) return { ...common, registry: registry.createDefaultRegistry('prisma').toInternal(), cliCommand: 'prisma' };
  return {
    ...common,
    postinstall: false,
    noEngine: Boolean(process.env.PRISMA_GENERATE_DATAPROXY || process.env.PRISMA_GENERATE_ACCELERATE || process.env.PRISMA_GENERATE_NO_ENGINE),
    registry: registry.defaultRegistry.toInternal(),
  };
}

/**
 * `@prisma/internals`' wasm schema-engine loader reads `<@prisma/internals>/build/schema_engine_bg.wasm`,
 * which its npm package does not ship (the CLI bundle has it beside itself). The identical file
 * is in `@prisma/schema-engine-wasm`, its dependency: that one read is redirected there.
 */
function redirectSchemaEngineWasm(internalsDir: string): void {
  // Node loads packages by their real path (node_modules may be a symlink).
  const wanted = path.join(fs.realpathSync(internalsDir), 'build', 'schema_engine_bg.wasm');
  if (fs.existsSync(wanted)) return;
  const wasmDir = findPackageDir('@prisma/schema-engine-wasm', internalsDir);
  if (!wasmDir) throw new Error('@prisma/schema-engine-wasm (a dependency of @prisma/internals) is not installed');
  const real = path.join(wasmDir, 'schema_engine_bg.wasm');
  const promises = createRequire(import.meta.url)('node:fs/promises') as typeof fs.promises;
  const readFile = promises.readFile;
  promises.readFile = function (this: unknown, file: Any, ...rest: Any[]) {
    return readFile.call(this, file === wanted ? real : file, ...rest);
  } as typeof readFile;
}
