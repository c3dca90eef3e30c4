/**
 * Git submodules: which ones the checkouts that build fetch, and where `.gitmodules` puts them
 * (their paths are part of the image's build context).
 */
import * as fs from 'fs';
import * as path from 'path';
import { OptionError } from './errors';

/** Which git submodules the checkouts that build fetch (`actions/checkout`'s `submodules`). */
export enum GitSubmodules {
  /** None. */
  NONE = 'false',
  /** The submodules of the repository, not theirs. */
  TOP_LEVEL = 'true',
  /** Every submodule, recursively. */
  RECURSIVE = 'recursive',
}

/** Checks a `submodules` option value. */
export function checkSubmodules(value: unknown, subject: string): GitSubmodules {
  if (!Object.values(GitSubmodules).includes(value as GitSubmodules)) {
    throw new OptionError(subject, `${JSON.stringify(value)} is not a submodule setting.`,
      'Use GitSubmodules.NONE, GitSubmodules.TOP_LEVEL or GitSubmodules.RECURSIVE.');
  }
  return value as GitSubmodules;
}

/**
 * The `path = ...` entries of a `.gitmodules` file in `dir` (none without the file), in order.
 * Paths that leave the repository are refused, naming the file.
 */
export function submodulePaths(dir: string): string[] {
  const file = path.join(dir, '.gitmodules');
  if (!fs.existsSync(file)) {
    return [];
  }
  const paths: string[] = [];
  for (const line of fs.readFileSync(file, 'utf-8').split(/\r?\n/)) {
    const match = /^\s*path\s*=\s*(.+?)\s*$/.exec(line);
    if (!match) continue;
    const entry = path.posix.normalize(match[1].replace(/^"(.*)"$/, '$1')).replace(/\/+$/, '');
    if (entry === '.' || entry.startsWith('../') || path.posix.isAbsolute(entry)) {
      throw new OptionError('.gitmodules', `has the submodule path "${match[1]}", outside the repository.`, 'Give each submodule a path inside the repository.');
    }
    if (!paths.includes(entry)) paths.push(entry);
  }
  return paths;
}
