/**
 * The migration engine's public surface: goose's Provider for one target (plan, lock, apply,
 * record, redo, status, orphan rollback). The one-shot commands (app/) and the daemon's steps
 * (pipeline/) import only this file.
 */
export type { AppliedMigration, EngineContext, EngineResult, SchemaObserver } from './context.ts';
export { migrateDown, migrateRedo } from './down.ts';
export { loadMigrationFiles } from './files.ts';
export { describeOrphans, rollbackOrphans, type Orphan, type OrphanRollback } from './orphans.ts';
export { migrationStatus, migrationVersion } from './status.ts';
export { runMigrations, type PlannedStep, type RunOptions } from './run.ts';
export { migrateUp, type UpOptions } from './up.ts';
