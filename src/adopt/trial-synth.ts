import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AdoptionSettings } from './adoption-settings';
import { RustOperatorProject } from '../project/rust-operator-project';

/** Folders never copied into the trial (version control, installs, build output). */
const SKIPPED = new Set(['.git', 'node_modules', 'target']);

/** The files a synth of `settings` would write in `dir`, by path, computed in a throwaway copy. */
export interface TrialResult {
  /** Every file of the trial tree after synth, by repository-relative POSIX path. */
  readonly files: Map<string, Buffer>;
  /** The paths projen owns (`.projen/files.json`). */
  readonly owned: string[];
}

/**
 * Synthesizes the project `settings` describe in a copy of `dir` (post-synthesis steps such as
 * npm install turned off), so the plan can say exactly which files change, and how, before
 * anything in `dir` is touched.
 */
export function trialSynth(dir: string, settings: AdoptionSettings): TrialResult {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'pro-adopt-'));
  const saved = process.env.PROJEN_DISABLE_POST;
  try {
    copyTree(dir, copy);
    applyOperatorJsonEdit(copy, settings);
    process.env.PROJEN_DISABLE_POST = 'true';
    const project = new RustOperatorProject({ ...settings.projectOptions(), outdir: copy });
    for (const statement of settings.statements) statement.apply(project);
    quietly(() => project.synth());
    const files = new Map<string, Buffer>();
    readTree(copy, '', files);
    const ownedFile = files.get('.projen/files.json');
    const owned: string[] = ownedFile ? JSON.parse(ownedFile.toString('utf-8')).files : [];
    return { files, owned };
  } finally {
    if (saved === undefined) delete process.env.PROJEN_DISABLE_POST;
    else process.env.PROJEN_DISABLE_POST = saved;
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

/** Rewrites operator.json's container as the settings say, leaving every other byte. */
export function applyOperatorJsonEdit(dir: string, settings: AdoptionSettings): void {
  const edit = settings.operatorJsonEdit;
  if (!edit) return;
  const file = path.join(dir, 'operator.json');
  const text = fs.readFileSync(file, 'utf-8');
  const pattern = /("container"\s*:\s*)"((?:[^"\\]|\\.)*)"/;
  fs.writeFileSync(file, text.replace(pattern, (match, key: string, value: string) => (value === edit.from ? `${key}${JSON.stringify(edit.to)}` : match)));
}

/** Runs `fn` with projen's console output held back: the first real synth prints it again. */
function quietly(fn: () => void): void {
  const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info };
  console.log = console.warn = console.error = console.info = () => undefined;
  try {
    fn();
  } finally {
    Object.assign(console, saved);
  }
}

function copyTree(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(target);
      copyTree(source, target);
    } else if (entry.isFile()) {
      fs.copyFileSync(source, target);
    }
  }
}

/** Reads every file under `root` (skipping SKIPPED folders) into `out`. */
export function readTree(root: string, prefix: string, out: Map<string, Buffer>): void {
  for (const entry of fs.readdirSync(path.join(root, prefix), { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) readTree(root, relative, out);
    else if (entry.isFile()) out.set(relative, fs.readFileSync(path.join(root, relative)));
  }
}
