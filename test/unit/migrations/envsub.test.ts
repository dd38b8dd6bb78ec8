import { describe, expect, it } from 'vitest';
import { EnvsubError, expandEnv } from '../../../daemon/migrations/envsub.ts';

const env = { NAME: 'abcdef', EMPTY: '', UNICODE: 'äöü' };

describe('expandEnv (interpolate v0.0.2 grammar)', () => {
  it.each([
    ['$NAME and ${NAME}', 'abcdef and abcdef'],
    ['${MISSING}|$MISSING', '|'],
    ['${MISSING:-dflt} ${EMPTY:-dflt} ${NAME:-dflt}', 'dflt dflt abcdef'],
    ['${MISSING-dflt} [${EMPTY-dflt}] ${NAME-dflt}', 'dflt [] abcdef'],
    ['${MISSING:-${NAME}} ${MISSING:-${ALSO:-deep}}', 'abcdef deep'],
    ['${EMPTY?needed} ${NAME?needed}', ' abcdef'],
    ['${NAME:1} ${NAME:1:2} ${NAME: -2} ${NAME:-}', 'bcdef bc ef abcdef'],
    ['${NAME:2:-1} ${NAME:10} ${NAME: -10:2} ${NAME:1:-9}', 'cde  ab '],
    ['${NAME: +1 : 2 }', 'bc'],
    ['cost $$5, \\$NAME, \\\\, \\n', 'cost $5, $NAME, \\\\, \\n'],
    ['$(date) and trailing $', '$(date) and trailing $'],
    ["'$NAME' \"${NAME}\"", "'abcdef' \"abcdef\""],
    ['$NAME_x1 ${NAME}x', ' abcdefx'], // NAME_x1 is one (unset) identifier
    ['${UNICODE:2}', 'öü'],
    ['$ÄNDERUNG', ''],
  ])('%s', (input, output) => {
    expect(expandEnv(input, env)).toBe(output);
  });

  it.each([
    ['SELECT $1;', 'Expected identifier to start with a letter, got 1'],
    ["'$_X'", 'Expected identifier to start with a letter, got _'],
    ['$ x', 'Expected identifier to start with a letter, got  '],
    ['${}', 'Expected identifier to start with a letter, got }'],
    ['${MISSING?is required}', '$MISSING: is required'],
    ['${MISSING?}', '$MISSING: not set'],
    ['${NAME:?x}', 'Unable to parse offset: strconv.Atoi: parsing "?x": invalid syntax'],
    ['${NAME:1:x}', 'Unable to parse length: strconv.Atoi: parsing "x": invalid syntax'],
    ['${NAME!}', 'Expected an operator, got !'],
    ['${NAME', 'Expected an operator, got \ufffd'],
    ['${NAME:-x', 'Expected brace expansion to end with }, got \ufffd'],
  ])('refuses %s', (input, message) => {
    expect(() => expandEnv(input, env)).toThrowError(new EnvsubError(message));
  });

  it('treats a key whose value is undefined as unset', () => {
    expect(expandEnv('${GONE-unset}', { GONE: undefined })).toBe('unset');
  });

  it('does not read inherited properties as variables', () => {
    expect(expandEnv('[${toString}]', {})).toBe('[]');
  });
});
