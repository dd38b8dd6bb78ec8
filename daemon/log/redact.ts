/**
 * Removes secrets from text before it reaches a log line or an error message: passwords in
 * URLs (`postgres://user:secret@host` → `postgres://user:***@host`) and `password=` /
 * `token=` style key-value pairs.
 */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/?#\s]*)@/gi;
const KEY_VALUE_SECRET = /\b(password|passwd|pwd|token|secret|api[_-]?key)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,]+)/gi;

export function redact(text: string): string {
  return text.replace(URL_PASSWORD, '$1:***@').replace(KEY_VALUE_SECRET, '$1$2***');
}

/**
 * Query parameters that hold a secret (`password`, `sslpassword`, `token`, `api_key`, …). Not any
 * name containing "key": ClickHouse settings such as `allow_dimensions_outside_sorting_key` are
 * configuration, and hiding their values hides what a user must fix.
 */
const SECRET_PARAMETER = /pass|pwd|secret|token|credential|^key$|(^|[_-])(api|access|private|secret)[_-]?key$/i;

/** A URL for display: password hidden, query secrets hidden. Returns the input redacted if it does not parse. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAMETER.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return redact(url);
  }
}
