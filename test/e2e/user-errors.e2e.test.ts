/**
 * Errors read like a tool's, through a real scaffolded operator (`npx projen` in it, which runs
 * `.projenrc.ts` under tsx): each kind of user error prints its message alone (no stack frames),
 * exits 1 and writes nothing; an unexpected exception keeps its stack. And `projen new` without a
 * git remote is refused, naming the flag to pass, before any generated file is written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { projen, projenNew, scaffoldOperator } from '../support/scaffold';
import { snapshotTree, tempDir } from '../support/synth';

jest.setTimeout(600_000);

let dir: string;
let projenrc: string;

beforeAll(() => {
  dir = scaffoldOperator(tempDir('pro-e2e-errors-'), 'hello_operator').dir;
  projenrc = fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8');
});

/** The whole of `npx projen`'s output when `.projenrc.ts` fails with `message`. */
function failedSynth(message: string): string {
  return [
    '👾 default | node_modules/.bin/tsx .projenrc.ts',
    message,
    `👾 Synthesis failed: Task "default" failed when executing "node_modules/.bin/tsx .projenrc.ts" (cwd: ${dir})`,
    '',
  ].join('\n');
}

/** Changes `file`, runs `npx projen`, checks nothing else changed, then restores the file. */
function synthWith(file: string, change: (text: string) => string): { status: number | null; stdout: string; stderr: string } {
  const abs = path.join(dir, file);
  const original = fs.readFileSync(abs, 'utf-8');
  fs.writeFileSync(abs, change(original));
  const before = snapshotTree(dir);
  try {
    const result = projen(dir);
    // Nothing was written: every byte and mode as before the run.
    expect(snapshotTree(dir)).toEqual(before);
    return result;
  } finally {
    fs.writeFileSync(abs, original);
  }
}

test('a misspelt option: the message with a did-you-mean, exit 1', () => {
  const result = synthWith('.projenrc.ts', (text) => text.replace('name: "hello_operator",', 'name: "hello_operator",\n  gitTokenSecrets: "GH_PAT",'));
  expect(result.stderr).toBe(failedSynth(
    'projen-rust-operator: gitTokenSecrets: is not an option of RustOperatorProjectOptions. Did you mean "gitTokenSecret"?'));
  expect(result.stdout).toBe('');
  expect(result.status).toBe(1);
});

test('a bad option value: the message, exit 1', () => {
  const result = synthWith('.projenrc.ts', (text) => text.replace('name: "hello_operator",', 'name: "hello_operator",\n  registryOwner: "acme corp",'));
  expect(result.stderr).toBe(failedSynth(
    'projen-rust-operator: registryOwner: "acme corp" is not a GitHub user or organisation name. Use the owner as it appears in github.com/<owner>/<repository>.'));
  expect(result.status).toBe(1);
});

test('a broken operator.json: the file, line and column, exit 1', () => {
  let broken = '';
  const result = synthWith('operator.json', (text) => (broken = text.replace(/\n}\s*$/, ',\n}\n')));
  const comma = broken.lastIndexOf(',');
  const line = broken.slice(0, comma).split('\n').length;
  const column = comma - broken.lastIndexOf('\n', comma - 1);
  expect(result.stderr).toBe(failedSynth(
    `projen-rust-operator: operator.json:${line}:${column}: is not valid JSON: trailing comma before '}'; remove this ',' (JSON allows no trailing commas). `
    + `Fix the syntax at line ${line}, column ${column} of operator.json.`));
  expect(result.status).toBe(1);
});

test('a Cargo.toml synth refuses to edit: the file and line, exit 1', () => {
  const result = synthWith('Cargo.toml', (text) => text.replace('[package]', '[package'));
  const lines = result.stderr.split('\n');
  expect(lines).toHaveLength(4);
  expect(result.stderr).toBe(failedSynth(lines[1]));
  expect(lines[1]).toMatch(/^projen-rust-operator: Cargo\.toml:\d+: is not valid TOML: .+ Fix Cargo\.toml by hand \(nothing was written\), then run npx projen again\.$/);
  expect(result.status).toBe(1);
});

test('an unexpected exception keeps its stack', () => {
  const result = synthWith('.projenrc.ts', (text) => text.replace('project.synth();', '(project as any).missing.property;\nproject.synth();'));
  expect(result.stderr).toContain("TypeError: Cannot read properties of undefined (reading 'property')");
  expect(result.stderr).toMatch(/^ {4}at .*\.projenrc\.ts:\d+:\d+/m);
  expect(result.status).toBe(1);
});

test('after the errors, the operator synthesizes again', () => {
  expect(fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8')).toBe(projenrc);
  const result = projen(dir);
  expect(result.stderr).not.toContain('failed');
  expect(result.status).toBe(0);
});

test('projen new without a git remote is refused: the message naming the flag, exit 1, no generated file', () => {
  const { dir: bare, result } = projenNew(tempDir('pro-e2e-no-remote-'), 'no_remote', []);
  const message = 'projen-rust-operator: repositoryUrl: is not given and this folder has no git remote "origin", so the image owner is unknown';
  expect(result.stderr).toContain(message);
  expect(result.stderr).toContain('Set registryOwner (`projen new` flag `--registry-owner <owner>`');
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
  expect(result.status).toBe(1);
  const written = fs.readdirSync(bare);
  for (const generated of ['.projenrc.ts', 'Dockerfile', 'Cargo.toml', '.github', 'src', 'operator.json', '.projen']) {
    expect(written).not.toContain(generated);
  }
});
