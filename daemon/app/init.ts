import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { gooseFolderCandidates, SQLC_CONFIG_NAMES } from '../config/discover.ts';
import type { LoadedConfig } from '../config/load.ts';

/**
 * `schemasync init`: makes a project ready with as little as possible. It writes a config file
 * only for what discovery cannot find, adds npm scripts, and git-ignores `.schemasync/`. Running
 * it again changes nothing. Returns one line per thing done (or found already done).
 */
export function initProject(loaded: LoadedConfig): string[] {
  const root = loaded.config.projectRoot;
  const done: string[] = [];
  const origins = loaded.origins;

  // What discovery cannot find: a migrations folder that is not the default and not in GOOSE_MIGRATION_DIR,
  // a sqlc config below the root, a Prisma schema away from Prisma's own places.
  const settings: Record<string, string> = {};
  if (origins?.postgresDir === 'default' && !existsSync(loaded.config.postgres.dir)) {
    const [found] = gooseFolderCandidates(root);
    if (found) settings.postgresDir = found;
  }
  if (origins?.sqlcConfig === 'default' && !existsSync(loaded.config.sqlc.configFile)) {
    const nested = findBelow(root, (name) => (SQLC_CONFIG_NAMES as readonly string[]).includes(name));
    if (nested) settings.sqlcConfig = nested;
  }
  if (origins?.prismaSchema === 'default' && !existsSync(loaded.config.prisma.schema)) {
    const schema = findBelow(root, (name) => name === 'schema.prisma');
    // A schema.prisma among other .prisma files is the main file of a multi-file schema folder.
    if (schema) settings.prismaSchema = inSchemaFolder(path.join(root, schema)) ? path.dirname(schema) : schema;
  }
  if (Object.keys(settings).length > 0) {
    if (loaded.configFile) {
      done.push(`${path.relative(root, loaded.configFile)} exists: add ${JSON.stringify(settings)} to it yourself`);
    } else {
      writeFileSync(path.join(root, 'schemasync.config.json'), `${JSON.stringify(settings, null, 2)}\n`);
      done.push(
        `wrote schemasync.config.json: ${Object.entries(settings)
          .map(([key, value]) => `${key} = ${value}`)
          .join(', ')}`,
      );
    }
  } else {
    done.push(`no config file needed: everything is found by convention${loaded.configFile ? ` or in ${path.relative(root, loaded.configFile)}` : ''}`);
  }

  // npm scripts: the daemon, and the daemon beside `next dev` when the project uses Next.js.
  const manifestFile = path.join(root, 'package.json');
  if (existsSync(manifestFile)) {
    const text = readFileSync(manifestFile, 'utf8');
    const manifest = JSON.parse(text) as { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const deps = { ...manifest.dependencies, ...manifest.devDependencies };
    const wanted: Record<string, string> = { 'db:watch': 'schemasync watch' };
    // `exec`: concurrently runs each command through `sh -c`, and without it Ctrl-C kills that shell,
    // reported as "exited with code SIGINT" while schemasync itself stops cleanly (cmd.exe has no exec).
    const exec = process.platform === 'win32' ? '' : 'exec ';
    if (deps.next) wanted['dev:all'] = `concurrently --names next,db --prefix-colors auto --kill-others-on-fail "${exec}next dev" "${exec}schemasync watch"`;
    const scripts = { ...manifest.scripts };
    const added: string[] = [];
    for (const [name, command] of Object.entries(wanted)) {
      if (scripts[name] !== undefined) continue;
      scripts[name] = command;
      added.push(name);
    }
    if (added.length > 0) {
      const indent = /^(\s+)"/m.exec(text)?.[1] ?? '  ';
      writeFileSync(manifestFile, `${JSON.stringify({ ...manifest, scripts }, null, indent)}\n`);
      done.push(`added npm script${added.length > 1 ? 's' : ''} ${added.join(', ')}`);
      if (added.includes('dev:all') && !deps.concurrently) done.push('dev:all uses concurrently: npm install --save-dev concurrently');
    } else {
      done.push('npm scripts already there');
    }
  } else {
    done.push('no package.json: no npm scripts added');
  }

  // .schemasync/ holds the embedded PostgreSQL's data and the daemon's memory: never committed.
  const gitignore = path.join(root, '.gitignore');
  const ignored = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  if (/^\/?\.schemasync\/?\s*$/m.test(ignored)) done.push('.gitignore already ignores .schemasync/');
  else {
    writeFileSync(gitignore, `${ignored}${ignored === '' || ignored.endsWith('\n') ? '' : '\n'}.schemasync/\n`);
    done.push('added .schemasync/ to .gitignore');
  }
  return done;
}

/** What to run after init: the daemon beside `next dev` when init (or the user) added dev:all. */
export function nextStep(root: string): string {
  try {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    if (manifest.scripts?.['dev:all']) return 'npm run dev:all (next dev and schemasync watch side by side)';
    if (manifest.scripts?.['db:watch']) return 'npm run db:watch (or npx schemasync watch)';
  } catch {
    // No package.json.
  }
  return 'npx schemasync watch';
}

const SKIPPED = new Set(['node_modules', '.git', '.schemasync', 'dist', 'build', '.next', 'generated']);

/** Whether a schema.prisma has other .prisma files beside it (Prisma reads them all with the folder). */
function inSchemaFolder(schemaFile: string): boolean {
  return readdirSync(path.dirname(schemaFile)).some((name) => name.endsWith('.prisma') && name !== 'schema.prisma');
}

/** The first file (relative to root) whose name matches, at most three folders down, nearest first. */
export function findBelow(root: string, matches: (name: string) => boolean, depth = 3): string | undefined {
  let level = [root];
  for (let d = 0; d <= depth && level.length > 0; d++) {
    const next: string[] = [];
    for (const dir of level.sort()) {
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        const full = path.join(dir, name);
        if (matches(name) && statSync(full).isFile()) return path.relative(root, full);
        if (!SKIPPED.has(name) && !name.startsWith('.') && statSync(full, { throwIfNoEntry: false })?.isDirectory()) next.push(full);
      }
    }
    level = next;
  }
  return undefined;
}
