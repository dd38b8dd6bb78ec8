import type { SchemasyncError } from '../errors.ts';

/** Exit statuses: 0 success, 1 a migration, validation or drift failure, 2 usage, configuration or connection problems, or a query of schemasync's own refused. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function exitCodeFor(error: SchemasyncError): number {
  switch (error.code) {
    case 'CONFIG':
    case 'USAGE':
    case 'CONNECTION':
    case 'QUERY':
    case 'LOCK':
    case 'TOOL_MISSING':
      return EXIT.usage;
    default:
      return EXIT.failed;
  }
}
