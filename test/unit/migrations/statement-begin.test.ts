import { expect, it } from 'vitest';

import { ParseError } from '../../../daemon/errors.ts';
import { parseMigration } from '../../../daemon/migrations/parse.ts';

it('an unclosed StatementBegin keeps goose\'s words, says what is really wrong, and points at it with a frame', () => {
  const text = '-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;\n\n-- +goose Down\nDROP FUNCTION f();\n';
  let error: unknown;
  try {
    parseMigration(text, 'up', { file: 'migrations/postgres/00001_f.sql' });
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(ParseError);
  const parse = error as ParseError;
  expect(parse.line).toBe(2);
  expect(parse.message).toContain("must start with '-- +goose Up' annotation, stateMachine=2");
  expect(parse.message).toContain("the '-- +goose StatementBegin' at line 2 is never closed");
  expect(parse.codeFrame).toMatch(/> 2 \| -- \+goose StatementBegin/);
});
