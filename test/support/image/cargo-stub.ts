/**
 * TEST-ONLY cargo configuration that lets a scaffolded operator crate build without crates.io:
 * crates-io is replaced (cargo "source replacement") by a local `directory` source holding stub
 * crates, the first of which is `tikv-jemallocator` 0.6.0 (a `Jemalloc` unit struct implementing
 * `GlobalAlloc` by forwarding to `std::alloc::System`). The same files are used in the rust
 * stand-in image (`$CARGO_HOME/config.toml`) and on the host ({@link hostCargoOfflineEnv}), so a
 * Cargo.lock written on one side is accepted with `--locked` on the other (same checksums).
 *
 * Never put this configuration into a generated project.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { cachePath, runOrThrow } from './exec';

/** A crate placed in the local directory source. `files` maps relative paths to contents. */
export interface StubCrate {
  readonly name: string;
  readonly version: string;
  /** Must include `Cargo.toml`; usually `src/lib.rs`. */
  readonly files: Readonly<Record<string, string>>;
}

/** Name of the replacement source in the generated cargo configuration. */
export const STANDIN_SOURCE_NAME = 'pro-standin-vendor';

const JEMALLOCATOR_FEATURES = [
  'alloc_trait',
  'background_threads',
  'background_threads_runtime_support',
  'debug',
  'disable_cache_oblivious',
  'disable_initial_exec_tls',
  'override_allocator_on_supported_platforms',
  'profiling',
  'stats',
  'unprefixed_malloc_on_supported_platforms',
];

/** The stub `tikv-jemallocator` 0.6.0 (same public type and feature names as the real crate). */
export const TIKV_JEMALLOCATOR_STUB: StubCrate = {
  name: 'tikv-jemallocator',
  version: '0.6.0',
  files: {
    'Cargo.toml': [
      '# TEST STAND-IN written by projen-rust-operator image tests (crates.io is unreachable there).',
      '# NOT jemalloc: see src/lib.rs.',
      '[package]',
      'name = "tikv-jemallocator"',
      'version = "0.6.0"',
      'edition = "2018"',
      'description = "Test stand-in for tikv-jemallocator: forwards to std::alloc::System"',
      'license = "MIT OR Apache-2.0"',
      '',
      '[lib]',
      'path = "src/lib.rs"',
      '',
      '[features]',
      'default = ["background_threads_runtime_support"]',
      ...JEMALLOCATOR_FEATURES.map((f) => `${f} = []`),
      '',
    ].join('\n'),
    'src/lib.rs': [
      '//! TEST STAND-IN for `tikv-jemallocator` 0.6 (projen-rust-operator image tests; crates.io is',
      '//! unreachable there). It is NOT jemalloc: `Jemalloc` forwards every call to',
      '//! `std::alloc::System`, so `#[global_allocator] static GLOBAL: Jemalloc = Jemalloc;` compiles',
      '//! and runs. Never ship it.',
      '',
      'use std::alloc::{GlobalAlloc, Layout, System};',
      '',
      '/// Stand-in for `tikv_jemallocator::Jemalloc`.',
      '#[derive(Debug, Clone, Copy, Default)]',
      'pub struct Jemalloc;',
      '',
      'unsafe impl GlobalAlloc for Jemalloc {',
      '    #[inline]',
      '    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {',
      '        System.alloc(layout)',
      '    }',
      '',
      '    #[inline]',
      '    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {',
      '        System.alloc_zeroed(layout)',
      '    }',
      '',
      '    #[inline]',
      '    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {',
      '        System.dealloc(ptr, layout)',
      '    }',
      '',
      '    #[inline]',
      '    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {',
      '        System.realloc(ptr, layout, new_size)',
      '    }',
      '}',
      '',
      '/// Not in the real crate: lets a test tell that the stand-in was linked.',
      'pub const IS_TEST_STANDIN: bool = true;',
      '',
    ].join('\n'),
  },
};

/**
 * A minimal stub crate: `Cargo.toml` (edition 2021, optional `[lib] name`, empty features) and
 * `src/lib.rs`. For `extraCrates` or `GitStub.crate`, e.g. the part of tercen-rs a template uses.
 */
export function makeStubCrate(spec: {
  name: string; version: string; libRs: string; libName?: string; features?: readonly string[];
}): StubCrate {
  return {
    name: spec.name,
    version: spec.version,
    files: {
      'Cargo.toml': [
        '# TEST STAND-IN written by projen-rust-operator image tests.',
        '[package]',
        `name = "${spec.name}"`,
        `version = "${spec.version}"`,
        'edition = "2021"',
        'license = "MIT OR Apache-2.0"',
        '',
        '[lib]',
        ...(spec.libName ? [`name = "${spec.libName}"`] : []),
        'path = "src/lib.rs"',
        '',
        '[features]',
        ...(spec.features ?? []).map((f) => `${f} = []`),
        '',
      ].join('\n'),
      'src/lib.rs': spec.libRs,
    },
  };
}

