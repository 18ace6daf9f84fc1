import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root, whether running from scripts/ (ts-jest) or dist/scripts/ (compiled). */
export function repoRoot(): string {
  let dir = resolve(__dirname);
  while (!existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'tsconfig.build.json')) === false) {
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('cannot find the repository root (package.json)');
    dir = parent;
  }
  return dir;
}
