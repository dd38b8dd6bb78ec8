import { describe, expect, it } from 'vitest';

import { CLICKHOUSE_DIALECT, POSTGRES_DIALECT, tokenize, type Dialect } from '../../../daemon/migrations/sql-lexer.ts';

const kinds = (sql: string, dialect: Dialect) => tokenize(sql, dialect).map((token) => `${token.kind}:${token.text}`);

describe('tokenize', () => {
  it.each([
    // Comments hide what they hold, nested block comments included.
    { sql: 'a -- b.c\nd', dialect: CLICKHOUSE_DIALECT, tokens: ['word:a', 'word:d'] },
    { sql: 'a /* x /* y.z */ still */ b', dialect: CLICKHOUSE_DIALECT, tokens: ['word:a', 'word:b'] },
    { sql: 'a # b.c\nd', dialect: CLICKHOUSE_DIALECT, tokens: ['word:a', 'word:d'] },
    { sql: 'a # b', dialect: POSTGRES_DIALECT, tokens: ['word:a', 'punct:#', 'word:b'] },
    // Strings and quoted names keep their text without quotes or escapes.
    { sql: "'it''s' 'a\\'b'", dialect: CLICKHOUSE_DIALECT, tokens: ["string:it's", "string:a'b"] },
    { sql: "'a\\' b'", dialect: POSTGRES_DIALECT, tokens: ["string:a\\", 'word:b', "string:"] },
    { sql: "E'a\\'b' c", dialect: POSTGRES_DIALECT, tokens: ["string:a'b", 'word:c'] },
    { sql: '`my db`.`t` "x""y"', dialect: CLICKHOUSE_DIALECT, tokens: ['quoted:my db', 'punct:.', 'quoted:t', 'quoted:x"y'] },
    { sql: '`a`', dialect: POSTGRES_DIALECT, tokens: ['punct:`', 'word:a', 'punct:`'] },
    // Dollar quoting: the body is one string, whatever it holds.
    { sql: "$$ SELECT 'x' -- $$ y", dialect: POSTGRES_DIALECT, tokens: ["string: SELECT 'x' -- ", 'word:y'] },
    { sql: '$fn$ a $$ b $fn$ c', dialect: POSTGRES_DIALECT, tokens: ['string: a $$ b ', 'word:c'] },
    // Words, numbers, punctuation; an unterminated string runs to the end.
    { sql: 'db.t1.col_2 = 1.5e3', dialect: CLICKHOUSE_DIALECT, tokens: ['word:db', 'punct:.', 'word:t1', 'punct:.', 'word:col_2', 'punct:=', 'number:1.5e3'] },
    { sql: "x 'open", dialect: CLICKHOUSE_DIALECT, tokens: ['word:x', 'string:open'] },
  ])('$sql', ({ sql, dialect, tokens }) => {
    expect(kinds(sql, dialect)).toEqual(tokens);
  });

  it('gives each token its offset', () => {
    expect(tokenize('  ab /* c */ `d`', CLICKHOUSE_DIALECT).map((token) => token.offset)).toEqual([2, 13]);
  });
});
