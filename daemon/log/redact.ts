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

/** A URL for display: password hidden, query secrets hidden. Returns the input redacted if it does not parse. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return redact(url);
  }
}
