/**
 * Self-test of the real-build infrastructure (test/support/image) with a hand-written Dockerfile
 * shaped like the generated one. Slow (a cold run builds stand-in images and a Rust operator with
 * buildah/vfs), so the main jest config ignores test/image; run it with `npm run test:image`, i.e.
 *
 *   npx jest --ci --runInBand --testTimeout=3600000 --coverage=false --testPathIgnorePatterns=/node_modules/ test/image
 *
 * PRO_IMAGE_STORAGE_DRIVER=overlay makes it several times faster (see test/support/image/README.md).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  assertBuildSucceeded, buildImage, BuildImageResult, BuildStep, cacheRoot, DEBIAN_STANDIN, diskUsageBytes, ensureStandInImages,
  findInImageFiles, hasBuildah, hostCargoOfflineEnv, imageSizeBytes, makeStubCrate, inspectImage, parseBuildSteps, progress,
  readImageFile, removeBuildImages, removeImage, run, runImage, runOrThrow, RUST_STANDIN, StandInImages,
} from '../support/image';

jest.setTimeout(60 * 60_000);

// Runs whenever this file is selected (`npm run test:image`; the main jest config ignores
// test/image). PRO_IMAGE_TESTS=0 skips it explicitly; a machine that cannot build fails loudly.
const ENABLED = process.env.PRO_IMAGE_TESTS !== '0';
const availability = hasBuildah();
if (ENABLED && !availability.ok) {
  throw new Error(`real image builds cannot run here: ${availability.reason} (set PRO_IMAGE_TESTS=0 to skip)`);
}
if (!ENABLED) {
  process.stderr.write('test/image/support.test.ts skipped: PRO_IMAGE_TESTS=0\n');
}
const describeImage = ENABLED ? describe : describe.skip;

const MALLOC_CONF = 'background_thread:true,metadata_thp:auto,dirty_decay_ms:30000,muzzy_decay_ms:30000';
const TAG = 'localhost/pro-support-selftest:latest';
const BIN = 'demo-operator';

const CARGO_TOML = `[package]
name = "${BIN}"
version = "0.1.0"
edition = "2021"

[dependencies]
tikv-jemallocator = { version = "0.6", optional = true }

[features]
default = ["jemalloc"]
jemalloc = ["dep:tikv-jemallocator"]

[profile.release]
strip = true
`;

function mainRs(greeting: string): string {
  return `#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const GREETING: &str = "${greeting}";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let task_id = args
        .iter()
        .position(|a| a == "--taskId")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var("TERCEN_TASK_ID").ok().filter(|s| !s.is_empty()));
    match task_id {
        Some(id) => println!("{GREETING}: task {id}"),
        None => {
            eprintln!("TERCEN_TASK_ID is not set (pass --taskId)");
            std::process::exit(1);
        }
    }
}
`;
}

// The secret step: the token reaches only this RUN (as a variable), never a layer, ARG or ENV.
const SECRET_GUARD = 'if [ -s /run/secrets/git_token ]; then '
  + 'GIT_TOKEN="$(cat /run/secrets/git_token)"; export GIT_TOKEN; echo "git token provided (${#GIT_TOKEN} bytes)"; '
  + 'else echo "no git token"; fi';
const CARGO_BUILD = 'if [ -f Cargo.lock ]; then cargo build --release --locked; else cargo build --release; fi';

const DOCKERFILE = `# Hand-written stand-in for the generated Dockerfile (infrastructure self-test).
FROM ${RUST_STANDIN.replace('docker.io/library/', '')} AS builder
# make: tikv-jemalloc-sys's build script runs jemalloc's configure and make
RUN apt-get update && apt-get install -y --no-install-recommends make pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY Cargo.toml Cargo.lock* ./
RUN mkdir -p src && echo 'fn main() {}' > src/main.rs
RUN --mount=type=secret,id=git_token,required=false \\
    ${SECRET_GUARD} \\
    && ${CARGO_BUILD}
COPY src ./src
RUN --mount=type=secret,id=git_token,required=false \\
    --mount=type=cache,id=pro-selftest-counter,target=/var/cache/pro-selftest \\
    n=$(( $(cat /var/cache/pro-selftest/runs 2>/dev/null || echo 0) + 1 )) && echo "$n" > /var/cache/pro-selftest/runs \\
    && echo "cache mount runs: $n" \\
    && ${SECRET_GUARD} \\
    && touch src/main.rs \\
    && ${CARGO_BUILD}

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libjemalloc2 && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 1000 nonroot && useradd --uid 1000 --gid 1000 -m operator
COPY --from=builder --chown=0:0 --chmod=0755 /app/target/release/${BIN} /usr/local/bin/${BIN}
ENV LD_PRELOAD=libjemalloc.so.2 \\
    MALLOC_CONF=${MALLOC_CONF}
USER 1000:1000
ENTRYPOINT ["/usr/local/bin/${BIN}"]
`;

function cargoBin(): string {
  const onPath = run('sh', ['-c', 'command -v cargo']);
  if (onPath.code === 0) return onPath.stdout.trim();
  return path.join(process.env.CARGO_HOME || path.join(os.homedir(), '.cargo'), 'bin', 'cargo');
}

/** Lines printed by the build's steps (not buildah's `STEP n/m: <instruction>` lines) that match `re`. */
function printedLines(build: BuildImageResult, re: RegExp): string[] {
  return parseBuildSteps(build.output).flatMap((s) => s.output.split('\n')).filter((l) => re.test(l)).map((l) => l.trim());
}

