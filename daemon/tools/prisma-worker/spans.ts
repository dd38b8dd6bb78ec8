/** Time spent per phase of one request (`generate.emit` …), summed while a request runs; cleared at the next. */
export function spanRecorder() {
  const spans: Record<string, number> = {};
  const span = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      spans[name] = (spans[name] ?? 0) + performance.now() - started;
    }
  };
  const clearSpans = () => {
    for (const key of Object.keys(spans)) delete spans[key];
  };
  return { spans, span, clearSpans };
}
