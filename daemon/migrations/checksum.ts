/** Fingerprints of migration text, used to notice that an applied migration was edited. */
import { createHash } from 'node:crypto';

/**
 * sha256 (hex) of `text` with CRLF normalised to LF. The normalisation is deliberate: a checkout
 * with `core.autocrlf` rewrites line endings, and that must not look like an edited migration
 * (goose's parser strips the `\r` too, so the statements sent are the same).
 */
export function checksum(text: string): string {
  return createHash('sha256').update(text.replaceAll('\r\n', '\n'), 'utf8').digest('hex');
}
