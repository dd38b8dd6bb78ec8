import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ParseError } from '../../../daemon/errors.ts';
import { parseMigration } from '../../../daemon/migrations/parse.ts';
import type { Direction, ParsedSection } from '../../../daemon/migrations/types.ts';
import { describeWith } from '../../helpers/require.ts';
import { goose, gooseMissing } from '../../helpers/tools.ts';

// Property-based fuzz of the goose parser (issue 7, case 8). Two generators: one builds files
// line by line from goose's vocabulary (annotations in odd spellings, statements with and
// without semicolons, comments, blank and whitespace-only lines, CRLF, ENVSUB references), so
// most inputs reach deep parser states; the other mutates and garbles such files at random.
// Properties: the parser only ever throws its own ParseError, with a line inside the file; what
// it accepts has statements whose lines lie inside the file, in order; and the accepted
// statements, written back out as goose blocks, parse to the same statements.

const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

const annotationLine = fc.oneof(
  fc.constantFrom(
    '-- +goose Up',
    '-- +goose Down',
    '-- +goose StatementBegin',
    '-- +goose StatementEnd',
    '-- +goose NO TRANSACTION',
    '-- +goose ENVSUB ON',
    '-- +goose ENVSUB OFF',
    '--+goose up',
    '-- +goose DOWN',
    '-- +goose statementbegin',
    '  -- +goose Up',
    '\t-- +goose Down',
    '-- +goose',
    '-- +goose Sideways',
    '-- +goose Up -- +goose Down',
    '-- this mentions +goose in passing',
    '-- +goose Up ',
  ),
  fc.tuple(fc.constantFrom('Up', 'Down', 'StatementBegin', 'StatementEnd'), fc.constantFrom('', ' ', '\t', ' -- note')).map(([name, tail]) => `-- +goose ${name}${tail}`),
);

const sqlWord = fc.constantFrom('SELECT', '1', 'CREATE', 'TABLE', 't', '(id', 'int)', "'a;b'", '$$', '/*', '*/', 'x;', ';', '"q"', 'é', '𝄞', '\u00a0', '\u0085', '${HOME}', '${UNSET:-d}', '$1');
const sqlLine = fc
  .tuple(fc.array(sqlWord, { minLength: 1, maxLength: 6 }), fc.constantFrom('', ';', ' ;', '; -- done', ' -- c;', ';;'), fc.constantFrom('', ' ', '\t', '    '))
  .map(([words, end, indent]) => `${indent}${words.join(' ')}${end}`);
const otherLine = fc.constantFrom('', ' ', '\t', '-- a comment', '--', '   -- indented comment', '\ufeff', 'END;', '$$;');

const gooseLine = fc.oneof({ weight: 3, arbitrary: annotationLine }, { weight: 5, arbitrary: sqlLine }, { weight: 2, arbitrary: otherLine });

