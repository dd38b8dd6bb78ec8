/**
 * The worker's V8 heap bound, which grows with the schema. 256 MB keeps a small project's worker
 * flat (uncapped, V8 grows the heap lazily), but a large schema's DMMF does not fit: at 300 tables
 * `getDMMF`'s JSON alone runs a 256 MB heap out of memory. So a worker that dies of that is
 * restarted with twice the heap, up to a ceiling, and is replaced for its memory only past twice
 * its heap. Pure.
 */
export const INITIAL_HEAP_MB = 256;
export const MAX_HEAP_MB = 2048;

/**
 * The heap a schema of `bytes` needs at least: the generator memo (generator-memo.ts) keeps the
 * last generate's DMMF, whose live size grows with the schema (146 MB after a GC at 80 tables /
 * 72 KB, 600 MB at 300 tables / 270 KB, where 1024 MB ran and 512 MB did not): 4 MB per KB. Pure.
 */
export function heapForSchemaMb(bytes: number): number {
  return Math.min(MAX_HEAP_MB, Math.max(INITIAL_HEAP_MB, Math.ceil((bytes / 1024) * 4)));
}

/** Whether `stderr` has V8's last words when the heap bound is reached. */
export function ranOutOfHeap(stderr: string): boolean {
  return /heap out of memory|Reached heap limit/.test(stderr);
}

/** The heap for the next worker after one exited: doubled when it ran out of heap, else unchanged. */
export function nextHeapMb(currentMb: number, ranOut: boolean): number {
  return ranOut && currentMb < MAX_HEAP_MB ? Math.min(currentMb * 2, MAX_HEAP_MB) : currentMb;
}

/** Resident memory past which a worker with `heapMb` is replaced: the configured bound, or twice a raised heap. */
export function recycleBoundBytes(heapMb: number, configuredBytes: number): number {
  return heapMb > INITIAL_HEAP_MB ? Math.max(configuredBytes, heapMb * 2 * 2 ** 20) : configuredBytes;
}

/** Bytes as whole MiB, for log lines. */
export function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}
