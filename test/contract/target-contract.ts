/**
 * The contract every Target keeps, as one scenario run against each target on a real server
 * (the way Kysely and dbmate test their dialects): postgres.test.ts and clickhouse.test.ts call
 * `describeTargetContract` with a subject for their server, then add what only their target does.
 * Only Target methods are used, never the engine, so the contract is the interface's own.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';

import { targetSpec } from '../../daemon/config/targets.ts';
import { hasErrorCode, isSchemasyncError } from '../../daemon/errors.ts';
import { checksum } from '../../daemon/migrations/checksum.ts';
import { parseMigrationFilename } from '../../daemon/migrations/filename.ts';
import { parseMigration } from '../../daemon/migrations/parse.ts';
import type { Direction, MigrationFile } from '../../daemon/migrations/types.ts';
import type { ApplyUnit, Target, TargetName } from '../../daemon/targets/target.ts';
import { describeWith } from '../helpers/require.ts';

/** A fresh database of the subject's server, and ways to look at it that bypass the target. */
export interface ContractDatabase {
  /** A new target on this database, not connected; `owner` names its runner where the target lets us (ClickHouse's lock owner). */
  open(owner: string): Target;
  /** goose's version rows read straight from its table, ascending by version, as goose wrote them. */
  gooseRows(): Promise<Array<{ version: number; applied: boolean }>>;
  tableExists(table: string): Promise<boolean>;
  drop(): Promise<void>;
}

export interface ContractSubject {
  target: TargetName;
  /** What the server is, for the CI failure message; `missing` says why it is not there (undefined: it is). */
  needs: string;
  missing(): string | undefined;
  createDatabase(): Promise<ContractDatabase>;
  /** Other databases on the same server (shadow databases). */
  serverDatabases: { create(name: string): Promise<void>; exists(name: string): Promise<boolean> };
  /** `CREATE TABLE <name>` with an id and a name column, in the target's dialect. */
  createTable(name: string): string;
  /** What a waiter is told about the holder of the lock taken by the runner named `owner`. */
  holder(owner: string): RegExp;
  /** A target of this kind whose server does not answer (nothing listens on its port). */
  unreachable(): Target;
}

/** A migration file as source.ts reads it. */
export function migrationFile(target: TargetName, name: string, text: string): MigrationFile {
  const { version, description } = parseMigrationFilename(name);
  return { version, description, name, path: `migrations/${target}/${name}`, text, checksum: checksum(text) };
}

/** One direction of `file`, parsed as the engine parses it. */
export function unitOf(file: MigrationFile, direction: Direction): ApplyUnit {
  const { statements, noTransaction } = parseMigration(file.text, direction, { file: file.path });
  return { file, direction, statements, noTransaction };
}

/** The rejection of `promise`; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new Error('expected a rejection, but it resolved');
  if (!(outcome.error instanceof Error)) throw new Error(`expected an Error, got ${String(outcome.error)}`);
  return outcome.error;
}

/** The scenario's three migrations: two tables, and a file whose second statement fails. */
export function contractFiles(subject: ContractSubject) {
  const file = (name: string, up: string[], down: string[]) =>
    migrationFile(subject.target, name, ['-- +goose Up', ...up, '', '-- +goose Down', ...down, ''].join('\n'));
  return {
    first: file('00001_first.sql', [subject.createTable('contract_first')], ['DROP TABLE contract_first;']),
    second: file('00002_second.sql', [subject.createTable('contract_second')], ['DROP TABLE contract_second;']),
    // Line 3 fails: the table it inserts into does not exist.
    failing: file('00003_failing.sql', [subject.createTable('contract_partial'), 'INSERT INTO contract_missing VALUES (1);'], ['DROP TABLE contract_partial;']),
  };
}

