/**
 * The ClickHouse types step in the example project: the first sync writes the TypeScript row types
 * (they compile under tsc --strict) and the Go structs (gofmt-clean, `go vet`-clean in a module of
 * their own); a ClickHouse migration saved while `watch` runs reaches both; `verify` exits 1
 * naming a generated file edited by hand.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { clickhouseMissing, createTestClickHouseDatabase } from '../helpers/clickhouse.ts';
import { runSchemasync, startSchemasync, type DaemonProcess } from '../helpers/daemon.ts';
import { copyExampleProject, repoRoot, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { goBinary, goMissing } from '../helpers/tools.ts';
import { nextRun, stepStatuses, triggeredBy } from './watch-helpers.ts';

const TS_FILE = 'generated/clickhouse/index.ts';
const GO_FILE = 'server/internal/database/clickhouse/models.go';

describeWith('a ClickHouse server and Go', clickhouseMissing() ?? goMissing, 'ClickHouse types in the example project (e2e)', () => {
  let project: TempProject;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let daemon: DaemonProcess | undefined;

  beforeAll(async () => {
    const database = await createTestClickHouseDatabase();
    drop = () => database.drop();
    // PostgreSQL stays out: this is the ClickHouse side of the example project.
    project = await copyExampleProject();
    env = { CLICKHOUSE_URL: database.url };
  });
  afterAll(async () => {
    if (daemon) expect(await daemon.stop('SIGTERM'), daemon.text()).toBe(0);
    await project?.remove();
    await drop?.();
  });

  it('the first sync writes the row types of error_events and issues: TypeScript that compiles under tsc --strict, Go that passes gofmt and go vet', async () => {
    const sync = await runSchemasync(['sync', '--target', 'clickhouse'], { cwd: project.root, env });
    expect(sync.code, sync.output).toBe(0);
    const end = sync.events.find((e) => e.event === 'step:end' && e.step === 'clickhouse-types');
    expect(end, sync.output).toMatchObject({ status: 'ok', detail: '2 tables' });

    const ts = await readFile(project.path(TS_FILE), 'utf8');
    expect(ts).toContain('export interface ErrorEvents {');
    expect(ts).toContain('export interface Issues {');
    expect(ts).toContain('  level: "debug" | "info" | "warning" | "error" | "fatal";');
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '--strict', '--noEmit', '--skipLibCheck', project.path(TS_FILE)], { cwd: project.root, stdio: 'pipe' });

    const go = await readFile(project.path(GO_FILE), 'utf8');
    expect(go).toContain('package clickhouse');
    expect(go).toMatch(/type ErrorEvents struct \{[^}]*EventID +string +`ch:"event_id"`/);
    expect(go).toContain('type Issues struct {');
    expect(goVet(project.path(GO_FILE))).toBe('');
  });

  it('a ClickHouse migration saved while watch runs reaches the TypeScript and the Go', async () => {
    daemon = startSchemasync(['watch', '--target', 'clickhouse'], { cwd: project.root, env });
    const first = await nextRun(daemon, 0);
    expect(first.end.ok, daemon.text()).toBe(true);
    // Nothing changed since the sync: the step has nothing to do.
    expect(stepStatuses(first.end)['clickhouse-types']).toBe('skipped');

    const from = daemon.events.length;
    const name = '20250101100200_add_browser.sql';
    await writeFile(
      project.path('migrations/clickhouse', name),
      '-- +goose Up\nALTER TABLE error_events ADD COLUMN browser Nullable(String);\n\n-- +goose Down\nALTER TABLE error_events DROP COLUMN browser;\n',
    );
    const run = await nextRun(daemon, from, triggeredBy(`migrations/clickhouse/${name}`));
    expect(run.end.ok, daemon.text()).toBe(true);
    expect(stepStatuses(run.end)['clickhouse-types']).toBe('ok');
    expect(await readFile(project.path(TS_FILE), 'utf8')).toContain('  browser: string | null;');
    expect(await readFile(project.path(GO_FILE), 'utf8')).toMatch(/Browser +\*string +`ch:"browser"`/);
    expect(goVet(project.path(GO_FILE))).toBe('');
  });

  it('verify exits 1 naming a generated file edited by hand', async () => {
    const ts = await readFile(project.path(TS_FILE), 'utf8');
    await writeFile(project.path(TS_FILE), ts.replace('  message: string;', '  message: number;'));
    const verify = await runSchemasync(['verify', '--target', 'clickhouse'], { cwd: project.root, env });
    expect(verify.code, verify.output).toBe(1);
    expect(verify.stdout).toContain(`${TS_FILE}:`);
    expect(verify.stdout).toContain('edited by hand');
  });
});

/** gofmt's list of badly formatted files plus `go vet`'s complaints, for the folder of `file` copied into a module of its own. */
function goVet(file: string): string {
  const module = mkdtempSync(path.join(tmpdir(), 'schemasync-go-'));
  try {
    cpSync(path.dirname(file), module, { recursive: true });
    writeFileSync(path.join(module, 'go.mod'), 'module example.com/clickhouse\n\ngo 1.21\n');
    const run = (args: string[]) =>
      execFileSync(goBinary!, args, { cwd: module, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, GOFLAGS: '-mod=mod' } });
    const gofmt = execFileSync(path.join(path.dirname(goBinary!), 'gofmt'), ['-l', '.'], { cwd: module, encoding: 'utf8' });
    return `${gofmt}${run(['vet', './...'])}`.trim();
  } finally {
    rmSync(module, { recursive: true, force: true });
  }
}
