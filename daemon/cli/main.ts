import { Command, CommanderError, Option } from 'commander';

import { noteStartParent } from '../app/runner-watch.ts';
import { readConfigFile } from '../config/file.ts';
import { checkMigrationFolders } from '../config/folders.ts';
import { type ConfigFlags, loadConfig } from '../config/load.ts';
import { DEFAULT_SPEC, dirFlag, TARGET_NAMES, TARGETS } from '../config/targets.ts';
import { isSchemasyncError, messageOf } from '../errors.ts';
import { createLogger, wantsColor } from '../log/logger.ts';
import { redact } from '../log/redact.ts';
import type { AppContext } from '../app/context.ts';
import { EXIT, exitCodeFor } from './exit.ts';
import { packageVersion } from './version.ts';

type Handler = (ctx: AppContext, options: Record<string, unknown>, args: string[]) => Promise<number>;

/**
 * Each command's module is imported only when that command runs: a one-shot `status` must not
 * pay for loading the daemon, the tool runner (execa), chokidar and the like at every start.
 */
const lazy =
  (load: () => Promise<Handler>): Handler =>
  async (ctx, options, args) =>
    (await load())(ctx, options, args);
const createCommand = lazy(async () => (await import('./commands/create.ts')).createCommand);
const initCommand = lazy(async () => (await import('./commands/init.ts')).initCommand);
const downCommand = lazy(async () => (await import('./commands/down.ts')).downCommand);
const redoCommand = lazy(async () => (await import('./commands/redo.ts')).redoCommand);
const statusCommand = lazy(async () => (await import('./commands/status.ts')).statusCommand);
const syncCommand = lazy(async () => (await import('./commands/sync.ts')).syncCommand);
const upCommand = lazy(async () => (await import('./commands/up.ts')).upCommand);
const verifyCommand = lazy(async () => (await import('./commands/verify.ts')).verifyCommand);
const versionCommand = lazy(async () => (await import('./commands/version.ts')).versionCommand);
const watchCommand = lazy(async () => (await import('./commands/watch.ts')).watchCommand);

// The daemon stops when the process that started it exits, even during its start-up (runner-watch.ts).
noteStartParent();

