import { describe, expect, it } from 'vitest';

import { ParseError } from '../../../daemon/errors.ts';
import { silentLogger } from '../../../daemon/log/types.ts';
import { FULL_RUN, noChanges } from '../../../daemon/pipeline/changes.ts';
import { Pipeline, type Step } from '../../../daemon/pipeline/pipeline.ts';

type Log = string[];

/** A step that records when it starts and ends, and fails or waits as told. */
function step(name: string, log: Log, options: { dependsOn?: string[]; fail?: boolean; skip?: string; waitMs?: number } = {}): Step<Log> {
  return {
    name,
    dependsOn: options.dependsOn ?? [],
    skipReason: () => options.skip,
    async run() {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, options.waitMs ?? 0));
      log.push(`end ${name}`);
      if (options.fail) throw new ParseError(`${name}.sql`, 3, 'broken');
      return { status: 'ok' as const, detail: `${name} done` };
    },
  };
}

const run = (stages: Array<Array<Step<Log>>>, log: Log, signal = new AbortController().signal) =>
  new Pipeline(stages, { logger: silentLogger, projectRoot: '/p' }).run(FULL_RUN, log, signal);

describe('Pipeline', () => {
  it('skips only the dependants of a failed step: a bad file in one target holds back nothing else', async () => {
    const log: Log = [];
    const report = await run(
      [
        [step('validate:postgres', log, { fail: true }), step('validate:clickhouse', log)],
        [step('apply:postgres', log, { dependsOn: ['validate:postgres'] })],
        [step('apply:clickhouse', log, { dependsOn: ['validate:clickhouse'] }), step('prisma', log, { dependsOn: ['apply:postgres'] })],
      ],
      log,
    );
    expect(report.ok).toBe(false);
    expect(Object.fromEntries(report.steps.map((s) => [s.name, s.status]))).toEqual({
      'validate:postgres': 'failed',
      'validate:clickhouse': 'ok',
      'apply:postgres': 'skipped',
      'apply:clickhouse': 'ok',
      prisma: 'skipped',
    });
    expect(report.steps.find((s) => s.name === 'apply:postgres')?.detail).toBe('validate:postgres failed');
    expect(report.steps.find((s) => s.name === 'prisma')?.detail).toBe('validate:postgres failed');
    expect(report.steps[0]?.error?.message).toBe('validate:postgres.sql:3: broken');
  });

  it('runs the steps of one stage side by side and the stages in order', async () => {
    const log: Log = [];
    await run([[step('a', log, { waitMs: 30 }), step('b', log, { waitMs: 10 })], [step('c', log)]], log);
    expect(log).toEqual(['start a', 'start b', 'end b', 'end a', 'start c', 'end c']);
  });

  it('reports a step that has nothing to do as skipped with its reason, and numbers runs', async () => {
    const log: Log = [];
    const pipeline = new Pipeline([[step('sqlc', log, { skip: 'no sqlc input changed' })]], { logger: silentLogger, projectRoot: '/p' });
    const first = await pipeline.run(noChanges(), log, new AbortController().signal);
    const second = await pipeline.run(noChanges(), log, new AbortController().signal);
    expect(first.steps).toEqual([{ name: 'sqlc', status: 'skipped', durationMs: 0, detail: 'no sqlc input changed' }]);
    expect([first.id, second.id, first.ok]).toEqual([1, 2, true]);
    expect(log).toEqual([]);
  });

  it('starts nothing once shutting down', async () => {
    const log: Log = [];
    const controller = new AbortController();
    controller.abort();
    const report = await run([[step('apply:postgres', log)]], log, controller.signal);
    expect(report.steps[0]).toMatchObject({ status: 'skipped', detail: 'shutting down' });
    expect(log).toEqual([]);
  });
});
