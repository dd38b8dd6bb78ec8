import { existsSync } from 'node:fs';

import { checksum } from '../../migrations/checksum.ts';
import { prismaGenerate, prismaPull, type PrismaContext } from '../../tools/prisma.ts';
import { prismaPullTool } from '../../tools/prisma-identity.ts';
import type { PrismaWorker } from '../../tools/prisma-worker/client.ts';
import type { WorkerOp } from '../../tools/prisma-worker/protocol.ts';
import { readPrismaSchemaFiles, schemaGeneratorOutputs, schemaName, schemaText } from '../../tools/prisma-schema.ts';
import { runTool } from '../../tools/run.ts';
import type { Step } from '../pipeline.ts';
import type { RunState, StepDeps } from './context.ts';

export interface PrismaSetup {
  context: PrismaContext;
  timeoutMs: number;
  /** The warm worker (watch mode); each of its misses runs the CLI instead. */
  worker?: PrismaWorker | undefined;
}

/**
 * `prisma db pull` then `prisma generate`, each only when needed: pull when the PostgreSQL
 * catalog differs from the one schema.prisma was last pulled from (a migration that only inserts
 * rows, or a comment edit, costs nothing); generate when schema.prisma's text differs from the
 * one the client was last generated from, or the client is gone. A hand edit of schema.prisma is
 * never pulled over here: it is regenerated, and the drift check reports it.
 */
export function prismaStep(deps: StepDeps, setup: PrismaSetup): Step<RunState> {
  const { schema } = setup.context;
  // A schema folder is one text (tools/prisma-schema.ts): remembered, compared and named as one.
  const read = async () => {
    const files = await readPrismaSchemaFiles(schema);
    return { files, text: schemaText(files, deps.projectRoot), name: schemaName(schema, deps.projectRoot, files) };
  };
  const cli = (command: ReturnType<typeof prismaPull>, signal: AbortSignal) => runTool(command, { cwd: deps.projectRoot, timeoutMs: setup.timeoutMs, signal });
  // The worker first; whatever it cannot do (crashed, failed, off) the CLI does, and reports.
  const run = async (op: WorkerOp, signal: AbortSignal) => {
    if (setup.worker) {
      const outcome = await setup.worker.run(op, signal, setup.timeoutMs);
      if (outcome.served) {
        const { spans, reuse } = outcome;
        deps.logger.debug({ event: 'prisma-worker:served', op, durationMs: Math.round(outcome.ms), spans, reuse }, `prisma ${op} in the warm worker`);
        return;
      }
      // One line: the CLI's own report of the same failure, if any, follows in full.
      const reason = outcome.reason.split('\n')[0]!.slice(0, 300);
      deps.logger.debug({ event: 'prisma-worker:miss', op, reason }, `prisma ${op} through the CLI: ${reason}`);
    }
    await cli(op === 'pull' ? prismaPull(setup.context) : prismaGenerate(setup.context), signal);
  };

  const needsPull = (state: RunState) =>
    state.force === true || !existsSync(schema) || (state.typesFingerprint !== undefined && state.typesFingerprint !== deps.memory.get().prismaPulledFrom);

  return {
    name: 'prisma',
    dependsOn: [`validate:${deps.typesTarget}`, `apply:${deps.typesTarget}`],
    skipReason(changes, state) {
      if (needsPull(state) || changes.prismaSchema || changes.full) return undefined;
      return `${deps.typesTarget} schema unchanged`;
    },
    async run(changes, state, signal) {
      const done: string[] = [];
      if (needsPull(state)) {
        const before = existsSync(schema) ? (await read()).text : undefined;
        await run('pull', signal);
        done.push('pulled');
        const pulled = (await read()).text;
        state.prismaSchemaChanged = pulled !== before;
        if (state.typesFingerprint) {
          await deps.memory.update({
            prismaPulledFrom: state.typesFingerprint,
            prismaPulledSchema: checksum(pulled),
            prismaPulledWith: prismaPullTool(setup.context),
          });
        } else if (state.force) {
          await deps.memory.update({ prismaPulledFrom: undefined, prismaPulledSchema: undefined, prismaPulledWith: undefined });
        }
      }
      const { files, text, name } = await read();
      const outputs = schemaGeneratorOutputs(files);
      const clientMissing = outputs.some((out) => out === undefined || !existsSync(out));
      if (state.force || checksum(text) !== deps.memory.get().prismaGeneratedFrom || clientMissing) {
        await run('generate', signal);
        await deps.memory.update({ prismaGeneratedFrom: checksum(text) });
        done.push('generated');
      }
      if (done.length === 0) return { status: 'skipped' as const, detail: changes.prismaSchema ? `client matches ${name}` : `${name} up to date` };
      // Said without parentheses: the run summary puts the detail in parentheses already.
      const generated = done.includes('generated') ? ['generated'] : [];
      if (!done.includes('pulled') || state.prismaSchemaChanged) return { status: 'ok' as const, detail: done.join(' + ') };
      return { status: 'ok' as const, detail: [`pull left ${name} unchanged`, ...generated].join('; ') };
    },
  };
}
