/**
 * The `revision` every insert-only bookkeeping row carries (the ledger; cluster mode's version
 * rows): newest wins. Kept above every revision read back, whoever wrote it, so that the next
 * write sorts after all of them whatever the clocks of other runners' machines. Written under
 * the migration lock, so one runner writes at a time.
 */
export class Revisions {
  #last = 0;

  next(): number {
    this.#last = Math.max(Date.now() * 1000, this.#last + 1);
    return this.#last;
  }

  observe(revision: number): void {
    this.#last = Math.max(this.#last, revision);
  }
}
