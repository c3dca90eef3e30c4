/**
 * `npm run bench:fleet`: a fleet of operators follows a release, against a real npm registry
 * (verdaccio 6.8.0 on 127.0.0.1, installed into a cache folder at bench time; packages other than
 * this one are proxied from the public registry).
 *
 *  1. publish this package (packed from the repository) as version A with a CHANGELOG.md;
 *  2. scaffold OPERATORS operators with varied options through `projen new --from
 *     projen-rust-operator@A`, add user edits (source, Cargo.toml comment and table, README, a user
 *     file), commit each;
 *  3. publish version B: a changed default (the runtime base image) and its changelog entry;
 *  4. in each operator run the `run:` steps of the upgrade job of ITS OWN
 *     `.github/workflows/upgrade.yml` (read from the file, in order, with the step's env and the
 *     step outputs GitHub would pass), then the pull-request job's steps against a local bare
 *     `origin` and a recording stand-in for `gh`;
 *  5. check: only owned files and managed keys changed, every user byte unchanged, every user
 *     option still in effect, drift clean, the PR body carries B's changelog entry;
 *  6. publish two deliberately bad versions (one rewrites a user file, one drops the
 *     `runtimePackages` option) and show that the same checks catch each.
 *
 * Prints numbers; exits 1 when a check fails (except the bad versions, which must fail). Bounded:
 * a watchdog kills verdaccio and exits after BENCH_FLEET_TIMEOUT_S (default 1500 s).
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { hostCargoOfflineEnv } from '../test/support/image/cargo-stub';
import hostToolchain from '../test/support/host-toolchain';
import { packedTarball, PROJEN_CLI } from '../test/support/pack';

const OPERATORS = Number(process.env.BENCH_FLEET_OPERATORS ?? 20);
const TIMEOUT_S = Number(process.env.BENCH_FLEET_TIMEOUT_S ?? 1500);
const VERDACCIO_VERSION = '6.8.0';
const PACKAGE = 'projen-rust-operator';
const VERSION_A = '0.1.0';
const VERSION_B = '0.1.1';
const OLD_RUNTIME = 'debian:bookworm-slim';
const NEW_RUNTIME = 'debian:bookworm-20261110-slim';

// ---------------------------------------------------------------------------------------------
// The registry
// ---------------------------------------------------------------------------------------------

let verdaccio: ChildProcess | undefined;

function stopRegistry(): void {
  if (verdaccio && verdaccio.exitCode === null && verdaccio.pid) {
    verdaccio.kill('SIGTERM');
  }
  verdaccio = undefined;
}

/**
 * This process's environment without what `npm run`/`npx` added (npm_config_local_prefix and the
 * like point npm at this repository): the fleet's commands see what a runner would.
 */
const BASE_ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env)
  .filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE_ENV' && k !== 'INIT_CWD'));
BASE_ENV.PATH = (process.env.PATH ?? '').split(':').filter((p) => !p.includes('node_modules')).join(':');

function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  // Each command is bounded too: a blocked spawnSync would keep the watchdog from firing.
  return spawnSync(command, args, { cwd, encoding: 'utf-8', env: { ...BASE_ENV, ...env }, maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
}

function must(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) throw new Error(`${what} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** verdaccio 6.8.0 with node-fetch 2.7.0 (6.10 needs Node 22; its node-fetch range does not install). */
function ensureVerdaccio(): string {
  const dir = path.join(os.homedir(), '.cache', PACKAGE, `verdaccio-${VERDACCIO_VERSION}`);
  const bin = path.join(dir, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  if (fs.existsSync(bin)) return bin;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'bench-registry',
    private: true,
    dependencies: { verdaccio: VERDACCIO_VERSION },
    overrides: { 'node-fetch': '2.7.0' },
  }, undefined, 2));
  must(sh('npm', ['install', '--no-audit', '--no-fund'], dir), 'installing verdaccio');
  return bin;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startRegistry(work: string): Promise<{ url: string; npmrc: string }> {
  const bin = ensureVerdaccio();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = path.join(work, 'verdaccio', 'config.yaml');
  fs.mkdirSync(path.dirname(config), { recursive: true });
  fs.writeFileSync(config, [
    `storage: ${path.join(work, 'verdaccio', 'storage')}`,
    'auth:',
    '  htpasswd:',
    `    file: ${path.join(work, 'verdaccio', 'htpasswd')}`,
    '    max_users: 10',
    'uplinks:',
    '  npmjs:',
    '    url: https://registry.npmjs.org/',
    '    timeout: 60s',
    // Metadata fetched once serves the whole bench (the default revalidates every 2 minutes).
    '    maxage: 60m',
    'packages:',
    // This package comes from here only: no uplink, so the fleet sees exactly what we publish.
    `  '${PACKAGE}':`,
    '    access: $all',
    '    publish: $authenticated',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: npmjs',
    `listen: 127.0.0.1:${port}`,
    'log: { type: file, path: ' + path.join(work, 'verdaccio', 'verdaccio.log') + ', level: warn }',
    '',
  ].join('\n'));
  verdaccio = spawn(process.execPath, [bin, '--config', config], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${url}-/ping`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const res = await fetch(`${url}-/user/org.couchdb.user:bench`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', password: 'bench-password' }),
  });
  const token = ((await res.json()) as { token?: string }).token;
  if (!token) throw new Error(`verdaccio gave no token (${res.status})`);
  const npmrc = path.join(work, 'npmrc');
  fs.writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  return { url, npmrc };
}

