import { schemaStamp } from './spawn.ts';

/**
 * A pull's set-up (the schema loaded and validated, a schema engine started: 30–50 ms at 80
 * models) made ahead, after a generate, while the worker waits for the next save. A pull takes it
 * when the schema's files are as they were when it was made (their stat stamps, taken before it
 * read them), else releases it and sets up afresh.
 */
export interface PullAhead<T> {
  /** Sets up now, for the next pull; a failure is left to that pull to meet again. */
  prepare(): Promise<void>;
  /** The set-up made ahead, if the schema has not changed since. */
  take(): Promise<T | undefined>;
  /** Releases a set-up not taken. */
  discard(): Promise<void>;
}

export function pullAhead<T>(schema: string, setUp: () => Promise<T>, release: (setup: T) => Promise<void>): PullAhead<T> {
  let ahead: Promise<{ setup: T; stamp: string | undefined } | undefined> | undefined;
  const takeAhead = async () => {
    const made = await ahead;
    ahead = undefined;
    return made;
  };
  return {
    async prepare() {
      await this.discard().catch(() => undefined);
      const stamp = schemaStamp(schema);
      ahead = setUp().then(
        (setup) => ({ setup, stamp }),
        () => undefined,
      );
      await ahead;
    },
    async take() {
      const made = await takeAhead();
      if (!made) return undefined;
      if (made.stamp !== undefined && made.stamp === schemaStamp(schema)) return made.setup;
      await release(made.setup);
      return undefined;
    },
    async discard() {
      const made = await takeAhead();
      if (made) await release(made.setup);
    },
  };
}