function dependencyStep(build: BuildImageResult): BuildStep {
  const step = parseBuildSteps(build.output).find((s) => s.instruction.includes('cargo build') && !s.instruction.includes('touch src/main.rs'));
  if (!step) throw new Error(`no dependency build step in the log ${build.logFile}`);
  return step;
}

function finalStep(build: BuildImageResult): BuildStep {
  const step = parseBuildSteps(build.output).find((s) => s.instruction.includes('touch src/main.rs'));
  if (!step) throw new Error(`no final cargo build step in the log ${build.logFile}`);
  return step;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

describeImage('image-test infrastructure (buildah, stand-in images, replaced crates-io source)', () => {
  const timings: Record<string, string> = {};
  let ctx: string;
  let standIns: StandInImages;
  let build1: BuildImageResult | undefined;
  let build2: BuildImageResult | undefined;
  let build3: BuildImageResult | undefined;
  const token = `pro-secret-${crypto.randomBytes(12).toString('hex')}`;
  // unique per run, so the second build really recompiles the crate even with a warm cache
  const nonce = crypto.randomBytes(4).toString('hex');

  function need<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`${what} did not run or failed earlier in this file`);
    return value;
  }

  beforeAll(() => {
    ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'pro-image-selftest-'));
    fs.mkdirSync(path.join(ctx, 'src'));
    fs.writeFileSync(path.join(ctx, 'Cargo.toml'), CARGO_TOML);
    fs.writeFileSync(path.join(ctx, 'src', 'main.rs'), mainRs('demo v1'));
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), DOCKERFILE);
    fs.writeFileSync(path.join(ctx, '.dockerignore'), 'target\n');
  });

  afterAll(() => {
    // builds 2 and 3 are unique per run: drop their images, keep build 1's (the warm cache)
    for (const b of [build3, build2]) if (b) removeBuildImages(b, build1 ? [build1] : []);
    if (ctx) fs.rmSync(ctx, { recursive: true, force: true });
    timings['cache disk usage'] = `${(diskUsageBytes(cacheRoot()) / 1e9).toFixed(2)} GB (${cacheRoot()})`;
    progress(`self-test measurements:\n${Object.entries(timings).map(([k, v]) => `    ${k}: ${v}`).join('\n')}`);
  });

  test('stand-in images exist and a cached call is fast', () => {
    const extraImages = { 'tercen/rust-operator-base:latest': 'rust', 'tercen/runtime-base:latest': 'debian' } as const;
    standIns = ensureStandInImages({ extraImages });
    timings['stand-ins (this call)'] = `${secs(standIns.durationMs)} (built: ${standIns.built.join(', ') || 'nothing, cached'})`;
    expect(Object.keys(standIns.images).sort()).toEqual([
      'docker.io/library/debian:bookworm-slim',
      RUST_STANDIN,
      'docker.io/tercen/runtime-base:latest',
      'docker.io/tercen/rust-operator-base:latest',
    ]);
    expect(standIns.images['docker.io/tercen/rust-operator-base:latest']).toBe(standIns.images[RUST_STANDIN]);
    expect(standIns.images['docker.io/tercen/runtime-base:latest']).toBe(standIns.images[DEBIAN_STANDIN]);
    expect(standIns.rustVersion).toMatch(/^rustc \d+\.\d+\.\d+/);

    const again = ensureStandInImages({ extraImages });
    expect(again.built).toEqual([]);
    expect(again.durationMs).toBeLessThan(1000);
    timings['stand-ins (cached call)'] = `${again.durationMs} ms`;

    const rust = inspectImage(RUST_STANDIN);
    expect(rust.env).toMatchObject({
      RUSTUP_HOME: '/usr/local/rustup',
      CARGO_HOME: '/usr/local/cargo',
    });
    expect(rust.env.PATH.split(':')[0]).toBe('/usr/local/cargo/bin');
    timings['stand-in sizes'] = `debian ${(imageSizeBytes(DEBIAN_STANDIN) / 1e6).toFixed(0)} MB, rust ${(imageSizeBytes(RUST_STANDIN) / 1e6).toFixed(0)} MB`;
  });

  test('the rust stand-in resolves the real tikv-jemallocator offline, and like the official slim image has no make', () => {
    const script = [
      'set -e',
      'cargo new --quiet --vcs none /tmp/c && cd /tmp/c',
      'printf \'tikv-jemallocator = { version = "0.6", optional = true }\\n[features]\\ndefault = ["jemalloc"]\\njemalloc = ["dep:tikv-jemallocator"]\\n\' >> Cargo.toml',
      'test ! -f Cargo.lock',
      'cargo generate-lockfile --offline 2>&1',
      'grep -A1 -E \'^name = "(tikv-jemallocator|tikv-jemalloc-sys|cc|libc)"\' Cargo.lock',
      // jemalloc itself needs make (the generated Dockerfile installs it): build without the feature
      'cargo build --locked --no-default-features 2>&1',
      '! command -v make',
    ].join('\n');
    const r = runImage(RUST_STANDIN, { entrypoint: ['sh', '-c', script] });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/name = "tikv-jemallocator"\nversion = "0\.6\.1"/);
    expect(r.stdout).toMatch(/name = "tikv-jemalloc-sys"\nversion = "0\.6\.1\+5\.3\.1-0-g81034ce/);
    expect(r.stdout).toMatch(/name = "cc"\nversion = "1\./);
    expect(r.stdout).toMatch(/name = "libc"\nversion = "0\.2\./);
  });

  test('a missing base image fails fast with --pull-never (no registry access)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pro-image-missing-'));
    try {
      fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM pro-no-such-image:1\nRUN true\n');
      const r = buildImage(dir, { tag: 'localhost/pro-missing:1' });
      expect(r.code).not.toBe(0);
      expect(r.output).toMatch(/pro-no-such-image:1: image not known/);
      expect(r.durationMs).toBeLessThan(30_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('host cargo: metadata, lockfile and build work offline with the real allocator crates (~/.cargo untouched)', () => {
    const host = hostCargoOfflineEnv();
    expect(host.cargoHome.startsWith(cacheRoot())).toBe(true);
    const env = { ...process.env, ...host.env };
    const cargo = cargoBin();
    const meta = runOrThrow(cargo, ['metadata', '--offline', '--format-version', '1'], { cwd: ctx, env }, 'cargo metadata');
    const pkgs = (JSON.parse(meta.stdout).packages as { name: string; version: string }[]).map((p) => `${p.name} ${p.version}`);
    expect(pkgs.map((p) => p.split(' ')[0]).sort()).toEqual(['cc', BIN, 'libc', 'tikv-jemalloc-sys', 'tikv-jemallocator']);
    expect(pkgs).toContain('tikv-jemallocator 0.6.1');
    expect(pkgs).toContain('tikv-jemalloc-sys 0.6.1+5.3.1-0-g81034ce1f1373e37dc865038e1bc8eeecf559ce8');
    runOrThrow(cargo, ['generate-lockfile', '--offline'], { cwd: ctx, env }, 'cargo generate-lockfile');
    expect(fs.readFileSync(path.join(ctx, 'Cargo.lock'), 'utf8')).toContain('name = "tikv-jemallocator"');
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'pro-host-target-'));
    try {
      const b = runOrThrow(cargo, ['build', '--offline', '--locked', '--target-dir', target], { cwd: ctx, env }, 'host cargo build');
      expect(b.stderr).toContain('Compiling tikv-jemalloc-sys v0.6.1+5.3.1');
      expect(b.stderr).toContain('Compiling tikv-jemallocator v0.6.1');
      // the --config form works without touching CARGO_HOME
      const m2 = run(cargo, ['metadata', '--offline', '--format-version', '1', ...host.configArgs], { cwd: ctx });
      expect({ code: m2.code, stderr: m2.stderr }).toMatchObject({ code: 0 });
      // and without the stub configuration the same command fails: the check above can fail
      const emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), 'pro-empty-cargo-home-'));
      const bare = run(cargo, ['metadata', '--offline', '--format-version', '1'], { cwd: ctx, env: { ...process.env, CARGO_HOME: emptyHome } });
      fs.rmSync(emptyHome, { recursive: true, force: true });
      expect(bare.code).not.toBe(0);
    } finally {
      fs.rmSync(target, { recursive: true, force: true });
    }
  });

  test('host cargo: a git dependency (tercen-rs) resolves to a local stub repository', () => {
    const gitStubs = [{
      url: 'https://github.com/tercen/tercen-rs',
      branch: 'main',
      crate: makeStubCrate({ name: 'tercen-rs', version: '0.1.0', libName: 'tercen_rs', libRs: 'pub fn sdk() -> &\'static str { "tercen-rs stub" }\n' }),
    }];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pro-git-stub-'));
    try {
      fs.mkdirSync(path.join(dir, 'src'));
      fs.writeFileSync(path.join(dir, 'Cargo.toml'), CARGO_TOML.replace('[dependencies]\n',
        '[dependencies]\ntercen-rs = { git = "https://github.com/tercen/tercen-rs", branch = "main" }\n'));
      fs.writeFileSync(path.join(dir, 'src', 'main.rs'), 'fn main() { println!("{}", tercen_rs::sdk()); }\n');
      const cargo = cargoBin();
      const env = { ...process.env, ...hostCargoOfflineEnv({ gitStubs }).env };
      // first resolution fetches from the local stub repository (no --offline: cargo skips git in offline mode);
      // without default features: the real jemalloc's C build (minutes) has nothing to do with git resolution.
      const b = run(cargo, ['build', '--no-default-features'], { cwd: dir, env, timeoutMs: 600_000 });
      expect({ code: b.code, stderr: b.code === 0 ? '' : b.stderr }).toEqual({ code: 0, stderr: '' });
      expect(fs.readFileSync(path.join(dir, 'Cargo.lock'), 'utf8'))
        .toMatch(/source = "git\+https:\/\/github\.com\/tercen\/tercen-rs\?branch=main#[0-9a-f]{40}"/);
      expect(runOrThrow(path.join(dir, 'target', 'debug', BIN), [], { cwd: dir }).stdout).toBe('tercen-rs stub\n');
      const locked = run(cargo, ['build', '--offline', '--locked', '--no-default-features'], { cwd: dir, env, timeoutMs: 600_000 });
      expect(locked.code).toBe(0);
      // without the stub the same resolution fails here (no network): the check above can fail
      fs.rmSync(path.join(dir, 'Cargo.lock'));
      const bare = run(cargo, ['metadata', '--format-version', '1'], { cwd: dir, env: { ...process.env, ...hostCargoOfflineEnv().env, CARGO_NET_RETRY: '0' }, timeoutMs: 120_000 });
      expect(bare.code).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('build 1: the operator image builds (host Cargo.lock, --locked, no secret)', () => {
    expect(fs.existsSync(path.join(ctx, 'Cargo.lock'))).toBe(true);
    build1 = buildImage(ctx, { tag: TAG, layers: true });
    assertBuildSucceeded(build1);
    const dep = dependencyStep(build1);
    // Build 1 has fixed content, so a later run on the same machine reuses all its layers; on a
    // fresh machine (CI) it is cold and the dependency step really runs.
    timings['build 1'] = `${secs(build1.durationMs)} (${dep.cached ? 'layers cached by an earlier run' : 'cold'})`;
    if (!dep.cached) {
      expect(printedLines(build1, /git token/)).toEqual(['no git token', 'no git token']);
      // cc and libc from Debian, tikv-jemalloc-sys builds jemalloc 5.3.1 (cargo's order varies)
      expect(printedLines(build1, /Compiling /).map((l) => l.replace(/ v\d.*?(?= \(|$)/, '')).sort()).toEqual([
        'Compiling cc',
        `Compiling ${BIN} (/app)`,
        `Compiling ${BIN} (/app)`,
        'Compiling libc',
        'Compiling tikv-jemalloc-sys',
        'Compiling tikv-jemallocator',
      ]);
    }
    timings['image size'] = `${(imageSizeBytes(TAG) / 1e6).toFixed(1)} MB`;
  });

  test('the image config is what the Dockerfile says', () => {
    need(build1, 'build 1');
    const info = inspectImage(TAG);
    expect(info.user).toBe('1000:1000');
    expect(info.entrypoint).toEqual([`/usr/local/bin/${BIN}`]);
    expect(info.env.LD_PRELOAD).toBe('libjemalloc.so.2');
    expect(info.env.MALLOC_CONF).toBe(MALLOC_CONF);
    expect(info.env.PATH).toBeDefined();
    expect(info.history.length).toBeGreaterThan(3);
    expect(info.history.some((h) => h.createdBy.includes('useradd --uid 1000'))).toBe(true);
    expect(readImageFile(TAG, '/etc/passwd')).toMatch(/^operator:x:1000:1000:/m);
    expect(readImageFile(TAG, '/no/such/file')).toBeUndefined();
  });

  test('runs as the configured user (uid 1000), not root', () => {
    need(build1, 'build 1');
    const uid = runImage(TAG, { entrypoint: ['id', '-u'] });
    expect(uid).toMatchObject({ code: 0, stdout: '1000\n' });
    const gid = runImage(TAG, { entrypoint: ['id', '-g'] });
    expect(gid).toMatchObject({ code: 0, stdout: '1000\n' });
    // an explicit --user override is honoured too (the check above can tell the difference)
    const root = runImage(TAG, { entrypoint: ['id', '-u'], user: '0:0' });
    expect(root).toMatchObject({ code: 0, stdout: '0\n' });
    const home = runImage(TAG, { entrypoint: ['sh', '-c', 'echo "$HOME"; ls -ln /usr/local/bin/' + BIN] });
    expect(home.code).toBe(0);
    expect(home.stdout).toMatch(/^\/home\/operator\n-rwxr-xr-x 1 0 0 /);
  });

  test('the entrypoint exits 1 with the message when no task id is given, 0 with --taskId', () => {
    need(build1, 'build 1');
    const none = runImage(TAG);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('TERCEN_TASK_ID is not set');
    expect(none.stdout).toBe('');
    const withId = runImage(TAG, { args: ['--taskId', 't-42', '--serviceUri', 'http://x', '--token', 'y'] });
    expect(withId).toMatchObject({ code: 0, stdout: 'demo v1: task t-42\n' });
    const viaEnv = runImage(TAG, { env: { TERCEN_TASK_ID: 'from-env' } });
    expect(viaEnv).toMatchObject({ code: 0, stdout: 'demo v1: task from-env\n' });
  });

  test('the image env is applied and the preloaded system jemalloc is really loaded', () => {
    need(build1, 'build 1');
    const env = runImage(TAG, { entrypoint: ['sh', '-c', 'echo "$LD_PRELOAD|$MALLOC_CONF"'] });
    expect(env).toMatchObject({ code: 0, stdout: `libjemalloc.so.2|${MALLOC_CONF}\n` });
    // the seed's MALLOC_CONF is accepted: no complaint from jemalloc
    const plain = runImage(TAG, { args: ['--taskId', 'x'] });
    expect(plain.code).toBe(0);
    expect(plain.stderr).not.toMatch(/Invalid conf|<jemalloc>/);
    // jemalloc prints its statistics at exit when asked: proof that the preload is effective
    const stats = runImage(TAG, { args: ['--taskId', 'x'], env: { MALLOC_CONF: `${MALLOC_CONF},stats_print:true` } });
    expect(stats.code).toBe(0);
    expect(stats.stderr).toContain('___ Begin jemalloc statistics ___');
    expect(stats.stderr).not.toMatch(/Invalid conf pair/);
    // ...and the same probe without the preload finds no jemalloc (so the check can fail)
    const noPreload = runImage(TAG, { args: ['--taskId', 'x'], env: { LD_PRELOAD: '', MALLOC_CONF: 'stats_print:true' } });
    expect(noPreload.code).toBe(0);
    expect(noPreload.stderr).not.toContain('jemalloc statistics');
    // an invalid option IS reported (the "no Invalid conf pair" check above can fail)
    const bad = runImage(TAG, { args: ['--taskId', 'x'], env: { MALLOC_CONF: 'no_such_option:1' } });
    expect(bad.stderr).toMatch(/Invalid conf pair/);
  });

  function rebuildAfterSrcChange(version: string, secret: string | undefined): BuildImageResult {
    fs.writeFileSync(path.join(ctx, 'src', 'main.rs'), mainRs(`demo ${version} ${nonce}`));
    const secretFile = path.join(os.tmpdir(), `pro-secret-${nonce}`);
    if (secret !== undefined) fs.writeFileSync(secretFile, secret);
    let b: BuildImageResult;
    try {
      b = buildImage(ctx, { tag: TAG, layers: true, secrets: secret !== undefined ? { git_token: secretFile } : undefined });
    } finally {
      fs.rmSync(secretFile, { force: true });
    }
    assertBuildSucceeded(b);
    const steps = parseBuildSteps(b.output);
    const copySrc = steps.find((s) => /^COPY src /.test(s.instruction));
    expect(copySrc).toBeDefined();
    expect({ dependencyStepCached: dependencyStep(b).cached, copySrcCached: copySrc!.cached, finalStepCached: finalStep(b).cached })
      .toEqual({ dependencyStepCached: true, copySrcCached: false, finalStepCached: false });
    // cargo rebuilt only the crate, not the dependencies
    expect(printedLines(b, /Compiling /)).toEqual([`Compiling ${BIN} v0.1.0 (/app)`]);
    // the new source really is in the binary (not the stub main.rs of the dependency layer)
    const r = runImage(TAG, { args: ['--taskId', 'z'] });
    expect(r).toMatchObject({ code: 0, stdout: `demo ${version} ${nonce}: task z\n` });
    return b;
  }

  test('build 2: after a change in src/ the rebuild reuses the dependency layer (no secret)', () => {
    need(build1, 'build 1');
    build2 = rebuildAfterSrcChange('v2', undefined);
    timings['build 2 (src change, warm)'] = secs(build2.durationMs);
    expect(printedLines(build2, /git token/)).toEqual(['no git token']);
    expect(printedLines(build2, /cache mount runs: \d+$/)).toHaveLength(1);
  });

  test('build 3: the same with the git_token secret; the cache mount persists', () => {
    need(build2, 'build 2');
    build3 = rebuildAfterSrcChange('v3', token);
    timings['build 3 (src change + secret, warm)'] = secs(build3.durationMs);
    expect(printedLines(build3, /git token/)).toEqual([`git token provided (${token.length} bytes)`]);
    const runs = (b: BuildImageResult) => Number((/cache mount runs: (\d+)$/.exec(printedLines(b, /cache mount runs/)[0] ?? '') ?? [])[1]);
    expect(runs(build3)).toBe(runs(build2!) + 1);
  });

  test('the secret never reaches the output, the history or the image files', () => {
    need(build3, 'build 3');
    expect(build3!.output.includes(token)).toBe(false);
    const info = inspectImage(TAG);
    for (const h of info.history) expect(h.createdBy).not.toContain(token);
    expect(JSON.stringify(info.raw)).not.toContain(token);
    expect(findInImageFiles(TAG, token)).toEqual([]);
    // the search itself finds what is there (so the check above can fail)
    expect(findInImageFiles(TAG, 'TERCEN_TASK_ID is not set')).toEqual([`/usr/local/bin/${BIN}`]);
  });

  test('removeImage removes a name and reports a missing one', () => {
    need(build3, 'build 3');
    expect(removeImage(TAG)).toBe(true);
    expect(removeImage(TAG)).toBe(false);
  });
});
