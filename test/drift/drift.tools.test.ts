/**
 * `npx projen drift`: each kind of drift is found, named, diffed and given a fix; nothing the
 * user owns counts; and the check never changes the working tree.
 */
import * as fs from 'fs';
import * as path from 'path';
import { checkDrift, DriftKind } from '../../src/drift/drift-check';
import { REPO_ROOT } from '../support/pack';
import { run } from '../support/scaffold';
import { snapshotTree, tempDir } from '../support/synth';

jest.setTimeout(120_000);

const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = path.join(REPO_ROOT, 'src', 'cli.ts');

/** An operator repository whose .projenrc.ts uses this checkout's sources, synthesized once. */
function operatorRepo(): string {
  const dir = path.join(tempDir('pro-drift-'), 'hello_operator');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), [
    `import { RustOperatorProject } from ${JSON.stringify(path.join(REPO_ROOT, 'src'))};`,
    'const project = new RustOperatorProject({',
    '  name: "hello_operator",',
    '  repositoryUrl: "https://github.com/acme/hello_operator.git",',
    '});',
    'project.synth();',
    '',
  ].join('\n'));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const synth = run(TSX, ['.projenrc.ts'], dir, { PROJEN_DISABLE_POST: 'true' });
  if (synth.status !== 0) throw new Error(synth.stderr);
  return dir;
}

/** Runs the CLI as the task does, checking the tree (bytes and modes) is untouched. */
function drift(dir: string): { status: number | null; stdout: string; stderr: string } {
  const before = snapshotTree(dir);
  const result = run(TSX, [CLI, 'drift'], dir);
  expect(snapshotTree(dir)).toEqual(before);
  return result;
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  const abs = path.join(dir, file);
  fs.chmodSync(abs, 0o644);
  fs.writeFileSync(abs, change(fs.readFileSync(abs, 'utf-8')));
  fs.chmodSync(abs, 0o444);
}

let pristine: string;
beforeAll(() => {
  pristine = operatorRepo();
});

