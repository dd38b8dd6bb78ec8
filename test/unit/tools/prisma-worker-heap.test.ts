import { describe, expect, it } from 'vitest';

import { heapForSchemaMb, INITIAL_HEAP_MB, MAX_HEAP_MB, nextHeapMb, ranOutOfHeap, recycleBoundBytes } from '../../../daemon/tools/prisma-worker/heap.ts';

const MB = 2 ** 20;

describe('the Prisma worker heap bound', () => {
  it('doubles after V8 ran out of heap, up to the ceiling', () => {
    expect(ranOutOfHeap('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory')).toBe(true);
    expect(nextHeapMb(INITIAL_HEAP_MB, true)).toBe(512);
    expect(nextHeapMb(1536, true)).toBe(MAX_HEAP_MB);
    expect(nextHeapMb(MAX_HEAP_MB, true)).toBe(MAX_HEAP_MB);
  });

  it('stays after any other death', () => {
    expect(ranOutOfHeap('Error: connect ECONNREFUSED')).toBe(false);
    expect(nextHeapMb(INITIAL_HEAP_MB, false)).toBe(INITIAL_HEAP_MB);
  });

  it('replaces a worker past the configured bound, or past twice a raised heap', () => {
    expect(recycleBoundBytes(INITIAL_HEAP_MB, 512 * MB)).toBe(512 * MB);
    expect(recycleBoundBytes(INITIAL_HEAP_MB, 50 * MB)).toBe(50 * MB);
    expect(recycleBoundBytes(1024, 512 * MB)).toBe(2048 * MB);
  });
});

describe('the heap a schema needs', () => {
  it('is the initial bound for a small schema, 4 MB per KB of a large one, up to the ceiling', () => {
    expect(heapForSchemaMb(4_101)).toBe(INITIAL_HEAP_MB); // the example
    expect(heapForSchemaMb(72_036)).toBe(282); // 80 generated tables
    expect(heapForSchemaMb(270_036)).toBe(1055); // 300 generated tables
    expect(heapForSchemaMb(2_000_000)).toBe(MAX_HEAP_MB);
  });
});
