import { describe, expect, it } from 'vitest';

import { BoundedOutput, firstMeaningfulLine, outputTail } from '../../../daemon/tools/output.ts';

describe('BoundedOutput', () => {
  it('keeps everything under the limit', () => {
    const output = new BoundedOutput(100);
    output.push('hello ');
    output.push(Buffer.from('world'));
    expect(output.toString()).toBe('hello world');
    expect(output.receivedBytes).toBe(11);
  });

  it('keeps the head and the tail and says how much it dropped', () => {
    const output = new BoundedOutput(10);
    output.push('ABCDE');
    output.push('1234567890');
    output.push('vwxyz');
    expect(output.toString()).toBe('ABCDE\n… 10 bytes omitted …\nvwxyz');
    expect(output.receivedBytes).toBe(20);
  });

  it('trims a chunk larger than the whole limit', () => {
    const output = new BoundedOutput(4);
    output.push('0123456789');
    expect(output.toString()).toBe('01\n… 6 bytes omitted …\n89');
  });
});

describe('outputTail', () => {
  it('joins stdout and stderr, strips colours and blank edges', () => {
    expect(outputTail('\n\u001b[32mok\u001b[39m\n', '  \nError: boom\n\n')).toBe('ok\nError: boom');
  });

  it('keeps the last lines only', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
    const tail = outputTail('', lines, 3);
    expect(tail).toBe('line 47\nline 48\nline 49');
  });

  it('keeps at most maxBytes, starting at a line boundary', () => {
    const tail = outputTail('', `${'a'.repeat(50)}\n${'b'.repeat(20)}\n${'c'.repeat(10)}`, 40, 35);
    expect(tail).toBe(`${'b'.repeat(20)}\n${'c'.repeat(10)}`);
  });
});

describe('firstMeaningfulLine', () => {
  it.each([
    ['an error line on stderr', 'Loading...\n', 'Prisma schema loaded\nError: P1001: no db\n', 'Error: P1001: no db'],
    ['a located sqlc error', '', '# package database\nqueries/a.sql:3:7: column "x" does not exist\n', 'queries/a.sql:3:7: column "x" does not exist'],
    ['stderr before stdout without error words', 'out\n', '\nsomething odd\n', 'something odd'],
    ['stdout when stderr is empty', '\nonly stdout\n', '', 'only stdout'],
    ['nothing', '', '', ''],
  ])('picks %s', (_, stdout, stderr, expected) => {
    expect(firstMeaningfulLine(stdout, stderr)).toBe(expected);
  });
});
