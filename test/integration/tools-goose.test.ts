import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { gooseCommand, type GooseContext } from '../helpers/goose.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing } from '../helpers/tools.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function publicObjects(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(`
      SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND relkind IN ('r', 'v', 'm', 'i', 'S')
      UNION ALL SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = 'public' AND typtype = 'e'
      UNION ALL SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public'
      ORDER BY 1`);
    return rows.map((row) => row.name);
  });
}

describeWith('PostgreSQL and goose', gooseMissing ?? postgresMissing(), 'the example migrations under the real goose', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ctx: GooseContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = { binary: goose!, dir: `${root}migrations/postgres`, driver: 'postgres', dbString: db.url };
  });
  afterAll(() => db?.drop());

  it('apply with up and roll back completely with down-to 0', async () => {
    const run = (action: Parameters<typeof gooseCommand>[1]) => runTool(gooseCommand(ctx, action), { cwd: root, timeoutMs: 60_000 });

    const up = await run({ command: 'up' });
    expect(up.stderr).toContain('successfully migrated database');
    const applied = await publicObjects(db.url);
    expect(applied).toEqual(
      expect.arrayContaining([
        'spaces',
        'users',
        'projects',
        'project_members',
        'api_keys',
        'user_sessions',
        'project_role',
        'api_key_scope',
        'set_updated_at',
      ]),
    );
    // The trigger really runs: updated_at moves on UPDATE.
    await withClient(db.url, async (client) => {
      await client.query(`INSERT INTO spaces (slug, name) VALUES ('acme', 'Acme')`);
      await client.query(`UPDATE spaces SET updated_at = '2000-01-01', name = 'Acme Inc.'`);
      const { rows } = await client.query<{ moved: boolean }>(`SELECT updated_at > '2001-01-01' AS moved FROM spaces`);
      expect(rows[0]?.moved).toBe(true);
    });

    await run({ command: 'down-to', version: 0 });
    expect(await publicObjects(db.url)).toEqual(['goose_db_version', 'goose_db_version_id_seq', 'goose_db_version_pkey']);
  });
});
