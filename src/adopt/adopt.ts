import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createInterface } from 'readline';
import { AdoptionPlan, formatPlan, planAdoption } from './adoption-plan';
import { applyOperatorJsonEdit } from './trial-synth';
import { OptionError } from '../core/errors';

/** Command-line options of `projen-rust-operator adopt`. */
export interface AdoptArgs {
  readonly dir: string;
  /** Write without asking. */
  readonly yes: boolean;
  /** Replace files even when they have uncommitted changes. */
  readonly force: boolean;
  readonly repositoryUrl?: string;
  /** How package.json names this package (a registry spec, a tarball or a folder). */
  readonly packageSpec?: string;
}

export const ADOPT_USAGE = 'usage: projen-rust-operator adopt [--yes] [--force] [--repository-url <url>] [--package-spec <npm spec>] [--dir <path>]\n';

/** Parses `adopt`'s arguments; throws an OptionError naming a bad one. */
export function parseAdoptArgs(argv: string[], cwd: string): AdoptArgs {
  let yes = false;
  let force = false;
  let dir = cwd;
  let repositoryUrl: string | undefined;
  let packageSpec: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new OptionError(arg, 'needs a value.', ADOPT_USAGE.trim());
      return v;
    };
    if (arg === '--yes' || arg === '-y') yes = true;
    else if (arg === '--force') force = true;
    else if (arg === '--dir') dir = path.resolve(cwd, value());
    else if (arg === '--repository-url') repositoryUrl = value();
    else if (arg === '--package-spec') packageSpec = value();
    else throw new OptionError(arg, 'is not an option of adopt.', ADOPT_USAGE.trim());
  }
  return { dir, yes, force, repositoryUrl, packageSpec };
}

/** Output streams and the question asked on a terminal (injectable for tests). */
export interface AdoptIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Asks for confirmation; undefined when not on a terminal. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

/** The default streams: stdout/stderr, and a y/N question when stdin and stdout are terminals. */
export function processIo(): AdoptIo {
  const tty = process.stdin.isTTY && process.stdout.isTTY;
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    confirm: tty ? (question) => new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      rl.question(question, (answer) => {
        rl.close();
        resolve(/^y(es)?$/i.test(answer.trim()));
      });
    }) : undefined,
  };
}

/**
 * `adopt`: reads the repository, prints the plan, and (with --yes or a confirmation) writes
 * `.projenrc.ts`, installs projen and this package with npm and runs the first synth. Never
 * commits or stages. Returns the exit code.
 */
export async function adopt(args: AdoptArgs, io: AdoptIo): Promise<number> {
  const plan = planAdoption(args.dir, { repositoryUrl: args.repositoryUrl, packageSpec: args.packageSpec });
  if (plan.facts.hasProjen) {
    throw new OptionError(args.dir, 'is already a projen project (.projenrc.ts or .projen/ exists).', 'Edit .projenrc.ts and run `npx projen` instead.');
  }
  io.out(formatPlan(plan));
  const dirty = dirtyFiles(plan);
  if (dirty.length > 0 && !args.force) {
    io.err(`Refused: ${dirty.join(', ')} ${dirty.length === 1 ? 'has' : 'have'} uncommitted changes and would be replaced. Nothing was written. `
      + 'Commit or stash them first, or pass --force.\n');
    return 1;
  }
  if (!args.yes) {
    if (!io.confirm) {
      io.out('Nothing written. Run again with --yes to write these files.\n');
      return 0;
    }
    if (!(await io.confirm('Write these files? [y/N] '))) {
      io.out('Nothing written.\n');
      return 0;
    }
  }
  write(plan, args);
  io.out('Adopted. `npx projen` re-synthesizes, `npx projen drift` checks. Nothing was committed or staged.\n');
  return 0;
}

/** Files the plan would replace or edit that differ from HEAD or are untracked. */
function dirtyFiles(plan: AdoptionPlan): string[] {
  const existing = plan.files.filter((f) => f.action !== 'create').map((f) => f.path);
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: plan.facts.dir, encoding: 'utf-8' });
  if (inside.status !== 0) {
    // Not a git repository: nothing proves the files are saved anywhere.
    return existing;
  }
  if (existing.length === 0) return [];
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all', '--', ...existing], { cwd: plan.facts.dir, encoding: 'utf-8' });
  return status.stdout.split('\n').filter(Boolean).map((line) => line.slice(3));
}

function write(plan: AdoptionPlan, args: AdoptArgs): void {
  const dir = plan.facts.dir;
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), plan.projenrc);
  applyOperatorJsonEdit(dir, plan.settings);
  const self = args.packageSpec ?? `projen-rust-operator@^${ownVersion()}`;
  const env = { ...process.env, NODE_ENV: undefined, PROJEN_DISABLE_POST: undefined };
  const run = (command: string, commandArgs: string[]) => {
    const result = spawnSync(command, commandArgs, { cwd: dir, encoding: 'utf-8', env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.status !== 0) {
      throw new OptionError(`${command} ${commandArgs.join(' ')}`, `failed (exit ${result.status}): ${(result.stderr || result.stdout).trim().split('\n').slice(-5).join(' ')}`,
        'Fix the cause and run `npx tsx .projenrc.ts` (the .projenrc.ts is written; nothing was committed).');
    }
  };
  run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', self, `projen@^${projenVersion()}`, 'constructs@^10.5.0', 'tsx@^4']);
  run(path.join(dir, 'node_modules', '.bin', 'tsx'), ['.projenrc.ts']);
}

function ownVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8')).version;
}

function projenVersion(): string {
  return JSON.parse(fs.readFileSync(require.resolve('projen/package.json'), 'utf-8')).version;
}
