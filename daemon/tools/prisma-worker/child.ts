/**
 * The Prisma worker: a long-lived child of the daemon (forked with an IPC channel) that keeps the
 * project's Prisma packages, prisma.config.ts and one database connection loaded, and runs
 * `db pull` / `generate` on request. A crash or a leak here cannot take the daemon down: the
 * daemon restarts it, and runs the CLI meanwhile.
 */
import { loadInProcessPrisma, type InProcessPrisma } from './in-process.ts';
import type { ParentMessage, WorkerMessage, WorkerOptions } from './protocol.ts';

/** Resolves once the message is handed to the channel (before process.exit, or it is lost). */
function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, undefined, () => resolve());
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as WorkerOptions;
  let prisma: InProcessPrisma;
  try {
    prisma = await loadInProcessPrisma(options);
  } catch (error) {
    await send({ type: 'unsupported', reason: errorText(error) });
    process.exit(0);
  }
  if (prisma.unsupported) {
    await send({ type: 'unsupported', reason: prisma.unsupported });
    await prisma.close();
    process.exit(0);
  }

  // A schema that does not parse yet only leaves the first request cold.
  await prisma.warm().catch(() => undefined);

  // Requests come one at a time (the daemon serializes them); a queue keeps that true regardless.
  let queue = Promise.resolve();
  process.on('message', (message: ParentMessage) => {
    // At once, beside whatever runs: it only sends queries ahead for the pull to come.
    if (message.type === 'prefetch') return prisma.prefetch();
    if (message.type === 'close') {
      queue = queue.then(async () => {
        await prisma.close();
        process.disconnect?.();
      });
      return;
    }
    queue = queue.then(async () => {
      const started = performance.now();
      try {
        await (message.op === 'pull' ? prisma.pull() : prisma.generate());
        const spans = Object.fromEntries(Object.entries(prisma.spans).map(([name, ms]) => [name, Math.round(ms)]));
        const reuse = message.op === 'generate' ? prisma.reuse : undefined;
        await send({ type: 'done', id: message.id, ok: true, ms: performance.now() - started, rssBytes: process.memoryUsage.rss(), spans, reuse });
        // The save is through: the next one's pull is set up while nothing waits.
        if (message.op === 'generate') await prisma.prepareNextPull().catch(() => undefined);
      } catch (error) {
        await send({ type: 'done', id: message.id, ok: false, ms: performance.now() - started, rssBytes: process.memoryUsage.rss(), error: errorText(error) });
      }
    });
  });
  // The parent went away without a goodbye: nothing left to serve.
  process.on('disconnect', () => {
    void prisma.close().finally(() => process.exit(0));
  });
  await send({ type: 'ready', version: prisma.version, rssBytes: process.memoryUsage.rss() });
  // Ahead of the first request, which waits for it in the queue (sooner than a cold render).
  queue = queue.then(() =>
    prisma.prime().then(
      () => prisma.prepareNextPull(),
      () => undefined,
    ),
  );
}

void main();
