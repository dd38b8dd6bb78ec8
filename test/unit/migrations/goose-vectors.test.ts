import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSchemasyncError, type ParseError } from '../../../daemon/errors.ts';
import { parseMigration } from '../../../daemon/migrations/parse.ts';
import type { Direction } from '../../../daemon/migrations/types.ts';

/** Vectors produced by goose's own parser (v3.27.3); see /work/shared/goose-spec.md §9. */
interface Vector {
  name: string;
  input: string;
  env: Record<string, string>;
  unsetEnv: string[];
  up: Outcome;
  down: Outcome;
}
type Outcome = { statements: string[]; useTx: boolean } | { error: string };

const vectors = (JSON.parse(readFileSync(new URL('../../fixtures/parse/goose-parser-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] }).vectors;

// schemasync drops the link goose appends to some messages; the rest is goose's text.
const gooseLink = ', see https://github.com/pressly/goose#sql-migrations';

function outcome(vector: Vector, direction: Direction): Outcome {
  try {
    const section = parseMigration(vector.input, direction, { file: vector.name, env: { ...vector.env } });
    return { statements: section.statements.map((s) => s.sql), useTx: !section.noTransaction };
  } catch (error) {
    if (!isSchemasyncError(error) || error.code !== 'PARSE') throw error;
    return { error: (error as ParseError).reason };
  }
}

describe('goose parser vectors', () => {
  it('has the 39 vectors goose produced', () => {
    expect(vectors).toHaveLength(39);
  });

  for (const vector of vectors) {
    for (const direction of ['up', 'down'] as const) {
      it(`${vector.name} ${direction}`, () => {
        const expected = vector[direction];
        const wanted = 'error' in expected ? { error: expected.error.replace(gooseLink, '') } : expected;
        expect(outcome(vector, direction)).toEqual(wanted);
      });
    }
  }
});
