import { formatSchemaChange, schemaChanges } from '../drift/schema-changes.ts';
import type { SchemaObserver } from '../engine/index.ts';
import type { Logger } from '../log/types.ts';
import { appliedVersions } from '../migrations/plan.ts';
import type { Direction, MigrationFile, VersionRow } from '../migrations/types.ts';
import type { Catalog, Target } from '../targets/target.ts';

/**
 * Says what each applied, re-applied or rolled-back migration did to the schema: the catalog
 * before and after it, diffed (`+ table gadgets (id bigserial, name text)`), as one
 * `schema:changed` event. The catalog after one migration is the catalog before the next, and is
 * kept between runs of the daemon while goose's version rows stay as schemasync left them, so a
 * run applying one migration reads the catalog once (which the apply step reuses for the Prisma
 * fingerprint).
 */
export class SchemaLog implements SchemaObserver {
  #catalog: Catalog | undefined;
  /** The applied versions `#catalog` was read with. */
  #versions: Set<number> | undefined;

  constructor(
    private readonly target: Target,
    private readonly logger: Logger,
  ) {}

  /** Before the first unit of a command: the catalog now, unless the one kept still matches the version rows. */
  async begin(rows: VersionRow[]): Promise<void> {
    const versions = appliedVersions(rows);
    if (this.#catalog && this.#versions && sameSet(this.#versions, versions)) return;
    this.#catalog = await this.target.introspect();
    this.#versions = versions;
  }

  /** After one unit (or one re-applied file): reads the catalog and logs the difference, if any. */
  async after(file: MigrationFile, direction: Direction | 'reapplied'): Promise<void> {
    const before = this.#catalog;
    const after = await this.target.introspect();
    this.#catalog = after;
    if (direction === 'up') this.#versions?.add(file.version);
    if (direction === 'down') this.#versions?.delete(file.version);
    if (!before) return;
    const changes = schemaChanges(before, after);
    if (changes.length === 0) return;
    this.logger.info(
      { event: 'schema:changed', target: this.target.name, file: file.path, version: file.version, direction, changes },
      changes.map(formatSchemaChange).join('\n'),
    );
  }

  /** The catalog as the last unit left it, when one was read in this command. */
  get latest(): Catalog | undefined {
    return this.#catalog;
  }

  /** After a failure or a cancellation the schema may be anything: read it afresh next time. */
  forget(): void {
    this.#catalog = undefined;
    this.#versions = undefined;
  }
}

function sameSet(a: Set<number>, b: Set<number>): boolean {
  return a.size === b.size && [...a].every((value) => b.has(value));
}