/** Runs the command line and returns the exit status (never calls process.exit, so tests can call it). */
export async function main(
  argv: string[],
  io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let exitCode: number = EXIT.ok;

  const targetOption = () => new Option('--target <target>', `${TARGET_NAMES.join(', ')} or all configured`).choices([...TARGET_NAMES, 'all']);
  const program = new Command('schemasync')
    .description('Keeps PostgreSQL, ClickHouse, Prisma and sqlc in sync with goose SQL migrations.')
    .version(packageVersion(), '-V, --version', 'print the schemasync version')
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(run schemasync --help for usage)')
    .option('--dir <dir>', `migrations folder of the target chosen with --target (default: goose's, GOOSE_DRIVER's; else ${DEFAULT_SPEC.label}'s)`);
  for (const spec of TARGETS) {
    const none = spec.embedded ? `an embedded ${spec.label}` : `${spec.label} off`;
    program
      .option(`${spec.urlFlag} <url>`, `${spec.label} URL, e.g. ${spec.urlExample} (default: ${spec.urlEnv}; none: ${none})`)
      .option(`${dirFlag(spec.name)} <dir>`, `${spec.label} migrations folder (default: ${spec.defaultDir})`);
  }
  program
    .option(
      '--clickhouse-cluster <name>',
      'cluster mode: replicated version table, ledger and lock on this cluster (default: CLICKHOUSE_CLUSTER; none: one server)',
    )
    .option('--table <name>', "goose's version table (default: GOOSE_TABLE or goose_db_version)")
    .option('--sqlc-config <file>', 'sqlc config file (default: sqlc.yaml, sqlc.yml or sqlc.json, as sqlc finds it)')
    .option('--prisma-schema <path>', 'Prisma schema file or folder (default: where Prisma finds it)')
    .addOption(targetOption())
    .addOption(new Option('--log-format <format>', 'pretty or json (default: LOG_FORMAT or pretty)').choices(['pretty', 'json']))
    .option('--log-level <level>', 'trace, debug, info, warn, error (default: LOG_LEVEL or info)');

  const command = (name: string, description: string, handler: Handler, { oneShot = true, needsDatabase = true } = {}) => {
    // --target is a global option (schemasync --target postgres status) and each command's (status --target postgres).
    const sub = program.command(name).description(description).addOption(targetOption());
    sub.action(async (...received: unknown[]) => {
      const cmd = received.at(-1) as Command;
      const options = { ...program.opts(), ...cmd.opts() };
      // `create --target clickhouse` only names a folder; it must not require CLICKHOUSE_URL.
      exitCode = await runHandler(handler, options, cmd.args, { command: name, oneShot, needsDatabase, stdout, stderr, cwd: io.cwd, env: io.env });
    });
    return sub;
  };

  command('up', 'apply pending migrations', upCommand)
    .option('--to <version>', 'apply up to and including this version')
    .option('--allow-missing', 'also apply unapplied migrations older than the newest applied one (as goose -allow-missing)');
  command('down', 'roll back the newest applied migration (or down to --to)', downCommand)
    .option('--to <version>', 'roll back every migration newer than this version (0: all)')
    .option('--orphans', 'roll back the migrations applied from other git branches (their files are not checked out), newest first, with their recorded Down');
  command('redo', 'roll back the newest applied migration and apply it again', redoCommand);
  command('status', 'show applied, pending and missing migrations', statusCommand).option(
    '--json',
    'print an array of {target, version, file, state, appliedAt}',
  );
  command('version', "print each target's current goose version", versionCommand);
  command('create', 'create a new migration file, named as goose create names it', createCommand, { needsDatabase: false })
    .argument('<name>', 'what the migration does, e.g. add_users')
    .option('-s, --sequential', 'use the next sequential version (00001) instead of a UTC timestamp');
  command(
    'init',
    'set the project up: a config file only for what is not found by convention, npm scripts, .gitignore; shows, then makes, the changes a Next.js app and the warm Prisma worker need',
    initCommand,
    { needsDatabase: false },
  ).option('-y, --yes', 'make the proposed changes without asking (without a terminal, they are only shown unless --yes)');
  command('sync', 'run the whole pipeline once: apply, prisma, sqlc, drift; exit 1 if a step failed', syncCommand)
    .option('--allow-missing', 'apply out-of-order migrations too')
    .option('--types', 'only the Prisma and sqlc steps, forced (npm run dev:types)')
    .option('--tool-timeout <ms>', 'timeout of each prisma / sqlc run');
  command(
    'verify',
    'check that the databases, schema.prisma, the Prisma client and the sqlc code follow the migrations; exit 0 in sync, 1 drift, 2 could not check',
    verifyCommand,
  )
    .option('--json', 'print { ok, findings, unchecked } instead of the readable report')
    .option('--rollback', "also check that each migration's Down restores the schema (in the shadow database)")
    .option('--no-shadow', 'skip the comparison of the live schema with a shadow database built from the migrations');
  command('watch', 'watch the migrations and keep everything in sync (the daemon)', watchCommand, { oneShot: false })
    .option('--poll', 'poll the file system (Docker bind mounts; also SCHEMASYNC_POLL=1)')
    .option('--debounce <ms>', 'wait this long after the last change (default 150)')
    .option('--port <port>', 'serve GET /healthz and /status on this port (also SCHEMASYNC_PORT)')
    .option('--host <address>', 'address of the health server (default 127.0.0.1; 0.0.0.0 in a container; also SCHEMASYNC_HOST)')
    .option('--no-redo', 'do not re-apply the newest migration when it is edited')
    .option('--shadow', 'also compare the live schema with a shadow database after quiet periods')
    .option('--follow-branch', "after a git switch, roll back other branches' migrations and apply this branch's (also SCHEMASYNC_FOLLOW_BRANCH=1)")
    .option('--allow-missing', 'apply out-of-order migrations too')
    .option('--tool-timeout <ms>', 'timeout of each prisma / sqlc run')
    .option('--replace', 'stop the schemasync watch already running on this project and database, then take its place');

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; real usage errors are already printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    stderr.write(`schemasync: ${redact(messageOf(error))}\n`);
    return EXIT.failed;
  }
  return exitCode;
}

async function runHandler(
  handler: Handler,
  options: Record<string, unknown> & ConfigFlags,
  args: string[],
  io: {
    command: string;
    oneShot: boolean;
    needsDatabase: boolean;
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    cwd?: string;
    env?: NodeJS.ProcessEnv;
  },
): Promise<number> {
  let logger: ReturnType<typeof createLogger> | undefined;
  try {
    // One-shot commands log to stderr so that stdout carries only their result (status --json);
    // the daemon's log is its output.
    const logStream = io.oneShot ? io.stderr : io.stdout;
    const cwd = io.cwd ?? process.cwd();
    const loaded = loadConfig({ cwd, env: io.env ?? process.env, flags: options, file: await readConfigFile(cwd), needsDatabase: io.needsDatabase });
    checkMigrationFolders(loaded, io.command);
    const isTTY = (logStream as NodeJS.WriteStream).isTTY === true;
    logger = createLogger({
      level: loaded.config.log.level,
      format: loaded.config.log.format,
      destination: logStream,
      colorize: wantsColor(loaded.env, isTTY),
    });
    // Notices (a target that is off, and why) belong to the daemon's start-up summary and to
    // `status`, which show them in their place; other commands do not repeat them.
    return await handler({ ...loaded, logger, stdout: io.stdout, stderr: io.stderr }, options, args);
  } catch (error) {
    const message = redact(messageOf(error));
    if (logger) logger.error({ event: 'command:error', code: isSchemasyncError(error) ? error.code : undefined, err: error }, message);
    else io.stderr.write(`schemasync: ${message}\n`);
    return isSchemasyncError(error) ? exitCodeFor(error) : EXIT.failed;
  } finally {
    logger?.flush();
  }
}
