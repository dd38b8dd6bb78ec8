import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../daemon/errors.ts';
import { parseMigration } from '../../../daemon/migrations/parse.ts';
import type { Direction } from '../../../daemon/migrations/types.ts';

// Statement texts and error messages of these fixtures were checked against goose's own parser
// (v3.27.3); lines and columns are schemasync's addition.
const fixtures = new URL('../../fixtures/parse/', import.meta.url);
const directions: Direction[] = ['up', 'down'];

describe('valid golden migrations', () => {
  const names = readdirSync(new URL('valid/', fixtures)).sort();
  it('has fixtures', () => expect(names.length).toBeGreaterThanOrEqual(10));

  for (const name of names) {
    it(name, () => {
      const folder = new URL(`valid/${name}/`, fixtures);
      const input = readFileSync(new URL('input.sql', folder), 'utf8');
      const expected: unknown = JSON.parse(readFileSync(new URL('expected.json', folder), 'utf8'));
      const envFile = new URL('env.json', folder);
      const env = existsSync(envFile) ? (JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>) : {};
      const up = parseMigration(input, 'up', { file: `${name}.sql`, env });
      const down = parseMigration(input, 'down', { file: `${name}.sql`, env });
      expect({ up: up.statements, down: down.statements, noTransaction: up.noTransaction }).toEqual(expected);
      expect(down.noTransaction).toBe(up.noTransaction);
    });
  }
});

describe('invalid migrations fail with the right line', () => {
  const expected = JSON.parse(readFileSync(new URL('invalid/expected.json', fixtures), 'utf8')) as Record<
    string,
    { line: number; directions: Direction[]; reason: string }
  >;
  const files = readdirSync(new URL('invalid/', fixtures)).filter((name) => name.endsWith('.sql')).sort();

  it('lists every invalid file', () => expect(Object.keys(expected).sort()).toEqual(files));

  for (const name of files) {
    const want = expected[name]!;
    for (const direction of directions) {
      const shouldFail = want.directions.includes(direction);
      it(`${name} ${direction} ${shouldFail ? 'fails' : 'parses'}`, () => {
        const text = readFileSync(new URL(`invalid/${name}`, fixtures), 'utf8');
        const parse = () => parseMigration(text, direction, { file: `migrations/postgres/${name}`, env: {} });
        if (!shouldFail) {
          expect(parse).not.toThrow();
          return;
        }
        const error = captureParseError(parse);
        expect({ line: error.line, reason: error.reason }).toEqual({ line: want.line, reason: want.reason });
        expect(error.message).toBe(`migrations/postgres/${name}:${want.line}: ${want.reason}`);
      });
    }
  }
});

function captureParseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}
