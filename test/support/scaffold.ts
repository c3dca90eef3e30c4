/**
 * Scaffolds an operator the way a user does: `projen new --from <packed tarball> rust-operator`
 * in an empty folder. Used by the end-to-end tests, the image test, the benchmarks and the demo.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { packedTarball, PROJEN_CLI } from './pack';

export interface ScaffoldResult {
  /** The operator folder. */
  readonly dir: string;
  /** Output of `projen new`. */
  readonly output: string;
}

/**
 * Creates `parent/<name>`, copies the packed package into it and runs
 * `projen new --from ./<tarball> rust-operator --no-git <extraArgs>` there, with `env` added to
 * this process's environment (e.g. `CI: 'true'`, under which projen installs with `npm ci`).
 *
 * A temporary folder has no git remote, so unless `extraArgs` name the repository or image owner
 * (`--repository-url`, `--registry-owner`, `--image-name`) it passes
 * `--repository-url https://github.com/acme/<name>`, as a user in a clone of that repository would.
 */
export function scaffoldOperator(parent: string, name = 'hello_operator', extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): ScaffoldResult {
  const owned = extraArgs.some((arg) => /^--(repository-url|registry-owner|image-name)(=|$)/.test(arg));
  const args = owned ? extraArgs : ['--repository-url', `https://github.com/acme/${name}`, ...extraArgs];
  const { dir, result } = projenNew(parent, name, args, env);
  if (result.status !== 0) {
    throw new Error(`projen new failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return { dir, output: `${result.stdout}\n${result.stderr}` };
}

/** `projen new --from ./<tarball> rust-operator --no-git <args>` in a new `parent/<name>`, as is; never throws. */
export function projenNew(parent: string, name: string, args: string[], env: NodeJS.ProcessEnv = {}):
{ dir: string; result: SpawnSyncReturns<string> } {
  const tarball = packedTarball();
  const dir = path.join(parent, name);
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) {
    throw new Error(`${dir} is not empty`);
  }
  fs.copyFileSync(tarball, path.join(dir, path.basename(tarball)));
  const result = run(process.execPath, [PROJEN_CLI, 'new', '--from', `./${path.basename(tarball)}`, 'rust-operator', '--no-git', ...args], dir, env);
  return { dir, result };
}

/** Runs a command in a folder, capturing output; never throws. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf-8',
    env: { ...process.env, ...env, NODE_ENV: undefined, JEST_WORKER_ID: undefined },
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** `npx projen [args]` inside an operator folder (its own local projen). */
export function projen(dir: string, args: string[] = []): SpawnSyncReturns<string> {
  return run('npx', ['--no-install', 'projen', ...args], dir);
}
