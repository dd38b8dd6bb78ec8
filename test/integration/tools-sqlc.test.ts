import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

import type { ToolError } from '../../daemon/errors.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { parseSqlcErrors, sqlcCompile, sqlcGenerate } from '../../daemon/tools/sqlc.ts';
import { describeWith } from '../helpers/require.ts';
import { sqlc, sqlcMissing } from '../helpers/tools.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The example project's sqlc inputs, copied so the test can break them. */
function exampleCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'schemasync-sqlc-'));
  for (const path of ['sqlc.yaml', 'queries', 'migrations/postgres']) cpSync(join(root, path), join(dir, path), { recursive: true });
  return dir;
}

describeWith('sqlc', sqlcMissing, 'sqlc on the example project', () => {
  it('compiles the committed sqlc.yaml, queries and migrations', async () => {
    const result = await runTool(sqlcCompile({ binary: sqlc!, configFile: join(root, 'sqlc.yaml') }), { cwd: root, timeoutMs: 60_000 });
    expect(result.stderr).toBe('');
  });

  it('generates the Go package from the goose migrations', async () => {
    const dir = exampleCopy();
    await runTool(sqlcGenerate({ binary: sqlc!, configFile: join(dir, 'sqlc.yaml') }), { cwd: dir, timeoutMs: 60_000 });
    const out = join(dir, 'server/internal/database/generated');
    for (const file of ['db.go', 'models.go', 'users.sql.go', 'projects.sql.go', 'api_keys.sql.go', 'user_sessions.sql.go']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const models = readFileSync(join(out, 'models.go'), 'utf8');
    expect(models).toContain('type ApiKeyScope string');
    expect(models).toContain('type UserSession struct');
    expect(readFileSync(join(out, 'users.sql.go'), 'utf8')).toContain('func (q *Queries) GetUserByEmail(');
  });

  it('reports a broken query as a ToolError whose output parses to file and line', async () => {
    const dir = exampleCopy();
    const file = join(dir, 'queries/projects.sql');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('SELECT id, space_id, name, description, created_at', 'SELECT id, space_id, nam, description, created_at'),
    );
    let error: ToolError | undefined;
    try {
      await runTool(sqlcGenerate({ binary: sqlc!, configFile: join(dir, 'sqlc.yaml') }), { cwd: dir, timeoutMs: 60_000 });
    } catch (caught) {
      error = caught as ToolError;
    }
    expect(error?.code).toBe('TOOL');
    expect(error?.message).toBe('sqlc generate failed (exit 1): queries/projects.sql:2:22: column "nam" does not exist');
    expect(parseSqlcErrors(error!.details.outputTail)).toEqual([{ file: 'queries/projects.sql', line: 2, column: 22, message: 'column "nam" does not exist' }]);
  });
});
