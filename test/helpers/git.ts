import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/**
 * Real git in a test project: an identity of its own (no global config needed) and no shell.
 * The daemon under test asks git itself; these helpers only play the developer.
 */
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'schemasync test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'schemasync test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `git init` on `main` with everything committed but what tools generate (ignored, as a project would). */
export function initRepository(root: string, ignored: string[]): void {
  writeFileSync(`${root}/.gitignore`, `${['node_modules', '.schemasync', ...ignored].join('\n')}\n`);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'main');
}

/** Writes files and commits them on the current branch. */
export function commitFiles(root: string, files: Record<string, string>, message: string): void {
  for (const [file, text] of Object.entries(files)) writeFileSync(`${root}/${file}`, text);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', message);
}