// ---------------------------------------------------------------------------------------------
// Versions of the package
// ---------------------------------------------------------------------------------------------

interface Release {
  readonly version: string;
  readonly changelog: string;
  /** Edits of the unpacked package (its compiled lib/), for B and the bad variants. */
  readonly change?: (pkgDir: string) => void;
}

/**
 * Replaces `from` by `to` in the one compiled file of the package's lib/ that has it, and fails
 * when none or several have it: a change that no longer applies must fail the bench, not pass it.
 */
function replaceInLib(pkgDir: string, from: string, to: string): void {
  const lib = path.join(pkgDir, 'lib');
  const files = (fs.readdirSync(lib, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.js'))
    .map((f) => path.join(lib, f))
    .filter((f) => fs.readFileSync(f, 'utf-8').includes(from));
  if (files.length !== 1) {
    throw new Error(`${files.length} files of ${lib} have ${JSON.stringify(from)} (${files.join(', ')}): the bench's version change no longer applies`);
  }
  const text = fs.readFileSync(files[0], 'utf-8');
  fs.writeFileSync(files[0], text.split(from).join(to));
}

let changelogSoFar = '';

function publish(work: string, env: NodeJS.ProcessEnv, release: Release): void {
  const dir = fs.mkdtempSync(path.join(work, `pkg-${release.version}-`));
  must(sh('tar', ['-xzf', packedTarball(), '-C', dir], dir), 'unpacking');
  const pkg = path.join(dir, 'package');
  const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf-8'));
  manifest.version = release.version;
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify(manifest, undefined, 2) + '\n');
  const jsii = JSON.parse(fs.readFileSync(path.join(pkg, '.jsii'), 'utf-8'));
  jsii.version = release.version;
  fs.writeFileSync(path.join(pkg, '.jsii'), JSON.stringify(jsii));
  // As the release task writes it: the new entry on top of the previous release's file.
  changelogSoFar = `${release.changelog.trim()}\n\n${changelogSoFar}`;
  fs.writeFileSync(path.join(pkg, 'CHANGELOG.md'), changelogSoFar);
  release.change?.(pkg);
  must(sh('npm', ['publish', '--ignore-scripts', '--tag', 'latest', pkg], dir, env), `npm publish ${release.version}`);
}

const RELEASE_A: Release = {
  version: VERSION_A,
  changelog: `## ${VERSION_A} (2026-12-01)\n\n### Features\n\n* first release`,
};
const RELEASE_B: Release = {
  version: VERSION_B,
  changelog: [
    `## [${VERSION_B}](https://github.com/tercen/projen-rust-operator/compare/v${VERSION_A}...v${VERSION_B}) (2026-12-08)`,
    '',
    '### Bug Fixes',
    '',
    `* **docker:** the runtime stage defaults to the dated ${NEW_RUNTIME} (a fixed Debian point release)`,
    '',
    '### Generated files changed',
    '',
    `* \`Dockerfile\`: runtime stage \`FROM ${OLD_RUNTIME}\` -> \`FROM ${NEW_RUNTIME}\` (changed default \`runtimeImage\`; projects that set it keep theirs)`,
  ].join('\n'),
  change: (pkg) => replaceInLib(pkg, `DEFAULT_IMAGE = '${OLD_RUNTIME}'`, `DEFAULT_IMAGE = '${NEW_RUNTIME}'`),
};
/** Bad: synth also rewrites the user's src/main.rs. */
const RELEASE_BAD_USER_FILE: Release = {
  version: '0.1.2',
  changelog: '## 0.1.2 (2026-12-09)\n\n### Bug Fixes\n\n* tidy the sources (BAD: touches a user file)',
  change: (pkg) => fs.appendFileSync(path.join(pkg, 'lib', 'index.js'), [
    '',
    '// BENCH BAD VARIANT: rewrites a file the user owns.',
    '// The class as index.js exports it, wherever it is compiled to.',
    'const __badProject = module.exports.RustOperatorProject;',
    "if (!__badProject) throw new Error('bench bad variant: RustOperatorProject is not exported');",
    'const __badPost = __badProject.prototype.postSynthesize;',
    '__badProject.prototype.postSynthesize = function () {',
    '  if (__badPost) __badPost.call(this);',
    "  require('fs').appendFileSync(require('path').join(this.outdir, 'src', 'main.rs'), '// tidied by projen-rust-operator\\n');",
    '};',
    '',
  ].join('\n')),
};
/** Bad: the `runtimePackages` option is silently dropped. */
const RELEASE_BAD_DROPPED_OPTION: Release = {
  version: '0.1.3',
  changelog: '## 0.1.3 (2026-12-10)\n\n### Bug Fixes\n\n* simpler runtime stage (BAD: drops runtimePackages)',
  change: (pkg) => replaceInLib(pkg, 'runtimePackages: options.runtimePackages,', 'runtimePackages: undefined,'),
};

// ---------------------------------------------------------------------------------------------
// The fleet
// ---------------------------------------------------------------------------------------------

interface OperatorSpec {
  readonly name: string;
  readonly flags: string[];
  /** Values of the user's options that must stay visible in the generated files. */
  readonly evidence: string[];
}

function fleet(count: number): OperatorSpec[] {
  const allocators = ['linked-and-preloaded', 'linked', 'preloaded', 'system'];
  const specs: OperatorSpec[] = [];
  for (let i = 0; i < count; i++) {
    // The folders have no git remote: the image owner is given (half by owner, half by image name).
    const owner = i % 2 === 0 ? ['--registry-owner', 'tercen'] : ['--image-name', `ghcr.io/acme/op_${String(i).padStart(2, '0')}`];
    const flags: string[] = [...owner, '--allocator', allocators[i % 4]];
    const evidence: string[] = [];
    if (i % 3 === 0) {
      flags.push('--dev-release-profile', '--build-profile', 'dev-release');
      evidence.push('[profile.dev-release]', '--profile dev-release');
    }
    if (i % 5 === 1) {
      flags.push('--build-profile', 'maxperf');
      evidence.push('--profile maxperf');
    }
    if (i % 2 === 0) {
      flags.push('--runtime-packages', 'libcairo2');
      evidence.push('libcairo2');
    }
    if (i % 4 === 1) {
      flags.push('--builder-packages', 'libpango1.0-dev');
      evidence.push('libpango1.0-dev');
    }
    if (i % 4 === 2) {
      flags.push('--git-token-secret', 'GIT_TOKEN');
      evidence.push('secrets.GIT_TOKEN');
    }
    if (i % 3 === 1) {
      flags.push('--container-policy', 'untagged');
    }
    if (i % 7 === 3) {
      // A user who set the runtime image keeps it when the default changes.
      flags.push('--runtime-image', 'debian:bookworm-20260901-slim');
      evidence.push('debian:bookworm-20260901-slim');
    }
    if (i % 6 === 5) {
      flags.push('--features', 'gpu');
      evidence.push('gpu = []');
    }
    specs.push({ name: `op_${String(i).padStart(2, '0')}`, flags, evidence });
  }
  return specs;
}

const USER_MAIN_RS_LINE = '\n// user code: keep this line\n';
const USER_CARGO_LINES = '\n# user comment: keep this line\n[package.metadata.fleet]\nowner = "team-a"\n';
const USER_FILE = 'notes/USER.md';

function git(dir: string, args: string[]): string {
  return must(sh('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], dir), `git ${args.join(' ')}`);
}

/** `projen new` of several operators at once (mostly npm waiting on the registry). */
async function projenNewAll(parent: string, specs: OperatorSpec[], env: NodeJS.ProcessEnv, parallel: number): Promise<void> {
  const queue = [...specs];
  const worker = async () => {
    for (let spec = queue.shift(); spec; spec = queue.shift()) {
      const dir = path.join(parent, spec.name);
      fs.mkdirSync(dir);
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [PROJEN_CLI, 'new', '--from', `${PACKAGE}@${VERSION_A}`, 'rust-operator', '--no-git', ...spec!.flags],
          { cwd: dir, env: { ...BASE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          if (code === 0) resolve();
          else reject(new Error(`projen new ${spec!.name} failed (${code}):\n${output}`));
        });
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

function scaffold(parent: string, spec: OperatorSpec, cargoEnv: Record<string, string>): string {
  const dir = path.join(parent, spec.name);
  fs.appendFileSync(path.join(dir, 'src', 'main.rs'), USER_MAIN_RS_LINE);
  fs.appendFileSync(path.join(dir, 'Cargo.toml'), USER_CARGO_LINES);
  fs.appendFileSync(path.join(dir, 'README.md'), '\nUser notes about this operator.\n');
  fs.mkdirSync(path.join(dir, 'notes'));
  fs.writeFileSync(path.join(dir, USER_FILE), 'Written by the user.\n');
  // The lock file a user commits.
  must(sh('cargo', ['generate-lockfile', '--offline'], dir, cargoEnv), 'cargo generate-lockfile');
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '--all']);
  git(dir, ['commit', '-q', '-m', `scaffold from ${PACKAGE}@${VERSION_A}`]);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Running the workflow's own steps
// ---------------------------------------------------------------------------------------------

interface WorkflowStep { id?: string; name?: string; uses?: string; run?: string; env?: { [k: string]: unknown }; if?: string }

/** Steps that need the hosted runner itself and are not run here, with the reason. */
const RUNNER_ONLY: { [id: string]: string } = {
  'system-packages': 'sudo apt-get on the runner; the scaffolded crate links none of these packages',
  'toolchain': 'rustup downloads rust-toolchain.toml\'s channel; the bench uses the host toolchain (RUSTUP_TOOLCHAIN), as the tests do',
};

function resolveExpressions(text: string, outputs: { [step: string]: { [name: string]: string } }, needs: { [name: string]: string }): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
    let match = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (match) return outputs[match[1]]?.[match[2]] ?? '';
    match = /^needs\.upgrade\.outputs\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (match) return needs[match[1]] ?? '';
    if (/^secrets\.[A-Za-z0-9_]+$/.test(expr)) return expr === 'secrets.GITHUB_TOKEN' ? 'bench-token' : '';
    throw new Error(`the bench cannot evaluate \${{ ${expr} }}`);
  });
}

function parseOutputs(file: string): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf-8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

interface JobRun {
  readonly ran: string[];
  readonly skipped: string[];
  readonly outputs: { [step: string]: { [name: string]: string } };
  readonly failure?: string;
  readonly stepMs: { [id: string]: number };
}

function runJob(workflowFile: string, jobId: string, cwd: string, env: NodeJS.ProcessEnv, needs: { [name: string]: string } = {}): JobRun {
  const workflow = parseYaml(fs.readFileSync(workflowFile, 'utf-8'));
  const steps: WorkflowStep[] = workflow.jobs[jobId].steps;
  const outputs: JobRun['outputs'] = {};
  const ran: string[] = [];
  const skipped: string[] = [];
  const stepMs: JobRun['stepMs'] = {};
  const temp = String(env.RUNNER_TEMP);
  for (const [index, step] of steps.entries()) {
    const id = step.id ?? `steps[${index}]`;
    if (step.uses !== undefined) {
      skipped.push(`${id} (action ${step.uses.split('@')[0]})`);
      continue;
    }
    if (RUNNER_ONLY[id]) {
      skipped.push(`${id} (${RUNNER_ONLY[id]})`);
      continue;
    }
    const outputFile = path.join(temp, `output-${jobId}-${id}`);
    fs.writeFileSync(outputFile, '');
    const stepEnv: NodeJS.ProcessEnv = { ...env, GITHUB_OUTPUT: outputFile };
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = resolveExpressions(String(v), outputs, needs);
    const script = path.join(temp, `step-${jobId}-${id}.sh`);
    fs.writeFileSync(script, step.run!);
    const start = Date.now();
    // GitHub's default shell on Linux: bash -e {0}.
    const result = spawnSync('bash', ['-e', script], { cwd, env: stepEnv, encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
    stepMs[id] = Date.now() - start;
    ran.push(id);
    if (result.status !== 0) {
      return { ran, skipped, outputs, stepMs, failure: `${id} exited ${result.status}:\n${(result.stdout + result.stderr).split('\n').slice(-30).join('\n')}` };
    }
    outputs[id] = parseOutputs(outputFile);
  }
  return { ran, skipped, outputs, stepMs };
}

/** A `gh` that records what the pull-request job asks of it, with one PR per head branch. */
function fakeGh(binDir: string, stateDir: string): void {
  fs.mkdirSync(binDir, { recursive: true });
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(path.join(binDir, 'gh'), [
    '#!/usr/bin/env bash',
    'set -e',
    `state=${JSON.stringify(stateDir)}`,
    'echo "gh $*" >> "$state/calls.log"',
    'case "$1 $2" in',
    '  "pr list") [ -f "$state/number" ] && cat "$state/number" || true ;;',
    '  "pr create") echo 1 > "$state/number"; while [ $# -gt 0 ]; do [ "$1" = --body-file ] && cp "$2" "$state/body.md"; shift; done ;;',
    '  "pr edit") while [ $# -gt 0 ]; do [ "$1" = --body-file ] && cp "$2" "$state/body.md"; shift; done ;;',
    '  *) echo "unexpected gh $*" >&2; exit 1 ;;',
    'esac',
    '',
  ].join('\n'), { mode: 0o755 });
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** Keys of Cargo.toml that the package manages; everything else is the user's. */
function userCargoView(text: string): unknown {
  const toml = parseToml(text) as any;
  delete toml.features;
  delete toml.profile;
  for (const managed of ['tikv-jemallocator', 'tercen-rs']) delete toml.dependencies?.[managed];
  return toml;
}

function ownedFiles(dir: string): Set<string> {
  const file = path.join(dir, '.projen', 'files.json');
  return new Set(fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf-8')).files : []);
}

function treeFiles(dir: string): string[] {
  return must(sh('git', ['ls-files', '--cached', '--others', '--exclude-standard'], dir), 'git ls-files').split('\n').filter((f) => f && fs.existsSync(path.join(dir, f)));
}

function committed(dir: string, file: string): string | undefined {
  const r = sh('git', ['show', `HEAD:${file}`], dir);
  return r.status === 0 ? r.stdout : undefined;
}

interface Verdict {
  readonly changed: string[];
  readonly userBytes: number;
  readonly problems: string[];
}

/** What the upgrade did to the operator's tree, against its last commit. */
function check(dir: string, spec: OperatorSpec, ownedBefore: Set<string>, evidenceBefore: Map<string, string[]>): Verdict {
  const owned = new Set([...ownedBefore, ...ownedFiles(dir)]);
  const problems: string[] = [];
  const changed = must(sh('git', ['status', '--porcelain', '--untracked-files=all'], dir), 'git status')
    .split('\n').filter(Boolean).map((line) => line.slice(3));
  for (const file of changed) {
    // package.json is projen's (NodePackage), package-lock.json npm's.
    if (owned.has(file) || file === 'package-lock.json' || file === 'package.json') continue;
    if (file === 'Cargo.toml') {
      const before = committed(dir, file) ?? '';
      const after = fs.readFileSync(path.join(dir, file), 'utf-8');
      if (JSON.stringify(userCargoView(before)) !== JSON.stringify(userCargoView(after))) problems.push('Cargo.toml: a key outside the managed tables changed');
      if (!after.includes(USER_CARGO_LINES.trim())) problems.push('Cargo.toml: the user\'s comment and table are not byte for byte as written');
      continue;
    }
    problems.push(`${file}: changed, but it is not an owned file`);
  }
  // Every byte of every file the package does not own.
  let userBytes = 0;
  for (const file of treeFiles(dir)) {
    if (owned.has(file) || ['package.json', 'package-lock.json', 'Cargo.toml', 'Cargo.lock'].includes(file)) continue;
    const before = committed(dir, file);
    const after = fs.readFileSync(path.join(dir, file), 'utf-8');
    if (before === undefined) {
      problems.push(`${file}: new file that the package does not own`);
    } else if (before !== after) {
      if (!changed.includes(file)) problems.push(`${file}: user file changed`);
    } else {
      userBytes += Buffer.byteLength(after);
    }
  }
  const cargoLockBefore = committed(dir, 'Cargo.lock');
  if (cargoLockBefore !== undefined && cargoLockBefore !== fs.readFileSync(path.join(dir, 'Cargo.lock'), 'utf-8')) problems.push('Cargo.lock: changed');
  // Every user option still shows in the files it showed in before.
  for (const value of spec.evidence) {
    for (const file of evidenceBefore.get(value) ?? []) {
      if (!fs.existsSync(path.join(dir, file)) || !fs.readFileSync(path.join(dir, file), 'utf-8').includes(value)) {
        problems.push(`option value ${JSON.stringify(value)} no longer in ${file} (a user option was dropped)`);
      }
    }
    if ((evidenceBefore.get(value) ?? []).length === 0) problems.push(`option value ${JSON.stringify(value)} was in no owned file before the upgrade`);
  }
  return { changed, userBytes, problems };
}

function evidenceOf(dir: string, spec: OperatorSpec): Map<string, string[]> {
  const owned = [...ownedFiles(dir), 'Cargo.toml'];
  const map = new Map<string, string[]>();
  for (const value of spec.evidence) {
    map.set(value, owned.filter((f) => fs.existsSync(path.join(dir, f)) && fs.readFileSync(path.join(dir, f), 'utf-8').includes(value)));
  }
  return map;
}

// ---------------------------------------------------------------------------------------------
// One operator's upgrade
// ---------------------------------------------------------------------------------------------

interface UpgradeResult {
  readonly name: string;
  readonly ms: number;
  readonly job: JobRun;
  readonly verdict: Verdict;
  readonly driftAfter: number | null;
  readonly body: string;
  readonly prCalls: string[];
  readonly branchPushed: boolean;
}

function upgrade(dir: string, spec: OperatorSpec, env: NodeJS.ProcessEnv, work: string): UpgradeResult {
  const ownedBefore = ownedFiles(dir);
  const evidenceBefore = evidenceOf(dir, spec);
  const temp = fs.mkdtempSync(path.join(work, `runner-${spec.name}-`));
  const jobEnv = { ...BASE_ENV, ...env, RUNNER_TEMP: temp, CI: 'true', GITHUB_ACTIONS: 'true' };
  const workflowFile = path.join(dir, '.github', 'workflows', 'upgrade.yml');
  const start = Date.now();
  const job = runJob(workflowFile, 'upgrade', dir, jobEnv);
  const ms = Date.now() - start;
  const verdict = check(dir, spec, ownedBefore, evidenceBefore);
  const drift = job.failure ? null : sh('npx', ['--no-install', 'projen', 'drift'], dir, env).status;
  // The pull-request job, in a fresh checkout of the operator with a local bare origin.
  let prCalls: string[] = [];
  let branchPushed = false;
  if (!job.failure && job.outputs.patch?.changed === 'true') {
    const origin = path.join(temp, 'origin.git');
    must(sh('git', ['clone', '-q', '--bare', dir, origin], temp), 'git clone --bare');
    const checkout = path.join(temp, 'checkout');
    must(sh('git', ['clone', '-q', origin, checkout], temp), 'git clone');
    const ghState = path.join(temp, 'gh-state');
    fakeGh(path.join(temp, 'bin'), ghState);
    const prEnv = { ...jobEnv, PATH: `${path.join(temp, 'bin')}:${BASE_ENV.PATH}` };
    const needs = { changed: job.outputs.patch.changed, version: job.outputs.bump?.version ?? '' };
    for (let round = 0; round < 2; round++) {
      // Twice: the second run must update the same pull request, not open another.
      const pr = runJob(workflowFile, 'pull-request', checkout, prEnv, needs);
      if (pr.failure) throw new Error(`${spec.name}: pull-request job: ${pr.failure}`);
      must(sh('git', ['reset', '-q', '--hard', 'origin/main'], checkout), 'git reset');
    }
    prCalls = fs.readFileSync(path.join(ghState, 'calls.log'), 'utf-8').trim().split('\n').map((c) => c.split(' --')[0]);
    branchPushed = sh('git', ['rev-parse', '--verify', '-q', `refs/heads/${PACKAGE}/upgrade`], origin).status === 0;
  }
  const bodyFile = path.join(temp, 'upgrade', 'pr-body.md');
  return { name: spec.name, ms, job, verdict, driftAfter: drift, body: fs.existsSync(bodyFile) ? fs.readFileSync(bodyFile, 'utf-8') : '', prCalls, branchPushed };
}

/**
 * Back to the operator's commit. `reset --hard`, not `checkout -- .`: the upgrade job stages its
 * changes (`git add --all`), and a checkout from that index would keep them (a bad variant's edit
 * of src/main.rs then showed up in the next variant's run).
 */
function resetOperator(dir: string): void {
  git(dir, ['reset', '-q', '--hard', 'HEAD']);
  git(dir, ['clean', '-q', '-fd']);
}

// ---------------------------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<number> {
  // The operators pin Rust 1.92 in rust-toolchain.toml; no registry is reachable to install it.
  hostToolchain();
  if (process.env.RUSTUP_TOOLCHAIN) BASE_ENV.RUSTUP_TOOLCHAIN = process.env.RUSTUP_TOOLCHAIN;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pro-bench-fleet-'));
  const t0 = Date.now();
  const { url, npmrc } = await startRegistry(work);
  const cargo = hostCargoOfflineEnv();
  const cacheDir = path.join(work, 'npm-cache');
  const env: NodeJS.ProcessEnv = {
    NPM_CONFIG_REGISTRY: url,
    NPM_CONFIG_USERCONFIG: npmrc,
    NPM_CONFIG_CACHE: cacheDir,
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
    // Shared by the fleet, as the rust-cache action shares it between runs of one repository.
    CARGO_TARGET_DIR: path.join(work, 'cargo-target'),
    CARGO_NET_OFFLINE: 'true',
    ...cargo.env,
  };
  console.log(`registry: verdaccio ${VERDACCIO_VERSION} at ${url} (storage ${work}/verdaccio)`);

  const tPack = Date.now();
  packedTarball();
  publish(work, env, RELEASE_A);
  console.log(`published ${PACKAGE}@${VERSION_A} (${((Date.now() - tPack) / 1000).toFixed(1)} s incl. build)`);

  const specs = fleet(OPERATORS);
  const fleetDir = path.join(work, 'fleet');
  fs.mkdirSync(fleetDir);
  const tScaffold = Date.now();
  await projenNewAll(fleetDir, specs, env, Number(process.env.BENCH_FLEET_PARALLEL_NEW ?? 3));
  const dirs = specs.map((spec) => scaffold(fleetDir, spec, cargo.env));
  console.log(`scaffolded and committed ${dirs.length} operators in ${((Date.now() - tScaffold) / 1000).toFixed(1)} s`);

  // The job's cargo-cache step (Swatinem/rust-cache) is an action the bench cannot run: in its
  // place each operator's target is built once before the timed run, as that step restores the
  // cache of the operator's last CI run. Untimed; the cold build is printed on its own.
  const tWarm = Date.now();
  const warmMs = dirs.map((dir) => {
    const start = Date.now();
    must(sh('cargo', ['clippy', '--all-targets', '--all-features'], dir, env), `cargo clippy in ${dir}`);
    must(sh('cargo', ['test', '--all-features', '--no-run'], dir, env), `cargo test --no-run in ${dir}`);
    return Date.now() - start;
  });
  console.log(`cargo targets built (stands in for the rust-cache restore): first ${(warmMs[0] / 1000).toFixed(1)} s (cold), total ${((Date.now() - tWarm) / 1000).toFixed(1)} s`);

  publish(work, env, RELEASE_B);
  console.log(`published ${PACKAGE}@${VERSION_B}: default runtime image ${OLD_RUNTIME} -> ${NEW_RUNTIME}`);

  const results: UpgradeResult[] = [];
  for (const [i, spec] of specs.entries()) {
    const result = upgrade(dirs[i], spec, env, work);
    results.push(result);
    const status = result.job.failure ? `FAILED at ${result.job.failure.split('\n')[0]}` : `${result.verdict.problems.length === 0 ? 'ok' : 'PROBLEMS'}`;
    console.log(`${spec.name} [${spec.flags.join(' ')}]: ${(result.ms / 1000).toFixed(1)} s, ${status}; changed: ${result.verdict.changed.join(', ') || '(none)'}`);
    if (result.job.failure) console.log(result.job.failure);
    for (const problem of result.verdict.problems) console.log(`  PROBLEM ${problem}`);
  }

  const good = results.filter((r) => !r.job.failure && r.verdict.problems.length === 0 && r.driftAfter === 0 && r.body.includes(`## [${VERSION_B}]`));
  const first = results[0];
  console.log('');
  console.log(`steps run (from upgrade.yml): ${first.job.ran.join(', ')}`);
  console.log(`steps skipped: ${first.job.skipped.join('; ')}`);
  console.log(`operators upgraded cleanly: ${good.length}/${results.length}`);
  console.log(`drift clean after: ${results.filter((r) => r.driftAfter === 0).length}/${results.length}`);
  console.log(`user bytes checked unchanged: ${results.reduce((n, r) => n + r.verdict.userBytes, 0)} (per operator ${results.map((r) => r.verdict.userBytes).join(', ')})`);
  const changedSets = new Map<string, number>();
  for (const r of results) changedSets.set(r.verdict.changed.join(', '), (changedSets.get(r.verdict.changed.join(', ')) ?? 0) + 1);
  for (const [set, n] of changedSets) console.log(`files changed in ${n} operator(s): ${set || '(none)'}`);
  console.log(`pull-request job (run twice each): ${[...new Set(results.map((r) => r.prCalls.join(' | ')))].join(' || ')}; branch pushed to origin in ${results.filter((r) => r.branchPushed).length}/${results.length}`);
  const times = results.map((r) => r.ms);
  const perStep = Object.keys(first.job.stepMs).map((id) => `${id} ${(median(results.map((r) => r.job.stepMs[id] ?? 0)) / 1000).toFixed(1)}`);
  console.log(`time per operator (upgrade job, cargo target restored): first ${(times[0] / 1000).toFixed(1)} s, median ${(median(times) / 1000).toFixed(1)} s, max ${(Math.max(...times) / 1000).toFixed(1)} s, total ${(times.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s`);
  console.log(`median per step (s): ${perStep.join(', ')}`);
  console.log('');
  console.log('PR body of the first operator:');
  console.log(first.body.split('\n').map((l) => `  | ${l}`).join('\n'));

  // The deliberately bad versions must be caught.
  let caught = 0;
  // Each must be caught by the check it plants a defect for (a crash of the job would also stop
  // the pull request, but would prove nothing about the checks).
  const badReleases: Array<[Release, RegExp]> = [[RELEASE_BAD_USER_FILE, /src\/main\.rs/], [RELEASE_BAD_DROPPED_OPTION, /libcairo2/]];
  for (const [bad, expected] of badReleases) {
    const index = specs.findIndex((s) => s.evidence.includes('libcairo2'));
    resetOperator(dirs[index]);
    publish(work, env, bad);
    const result = upgrade(dirs[index], specs[index], env, work);
    const flagged = result.job.failure === undefined && result.verdict.problems.some((p) => expected.test(p));
    if (flagged) caught++;
    console.log(`bad ${bad.version} (${bad.changelog.split('\n').pop()}): on ${specs[index].name} ${flagged ? 'CAUGHT' : 'NOT CAUGHT'}: ${result.verdict.problems.join('; ') || result.job.failure || ''}`);
  }

  console.log(`total bench time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const ok = good.length === results.length && caught === 2;
  return ok ? 0 : 1;
}

const watchdog = setTimeout(() => {
  console.error(`bench:fleet: over ${TIMEOUT_S} s, stopping`);
  stopRegistry();
  process.exit(2);
}, TIMEOUT_S * 1000);
watchdog.unref();
process.on('exit', stopRegistry);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopRegistry();
    process.exit(130);
  });
}

main().then((code) => {
  stopRegistry();
  process.exit(code);
}, (error) => {
  console.error(error);
  stopRegistry();
  process.exit(1);
});
