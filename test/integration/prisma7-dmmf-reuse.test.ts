import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { itGeneratesFromAFrozenDmmf } from '../helpers/prisma-frozen-dmmf.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';

/** prisma-frozen-dmmf.ts on the Prisma 7 fixture (its own packages: a process of its own). */

const fixture = join(repoRoot, 'test/fixtures/prisma7');
const cli = join(fixture, 'node_modules/prisma/build/index.js');
const fixtureMissing = existsSync(cli)
  ? undefined
  : 'test/fixtures/prisma7 is not installed (npm ci --prefer-offline --ignore-scripts --prefix test/fixtures/prisma7)';

describeWith('the Prisma 7 fixture', fixtureMissing, 'the generator on a frozen, shared DMMF (Prisma 7)', () => {
  itGeneratesFromAFrozenDmmf({
    from: fixture,
    files: ['prisma.config.ts', 'package.json'],
    nodeModules: join(fixture, 'node_modules'),
    cli,
    // The fixture's own generator block.
    generator: readFileSync(join(fixture, 'prisma/schema.prisma'), 'utf8').split('datasource')[0]!,
    url: false,
  });
});
