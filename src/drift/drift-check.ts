import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createTwoFilesPatch } from 'diff';

/** What kind of difference a drift entry is. */
export enum DriftKind {
  /** The file's content differs from what synth writes. */
  MODIFIED = 'modified',
  /** Only line endings differ. */
  LINE_ENDINGS = 'line-endings',
  /** Synth writes the file but the working tree has none. */
  MISSING = 'missing',
  /** The file is owned by a previous synth and synth would now delete it. */
  STALE = 'stale',
  /** The executable bit differs (the only mode bit git records). */
  MODE = 'mode',
}

/** One owned file (or managed Cargo.toml) that differs from what synth writes. */
export interface DriftEntry {
  /** Path relative to the repository root, with `/` separators. */
  readonly path: string;
  /** The kind of difference. */
  readonly kind: DriftKind;
  /** A unified diff (working tree → synth output), or a description for mode changes. */
  readonly detail: string;
  /** One line saying what to change. */
  readonly fix: string;
}

/** The result of `checkDrift`. */
export interface DriftReport {
  /** Every difference found; empty when in sync. */
  readonly entries: DriftEntry[];
  /** Files compared. */
  readonly checkedFiles: number;
}

/** Options for `checkDrift`. */
export interface DriftCheckOptions {
  /**
   * Only report paths under these prefixes (relative to the root).
   * @default - everything
   */
  readonly only?: string[];
  /**
   * The command that synthesizes, run in the temporary copy.
   * @default - projen's `default` task (`npx projen default`)
   */
  readonly synthCommand?: string[];
}

// Folders never copied: version control, dependencies (linked instead) and build output.
const SKIPPED_DIRS = new Set(['.git', 'node_modules', 'target', 'cdk.out', 'coverage', 'test-reports']);

/**
 * Computes what synth would write, in a temporary copy of the repository, and compares every
 * owned file and managed Cargo.toml with the working tree. Changes nothing in `root`.
 */
export function checkDrift(root: string, options: DriftCheckOptions = {}): DriftReport {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'projen-drift-'));
  try {
    const copy = path.join(scratch, path.basename(root));
    copyTree(root, copy);
    const nodeModules = path.join(root, 'node_modules');
    if (fs.existsSync(nodeModules)) {
      fs.symlinkSync(nodeModules, path.join(copy, 'node_modules'), 'dir');
    }
    synthesize(copy, options.synthCommand);
    return compare(root, copy, options.only ?? []);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Renders a report for a terminal or CI log. */
export function formatDriftReport(report: DriftReport): string {
  const lines: string[] = [];
  for (const entry of report.entries) {
    lines.push(`drift: ${entry.path} (${entry.kind})`);
    lines.push(entry.detail.trimEnd());
    lines.push(`fix: ${entry.fix}`);
    lines.push('');
  }
  if (report.entries.length === 0) {
    lines.push(`In sync: ${report.checkedFiles} owned files match .projenrc.ts.`);
  } else {
    lines.push(`${report.entries.length} of ${report.checkedFiles} owned files differ from what .projenrc.ts generates.`);
  }
  return lines.join('\n') + '\n';
}

function copyTree(from: string, to: string): void {
  fs.cpSync(from, to, {
    recursive: true,
    preserveTimestamps: true,
    verbatimSymlinks: true,
    filter: (source) => !SKIPPED_DIRS.has(path.basename(source)) || source === from,
  });
}

function synthesize(dir: string, command?: string[]): void {
  const argv = command ?? defaultTaskCommand(dir) ?? [process.execPath, require.resolve('projen/bin/projen', { paths: [dir] }), 'default'];
  const bin = path.join(dir, 'node_modules', '.bin');
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd: dir,
    encoding: 'utf-8',
    // No dependency installation and no other post-synthesis steps: only the files.
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, PROJEN_DISABLE_POST: 'true', CI: 'true' },
  });
  if (result.status !== 0) {
    throw new Error(`Synthesis failed in a temporary copy (${argv.join(' ')}), so drift cannot be computed:\n${result.stderr || result.stdout || result.error}`);
  }
}

/**
 * The `default` task's command when it is one local program (`node_modules/.bin/tsx .projenrc.ts`): run directly,
 * it skips two process start-ups (projen's task runner and `npx -p`), which is most of the time
 * a check takes. Anything else goes through `projen default`.
 */
