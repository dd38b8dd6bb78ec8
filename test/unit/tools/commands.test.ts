import { describe, expect, it } from 'vitest';

import { gooseCommand } from '../../helpers/goose.ts';
import { printedSchema, prismaGenerate, prismaPull, prismaPullPrint } from '../../../daemon/tools/prisma.ts';
import { parseSqlcErrors, sqlcCompile, sqlcDiff, sqlcGenerate, sqlcVet } from '../../../daemon/tools/sqlc.ts';

const url = 'postgres://app:s3cret@db:5432/app';

describe('prisma command builders', () => {
  const base = { cli: '/p/node_modules/prisma/build/index.js', schema: '/p/prisma/schema.prisma', databaseUrl: url, node: '/usr/bin/node' };
  const withConfig = { ...base, configFile: '/p/prisma.config.ts' };

  it.each([
    ['pull', prismaPull(base), 'db pull', ['db', 'pull', '--schema', '/p/prisma/schema.prisma']],
    ['pull with config', prismaPull(withConfig), 'db pull', ['db', 'pull', '--config', '/p/prisma.config.ts', '--schema', '/p/prisma/schema.prisma']],
    [
      'pull --print',
      prismaPullPrint(withConfig),
      'db pull',
      ['db', 'pull', '--print', '--config', '/p/prisma.config.ts', '--schema', '/p/prisma/schema.prisma'],
    ],
    ['generate', prismaGenerate(base), 'generate', ['generate', '--schema', '/p/prisma/schema.prisma']],
  ])('%s runs the project CLI with Node', (_, command, action, args) => {
    expect(command.tool).toBe('prisma');
    expect(command.action).toBe(action);
    expect(command.file).toBe('/usr/bin/node');
    expect(command.args).toEqual([base.cli, ...args]);
  });

  it('passes the database URL in the environment only, with offline and quiet switches', () => {
    const command = prismaPull(withConfig);
    expect(command.args.join(' ')).not.toContain('s3cret');
    expect(command.env).toEqual({
      DATABASE_URL: url,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      PRISMA_GENERATE_SKIP_AUTOINSTALL: '1',
      CHECKPOINT_DISABLE: '1',
    });
  });

  it('defaults to the Node running schemasync', () => {
    const { node: _, ...withoutNode } = base;
    expect(prismaGenerate(withoutNode).file).toBe(process.execPath);
  });

  it('printedSchema drops what Prisma prints before the schema', () => {
    const stdout = '\nWARNING: Your schema specifies the following datasource properties\n- url\n\n// *** WARNING ***\ngenerator client {\n}\n';
    expect(printedSchema(stdout)).toBe('// *** WARNING ***\ngenerator client {\n}\n');
    expect(printedSchema('datasource db {\n}')).toBe('datasource db {\n}');
    expect(printedSchema('no schema here')).toBe('');
  });
});

describe('sqlc command builders', () => {
  const ctx = { binary: '/go/bin/sqlc', configFile: '/p/sqlc.yaml' };
  it.each([
    [sqlcGenerate(ctx), 'generate'],
    [sqlcDiff(ctx), 'diff'],
    [sqlcVet(ctx), 'vet'],
    [sqlcCompile(ctx), 'compile'],
  ])('%#: sqlc -f sqlc.yaml %s', (command, action) => {
    expect(command).toMatchObject({ tool: 'sqlc', action, file: '/go/bin/sqlc', args: ['-f', '/p/sqlc.yaml', action] });
  });
});

describe('parseSqlcErrors', () => {
  it('reads sqlc 1.30 output, skipping the package header', () => {
    const output = [
      '# package database',
      'queries/api_keys.sql:4:7: column "key_hsh" does not exist',
      'queries/zz.sql:2:2: syntax error at or near "SELEC"',
      'migrations/postgres/20250101000000_x.sql:3: relation "nope" does not exist',
      'error parsing sqlc.yaml: file does not exist',
      '',
    ].join('\n');
    expect(parseSqlcErrors(output)).toEqual([
      { file: 'queries/api_keys.sql', line: 4, column: 7, message: 'column "key_hsh" does not exist' },
      { file: 'queries/zz.sql', line: 2, column: 2, message: 'syntax error at or near "SELEC"' },
      { file: 'migrations/postgres/20250101000000_x.sql', line: 3, message: 'relation "nope" does not exist' },
    ]);
  });

  it('returns [] for output without located errors', () => {
    expect(parseSqlcErrors('error parsing sqlc.yaml: file does not exist\n')).toEqual([]);
  });
});

describe('goose command builder', () => {
  const ctx = { binary: '/go/bin/goose', dir: '/p/migrations/postgres', driver: 'postgres' as const, dbString: url };

  it('puts the driver and DB string in the environment', () => {
    const command = gooseCommand(ctx, { command: 'up' });
    expect(command).toMatchObject({ tool: 'goose', action: 'up', file: '/go/bin/goose', args: ['-dir', '/p/migrations/postgres', 'up'] });
    expect(command.env).toEqual({ GOOSE_DRIVER: 'postgres', GOOSE_DBSTRING: url });
    expect(command.args.join(' ')).not.toContain('s3cret');
  });

  it('adds -table and a target version', () => {
    const command = gooseCommand({ ...ctx, driver: 'clickhouse', table: 'my_versions' }, { command: 'down-to', version: 0 });
    expect(command.args).toEqual(['-dir', '/p/migrations/postgres', '-table', 'my_versions', 'down-to', '0']);
    expect(command.env?.GOOSE_DRIVER).toBe('clickhouse');
  });
});

it('the missing-sqlc hint names the version the project is tested with, not @latest', async () => {
  const { SQLC_INSTALL_HINT } = await import('../../../daemon/tools/sqlc.ts');
  expect(SQLC_INSTALL_HINT).toContain('sqlc@v1.30.0');
  expect(SQLC_INSTALL_HINT).not.toContain('@latest');
});
