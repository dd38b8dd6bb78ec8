import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../daemon/errors.ts';
import { checksum } from '../../../daemon/migrations/checksum.ts';
import { codeFrame } from '../../../daemon/migrations/frame.ts';
import { MAX_LINE_BYTES, parseMigration, positionInFile } from '../../../daemon/migrations/parse.ts';

const up = (text: string) => parseMigration(text, 'up', { file: 'm.sql' }).statements;

describe('positionInFile', () => {
  it('maps a position on a later line of a multi-line statement', () => {
    const [, statement] = up('-- +goose Up\nSELECT 1;\n\nSELECT\n  a,\n  oops;\n');
    // "SELECT\n  a,\n  oops;": character 15 is the "o" of "oops".
    expect(statement!.sql.slice(14, 18)).toBe('oops');
    expect(positionInFile(statement!, 15)).toEqual({ line: 6, column: 3 });
    expect(positionInFile(statement!, 1)).toEqual({ line: 4, column: 1 });
  });

  it('adds the leading whitespace goose trimmed on the first line only', () => {
    const [statement] = up('-- +goose Up\n    SELECT oops\n    FROM t;\n');
    expect(statement!.column).toBe(5);
    expect(positionInFile(statement!, 8)).toEqual({ line: 2, column: 12 });
    expect(positionInFile(statement!, 17)).toEqual({ line: 3, column: 5 });
  });

  it('is unaffected by CRLF line endings', () => {
    const [statement] = up('-- +goose Up\r\nSELECT\r\n  oops;\r\n');
    expect(statement!.sql).toBe('SELECT\n  oops;');
    expect(positionInFile(statement!, 10)).toEqual({ line: 3, column: 3 });
  });

  it('counts characters, not UTF-8 bytes', () => {
    const [statement] = up("-- +goose Up\nSELECT 'ü日本', oops;\n");
    expect(positionInFile(statement!, 15)).toEqual({ line: 2, column: 15 });
  });

  it('clamps a position past the end to the last line', () => {
    const [statement] = up('-- +goose Up\nSELECT 1;\n');
    expect(positionInFile(statement!, 500).line).toBe(2);
  });
});

describe('parseMigration edge cases', () => {
  it('refuses a line of 4 MiB, as goose\'s scanner does, naming that line', () => {
    const long = `SELECT '${'x'.repeat(MAX_LINE_BYTES)}';`;
    expect(() => parseMigration(`-- +goose Up\nSELECT 1;\n${long}\n`, 'up', { file: 'big.sql' })).toThrowError(
      new ParseError('big.sql', 3, 'failed to scan migration: bufio.Scanner: token too long'),
    );
  });

  it("counts a line's \\r as goose's scanner does: 4 MiB - 1 bytes then \\r\\n is refused, one byte less is not", () => {
    const line = (bytes: number) => `SELECT '${'x'.repeat(bytes - 10)}';`;
    expect(Buffer.byteLength(line(MAX_LINE_BYTES - 1))).toBe(MAX_LINE_BYTES - 1);
    expect(() => parseMigration(`-- +goose Up\r\nSELECT 1;\r\n${line(MAX_LINE_BYTES - 1)}\r\n`, 'up', { file: 'crlf.sql' })).toThrowError(
      new ParseError('crlf.sql', 3, 'failed to scan migration: bufio.Scanner: token too long'),
    );
    expect(up(`-- +goose Up\r\n${line(MAX_LINE_BYTES - 2)}\r\n`)).toHaveLength(1);
  });

  it('accepts a line just under the limit', () => {
    const line = `SELECT '${'x'.repeat(MAX_LINE_BYTES - 11)}';`;
    expect(Buffer.byteLength(line)).toBe(MAX_LINE_BYTES - 1);
    expect(up(`-- +goose Up\n${line}\n`)).toHaveLength(1);
  });

  it('takes the environment only from its options (unset by default)', () => {
    const text = "-- +goose Up\n-- +goose ENVSUB ON\nSELECT '${HOME}';\n";
    expect(up(text)[0]!.sql).toBe("SELECT '';");
    expect(parseMigration(text, 'up', { file: 'm.sql', env: { HOME: '/h' } }).statements[0]!.sql).toBe("SELECT '/h';");
  });

  it('keeps the source line of a substituted value that holds a newline', () => {
    const [statement] = parseMigration("-- +goose Up\n-- +goose ENVSUB ON\nSELECT '${V}';\n", 'up', { file: 'm.sql', env: { V: 'a\nb' } }).statements;
    expect(statement).toEqual({ sql: "SELECT 'a\nb';", lines: [3, 3], column: 1 });
  });
});

describe('codeFrame', () => {
  const text = 'line 1\nline 2\nline 3\nSELECT oops;\nline 5\nline 6\nline 7\n';

  it('shows two lines around the position with a marker, without colours', () => {
    const frame = codeFrame(text, 4, 8);
    expect(frame).toBe(['  2 | line 2', '  3 | line 3', '> 4 | SELECT oops;', '    |        ^', '  5 | line 5', '  6 | line 6'].join('\n'));
    expect(frame).not.toContain('\u001b[');
  });

  it('clamps a line outside the text', () => {
    expect(codeFrame('a\nb\n', 99)).toContain('> 3 |');
  });
});

describe('checksum', () => {
  it('is the sha256 of the text', () => {
    expect(checksum('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('ignores CRLF versus LF, and nothing else', () => {
    expect(checksum('a\r\nb\r\n')).toBe(checksum('a\nb\n'));
    expect(checksum('a\nb\n')).not.toBe(checksum('a\nb'));
    expect(checksum('a\rb')).not.toBe(checksum('a\nb'));
  });
});
