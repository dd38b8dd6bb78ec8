import { UsageError } from '../../errors.ts';

/** `--to VERSION`: a whole number ≥ 0, as goose's up-to / down-to take. */
export function parseVersionOption(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  const version = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(version)) throw new UsageError(`--to must be a migration version, a whole number (got '${text}')`);
  return version;
}