/** A file built from goose's vocabulary, usually starting with an Up annotation. */
const gooseFile = fc
  .tuple(fc.boolean(), fc.array(gooseLine, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([startsUp, lines, eol, finalEol]) => {
    const all = startsUp ? ['-- +goose Up', ...lines] : lines;
    return all.join(eol) + (finalEol && all.length > 0 ? eol : '');
  });

/** Random edits of a goose file: raw strings spliced in, lines cut, control and odd characters. */
const garbledFile = fc
  .tuple(gooseFile, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\r', '\n', '\0', '\ud800', '-- +goose ', ';', '\r\n\r\n'))), { maxLength: 4 }))
  .map(([text, edits]) => {
    let result = text;
    for (const [at, cut, insert] of edits) {
      const index = result.length === 0 ? 0 : at % (result.length + 1);
      result = result.slice(0, index) + insert + result.slice(index + cut);
    }
    return result;
  });

/** goose's scanner line count (lines split on `\n`, no extra line after a final newline). */
function lineCount(text: string): number {
  if (text === '') return 0;
  const count = text.split('\n').length;
  return text.endsWith('\n') ? count - 1 : count;
}

type Outcome = { ok: true; section: ParsedSection } | { ok: false; error: ParseError };

/** Parses, letting through nothing but ParseError (anything else fails the property). */
function parse(text: string, direction: Direction): Outcome {
  try {
    return { ok: true, section: parseMigration(text, direction, { file: 'fuzz.sql', env: { HOME: '/home/dev' } }) };
  } catch (error) {
    if (!(error instanceof ParseError)) throw new Error(`parser threw ${String(error)} instead of a ParseError`, { cause: error });
    return { ok: false, error };
  }
}

function checkInvariants(text: string, direction: Direction): Outcome {
  const outcome = parse(text, direction);
  const lines = Math.max(lineCount(text), 1);
  if (!outcome.ok) {
    expect(outcome.error.file).toBe('fuzz.sql');
    expect(outcome.error.line).toBeGreaterThanOrEqual(1);
    expect(outcome.error.line).toBeLessThanOrEqual(lines);
    expect(outcome.error.message.startsWith(`fuzz.sql:${outcome.error.line}: `)).toBe(true);
    return outcome;
  }
  let previous = 0;
  for (const statement of outcome.section.statements) {
    expect(statement.lines.length).toBeGreaterThanOrEqual(1);
    if (statement.sql !== '') expect(statement.lines).toHaveLength(statement.sql.split('\n').length);
    for (const line of statement.lines) {
      expect(line).toBeGreaterThanOrEqual(Math.max(previous, 1));
      expect(line).toBeLessThanOrEqual(lines);
      previous = line;
    }
    expect(statement.column).toBeGreaterThanOrEqual(1);
  }
  return outcome;
}

/**
 * The statements written back out as one StatementBegin/End block each. A block opens with a
 * whitespace-only line: to goose that starts the statement, so a statement whose text begins
 * with a comment line (kept after such a line in the original) keeps it (vector 06).
 */
function rebuild(up: string[], down: string[], noTransaction: boolean): string {
  const block = (sql: string) => `-- +goose StatementBegin\n \n${sql}\n-- +goose StatementEnd\n`;
  return ['-- +goose Up\n', noTransaction ? '-- +goose NO TRANSACTION\n' : '', ...up.map(block), '-- +goose Down\n', ...down.map(block)].join('');
}

const nonEmpty = (section: ParsedSection) => section.statements.map((s) => s.sql).filter((sql) => sql !== '');

describe('goose parser fuzz', () => {
  it.each([
    ['goose-vocabulary files', gooseFile],
    ['garbled files', garbledFile],
  ])('%s: only ParseError escapes, positions stay inside the file and in order', (_name, files) => {
    fc.assert(
      fc.property(files, (text) => {
        checkInvariants(text, 'up');
        checkInvariants(text, 'down');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('what it accepts round-trips through statement splitting', () => {
    let accepted = 0;
    fc.assert(
      fc.property(gooseFile, (text) => {
        const up = parse(text, 'up');
        const down = parse(text, 'down');
        if (!up.ok || !down.ok) return;
        accepted++;
        const again = rebuild(nonEmpty(up.section), nonEmpty(down.section), up.section.noTransaction);
        const upAgain = parse(again, 'up');
        const downAgain = parse(again, 'down');
        expect(upAgain.ok && nonEmpty(upAgain.section)).toEqual(nonEmpty(up.section));
        expect(downAgain.ok && nonEmpty(downAgain.section)).toEqual(nonEmpty(down.section));
        expect(upAgain.ok && upAgain.section.noTransaction).toBe(up.section.noTransaction);
      }),
      { numRuns: NUM_RUNS },
    );
    // The generator must reach the accepting paths often enough for this property to mean much.
    expect(accepted).toBeGreaterThan(NUM_RUNS / 10);
  });

  it('does not hang on pathological input', () => {
    const started = performance.now();
    const hugeLine = `-- +goose Up\nSELECT '${'x'.repeat(4 * 1024 * 1024)}';\n`;
    expect(parse(hugeLine, 'up').ok).toBe(false);
    const manyLines = `-- +goose Up\n${'SELECT 1\n'.repeat(200_000)};\n`;
    expect(parse(manyLines, 'up').ok).toBe(true);
    const manyStatements = `-- +goose Up\n${'SELECT 1;\n'.repeat(200_000)}`;
    expect(parse(manyStatements, 'up').ok && parse(manyStatements, 'up')).toMatchObject({ section: { statements: { length: 200_000 } } });
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});

// goose itself is the reference: a sample of generated files it must count as we do.

describeWith('the goose binary', gooseMissing, 'goose parser fuzz against goose v3.27.3', () => {
  it('goose validate -v counts a sample of accepted generated files as we do', () => {
    // No ENVSUB values: goose gets an empty environment, so the files must not depend on one.
    const sample = fc.sample(gooseFile, { numRuns: 400, seed: 7 }).filter((text) => !text.includes('ENVSUB'));
    const accepted = sample
      .map((text) => ({ text, up: parse(text, 'up'), down: parse(text, 'down') }))
      .filter((entry): entry is { text: string; up: { ok: true; section: ParsedSection }; down: { ok: true; section: ParsedSection } } => entry.up.ok && entry.down.ok)
      .slice(0, 60);
    expect(accepted.length).toBeGreaterThan(20);
    const dir = mkdtempSync(path.join(tmpdir(), 'schemasync-fuzz-goose-'));
    try {
      accepted.forEach((entry, index) => writeFileSync(path.join(dir, `${String(index + 1).padStart(5, '0')}_fuzz.sql`), entry.text));
      const result = spawnSync(goose!, ['-dir', dir, 'validate', '-v'], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 30_000 });
      expect(result.status, result.stderr).toBe(0);
      accepted.forEach((entry, index) => {
        const name = `${String(index + 1).padStart(5, '0')}_fuzz.sql`;
        const row = result.stdout.split('\n').find((line) => line.includes(name));
        expect(row, `goose listed no row for ${name}:\n${result.stdout}`).toBeDefined();
        const columns = row!.trim().split(/\s+/);
        expect(columns.slice(0, 4), entry.text).toEqual(['sql', entry.up.section.noTransaction ? '✘' : '✔', String(entry.up.section.statements.length), String(entry.down.section.statements.length)]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
