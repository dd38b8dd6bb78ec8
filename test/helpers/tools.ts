/**
 * The real Go tools and the Prisma CLI for tests that run them, found once, and for each a
 * `…Missing` reason (undefined when found) to hand to `describeWith`.
 */
import { locateBinary, locatePrismaCli } from '../../daemon/tools/locate.ts';
import { repoRoot } from './project.ts';

const searched = 'PATH, $GOBIN, $GOPATH/bin or ~/go/bin';

/**
 * The goose CLI: `GOOSE_BIN` when set (it must then be executable), else the first goose on
 * PATH, `$GOBIN`, `$GOPATH/bin` or `~/go/bin`. The tests expect v3.27.3.
 */
export const goose = await locateBinary('goose', { explicit: process.env.GOOSE_BIN });
export const gooseMissing = goose
  ? undefined
  : process.env.GOOSE_BIN
    ? `GOOSE_BIN=${process.env.GOOSE_BIN} is not an executable`
    : `goose is not on ${searched} (go install github.com/pressly/goose/v3/cmd/goose@v3.27.3, or set GOOSE_BIN)`;

/** The sqlc CLI: the first sqlc on PATH, `$GOBIN`, `$GOPATH/bin` or `~/go/bin`. */
export const sqlc = await locateBinary('sqlc');
export const sqlcMissing = sqlc ? undefined : `sqlc is not on ${searched}`;

/** The repository's own Prisma CLI entry (node_modules/prisma). */
export const prismaCli = await locatePrismaCli(repoRoot);
export const prismaMissing = prismaCli ? undefined : 'the prisma package is not installed';

/** The Go toolchain (`go vet`, `gofmt`), for the tests of generated Go code. */
export const goBinary = await locateBinary('go', { explicit: process.env.GO_BIN });
export const goMissing = goBinary ? undefined : `go is not on ${searched}`;
