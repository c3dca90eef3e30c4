/**
 * The builder stage, executed for real on the host: its COPY lines are carried out with the
 * context's files (their modification times set to 2001, as after an old checkout, and kept
 * by COPY as Docker does) and its RUN lines run with `sh` and the host's cargo, offline. The
 * apt-get line is skipped. Crates come from a local directory source standing in for crates.io
 * (a tikv-jemallocator that forwards to the system allocator, and a build-helper crate).
 *
 * This proves that the dependency-layer stubs build for every target shape tested, that the final
 * build compiles the real code (not the stubs), that build-dependencies land in the dependency
 * layer, and that `--locked` applies exactly when Cargo.lock exists.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SHAPES_CARGO_TOML, SHAPES_SOURCES } from './fixtures';
import { contextCopies } from './support';
import { AllocatorMode } from '../../src/core/allocator';
import { RustOperatorProjectOptions } from '../../src/project/rust-operator-project';
import { synthOperator, SynthResult, tempDir, writeFiles } from '../support/synth';
import { DockerInstruction, stages } from '../support/validate-dockerfile';

const CARGO_BIN = [process.env.CARGO && path.dirname(process.env.CARGO), path.join(os.homedir(), '.cargo', 'bin'), '/root/.cargo/bin']
  .find((dir): dir is string => !!dir && fs.existsSync(path.join(dir, 'cargo'))) ?? '';

const OLD_CHECKOUT = new Date('2001-01-01T00:00:00Z');

/** Builder folders (with their target/ directories), removed after the tests. */
const builderRoots: string[] = [];
afterAll(() => {
  for (const root of builderRoots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** Stand-ins for crates.io crates, as a cargo directory source. */
const VENDOR: { [file: string]: string } = {
  'tikv-jemallocator/Cargo.toml': '[package]\nname = "tikv-jemallocator"\nversion = "0.6.0"\nedition = "2021"\n',
  'tikv-jemallocator/src/lib.rs': [
    'use std::alloc::{GlobalAlloc, Layout, System};',
    'pub struct Jemalloc;',
    'unsafe impl GlobalAlloc for Jemalloc {',
    '    unsafe fn alloc(&self, layout: Layout) -> *mut u8 { System.alloc(layout) }',
    '    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) { System.dealloc(ptr, layout) }',
    '}',
    '',
  ].join('\n'),
  'tikv-jemallocator/.cargo-checksum.json': '{"files":{},"package":null}',
  'build-helper/Cargo.toml': '[package]\nname = "build-helper"\nversion = "0.1.0"\nedition = "2021"\n',
  'build-helper/src/lib.rs': 'pub fn mark() { println!("cargo:rustc-env=HELPER_MARK=from-build-helper"); }\n',
  'build-helper/.cargo-checksum.json': '{"files":{},"package":null}',
};

interface Step {
  readonly instruction: DockerInstruction;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where a builder-stage run happened. */
interface BuilderRun {
  readonly root: string;
  /** The stage's WORKDIR (`/build`) on the host. */
  readonly workdir: string;
  readonly steps: Step[];
  /** The host path of an absolute path inside the builder. */
  inBuilder(file: string): string;
}

/** Sets the modification time of every file under `dir` (as a checkout long ago would). */
function age(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) age(file);
    fs.utimesSync(file, OLD_CHECKOUT, OLD_CHECKOUT);
  }
}

/** `Cargo.lock*` and other simple globs of a COPY source, relative to the context. */
function expand(context: string, source: string): string[] {
  if (!source.includes('*')) return [source];
  const dir = path.posix.dirname(source);
  const regex = new RegExp(`^${path.posix.basename(source).split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const full = path.join(context, dir);
  return fs.existsSync(full) ? fs.readdirSync(full).filter((name) => regex.test(name)).map((name) => path.posix.join(dir, name)) : [];
}

/**
 * Runs the builder stage of `dockerfile` against `context`. `edit` may change each RUN's
 * command before it runs (to plant a defect); `afterRun` sees the state after each RUN.
 */
function runBuilderStage(dockerfile: string, context: string, edit: (args: string) => string = (a) => a,
  afterRun: (step: Step, workdir: string) => void = () => {}): BuilderRun {
  const root = tempDir('builder-root-');
  builderRoots.push(root);
  writeFiles(path.join(root, 'vendor'), VENDOR);
  writeFiles(root, { '.cargo/config.toml': `[source.crates-io]\nreplace-with = "stand-ins"\n\n[source.stand-ins]\ndirectory = "${path.join(root, 'vendor')}"\n` });
  const inBuilder = (file: string) => path.join(root, file);
  age(context);
  let cwd = root;
  const steps: Step[] = [];
  const builder = stages(dockerfile)[0];
  for (const instruction of builder.instructions) {
    if (instruction.keyword === 'WORKDIR') {
      cwd = inBuilder(instruction.args);
      fs.mkdirSync(cwd, { recursive: true });
    } else if (instruction.keyword === 'COPY') {
      const words = instruction.args.split(/\s+/);
      const destination = path.resolve(cwd, words[words.length - 1]);
      for (const source of words.slice(0, -1).flatMap((s) => expand(context, s))) {
        const target = words[words.length - 1].endsWith('/') ? path.join(destination, path.posix.basename(source)) : destination;
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.cpSync(path.join(context, source), target, { recursive: true, preserveTimestamps: true });
      }
    } else if (instruction.keyword === 'RUN') {
      if (instruction.args.includes('apt-get')) continue;
      const run = spawnSync('sh', ['-c', edit(instruction.args)], {
        cwd,
        encoding: 'utf8',
        timeout: 300_000,
        env: { ...process.env, PATH: `${CARGO_BIN}:${process.env.PATH}`, CARGO_NET_OFFLINE: 'true', CARGO_TERM_COLOR: 'never' },
      });
      if (run.status !== 0) {
        throw new Error(`RUN on line ${instruction.line} failed (${run.status}):\n${instruction.args}\n${run.stdout}\n${run.stderr}`);
      }
      steps.push({ instruction, stdout: run.stdout, stderr: run.stderr });
      afterRun(steps[steps.length - 1], cwd);
    } else {
      throw new Error(`unexpected ${instruction.keyword} in the builder stage`);
    }
  }
  return { root, workdir: cwd, steps, inBuilder };
}

/** The host path of the file the runtime stage copies from the builder. */
function copiedBinary(dockerfile: string, run: BuilderRun): string {
  const copy = stages(dockerfile)[1].instructions.find((i) => i.keyword === 'COPY' && i.flags.from === 'builder')!;
  return run.inBuilder(copy.args.split(/\s+/)[0]);
}

function exec(binary: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(binary, args, { encoding: 'utf8', env: {} });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function synth(options: Partial<RustOperatorProjectOptions>, files: { [file: string]: string }): SynthResult {
  return synthOperator(options, files);
}

test('cargo is available for the real builds', () => {
  expect(CARGO_BIN).not.toBe('');
});

describe('a crate with [lib], two [[bin]], a [[bench]] outside src/, package.build and a proto folder', () => {
  const options = { name: 'shape_operator', allocator: AllocatorMode.PRELOADED, compileTimeFiles: ['protos'], gitTokenSecret: 'TOKEN' };
  const files = { 'Cargo.toml': SHAPES_CARGO_TOML, ...SHAPES_SOURCES, 'protos/shape.proto': 'syntax = "proto3";\n' };

  test('the stubs build, the layer leaves no stub behind, and the final build compiles the real code', () => {
    const result = synth(options, files);
    const dockerfile = result.read('Dockerfile');
    const afterDependencies: { files: string[]; stub: ReturnType<typeof exec> }[] = [];
    const run = runBuilderStage(dockerfile, result.dir, undefined, (_step, workdir) => {
      if (afterDependencies.length === 0) {
        afterDependencies.push({ files: fs.readdirSync(workdir).sort(), stub: exec(path.join(workdir, 'target/release/shape_operator')) });
      }
    });
    const [dependencies, build] = run.steps;
    expect(dependencies.stderr).toMatch(/Compiling shape_operator v0\.2\.0/);
    expect(dependencies.stderr).toMatch(/Finished `release` profile/);
    // The dependency layer leaves only the manifest, the lock and target/: the stub binary is
    // an empty program, and no stub source survives into the layer.
    expect(afterDependencies).toEqual([{ files: ['Cargo.lock', 'Cargo.toml', 'target'], stub: { status: 0, stdout: '', stderr: '' } }]);
    // The real sources were aged, yet the final build recompiled the crate.
    expect(build.stderr).toMatch(/Compiling shape_operator v0\.2\.0/);
    const binary = copiedBinary(dockerfile, run);
    expect(binary).toBe(path.join(run.workdir, 'target/release/shape_operator'));
    expect(exec(binary)).toEqual({ status: 0, stdout: 'real main answer=42 build=real manifest=true\n', stderr: '' });
    expect(exec(path.join(run.workdir, 'target/release/dev')).stdout).toBe('dev answer=42\n');
    // The bench was stubbed (it is not in the context), everything else is the real file.
    expect(fs.readFileSync(path.join(run.workdir, 'perf/throughput.rs'), 'utf8')).toBe('fn main() {}\n');
    expect(fs.readFileSync(path.join(run.workdir, 'build.rs'), 'utf8')).toBe(SHAPES_SOURCES['build.rs']);
    expect(contextCopies(stages(dockerfile)[0])[0].sources).toEqual(['Cargo.toml', 'Cargo.lock*']);
  });

  test('without the touch line the stub build script and binary would be reused (the check above can fail)', () => {
    const result = synth({ ...options, devReleaseProfile: true, buildProfile: 'dev-release' }, files);
    const dockerfile = result.read('Dockerfile');
    const withoutTouch = (args: string) => args.replace(/&& find [^&]* -exec touch \{\} \+/, '');
    let outcome: string;
    try {
      const run = runBuilderStage(dockerfile, result.dir, withoutTouch);
      outcome = exec(copiedBinary(dockerfile, run)).stdout;
    } catch (error) {
      outcome = String(error);
    }
    // Cargo keeps the stub build script's output (no SHAPE_BUILD), so the real main cannot be built.
    expect(outcome).toMatch(/environment variable `SHAPE_BUILD` not defined at compile time/);
  });
});

describe('the scaffolded operator with tikv-jemallocator linked, an undeclared build.rs with a build-dependency, dev-release', () => {
  const cargoToml = [
    '[package]', 'name = "hello_operator"', 'version = "0.1.0"', 'edition = "2021"', '',
    '[dependencies]', '', '[build-dependencies]', 'build-helper = "0.1"', '',
  ].join('\n');
  const files = { 'Cargo.toml': cargoToml, 'build.rs': 'fn main() { build_helper::mark(); }\n' };
  const options = { devReleaseProfile: true, buildProfile: 'dev-release' };

  test('build-dependencies and dependencies are compiled in the dependency layer only; the operator runs', () => {
    const result = synth(options, files);
    const dockerfile = result.read('Dockerfile');
    expect(dockerfile).toContain("echo 'fn main() {}' > build.rs");
    const run = runBuilderStage(dockerfile, result.dir);
    const [dependencies, build] = run.steps;
    expect(dependencies.stderr).toMatch(/Compiling build-helper v0\.1\.0/);
    expect(dependencies.stderr).toMatch(/Compiling tikv-jemallocator v0\.6\.0/);
    expect(dependencies.stderr).toMatch(/Finished `dev-release` profile/);
    // A source change reuses the dependency layer: the final build compiles the operator only.
    expect(build.stderr.split('\n').filter((l) => /^\s*Compiling /.test(l)).map((l) => l.trim())).toEqual([
      expect.stringMatching(/^Compiling hello_operator v0\.1\.0/),
    ]);
    const binary = copiedBinary(dockerfile, run);
    expect(binary).toBe(path.join(run.workdir, 'target/dev-release/hello_operator'));
    expect(exec(binary)).toEqual({ status: 1, stdout: '', stderr: expect.stringContaining('TERCEN_TASK_ID is not set') });
    expect(exec(binary, ['--taskId', 't1', '--unknown', 'x'])).toEqual({ status: 0, stdout: 'TERCEN_TASK_ID=t1 TERCEN_URI= TERCEN_TOKEN set=false\n', stderr: '' });
  });
});

describe('a library outside src/ with modules next to it, a bin named unlike the package, an [[example]] and a [[test]]', () => {
  const cargoToml = [
    '[package]', 'name = "odd_operator"', 'version = "0.1.0"', 'edition = "2021"', '',
    '[lib]', 'name = "odd_core"', 'path = "core/lib.rs"', '',
    '[[bin]]', 'name = "odd"', 'path = "src/main.rs"', '',
    '[[example]]', 'name = "demo"', '',
    '[[test]]', 'name = "smoke"', '',
    '[dependencies]', '',
  ].join('\n');
  const files = {
    'Cargo.toml': cargoToml,
    'core/lib.rs': 'mod util;\npub fn answer() -> u32 { util::six() * 7 }\n',
    'core/util.rs': 'pub fn six() -> u32 { 6 }\n',
    'src/main.rs': 'fn main() { println!("odd answer={}", odd_core::answer()); }\n',
  };

  test('the library folder is copied whole, missing targets are stubbed, and the binary is the [[bin]] of src/main.rs', () => {
    const result = synth({ name: 'odd_operator', allocator: AllocatorMode.SYSTEM }, files);
    const dockerfile = result.read('Dockerfile');
    expect(dockerfile).toContain('COPY core ./core');
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/local/bin/odd"]');
    const run = runBuilderStage(dockerfile, result.dir);
    expect(exec(copiedBinary(dockerfile, run))).toEqual({ status: 0, stdout: 'odd answer=42\n', stderr: '' });
  });
});

describe('--locked exactly when Cargo.lock exists', () => {
  test('the shell guard adds --locked only next to a Cargo.lock', () => {
    const command = 'echo cargo build $(test -f Cargo.lock && echo --locked)';
    const without = tempDir();
    const withLock = tempDir();
    fs.writeFileSync(path.join(withLock, 'Cargo.lock'), '');
    expect(spawnSync('sh', ['-c', command], { cwd: without, encoding: 'utf8' }).stdout).toBe('cargo build\n');
    expect(spawnSync('sh', ['-c', command], { cwd: withLock, encoding: 'utf8' }).stdout).toBe('cargo build --locked\n');
  });

  test('a committed Cargo.lock is copied and enforced: a stale one fails the build', () => {
    const result = synth({ allocator: AllocatorMode.SYSTEM }, {});
    const lock = spawnSync(path.join(CARGO_BIN, 'cargo'), ['generate-lockfile', '--offline'], { cwd: result.dir, encoding: 'utf8' });
    expect(lock.status).toBe(0);
    const dockerfile = result.read('Dockerfile');
    // A matching lock builds.
    expect(runBuilderStage(dockerfile, result.dir).steps).toHaveLength(2);
    // A lock that no longer matches Cargo.toml is refused instead of silently updated.
    fs.writeFileSync(path.join(result.dir, 'Cargo.lock'), fs.readFileSync(path.join(result.dir, 'Cargo.lock'), 'utf8').replace('name = "hello_operator"\nversion = "0.1.0"', 'name = "hello_operator"\nversion = "0.0.9"'));
    expect(() => runBuilderStage(dockerfile, result.dir)).toThrow(/--locked/);
  });
});
