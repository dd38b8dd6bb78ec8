/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A sample summarised: median, min and max (the spread), and the raw values. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
  values: number[];
}

export function summarize(values: number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length, values };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `everyMs` until it returns true; resolves with the time since `since`
 * (performance.now() clock), or undefined after `timeoutMs`.
 */
export async function pollUntil(
  check: () => Promise<boolean> | boolean,
  options: { since: number; timeoutMs: number; everyMs?: number },
): Promise<number | undefined> {
  const deadline = options.since + options.timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return performance.now() - options.since;
    await sleep(options.everyMs ?? 20);
  }
  return undefined;
}