function defaultTaskCommand(dir: string): string[] | undefined {
  try {
    const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen', 'tasks.json'), 'utf-8')).tasks;
    const steps: { exec?: string; execArgs?: string[] }[] = tasks?.default?.steps ?? [];
    if (steps.length !== 1) {
      return undefined;
    }
    const argv = steps[0].execArgs ?? (steps[0].exec && /^[\w./-]+( [\w./-]+)*$/.test(steps[0].exec) ? steps[0].exec.split(' ') : undefined);
    // `tsx` or `node_modules/.bin/tsx`: a program of the project's own node_modules.
    const program = argv ? path.join(dir, 'node_modules', '.bin', argv[0].replace(/^node_modules\/\.bin\//, '')) : undefined;
    if (!argv || !program || !fs.existsSync(program)) {
      return undefined;
    }
    return [program, ...argv.slice(1)];
  } catch {
    return undefined;
  }
}

/** Paths owned by projen (from every `.projen/files.json`) under a tree. */
function ownedFiles(tree: string): Set<string> {
  const owned = new Set<string>();
  for (const projectDir of projectDirs(tree)) {
    const list = path.join(tree, projectDir, '.projen', 'files.json');
    const files: string[] = JSON.parse(fs.readFileSync(list, 'utf-8')).files ?? [];
    for (const file of files) {
      owned.add(toPosix(path.join(projectDir, file)));
    }
    owned.add(toPosix(path.join(projectDir, '.projen', 'files.json')));
    const cargo = path.join(projectDir, 'Cargo.toml');
    if (isManagedCargoToml(path.join(tree, cargo))) {
      owned.add(toPosix(cargo));
    }
  }
  return owned;
}

/** Folders (relative) that hold a projen project (`.projen/files.json`). */
function projectDirs(tree: string, relative = ''): string[] {
  const here = path.join(tree, relative);
  const found: string[] = [];
  if (fs.existsSync(path.join(here, '.projen', 'files.json'))) {
    found.push(relative);
  }
  for (const entry of fs.readdirSync(here, { withFileTypes: true })) {
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name) && entry.name !== '.projen') {
      found.push(...projectDirs(tree, path.join(relative, entry.name)));
    }
  }
  return found;
}

const CARGO_MARKER = 'managed by projen-rust-operator';

function isManagedCargoToml(file: string): boolean {
  return fs.existsSync(file) && fs.readFileSync(file, 'utf-8').includes(CARGO_MARKER);
}

function compare(root: string, synthesized: string, only: string[]): DriftReport {
  const before = ownedFiles(root);
  const after = ownedFiles(synthesized);
  const inScope = (file: string) => only.length === 0 || only.some((prefix) => file === prefix || file.startsWith(prefix.replace(/\/?$/, '/')));
  const all = [...new Set([...before, ...after])].filter(inScope).sort();
  const entries: DriftEntry[] = [];

  for (const file of all) {
    const current = path.join(root, file);
    const expected = path.join(synthesized, file);
    const currentExists = fs.existsSync(current);
    const expectedExists = fs.existsSync(expected);
    if (!expectedExists) {
      if (currentExists) {
        entries.push({ path: file, kind: DriftKind.STALE, detail: `${file} is no longer generated; synth would delete it.`, fix: fixHint(file, 'Delete it with `npx projen`, or configure it again in .projenrc.ts.') });
      }
      continue;
    }
    const wanted = fs.readFileSync(expected);
    if (!currentExists) {
      entries.push({ path: file, kind: DriftKind.MISSING, detail: unifiedDiff(file, '', wanted.toString('utf-8')), fix: fixHint(file, 'Run `npx projen` to write it back.') });
      continue;
    }
    const actual = fs.readFileSync(current);
    if (!actual.equals(wanted)) {
      const actualText = actual.toString('utf-8');
      const wantedText = wanted.toString('utf-8');
      if (actualText.replace(/\r\n/g, '\n') === wantedText.replace(/\r\n/g, '\n')) {
        const crlf = actualText.includes('\r\n');
        entries.push({
          path: file,
          kind: DriftKind.LINE_ENDINGS,
          detail: `Only line endings differ: the working tree has ${crlf ? 'CRLF' : 'LF'}, synth writes ${crlf ? 'LF' : 'CRLF'}.`,
          fix: '.gitattributes marks owned files eol=lf: run `git add --renormalize .` or `npx projen`.',
        });
      } else {
        entries.push({
          path: file,
          kind: DriftKind.MODIFIED,
          detail: unifiedDiff(file, actualText, wantedText),
          fix: fixHint(file, undefined, actualText, wantedText),
        });
      }
      continue;
    }
    const modeProblem = compareModes(fs.statSync(current).mode, fs.statSync(expected).mode);
    if (modeProblem) {
      entries.push({ path: file, kind: DriftKind.MODE, detail: modeProblem, fix: 'Run `npx projen` to restore the mode; edit .projenrc.ts rather than the file.' });
    }
  }
  return { entries, checkedFiles: all.length };
}