/** A fresh copy of the synthesized repository (node_modules stays a link). */
function repo(): string {
  const dir = path.join(tempDir('pro-drift-'), 'hello_operator');
  fs.cpSync(pristine, dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  return dir;
}

test('in sync: exit 0, nothing reported', () => {
  const result = drift(repo());
  expect(result.stdout).toMatch(/^In sync: \d+ owned files match \.projenrc\.ts\.$/m);
  expect(result.status).toBe(0);
});

test('a hand edit of an owned file: exit 1, the file, the diff and the fix', () => {
  const dir = repo();
  edit(dir, 'Dockerfile', (text) => text.replace('libssl3', 'libssl3 curl'));
  const result = drift(dir);
  expect(result.status).toBe(1);
  expect(result.stdout).toContain('drift: Dockerfile (modified)');
  expect(result.stdout).toMatch(/^-.*libssl3 curl/m);
  expect(result.stdout).toMatch(/^\+.*libjemalloc2 libssl3 \\$/m);
  expect(result.stdout).toMatch(/^fix: .*Dockerfile options \(builderImage, runtimeImage, runtimeBase, builderPackages, runtimePackages.*npx projen/m);
  expect(result.stdout).toContain('1 of');
});

test('a deleted owned file is missing', () => {
  const dir = repo();
  fs.rmSync(path.join(dir, '.github/workflows/ci.yml'));
  const result = drift(dir);
  expect(result.status).toBe(1);
  expect(result.stdout).toContain('drift: .github/workflows/ci.yml (missing)');
  expect(result.stdout).toMatch(/^\+name: ci$/m);
  expect(result.stdout).toMatch(/^fix: Run `npx projen` to write it back\. It is controlled by the workflow options/m);
});

test('a stale file that synth would delete', () => {
  const dir = repo();
  // A file a previous synth owned (listed in files.json) that the configuration no longer makes.
  const list = path.join(dir, '.projen/files.json');
  const files = JSON.parse(fs.readFileSync(list, 'utf-8'));
  files.files.push('.github/workflows/old-release.yml');
  fs.chmodSync(list, 0o644);
  fs.writeFileSync(list, JSON.stringify(files, null, 2) + '\n');
  fs.chmodSync(list, 0o444);
  fs.writeFileSync(path.join(dir, '.github/workflows/old-release.yml'), 'name: old\n');
  const result = drift(dir);
  expect(result.status).toBe(1);
  expect(result.stdout).toContain('drift: .github/workflows/old-release.yml (stale)');
  expect(result.stdout).toContain('synth would delete it');
  expect(result.stdout).toContain('drift: .projen/files.json (modified)');
});

test('file modes: the executable bit counts, both ways', () => {
  const dir = repo();
  fs.chmodSync(path.join(dir, 'Dockerfile'), 0o555);
  const result = drift(dir);
  expect(result.status).toBe(1);
  expect(result.stdout).toMatch(/drift: Dockerfile \(mode\)\nmode 555, synth writes 444: is executable but should not be/);
  expect(result.stdout).toContain('1 of');
});

test('read-only bits never count: a fresh git checkout, or one writable file among read-only ones', () => {
  const dir = repo();
  const owned: string[] = JSON.parse(fs.readFileSync(path.join(dir, '.projen/files.json'), 'utf-8')).files;
  // One writable file among read-only ones (a user who chmod-ed it, or git checked it out).
  fs.chmodSync(path.join(dir, '.dockerignore'), 0o644);
  expect(drift(dir).stdout).toContain('In sync:');
  // Every file writable, as git checks them out.
  for (const file of [...owned, '.projen/files.json']) {
    fs.chmodSync(path.join(dir, file), 0o644);
  }
  const result = drift(dir);
  expect(result.stdout).toMatch(/^In sync: \d+ owned files match \.projenrc\.ts\.$/m);
  expect(result.status).toBe(0);
});

test('the verdict on a tree does not depend on read-only files synthesized elsewhere in it', () => {
  const dir = repo();
  const owned: string[] = JSON.parse(fs.readFileSync(path.join(dir, '.projen/files.json'), 'utf-8')).files;
  for (const file of [...owned, '.projen/files.json']) {
    fs.chmodSync(path.join(dir, file), 0o644);
  }
  const before = checkDrift(dir);
  // Another project synthesized inside the tree (as `npm run demo` does under demo/): read-only files.
  const other = path.join(dir, 'demo', 'other_operator');
  fs.mkdirSync(path.join(other, '.projen'), { recursive: true });
  fs.writeFileSync(path.join(other, 'Dockerfile'), 'FROM scratch\n', { mode: 0o444 });
  fs.writeFileSync(path.join(other, '.projen', 'files.json'), JSON.stringify({ files: ['Dockerfile'] }), { mode: 0o444 });
  const after = checkDrift(dir);
  expect(after.entries).toEqual([]);
  expect(after.entries).toEqual(before.entries);
});

test('line endings only', () => {
  const dir = repo();
  edit(dir, 'Dockerfile', (text) => text.replace(/\n/g, '\r\n'));
  const result = drift(dir);
  expect(result.status).toBe(1);
  expect(result.stdout).toContain('drift: Dockerfile (line-endings)');
  expect(result.stdout).toContain('the working tree has CRLF, synth writes LF');
  expect(result.stdout).toContain('git add --renormalize');
});

test('a managed Cargo.toml key edited by hand names the option', () => {
  const dir = repo();
  const cargo = path.join(dir, 'Cargo.toml');
  fs.writeFileSync(cargo, fs.readFileSync(cargo, 'utf-8').replace('opt-level = "z"', 'opt-level = 3'));
  const result = drift(dir);
  expect(result.status).toBe(1);
  expect(result.stdout).toContain('drift: Cargo.toml (modified)');
  expect(result.stdout).toMatch(/^-opt-level = 3$/m);
  expect(result.stdout).toMatch(/^\+opt-level = "z"$/m);
  expect(result.stdout).toMatch(/^fix: managed Cargo\.toml keys \(profile\.release\) are set by .*cargo\.addProfile/m);
});

test('the user\'s own parts never count as drift', () => {
  const dir = repo();
  const cargo = path.join(dir, 'Cargo.toml');
  // A dependency as `cargo add` writes it, a comment, a user feature and a user profile key.
  fs.writeFileSync(cargo, fs.readFileSync(cargo, 'utf-8')
    .replace('[dependencies]\n', '[dependencies]\nanyhow = "1.0.86"\n')
    .replace('[features]\n', '# my features\n[features]\nwebgpu = []\n')
    .replace('strip = true\n', 'strip = true\ndebug = 1\n'));
  fs.writeFileSync(path.join(dir, 'src/main.rs'), 'fn main() { println!("mine"); }\n');
  fs.writeFileSync(path.join(dir, 'README.md'), '# my operator\n');
  fs.writeFileSync(path.join(dir, 'operator.json'), fs.readFileSync(path.join(dir, 'operator.json'), 'utf-8').replace('"tags": []', '"tags": ["plot"]'));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'unrelated\n');
  const result = drift(dir);
  expect(result.stdout).toContain('In sync:');
  expect(result.status).toBe(0);
});

test('a synthesis error exits 2 with the error, and writes nothing', () => {
  const dir = repo();
  fs.writeFileSync(path.join(dir, 'Cargo.toml'), '[package\nname = "x"\n');
  const result = drift(dir);
  expect(result.status).toBe(2);
  // The synthesis error as the user sees it from `npx projen`: the message, no stack frames.
  expect(result.stderr).toMatch(/^projen-rust-operator: Cargo\.toml:\d+: is not valid TOML: .* then run npx projen again\.$/m);
  expect(result.stderr).not.toMatch(/^\s+at /m);
});

test('the report lists every differing file in one run', () => {
  const dir = repo();
  edit(dir, 'Dockerfile', (text) => text + '# extra\n');
  edit(dir, '.dockerignore', (text) => text + 'extra\n');
  const report = checkDrift(dir);
  expect(report.entries.map((entry) => [entry.path, entry.kind])).toEqual([
    ['.dockerignore', DriftKind.MODIFIED],
    ['Dockerfile', DriftKind.MODIFIED],
  ]);
});

test('examples/ are exactly what .projenrc.ts generates', () => {
  const report = checkDrift(REPO_ROOT, { only: ['examples/'] });
  expect(report.entries.map((entry) => `${entry.path}: ${entry.detail}`)).toEqual([]);
  expect(report.checkedFiles).toBeGreaterThan(8);
});
