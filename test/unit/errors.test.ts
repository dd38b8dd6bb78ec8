import { describe, expect, expectTypeOf, it } from 'vitest';

import { exitCodeFor } from '../../daemon/cli/exit.ts';
import { GoMigrationError, hasErrorCode, PlanError, toSchemasyncError, type KnownError } from '../../daemon/errors.ts';

describe('error codes', () => {
  it('a switch on code narrows to one class: a Go migration has its own code', () => {
    const describe = (error: KnownError): string => {
      switch (error.code) {
        case 'GO_MIGRATION':
          expectTypeOf(error).toEqualTypeOf<GoMigrationError>();
          return error.file;
        case 'PLAN':
          expectTypeOf(error).toEqualTypeOf<PlanError>();
          return 'plan';
        default:
          return error.code;
      }
    };
    expect(describe(new GoMigrationError('migrations/postgres/00002_b.go', 'up'))).toBe('migrations/postgres/00002_b.go');
    expect(describe(new PlanError('nothing to roll back'))).toBe('plan');
  });

  it('hasErrorCode tells a Go migration from a plan error, and both exit 1 as before', () => {
    const go: unknown = new GoMigrationError('00002_b.go', 'down');
    expect(hasErrorCode(go, 'GO_MIGRATION')).toBe(true);
    expect(hasErrorCode(new PlanError('x'), 'GO_MIGRATION')).toBe(false);
    expect(exitCodeFor(go as GoMigrationError)).toBe(1);
    expect(exitCodeFor(new PlanError('x'))).toBe(1);
  });

  it('toSchemasyncError keeps ours and turns anything else into INTERNAL with its stack', () => {
    const ours = new PlanError('x');
    expect(toSchemasyncError(ours)).toBe(ours);
    const internal = toSchemasyncError(new TypeError('boom'), 'the run crashed: ');
    expect(internal.code).toBe('INTERNAL');
    expect(internal.message).toMatch(/^the run crashed: TypeError: boom\n\s+at /);
  });
});
