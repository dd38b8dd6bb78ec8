import path from 'node:path';

/** `file` is `dir` itself or lies somewhere below it (a name like `..x` inside `dir` counts). Both absolute. */
export function contains(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** How a path is shown to users: relative to `root` when inside it (`.` for the root itself), else absolute. */
export function shownPath(root: string, absolute: string): string {
  return contains(root, absolute) ? path.relative(root, absolute) || '.' : absolute;
}
