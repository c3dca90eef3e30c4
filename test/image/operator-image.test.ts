/**
 * The real build: scaffold an operator from the packed package, build its generated Dockerfile
 * with buildah from stand-in base images, run the image, and rebuild after a source change.
 * Run by `npm run test:image` (the main jest config ignores test/image).
 */
import * as fs from 'fs';
import * as path from 'path';
import { TercenOperatorProject } from '../docker/tercen-base-dockerfile';
import {
  assertBuildSucceeded, buildImage, BuildImageResult, ensureStandInImages, findInImageFiles, hasBuildah, hostCargoOfflineEnv,
  imageSizeBytes, inspectImage, parseBuildSteps, removeImage, run, runImage, runInImageRootfs,
} from '../support/image';
import { scaffoldOperator } from '../support/scaffold';
import { synthQuietly, tempDir } from '../support/synth';

jest.setTimeout(60 * 60_000);

const availability = hasBuildah();
if (!availability.ok) {
  throw new Error(`real image builds cannot run here: ${availability.reason}`);
}

/** The same stand-ins as the infrastructure's self-test (one rust stand-in per store). */
const STAND_INS = { extraImages: { 'tercen/rust-operator-base:latest': 'rust', 'tercen/runtime-base:latest': 'debian' } } as const;
const TAG = 'localhost/pro-e2e-hello-operator:test';
const TOKEN = 'ghp_pro_image_test_token_5f1c0e9a';
const MALLOC_CONF = 'background_thread:true,metadata_thp:auto,dirty_decay_ms:30000,muzzy_decay_ms:30000';

let dir: string;
let tokenFile: string;
let cold: BuildImageResult;

function build(target?: string): BuildImageResult {
  const result = buildImage(dir, { tag: target ? `${TAG}-${target}` : TAG, secrets: { git_token: tokenFile }, target });
  assertBuildSucceeded(result);
  return result;
}

beforeAll(() => {
  ensureStandInImages(STAND_INS);
  dir = scaffoldOperator(tempDir('pro-image-'), 'hello_operator', ['--git-token-secret', 'GIT_TOKEN']).dir;
  // A lock file, as a real operator commits one: the build then runs `cargo build --locked`.
  const lock = run('cargo', ['generate-lockfile', '--offline'], { cwd: dir, env: { ...process.env, ...hostCargoOfflineEnv().env } });
  if (lock.code !== 0) throw new Error(lock.stderr);
  tokenFile = path.join(tempDir('pro-image-secret-'), 'git_token');
  fs.writeFileSync(tokenFile, TOKEN);
  removeImage(TAG);
  cold = build();
});

test('the scaffold declares the toolchain\'s rust-version (1.92), so cargo writes lock format 4, which the rust:1.92 builder reads', () => {
  expect(fs.readFileSync(path.join(dir, 'Cargo.toml'), 'utf-8')).toMatch(/^rust-version = "1\.92"$/m);
  expect(fs.readFileSync(path.join(dir, 'rust-toolchain.toml'), 'utf-8')).toMatch(/^channel = "1\.92"$/m);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8')).toContain('FROM rust:1.92-slim-bookworm AS builder');
  expect(fs.readFileSync(path.join(dir, 'Cargo.lock'), 'utf-8')).toMatch(/^version = 4$/m);
});

test('the build is --locked: a stale Cargo.lock fails it', () => {
  const stale = path.join(tempDir('pro-image-stale-'), 'hello_operator');
  fs.cpSync(dir, stale, { recursive: true, filter: (source) => !source.includes(`${path.sep}node_modules`) && !source.includes(`${path.sep}target`) });
  const lock = path.join(stale, 'Cargo.lock');
  fs.writeFileSync(lock, fs.readFileSync(lock, 'utf-8').replace(/\n\[\[package\]\]\nname = "tikv-jemallocator"[\s\S]*?(?=\n\[\[package\]\]|$)/, '\n'));
  const result = buildImage(stale, { tag: `${TAG}-stale` });
  expect(result.code).not.toBe(0);
  expect(result.output).toMatch(/--locked/);
  expect(result.output).toMatch(/lock file needs to be updated|cannot update the lock file/);
});

test('runs as uid 1000, not root', () => {
  expect(inspectImage(TAG).user).toBe('1000:1000');
  const id = runImage(TAG, { entrypoint: ['id', '-u'] });
  expect(id.stdout.trim()).toBe('1000');
});

test('exits 1 with the missing-task-id message', () => {
  const result = runImage(TAG);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('TERCEN_TASK_ID is not set');
  expect(result.stderr).not.toContain('Invalid conf pair');
});

test('runs a task with Tercen\'s flags', () => {
  const result = runImage(TAG, { args: ['--taskId', 'task-1', '--serviceUri', 'https://tercen.example', '--token', 'abc'] });
  expect(result.code).toBe(0);
  expect(result.stdout.trim()).toBe('TERCEN_TASK_ID=task-1 TERCEN_URI=https://tercen.example TERCEN_TOKEN set=true');
});