export function describeTargetContract(subject: ContractSubject): void {
  const files = contractFiles(subject);
  describeWith(subject.needs, subject.missing(), `${subject.target} target contract`, () => {
    let database: ContractDatabase;
    let targets: Target[];
    const open = (owner = 'contract-runner') => {
      const target = database.open(owner);
      targets.push(target);
      return target;
    };
    /** A target that has read its version table, as the engine's every command does before applying. */
    const ready = async (owner?: string) => {
      const target = open(owner);
      await target.listVersions();
      return target;
    };
    const versions = async (target: Target) => (await target.listVersions()).map((row) => row.version);

    beforeEach(async () => {
      database = await subject.createDatabase();
      targets = [];
    });
    afterEach(async () => {
      await Promise.all(targets.map((target) => target.close()));
      await database.drop();
    });

    it('apply and status: goose’s table with its version-0 row, then one applied row per up, newest first', async () => {
      const target = open();
      await target.connect();
      expect(await versions(target)).toEqual([0]);
      await target.apply(unitOf(files.first, 'up'));
      await target.apply(unitOf(files.second, 'up'));

      const rows = await target.listVersions();
      expect(rows.map((row) => [row.version, row.isApplied])).toEqual([
        [2, true],
        [1, true],
        [0, true],
      ]);
      expect(Math.abs(rows[0]!.appliedAt!.getTime() - Date.now())).toBeLessThan(60_000);
      expect(await database.tableExists('contract_second')).toBe(true);
      expect(await database.gooseRows()).toEqual([
        { version: 0, applied: true },
        { version: 1, applied: true },
        { version: 2, applied: true },
      ]);
    });

    it('down removes the version’s rows and its objects; redo (down + up as one) re-applies it', async () => {
      const target = await ready();
      for (const file of [files.first, files.second]) await target.apply(unitOf(file, 'up'));

      await target.apply(unitOf(files.second, 'down'));
      expect(await versions(target)).toEqual([1, 0]);
      expect(await database.tableExists('contract_second')).toBe(false);
      expect(await database.gooseRows()).toEqual([
        { version: 0, applied: true },
        { version: 1, applied: true },
      ]);

      await target.apply(unitOf(files.second, 'up'));
      await target.applyAtomically([unitOf(files.second, 'down'), unitOf(files.second, 'up')]);
      expect(await versions(target)).toEqual([2, 1, 0]);
      expect(await database.tableExists('contract_second')).toBe(true);
      expect((await database.gooseRows()).filter((row) => row.version === 2)).toEqual([{ version: 2, applied: true }]);
    });

    it('a failure mid-file names file, statement and line, records nothing, and leaves what the target’s transactions decide', async () => {
      const target = await ready();
      await target.apply(unitOf(files.first, 'up'));

      const error = await rejection(target.apply(unitOf(files.failing, 'up')));
      if (!hasErrorCode(error, 'MIGRATION')) throw error;
      expect(error.details).toMatchObject({ target: subject.target, file: files.failing.path, direction: 'up', statementIndex: 1, line: 3 });
      expect(error.message).toContain(`${files.failing.path}:3:`);
      expect(await versions(target)).toEqual([1, 0]);
      expect((await database.gooseRows()).map((row) => row.version)).toEqual([0, 1]);
      expect((await target.ledger?.list())?.map((entry) => entry.version)).toEqual([1]);

      // What the registration claims is what happens.
      const transactional = targetSpec(target.name).transactional;
      expect(error.details).toMatchObject({ rolledBack: transactional, appliedStatements: transactional ? [] : [0] });
      expect(await database.tableExists('contract_partial')).toBe(!transactional);
    });

    it('the lock: a second runner waits, is told who holds it, times out with a LockError naming the holder, and gets it once released', async () => {
      const holder = open('contract-holder');
      const waiter = open('contract-waiter');
      const told: string[] = [];
      let waited: Error | undefined;
      await holder.withLock(async () => {
        waited = await rejection(waiter.withLock(() => Promise.resolve('entered'), { timeoutMs: 1_000, onWait: (who) => told.push(who) }));
      });
      expect(hasErrorCode(waited, 'LOCK')).toBe(true);
      expect(told.length).toBeGreaterThan(0);
      expect(told[0]).toMatch(subject.holder('contract-holder'));
      expect(waited?.message).toMatch(subject.holder('contract-holder'));

      expect(await waiter.withLock(() => Promise.resolve('entered'), { timeoutMs: 5_000 })).toBe('entered');
    });

    it('the lock: waiting is cancelled by the signal, and fn’s own error passes through with the lock released', async () => {
      const holder = open('contract-holder');
      const waiter = open('contract-waiter');
      const controller = new AbortController();
      await holder.withLock(async () => {
        setTimeout(() => controller.abort(), 300);
        const error = await rejection(waiter.withLock(() => Promise.resolve('entered'), { signal: controller.signal, timeoutMs: 10_000 }));
        expect(hasErrorCode(error, 'CANCELLED')).toBe(true);
      });

      const own = new Error('fn failed');
      expect(await rejection(holder.withLock(() => Promise.reject(own)))).toBe(own);
      expect(await waiter.withLock(() => Promise.resolve('entered'), { timeoutMs: 5_000 })).toBe('entered');
    });

    it('the ledger records each up with its checksum, forgets a down, and adopts goose’s versions', async () => {
      const target = await ready();
      await target.apply(unitOf(files.first, 'up'));
      await target.apply(unitOf(files.second, 'up'));
      await target.apply(unitOf(files.second, 'down'));
      const entries = (await target.ledger?.list()) ?? [];
      expect(entries.map(({ version, file, checksum: sum, text, appliedBy }) => ({ version, file, sum, text, appliedBy }))).toEqual([
        { version: 1, file: files.first.name, sum: files.first.checksum, text: files.first.text, appliedBy: 'schemasync' },
      ]);

      await target.ledger?.adopt([files.second]);
      expect((await target.ledger?.list())?.map((entry) => [entry.version, entry.appliedBy])).toEqual([
        [1, 'schemasync'],
        [2, 'adopted'],
      ]);
    });

    it('introspection lists the user’s tables and none of goose’s or schemasync’s own', async () => {
      const target = await ready();
      await target.withLock(() => target.apply(unitOf(files.first, 'up')));
      const tables = (await target.introspect()).filter((entry) => entry.kind === 'table').map((entry) => entry.name);
      expect(tables).toEqual(['contract_first']);
    });

    it('a shadow database: stale ones dropped, a fresh one to migrate, dropped exactly once', async () => {
      const stale = `schemasync_shadow_${Math.floor(Date.now() / 1000) - 2 * 3600}_c0ffee`;
      await subject.serverDatabases.create(stale);
      const target = await ready();
      const shadow = await target.createShadow?.();
      if (!shadow || 'unavailable' in shadow) throw new Error(`no shadow database: ${shadow?.unavailable ?? 'createShadow missing'}`);
      expect(await subject.serverDatabases.exists(stale)).toBe(false);
      expect(shadow.name).toMatch(/^schemasync_shadow_\d+_[0-9a-f]+$/);
      expect(await subject.serverDatabases.exists(shadow.name)).toBe(true);

      await shadow.target.connect();
      await shadow.target.listVersions();
      await shadow.target.apply(unitOf(files.first, 'up'));
      expect(await versions(shadow.target)).toEqual([1, 0]);
      expect(await versions(target)).toEqual([0]);

      await Promise.all([shadow.drop(), shadow.drop()]);
      await shadow.drop();
      expect(await subject.serverDatabases.exists(shadow.name)).toBe(false);
    });

    it('an unreachable server is a ConnectionError, from connect and from any other method', async () => {
      const target = subject.unreachable();
      targets.push(target);
      for (const call of [() => target.connect(), () => target.listVersions(), () => target.apply(unitOf(files.first, 'up'))]) {
        const error = await rejection(call());
        expect(isSchemasyncError(error) && error.code).toBe('CONNECTION');
      }
    });
  });
}