/* eslint-disable no-bitwise */
/** Anybody may execute the file. */
function isExecutable(mode: number): boolean {
  return (mode & 0o111) !== 0;
}

function permissions(mode: number): string {
  return (mode & 0o777).toString(8);
}
/* eslint-enable no-bitwise */

/**
 * Compares exactly the mode bits a fresh clone can be held to: git records the executable bit of
 * a file and nothing else (a checkout is writable whatever projen's chmod made it), so read-only
 * and the other permission bits never count, and the verdict on a tree does not depend on what
 * synthesized elsewhere in it.
 */
function compareModes(actual: number, wanted: number): string | undefined {
  if (isExecutable(actual) === isExecutable(wanted)) {
    return undefined;
  }
  return `mode ${permissions(actual)}, synth writes ${permissions(wanted)}: ${isExecutable(wanted) ? 'should be executable but is not' : 'is executable but should not be'}`;
}

function unifiedDiff(file: string, actual: string, wanted: string): string {
  return createTwoFilesPatch(`a/${file} (working tree)`, `b/${file} (from .projenrc.ts)`, actual, wanted, undefined, undefined, { context: 2 })
    .split('\n').slice(1).join('\n');
}

/** Which option of .projenrc.ts controls a file (and, for Cargo.toml, the changed tables). */
function fixHint(file: string, fallback?: string, actual?: string, wanted?: string): string {
  const base = path.posix.basename(file);
  let option: string;
  if (base === 'Cargo.toml') {
    const tables = changedTables(actual ?? '', wanted ?? '');
    option = tables.map(cargoOption).filter((value, index, all) => all.indexOf(value) === index).join('; ') || 'the Cargo options';
    return `managed Cargo.toml keys (${tables.join(', ') || 'managed tables'}) are set by ${option} in .projenrc.ts; change them there, not in Cargo.toml, then run \`npx projen\`.`;
  }
  if (base === 'Dockerfile' || base === '.dockerignore') {
    option = 'the Dockerfile options (builderImage, runtimeImage, runtimeBase, builderPackages, runtimePackages, compileTimeFiles, allocator, dockerfileOptions) or a JemallocDockerfile subclass';
  } else if (file.includes('.github/workflows/')) {
    option = 'the workflow options (actionPins, gitTokenSecret, ...) or `project.workflow.workflow.patchStep/insertStepAfter/addJob`';
  } else if (file.endsWith('dependabot.yml')) {
    option = 'the dependabot options';
  } else {
    option = 'the project options';
  }
  return fallback ? `${fallback} It is controlled by ${option}.` : `This file is generated from ${option} in .projenrc.ts: change it there and run \`npx projen\`.`;
}

function changedTables(actual: string, wanted: string): string[] {
  const tablesOf = (text: string) => {
    const map = new Map<string, string>();
    let table = '(top level)';
    for (const line of text.split(/\r?\n/)) {
      const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
      if (header) {
        table = header[1];
      }
      map.set(table, (map.get(table) ?? '') + line + '\n');
    }
    return map;
  };
  const a = tablesOf(actual);
  const b = tablesOf(wanted);
  return [...new Set([...a.keys(), ...b.keys()])].filter((table) => a.get(table) !== b.get(table)).sort();
}

function cargoOption(table: string): string {
  if (table === 'features') return '`features`/`defaultFeatures`';
  if (table.startsWith('profile')) return '`buildProfile`/`devReleaseProfile`/`cargo.addProfile()`';
  if (table.includes('dependencies')) return '`allocator`';
  return '`cargo` options';
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