test('the documented environment is set, as docs/OPERATOR.md lists it', () => {
  const env = inspectImage(TAG).env;
  const docs = fs.readFileSync(path.join(dir, 'docs/OPERATOR.md'), 'utf-8');
  const documented = Object.fromEntries([...docs.matchAll(/^\| `([A-Z_]+)` \| `([^`]*)` \|/gm)].map((m) => [m[1], m[2]]));
  expect(documented).toEqual({ LD_PRELOAD: 'libjemalloc.so.2', MALLOC_CONF, _RJEM_MALLOC_CONF: MALLOC_CONF });
  for (const [name, value] of Object.entries(documented)) {
    expect(env[name]).toBe(value);
  }
});

test('the preloaded jemalloc is really loaded, by soname, and accepts the configuration', () => {
  const stats = runImage(TAG, { args: ['--taskId', 't'], env: { MALLOC_CONF: `${MALLOC_CONF},stats_print:true` } });
  expect(stats.code).toBe(0);
  expect(stats.stderr).toContain('___ Begin jemalloc statistics ___');
  expect(stats.stderr).toContain('background_thread: true');
  expect(stats.stderr).not.toContain('Invalid conf pair');
  const maps = runImage(TAG, { entrypoint: ['/bin/sh', '-c', 'grep -c libjemalloc.so.2 /proc/self/maps'] });
  expect(Number(maps.stdout.trim())).toBeGreaterThan(0);
});

test('the final image has the binary and no toolchain', () => {
  const check = runInImageRootfs(TAG, [
    'test -x usr/local/bin/hello_operator',
    '! test -e usr/local/cargo', '! test -e usr/local/rustup', '! test -e build',
    '! ls usr/bin/cc usr/bin/gcc usr/bin/cargo usr/bin/rustc 2>/dev/null',
  ].join(' && '));
  expect(check.stderr).toBe('');
  expect(check.code).toBe(0);
});

test('the git token never reaches a layer, the history or the builder stage', () => {
  expect(cold.output).not.toContain(TOKEN);
  expect(findInImageFiles(TAG, TOKEN)).toEqual([]);
  expect(JSON.stringify(inspectImage(TAG).history)).not.toContain(TOKEN);
  const builder = build('builder');
  expect(findInImageFiles(`${TAG}-builder`, TOKEN)).toEqual([]);
  expect(JSON.stringify(inspectImage(`${TAG}-builder`).history)).not.toContain(TOKEN);
  // Kept until afterAll: removing it would also remove the cached builder layers it ends.
  expect(builder.code).toBe(0);
});

test('without the secret (a fork) the build still works, from the same layers', () => {
  const result = buildImage(dir, { tag: `${TAG}-nosecret` });
  assertBuildSucceeded(result);
  const steps = parseBuildSteps(result.output).filter((step) => !step.instruction.startsWith('FROM'));
  expect(steps.filter((step) => !step.cached).map((step) => step.instruction)).toEqual([]);
});

afterAll(() => {
  for (const suffix of ['-nosecret', '-builder', '-stale']) {
    removeImage(`${TAG}${suffix}`);
  }
});

test('a change in src/ reuses the dependency layer and rebuilds only the operator', () => {
  const main = path.join(dir, 'src/main.rs');
  // A change no earlier run made, so the layer cache cannot already hold its result.
  const marker = `given-${Date.now().toString(36)}`;
  fs.writeFileSync(main, fs.readFileSync(main, 'utf-8').replace('TERCEN_TOKEN set=', `TERCEN_TOKEN ${marker}=`));
  const warm = build();
  const steps = parseBuildSteps(warm.output);
  const dependencies = steps.find((step) => step.instruction.startsWith('RUN') && step.instruction.includes('fn main() {}'));
  expect(dependencies?.cached).toBe(true);
  const compile = steps.filter((step) => !step.cached && step.instruction.startsWith('RUN'));
  expect(compile.length).toBe(1);
  expect(compile[0].output).toContain('Compiling hello_operator');
  expect(compile[0].output).not.toContain('Compiling tikv-jemallocator');
  const result = runImage(TAG, { args: ['--taskId', 't'] });
  expect(result.stdout).toContain(`TERCEN_TOKEN ${marker}=false`);
  process.stdout.write(`cold build ${(cold.durationMs / 1000).toFixed(1)} s, warm rebuild ${(warm.durationMs / 1000).toFixed(1)} s, image ${(imageSizeBytes(TAG) / 1e6).toFixed(1)} MB\n`);
});

test('the image is well under the seed\'s 150 MB target', () => {
  expect(imageSizeBytes(TAG)).toBeLessThan(150e6);
});

test('a subclass with custom base images builds and runs', () => {
  const subclassDir = path.join(tempDir('pro-image-subclass-'), 'base_operator');
  fs.mkdirSync(subclassDir);
  synthQuietly(new TercenOperatorProject({ name: 'base_operator', repositoryUrl: 'https://github.com/tercen/base_operator', outdir: subclassDir }));
  const lock = run('cargo', ['generate-lockfile', '--offline'], { cwd: subclassDir, env: { ...process.env, ...hostCargoOfflineEnv().env } });
  expect(lock.code).toBe(0);
  const tag = 'localhost/pro-e2e-base-operator:test';
  const result = buildImage(subclassDir, { tag });
  assertBuildSucceeded(result);
  expect(result.output).toMatch(/FROM tercen\/rust-operator-base:latest AS builder/i);
  const runResult = runImage(tag);
  expect(runResult.code).toBe(1);
  expect(runResult.stderr).toContain('TERCEN_TASK_ID is not set');
  removeImage(tag);
});
