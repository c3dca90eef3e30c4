// Test helpers for the Cargo.toml tests: a real cargo, scratch crates, and an independent
// oracle for "every byte outside the managed keys is unchanged".
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// smol-toml is ESM-only; Node 20 require()s it (synchronous ESM), which TypeScript's CommonJS
// checking does not model.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml }: { parse(text: string): unknown } = require('smol-toml');

/** cargo: $CARGO, else rustup's default location, else PATH. Missing cargo fails the tests. */
export const CARGO = [process.env.CARGO, path.join(os.homedir(), '.cargo', 'bin', 'cargo'), '/root/.cargo/bin/cargo']
  .find((c): c is string => !!c && fs.existsSync(c)) ?? 'cargo';

export interface CargoRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const tempDirs: string[] = [];

/** A fresh temp dir, removed by `removeTempDirs` (call it in `afterAll`). */
export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes a scratch crate (Cargo.toml + files, src/main.rs by default) and returns its dir. */
export function scratchCrate(cargoToml: string, files: { [file: string]: string } = {}, dir: string = makeTempDir('cargo-crate')): string {
  const all: { [file: string]: string } = { 'src/main.rs': 'fn main() {}\n', ...files };
  for (const [file, content] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  fs.writeFileSync(path.join(dir, 'Cargo.toml'), cargoToml);
  return dir;
}

export function runCargo(dir: string, args: string[], env: { [key: string]: string } = {}): CargoRun {
  const result = spawnSync(CARGO, args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CARGO_TERM_COLOR: 'never', ...env },
    timeout: 120_000,
  });
  if (result.error) {
    throw new Error(`cannot run cargo (${CARGO}): ${result.error.message}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `cargo metadata --no-deps --offline` on a Cargo.toml text; validates features and dependencies. */
export function cargoMetadata(cargoToml: string, files: { [file: string]: string } = {}): CargoRun & { json?: any } {
  const dir = scratchCrate(cargoToml, files);
  try {
    const run = runCargo(dir, ['metadata', '--no-deps', '--offline', '--format-version', '1']);
    return { ...run, json: run.status === 0 ? JSON.parse(run.stdout) : undefined };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Plain value of a TOML text by smol-toml (an independent parser); a BOM is skipped. */
export function plainToml(text: string): any {
  return JSON.parse(JSON.stringify(parseToml(text.replace(/^\uFEFF/, ''))));
}

/** Splits text into lines that keep their own line break (the last one may have none). */
export function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const MARKER = /^# managed by projen-rust-operator \(edit \.projenrc\.ts\): (.*?)\r?\n?$/;

/**
 * Removes every marker line and the managed key lines it introduces; throws when a marker is not
 * followed by exactly its listed keys. What is left must be the user's bytes (plus headers of
 * tables the editor created).
 */
export function stripManagedBlocks(text: string): string {
  const lines = linesOf(text);
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const match = MARKER.exec(lines[i]);
    if (!match) {
      out += lines[i];
      continue;
    }
    const keys = match[1].split(', ');
    for (const key of keys) {
      i++;
      if (i >= lines.length || !lines[i].startsWith(`${key} = `)) {
        throw new Error(`marker lists "${key}" but line ${i + 1} is ${JSON.stringify(lines[i])}`);
      }
    }
  }
  return out;
}

/** The value at a dotted path of a plain object (undefined when absent). */
export function valueAt(value: any, keyPath: readonly string[]): any {
  return keyPath.reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), value);
}

/** A copy of `value` with the key at `keyPath` deleted (no-op when absent). */
export function without(value: any, keyPath: readonly string[]): any {
  const copy = JSON.parse(JSON.stringify(value));
  const parent = valueAt(copy, keyPath.slice(0, -1));
  if (parent && typeof parent === 'object') {
    delete parent[keyPath[keyPath.length - 1]];
  }
  return copy;
}

/** A copy of `value` with `keyPath` set (creating tables on the way). */
export function withValue(value: any, keyPath: readonly string[], v: any): any {
  const copy = JSON.parse(JSON.stringify(value));
  let at = copy;
  for (const k of keyPath.slice(0, -1)) {
    at[k] = at[k] && typeof at[k] === 'object' ? at[k] : {};
    at = at[k];
  }
  at[keyPath[keyPath.length - 1]] = v;
  return copy;
}
