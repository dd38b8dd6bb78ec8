/**
 * Pure classification of errors thrown by `pg`, so that target.ts can turn them into messages a
 * user can act on. `pg` itself is not imported: errors are recognised by their fields.
 */

/** The fields of a PostgreSQL error response that we use (pg's DatabaseError). */
export interface ServerErrorFields {
  /** SQLSTATE, five characters. */
  code: string;
  message: string;
  /** 1-based character index into the query text, as a string. */
  position?: string;
  detail?: string;
  hint?: string;
}

/** True for an error the server sent (it has a SQLSTATE and a severity), as opposed to a network failure. */
export function isServerError(error: unknown): error is ServerErrorFields {
  if (typeof error !== 'object' || error === null) return false;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

/** True when the connection itself failed (refused, reset, terminated, timed out) rather than a statement. */
export function isConnectionFailure(error: unknown): boolean {
  if (isServerError(error)) {
    // Class 08: connection exception; 57P01..57P03: the server is shutting down or starting.
    return error.code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(error.code);
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' || /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(message);
}

/**
 * A sentence explaining why a connection attempt failed and what to check. `database` and `user`
 * come from the (parsed) URL and are only used to phrase the advice.
 */
export function explainConnectionFailure(error: unknown, context: { host: string; port: string; database: string; user: string }): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const { host, port, database, user } = context;
  switch (code) {
    case '3D000':
      return `database "${database}" does not exist on ${host}:${port}; create it (createdb ${database}) or fix the database name in the URL.`;
    case '28P01':
      return `password authentication failed for user "${user}"; check the user name and password in the URL.`;
    case '28000':
      return `the server refused user "${user}" (${message}); check the user name and the server's pg_hba.conf.`;
    case '57P03':
      return `the server is starting up or shutting down (${message}); try again in a moment.`;
    case 'ECONNREFUSED':
      return `nothing is listening on ${host}:${port} (connection refused); is PostgreSQL running, and is the port right?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name "${host}" cannot be resolved (${code}); check the host in the URL.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${host}:${port} cannot be reached (${code}); check the host, port and network.`;
    default:
      if (/timeout/i.test(message)) return `no answer from ${host}:${port} in time (${message}).`;
      return message.endsWith('.') ? message : `${message}.`;
  }
}
