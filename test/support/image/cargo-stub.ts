/**
 * TEST-ONLY cargo configuration that lets a scaffolded operator crate build without crates.io:
 * crates-io is replaced (cargo "source replacement") by one local `directory` source holding the
 * REAL crates of the linked allocator ({@link realCrateSources}: the vendored tikv-jemallocator
 * 0.6.1 and tikv-jemalloc-sys 0.6.1+5.3.1 from `../shared/vendor/cargo`, plus Debian's cc and libc
 * from `/usr/share/cargo/registry`) and any stub crates a test adds on purpose (`extraCrates`).
 * The same crates are used in the rust stand-in image (`$CARGO_HOME/config.toml`) and on the host
 * ({@link hostCargoOfflineEnv}), so a Cargo.lock written on one side is accepted with `--locked`
 * on the other (same versions, same checksums).
 *
 * Never put this configuration into a generated project.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { RealCrateSources, realCrateSources } from './crate-sources';
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

/** The stub crates a test adds (deduplicated by name+version, the last one wins), sorted. */
export function stubCrates(extra: readonly StubCrate[] = []): StubCrate[] {
  const byKey = new Map<string, StubCrate>();
  for (const c of extra) {
    if (!c.files['Cargo.toml']) throw new Error(`stub crate ${c.name} ${c.version}: files must include Cargo.toml`);
    byKey.set(`${c.name}-${c.version}`, c);
  }
  return [...byKey.values()].sort((a, b) => `${a.name}-${a.version}`.localeCompare(`${b.name}-${b.version}`));
}

/** Hash of a stub set (part of cache keys). */
export function stubCratesHash(crates: readonly StubCrate[]): string {
  return sha256(JSON.stringify(crates.map((c) => [c.name, c.version, stubPackageChecksum(c)])));
}

/**
 * Writes a cargo `directory` source (one folder per crate, with `.cargo-checksum.json`): the stub
 * `crates`, then every crate of `real` that no stub replaces (same folder name), as a symlink
 * (`link`: host side, nothing copied) or a dereferenced copy (`copy`: staged for an image).
 */
export function writeVendorDir(dir: string, crates: readonly StubCrate[], real?: RealCrateSources, how: 'link' | 'copy' = 'link'): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const crateDir of real?.crateDirs ?? []) {
    const dest = path.join(dir, path.basename(crateDir));
    if (crates.some((c) => `${c.name}-${c.version}` === path.basename(crateDir))) continue;
    if (how === 'link') fs.symlinkSync(crateDir, dest);
    else runOrThrow('cp', ['-rL', crateDir, dest], { timeoutMs: 5 * 60_000 }, `copying crate ${crateDir}`);
  }
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
    '# crates-io is replaced by a local directory source (vendored tikv-jemallocator, Debian\'s crate',
    '# sources, test stubs). Never copy this into a project.',
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
 * Cargo configuration for host-side work on a scaffolded crate (`cargo generate-lockfile
 * --offline`, `cargo metadata --offline`, `cargo build --offline`) whose crates-io dependencies are
 * the real allocator crates ({@link realCrateSources}) or `extraCrates` stubs. Uses a private
 * CARGO_HOME in the cache (the user's ~/.cargo is never touched); rustup proxies keep using
 * ~/.rustup. Building the `jemalloc` feature compiles jemalloc from C: it needs `make` and `cc`.
 */
export function hostCargoOfflineEnv(options: { extraCrates?: readonly StubCrate[]; gitStubs?: readonly GitStub[] } = {}): HostCargoOfflineEnv {
  const crates = stubCrates(options.extraCrates);
  const real = realCrateSources();
  const gitStubs = options.gitStubs ?? [];
  const key = sha256(stubCratesHash(crates) + gitStubsHash(gitStubs) + real.hash).slice(0, 16);
  const base = cachePath('host-cargo', key);
  const vendorDir = path.join(base, 'vendor');
  const cargoHome = path.join(base, 'cargo-home');
  const configFile = path.join(cargoHome, 'config.toml');
  const gitDir = path.join(base, 'git');
  const marker = path.join(base, '.complete');
  if (!fs.existsSync(marker)) {
    fs.rmSync(vendorDir, { recursive: true, force: true });
    writeVendorDir(vendorDir, crates, real, 'link');
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
