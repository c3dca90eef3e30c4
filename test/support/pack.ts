/**
 * Builds and packs this package once per source state, for tests that install it the way a user
 * does (`projen new --from <tarball>`). The tarball is cached by a hash of everything that goes
 * into it, so several test files (and repeated runs) share one `jsii` compile.
 */
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { cachePath, withCacheLock } from './image/exec';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

function sourceHash(): string {
  const hash = crypto.createHash('sha256');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(path.join(REPO_ROOT, 'src'));
  files.push(path.join(REPO_ROOT, 'package.json'), path.join(REPO_ROOT, 'tsconfig.json'));
  for (const file of files.sort()) {
    hash.update(path.relative(REPO_ROOT, file));
    hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Absolute path of `projen-rust-operator-<version>.tgz` built from the current sources. */
export function packedTarball(): string {
  const dir = cachePath('pack', sourceHash());
  const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf-8')).version;
  const tarball = path.join(dir, `projen-rust-operator-${version}.tgz`);
  return withCacheLock('pack', () => {
    if (!fs.existsSync(tarball)) {
      execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'jsii'), ['--silence-warnings=reserved-word'], { cwd: REPO_ROOT, stdio: 'pipe' });
      execFileSync('npm', ['pack', '--pack-destination', dir, '--ignore-scripts'], { cwd: REPO_ROOT, stdio: 'pipe' });
    }
    return tarball;
  });
}

/** The projen CLI of this repository (the version under test), not whatever npx would fetch. */
export const PROJEN_CLI = path.join(REPO_ROOT, 'node_modules', 'projen', 'bin', 'projen');
