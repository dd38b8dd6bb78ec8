/**
 * The generated Go structs are true at run time: clickhouse-go v2 (from the Go module proxy, the
 * version below) selects a row of every mapped type into them with `Select` (ScanStruct) on a local
 * ClickHouse 18.16 server's native port, after `go vet`. Not checked here: appending
 * (`AppendStruct`), which clickhouse-go cannot do against 18.16 (its INSERT header comes back with
 * no columns, so every batch is empty), and the current engine, which chdb serves without a port.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { silentLogger } from '../../daemon/log/types.ts';
import { openClickHouseSession } from '../../daemon/targets/clickhouse/connection.ts';
import { createClickHouseTarget } from '../../daemon/targets/clickhouse/target.ts';
import { goTypes } from '../../daemon/tools/clickhouse-types/go.ts';
import { localClickHouseMissing, startLocalBinary, type LocalClickHouse } from '../helpers/clickhouse-server.ts';
import { describeWith } from '../helpers/require.ts';
import { goBinary, goMissing } from '../helpers/tools.ts';
import { goModulesFor } from '../../daemon/tools/clickhouse-types/index.ts';
import { BASE_COLUMNS, sampleTable } from './clickhouse-types-samples.ts';

/** clickhouse-go's version (the one the project's package list approves). */
const CLICKHOUSE_GO = 'v2.51.0';

const MAIN = `package main

import (
	"context"
	"fmt"
	"os"

	"github.com/ClickHouse/clickhouse-go/v2"

	"example.com/chcheck/models"
)

func main() {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr: []string{os.Args[1]},
		Auth: clickhouse.Auth{Database: os.Args[2], Username: "default", Password: os.Args[3]},
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	var rows []models.EveryType
	if err := conn.Select(ctx, &rows, "SELECT * FROM every_type"); err != nil {
		fmt.Println("select:", err)
		os.Exit(1)
	}
	fmt.Printf("%d %+v\\n", len(rows), rows[0])
}
`;

describeWith(
  'a local clickhouse-server and Go',
  localClickHouseMissing() ?? goMissing,
  'ClickHouse types at run time: Go (clickhouse-go v2) on ClickHouse 18.16',
  () => {
    let server: LocalClickHouse;
    const folder = mkdtempSync(path.join(tmpdir(), 'schemasync-chgo-'));

    beforeAll(async () => {
      server = await startLocalBinary();
    });
    afterAll(async () => {
      await server?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    // Compiling clickhouse-go with a cold Go build cache takes minutes on a 2-core machine.
    it('clickhouse-go scans a row of every mapped type into the generated struct', async () => {
      const url = `${server.url}/default`;
      const session = openClickHouseSession(url);
      const { create, insert } = sampleTable(BASE_COLUMNS);
      await session.command(create);
      await session.command(insert);
      await session.close();
      const target = createClickHouseTarget(url, { logger: silentLogger });
      const tables = await target.describeTables!();
      await target.close();

      // A project that uses clickhouse-go: its go.mod requires it (and, indirectly, shopspring/decimal for Decimal columns).
      writeFileSync(path.join(folder, 'go.mod'), 'module example.com/chcheck\n\ngo 1.24\n');
      const go = (args: string[]) =>
        execFileSync(goBinary!, args, { cwd: folder, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, GOFLAGS: '-mod=mod' } });
      go(['get', `github.com/ClickHouse/clickhouse-go/v2@${CLICKHOUSE_GO}`]);
      mkdirSync(path.join(folder, 'models'));
      const modules = await goModulesFor(path.join(folder, 'models'), folder);
      const generated = goTypes(tables, { packageName: 'models', source: 'migrations/clickhouse', modules });
      expect(generated.warnings).toEqual([]);
      writeFileSync(path.join(folder, 'models', 'models.go'), generated.files[0]!.text);
      writeFileSync(path.join(folder, 'main.go'), MAIN);
      go(['vet', './...']);
      const { origin, password } = new URL(server.url);
      let output: string;
      try {
        output = go(['run', '.', `127.0.0.1:${server.tcpPort}`, 'default', decodeURIComponent(password)]);
      } catch (error) {
        output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
      }
      expect(output, `${origin}\n${generated.files[0]!.text}`).toMatch(/^1 \{I8:-8 /);
      expect(output).toContain('U64:18446744073709551615');
      expect(output).toContain('E8:error');
      expect(output).toContain('Ns:<nil>');
    }, 600_000);
  },
);
