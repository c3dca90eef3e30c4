/**
 * Synthesizes projects into throwaway folders for tests. Never uses projen's `Testing.synth`
 * (it deletes the outdir, and with NODE_ENV=test it can pick the working folder).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Project } from 'projen';
import { architectureNames } from './validate-dockerfile';
import { RustOperatorProject, RustOperatorProjectOptions } from '../../src';

/** A synthesized project on disk. */
export interface SynthResult<P extends Project = Project> {
  readonly project: P;
  readonly dir: string;
  /** Text of a file, relative to the project. */
  read(file: string): string;
  /** Whether a file exists. */
  exists(file: string): boolean;
}

/** A fresh empty folder under the OS temp dir. */
export function tempDir(prefix = 'pro-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `files` (path → text) under `dir`. */
export function writeFiles(dir: string, files: { [file: string]: string }): void {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

/** Default options of a test operator; tests override what they exercise. */
export const TEST_OPERATOR: RustOperatorProjectOptions = {
  name: 'hello_operator',
  repositoryUrl: 'https://github.com/acme/hello_operator.git',
};

/**
 * Creates a RustOperatorProject in a new temp folder (after writing `files` there), synthesizes
 * it without post-synthesis steps (no npm install) and returns accessors.
 */
export function synthOperator(
  options: Partial<RustOperatorProjectOptions> = {},
  files: { [file: string]: string } = {},
  dir = tempDir(),
): SynthResult<RustOperatorProject> {
  writeFiles(dir, files);
  const project = new RustOperatorProject({ ...TEST_OPERATOR, ...options, outdir: dir } as RustOperatorProjectOptions);
  synthQuietly(project);
  return resultOf(project, dir);
}

/**
 * Synthesizes any project without post-synthesis steps. Every Dockerfile a test generates this
 * way is checked to name no architecture (`x86_64`, `amd64`, `aarch64`): the image builds on
 * amd64 and arm64 alike.
 */
export function synthQuietly(project: Project): void {
  const before = process.env.PROJEN_DISABLE_POST;
  process.env.PROJEN_DISABLE_POST = 'true';
  try {
    project.synth();
  } finally {
    if (before === undefined) delete process.env.PROJEN_DISABLE_POST;
    else process.env.PROJEN_DISABLE_POST = before;
  }
  checkNoArchitecture(project);
}

/** Throws when a generated Dockerfile of the project (or a subproject) names an architecture. */
export function checkNoArchitecture(project: Project): void {
  for (const p of [project, ...project.subprojects]) {
    for (const file of p.files.filter((f) => path.basename(f.path) === 'Dockerfile')) {
      const absolute = path.join(p.outdir, file.path);
      if (!fs.existsSync(absolute)) continue;
      const hits = architectureNames(fs.readFileSync(absolute, 'utf-8'));
      if (hits.length > 0) {
        throw new Error(`${absolute} names an architecture: ${hits.map((hit) => `line ${hit.line}: ${hit.text.trim()}`).join('; ')}`);
      }
    }
  }
}

export function resultOf<P extends Project>(project: P, dir: string): SynthResult<P> {
  return {
    project,
    dir,
    read: (file) => fs.readFileSync(path.join(dir, file), 'utf-8'),
    exists: (file) => fs.existsSync(path.join(dir, file)),
  };
}

/** Every file under `dir` (relative, sorted), with content and mode, for before/after comparisons. */
export function snapshotTree(dir: string, skip: string[] = ['node_modules', '.git', 'target']): Map<string, { content: Buffer; mode: number }> {
  const out = new Map<string, { content: Buffer; mode: number }>();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      if (skip.includes(entry.name)) continue;
      const file = path.join(rel, entry.name);
      if (entry.isDirectory()) {walk(file);} else if (entry.isFile()) {
        const abs = path.join(dir, file);
        // Permission bits only (the file type bits are the same for every regular file).
        out.set(file.split(path.sep).join('/'), { content: fs.readFileSync(abs), mode: fs.statSync(abs).mode % 0o1000 });
      }
    }
  };
  walk('');
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** What `run` throws, or undefined when it returns. */
export function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Constructs and synthesizes an operator in a fresh empty folder: what it threw, and the folder. */
export function attemptOperator(options: Partial<RustOperatorProjectOptions>): { error: unknown; dir: string } {
  const dir = tempDir();
  const error = thrownBy(() => synthQuietly(new RustOperatorProject({ ...TEST_OPERATOR, ...options, outdir: dir } as RustOperatorProjectOptions)));
  return { error, dir };
}