function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Deterministic "package" checksum of a stub (what Cargo.lock records as `checksum`). */
export function stubPackageChecksum(crate: StubCrate): string {
  const h = crypto.createHash('sha256');
  for (const f of Object.keys(crate.files).sort()) {
    h.update(f).update('\0').update(crate.files[f]).update('\0');
  }
  return h.digest('hex');
}

/** Built-in stubs plus `extra` (an extra crate with the same name+version replaces the built-in one). */
export function stubCrates(extra: readonly StubCrate[] = []): StubCrate[] {
  const byKey = new Map<string, StubCrate>();
  for (const c of [TIKV_JEMALLOCATOR_STUB, ...extra]) {
    if (!c.files['Cargo.toml']) throw new Error(`stub crate ${c.name} ${c.version}: files must include Cargo.toml`);
    byKey.set(`${c.name}-${c.version}`, c);
  }
  return [...byKey.values()].sort((a, b) => `${a.name}-${a.version}`.localeCompare(`${b.name}-${b.version}`));
}

/** Hash of a stub set (part of cache keys). */
export function stubCratesHash(crates: readonly StubCrate[]): string {
  return sha256(JSON.stringify(crates.map((c) => [c.name, c.version, stubPackageChecksum(c)])));
}

/** Writes a cargo `directory` source (one folder per crate, with `.cargo-checksum.json`). */
export function writeVendorDir(dir: string, crates: readonly StubCrate[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const c of crates) {
    const crateDir = path.join(dir, `${c.name}-${c.version}`);
    const files: Record<string, string> = {};
    for (const [rel, content] of Object.entries(c.files)) {
      const p = path.join(crateDir, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content);
      files[rel] = sha256(content);
    }
    fs.writeFileSync(path.join(crateDir, '.cargo-checksum.json'), JSON.stringify({ files, package: stubPackageChecksum(c) }));
  }
}

/**
 * A stand-in for a GIT dependency such as `tercen-rs = { git = "https://github.com/tercen/tercen-rs",
 * branch = "main" }`: the crate's files are committed (fixed author and dates, so the commit id
 * is the same everywhere) into a local git repository, and git's `url.<local>.insteadOf = <url>`
 * sends cargo there (cargo must use the git CLI: `net.git-fetch-with-cli = true`; libgit2 ignores
 * insteadOf). Cargo.lock then records `git+<url>?branch=<branch>#<stub commit>`.
 *
 * In the rust stand-in the rewrite is in /etc/gitconfig, so the Dockerfile must install `git`
 * (a real build of a git dependency with the CLI needs it too).
 */
export interface GitStub {
  /** The URL exactly as in Cargo.toml, e.g. `https://github.com/tercen/tercen-rs`. */
  readonly url: string;
  /** Default `main`. */
  readonly branch?: string;
  readonly crate: StubCrate;
}

/** Deterministic commit id / repository directory name of a git stub. */
function gitStubDirName(stub: GitStub): string {
  return `${stub.crate.name}-${crypto.createHash('sha256').update(stub.url).update('\0').update(stub.branch ?? 'main').digest('hex').slice(0, 12)}`;
}

/** Hash of a git stub set (part of cache keys). */
export function gitStubsHash(stubs: readonly GitStub[]): string {
  return sha256(JSON.stringify(stubs.map((g) => [g.url, g.branch ?? 'main', g.crate.name, g.crate.version, stubPackageChecksum(g.crate)])));
}

/**
 * Writes one git repository per stub under `dir` (named by {@link gitStubDirName}) and returns
 * `{ url, repoDir }` pairs (repoDir under `dir`).
 */
export function writeGitStubRepos(dir: string, stubs: readonly GitStub[]): { url: string; repoDirName: string; commit: string }[] {
  fs.mkdirSync(dir, { recursive: true });
  return stubs.map((stub) => {
    const repoDirName = gitStubDirName(stub);
    const repo = path.join(dir, repoDirName);
    fs.rmSync(repo, { recursive: true, force: true });
    for (const [rel, content] of Object.entries(stub.crate.files)) {
      const p = path.join(repo, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content);
    }
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 'projen-rust-operator test stub',
      GIT_AUTHOR_EMAIL: 'stub@invalid',
      GIT_AUTHOR_DATE: '2000-01-01T00:00:00Z',
      GIT_COMMITTER_NAME: 'projen-rust-operator test stub',
      GIT_COMMITTER_EMAIL: 'stub@invalid',
      GIT_COMMITTER_DATE: '2000-01-01T00:00:00Z',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    };
    const branch = stub.branch ?? 'main';
    runOrThrow('git', ['init', '-q', '-b', branch, '.'], { cwd: repo, env }, `git stub ${stub.url}`);
    runOrThrow('git', ['add', '-A'], { cwd: repo, env }, `git stub ${stub.url}`);
    runOrThrow('git', ['commit', '-q', '--no-gpg-sign', '-m', `test stub of ${stub.url}`], { cwd: repo, env }, `git stub ${stub.url}`);
    const commit = runOrThrow('git', ['rev-parse', 'HEAD'], { cwd: repo, env }).stdout.trim();
    return { url: stub.url, repoDirName, commit };
  });
}

