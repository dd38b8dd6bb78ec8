import { existsSync } from 'node:fs';

import type { TargetName } from '../config/targets.ts';
import { gitOrphanLocator, type OrphanLocator } from '../drift/orphans.ts';
import type { ProjectLayout } from '../pipeline/changes.ts';
import { MemoryFile } from '../pipeline/memory.ts';
import type { GitRepo } from '../tools/git.ts';
import type { PrismaContext } from '../tools/prisma.ts';
import type { SqlcContext } from '../tools/sqlc.ts';
import type { AppContext } from './context.ts';
import { sqlcLayout, type SqlcLayout } from './sqlc-layout.ts';
import { openTargets, type OpenedTargets } from './targets.ts';
import { locateProjectTools, type ProjectTools } from './tools.ts';

/**
 * The facts of one project, derived once: its targets (opened, with their folders and the URL
 * each opened), the one whose catalog feeds the types, the tools found, the sqlc config and the
 * query paths it names, the Prisma inputs, the memory file (.schemasync/state.json) and the git
 * orphan locator. The pipeline's steps, drift, the start-up summary and the watcher read them
 * here; `refresh` follows a config file that changed (today: the sqlc config, added, edited or
 * renamed while the daemon runs).
 */
export class Project {
  private constructor(
    readonly ctx: AppContext,
    readonly targets: OpenedTargets,
    readonly tools: ProjectTools,
    readonly sqlc: SqlcLayout,
    readonly memory: MemoryFile,
    readonly orphans: OrphanLocator,
  ) {}

  /**
   * Opens the targets named (default: all configured) and gathers the rest. `daemon`: sqlc is
   * looked for even before the project has a sqlc config, so one added later is used at once.
   * `repo`: git as the branch follower opened it (watch mode), for the orphan locator.
   */
  static async open(ctx: AppContext, options: { names?: TargetName[]; daemon?: boolean; repo?: GitRepo | undefined } = {}): Promise<Project> {
    const { config, env, logger } = ctx;
    const targets = await openTargets(config, logger, options.names);
    try {
      const [tools, memory] = await Promise.all([
        locateProjectTools(config, env, { sqlcWithoutConfig: options.daemon === true }),
        MemoryFile.open(config.projectRoot),
      ]);
      const orphans = gitOrphanLocator(config.projectRoot, options.repo ? Promise.resolve(options.repo) : undefined);
      return new Project(ctx, targets, tools, sqlcLayout(ctx, logger), memory, orphans);
    } catch (error) {
      await targets.close();
      throw error;
    }
  }

  get config() {
    return this.ctx.config;
  }

  /** Prisma's inputs: set when the types target is open and the project's prisma was found. */
  get prisma(): PrismaContext | undefined {
    const { types } = this.targets;
    if (!types || !this.tools.prismaCli) return undefined;
    const { schema, configFile } = this.config.prisma;
    return { cli: this.tools.prismaCli, schema, configFile, databaseUrl: types.url };
  }

  /** sqlc's inputs: set when sqlc was found; the config in use, which may not exist (yet). */
  get sqlcContext(): SqlcContext | undefined {
    return this.tools.sqlcBinary ? { binary: this.tools.sqlcBinary, configFile: this.sqlc.configFile } : undefined;
  }

  /** sqlc's inputs when its config exists: what the sqlc step and drift use. */
  get sqlcReady(): SqlcContext | undefined {
    const context = this.sqlcContext;
    return context && existsSync(context.configFile) ? context : undefined;
  }

  /** Where the watched things live, as the watcher's paths are classified. */
  get layout(): ProjectLayout {
    return {
      projectRoot: this.config.projectRoot,
      migrationDirs: Object.fromEntries(this.targets.dirs),
      sqlcConfig: this.sqlc.configFile,
      sqlcQueries: this.sqlc.queries,
      prismaSchema: this.config.prisma.schema,
    };
  }

  /** Every path the daemon watches (git's HEAD file is the follower's, added by the daemon). */
  watchedPaths(): string[] {
    return [...this.targets.dirs.values(), ...this.sqlc.watched(), this.config.prisma.schema];
  }

  /** Follows config files that changed among `paths`; true when what is watched moved. */
  refresh(paths: string[]): boolean {
    return this.sqlc.refresh(paths);
  }

  close(): Promise<void> {
    return this.targets.close();
  }
}