/** git config text that sends each stub URL to its local repository under `reposDir`. */
export function gitInsteadOfConfig(reposDir: string, stubs: readonly GitStub[]): string {
  return stubs.map((s) => `[url "file://${reposDir}/${gitStubDirName(s)}"]\n\tinsteadOf = ${s.url}\n`).join('');
}

/** The cargo `config.toml` text that replaces crates-io by the directory source at `vendorDir`. */
export function cargoSourceReplacementToml(vendorDir: string, options: { gitFetchWithCli?: boolean } = {}): string {
  return [
    '# TEST-ONLY (projen-rust-operator image tests): crates.io is unreachable on this machine, so',
    '# crates-io is replaced by a local directory of stub crates. Never copy this into a project.',
    '[source.crates-io]',
    `replace-with = "${STANDIN_SOURCE_NAME}"`,
    '',
    `[source.${STANDIN_SOURCE_NAME}]`,
    `directory = "${vendorDir}"`,
    '',
    ...(options.gitFetchWithCli ? [
      '# git dependencies come from local stub repositories via git url.insteadOf (CLI only)',
      '[net]',
      'git-fetch-with-cli = true',
      '',
    ] : []),
  ].join('\n');
}

export interface HostCargoOfflineEnv {
  /**
   * Merge into the environment of `cargo` (`{ ...process.env, ...env }`): sets CARGO_HOME and,
   * with git stubs, GIT_CONFIG_COUNT/KEY_n/VALUE_n (the insteadOf rewrites).
   */
  readonly env: Record<string, string>;
  /** Alternative to `env` without git stubs: `cargo build --offline ...configArgs` (a `--config <file>` pair). */
  readonly configArgs: string[];
  /** The private CARGO_HOME (holds config.toml). */
  readonly cargoHome: string;
  readonly configFile: string;
  readonly vendorDir: string;
}

/**
 * Cargo configuration for quick host-side checks of a scaffolded crate (`cargo build --offline`,
 * `cargo metadata --offline`, `cargo generate-lockfile --offline`) that depends on crates-io crates
 * available as stubs (tikv-jemallocator 0.6 by default). Uses a private CARGO_HOME in the cache
 * (the user's ~/.cargo is never touched); rustup proxies keep using ~/.rustup.
 */
export function hostCargoOfflineEnv(options: { extraCrates?: readonly StubCrate[]; gitStubs?: readonly GitStub[] } = {}): HostCargoOfflineEnv {
  const crates = stubCrates(options.extraCrates);
  const gitStubs = options.gitStubs ?? [];
  const key = sha256(stubCratesHash(crates) + gitStubsHash(gitStubs)).slice(0, 16);
  const base = cachePath('host-cargo', key);
  const vendorDir = path.join(base, 'vendor');
  const cargoHome = path.join(base, 'cargo-home');
  const configFile = path.join(cargoHome, 'config.toml');
  const gitDir = path.join(base, 'git');
  const marker = path.join(base, '.complete');
  if (!fs.existsSync(marker)) {
    fs.rmSync(vendorDir, { recursive: true, force: true });
    writeVendorDir(vendorDir, crates);
    if (gitStubs.length > 0) writeGitStubRepos(gitDir, gitStubs);
    fs.mkdirSync(cargoHome, { recursive: true });
    fs.writeFileSync(configFile, cargoSourceReplacementToml(vendorDir, { gitFetchWithCli: gitStubs.length > 0 }));
    fs.writeFileSync(marker, new Date().toISOString());
  }
  // url.<repo>.insteadOf=<url> through GIT_CONFIG_COUNT/KEY/VALUE: the user's git config stays as is
  const gitEnv: Record<string, string> = {};
  if (gitStubs.length > 0) {
    gitEnv.GIT_CONFIG_COUNT = String(gitStubs.length);
    gitStubs.forEach((g, i) => {
      gitEnv[`GIT_CONFIG_KEY_${i}`] = `url.file://${gitDir}/${gitStubDirName(g)}.insteadOf`;
      gitEnv[`GIT_CONFIG_VALUE_${i}`] = g.url;
    });
  }
  return {
    env: { CARGO_HOME: cargoHome, ...gitEnv },
    configArgs: ['--config', configFile],
    cargoHome,
    configFile,
    vendorDir,
  };
}
