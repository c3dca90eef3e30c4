/**
 * Local stand-ins for the base images a generated Dockerfile names (Docker Hub is unreachable),
 * created once and cached in the private buildah store (see ./buildah.ts):
 *
 * - `docker.io/library/debian:bookworm-slim`: `debootstrap --variant=minbase bookworm`, slimmed
 *   like the official image (no docs/man/locales, apt "docker-clean" settings, deb822 sources for
 *   bookworm, bookworm-updates and bookworm-security on deb.debian.org).
 * - `docker.io/library/rust:1.92-slim-bookworm` (the default builder, `RUST_STANDIN`): that base plus what the official `rust:*-slim`
 *   image has (apt `ca-certificates gcc libc6-dev`; rustup with a minimal-profile toolchain under
 *   RUSTUP_HOME=/usr/local/rustup, CARGO_HOME=/usr/local/cargo, PATH=/usr/local/cargo/bin:...),
 *   the toolchain being a copy of the HOST's stable toolchain (so its version is the host's, not
 *   1.92), plus the TEST-ONLY `$CARGO_HOME/config.toml` replacing crates-io by a directory source
 *   with the real tikv-jemallocator / tikv-jemalloc-sys, Debian's cc and libc, and any test stubs.
 *
 * `FROM debian:bookworm-slim` / `FROM rust:1.92-slim-bookworm` with `--pull-never` resolve to
 * these docker.io names (buildah normalises short names to docker.io when looking up local
 * images), so only the fully-qualified names are tagged.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildah, buildahOrThrow, imageExists, listImages, qualifyImageName, storageDriver } from './buildah';
import {
  cargoSourceReplacementToml, GitStub, gitInsteadOfConfig, gitStubsHash, StubCrate, stubCrates, stubCratesHash, writeGitStubRepos, writeVendorDir,
} from './cargo-stub';
import { RealCrateSources, realCrateSources } from './crate-sources';
import { cachePath, progress, run, runOrThrow, withCacheLock } from './exec';
import { BuilderBase } from '../../../src/plan/base-image';

export const DEBIAN_STANDIN = 'docker.io/library/debian:bookworm-slim';
/** The default builder image (`BuilderBase.DEFAULT_IMAGE`, the default Rust channel's): it follows the package. */
export const RUST_STANDIN = `docker.io/library/${BuilderBase.DEFAULT_IMAGE}`;

/** Bump when the base recipe changes (forces a new debootstrap + import). */
const BASE_RECIPE = 'debian-bookworm-minbase-slim-v1';
/** Bump when the rust recipe changes (forces a new rust stand-in). */
const RUST_RECIPE = 'rust-standin-v2-real-jemallocator';

/** What the official rust:*-slim images install with apt (their wget is removed again). */
export const OFFICIAL_RUST_SLIM_APT_PACKAGES: readonly string[] = ['ca-certificates', 'gcc', 'libc6-dev'];

const DEBIAN_MIRROR = process.env.PRO_IMAGE_DEBIAN_MIRROR || 'http://deb.debian.org/debian';

/** Paths inside the rust stand-in. */
export const STANDIN_RUSTUP_HOME = '/usr/local/rustup';
export const STANDIN_CARGO_HOME = '/usr/local/cargo';
export const STANDIN_VENDOR_DIR = '/usr/local/cargo/pro-standin-vendor';
export const STANDIN_GIT_STUBS_DIR = '/usr/local/cargo/pro-standin-git';

export type StandInKind = 'debian' | 'rust';

export interface StandInOptions {
  /**
   * More names for the stand-ins, e.g. `{ 'tercen/rust-operator-base:latest': 'rust',
   * 'tercen/runtime-base:latest': 'debian' }` (short names are qualified like buildah does).
   */
  readonly extraImages?: Readonly<Record<string, StandInKind>>;
  /** apt packages of the rust stand-in. Default {@link OFFICIAL_RUST_SLIM_APT_PACKAGES}. */
  readonly rustAptPackages?: readonly string[];
  /** Stub crates for the crates-io replacement, besides the real allocator crates (`realCrateSources`). */
  readonly extraCrates?: readonly StubCrate[];
  /**
   * Stand-ins for git dependencies (e.g. tercen-rs): local repositories + /etc/gitconfig
   * insteadOf rewrites + `net.git-fetch-with-cli`; the Dockerfile must install `git`.
   */
  readonly gitStubs?: readonly GitStub[];
  /** Host toolchain to copy. Default `${RUSTUP_HOME:-~/.rustup}/toolchains/stable-<host triple>`. */
  readonly hostToolchainDir?: string;
  /** Rebuild both stand-ins even when cached. */
  readonly rebuild?: boolean;
}

export interface StandInImages {
  readonly debian: string;
  readonly rust: string;
  /** Every stand-in name (defaults and extras) → image ID. */
  readonly images: Record<string, string>;
  /** `rustc --version` inside the rust stand-in (the host's toolchain). */
  readonly rustVersion: string;
  /** What had to be (re)built in this call: subset of `rootfs`, `debian`, `rust`. */
  readonly built: string[];
  readonly durationMs: number;
}

interface StandInState {
  debian?: { key: string; id: string };
  rust?: { key: string; id: string; rustVersion: string };
}

function stateFile(): string {
  return path.join(cachePath('standins'), `state-${storageDriver()}.json`);
}

function readState(): StandInState {
  try {
    return JSON.parse(fs.readFileSync(stateFile(), 'utf8'));
  } catch {
    return {};
  }
}

function writeState(s: StandInState): void {
  const f = stateFile();
  fs.writeFileSync(`${f}.tmp`, JSON.stringify(s, null, 2));
  fs.renameSync(`${f}.tmp`, f);
}

function hash(...parts: string[]): string {
  return crypto.createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

function hostTriple(): string {
  const arch = os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? 'aarch64' : os.arch();
  return `${arch}-unknown-linux-gnu`;
}

interface HostToolchain {
  readonly dir: string;
  readonly triple: string;
  /** e.g. `1.95.0` */
  readonly version: string;
  /** `rustc -vV` output (part of the cache key). */
  readonly verbose: string;
  /** Host rustup binary, when there is one. */
  readonly rustup?: string;
}

function hostToolchain(dir?: string): HostToolchain {
  const triple = hostTriple();
  const rustupHome = process.env.RUSTUP_HOME || path.join(os.homedir(), '.rustup');
  const tcDir = dir ?? path.join(rustupHome, 'toolchains', `stable-${triple}`);
  const rustc = path.join(tcDir, 'bin', 'rustc');
  if (!fs.existsSync(rustc)) {
    throw new Error(`ensureStandInImages: no host Rust toolchain at ${tcDir} (expected ${rustc}); pass hostToolchainDir`);
  }
  const v = runOrThrow(rustc, ['-vV'], {}, 'reading the host toolchain version');
  const m = /^release: (\S+)$/m.exec(v.stdout);
  if (!m) throw new Error(`ensureStandInImages: cannot parse \`rustc -vV\`:\n${v.stdout}`);
  const cargoHome = process.env.CARGO_HOME || path.join(os.homedir(), '.cargo');
  const rustup = path.join(cargoHome, 'bin', 'rustup');
  return { dir: tcDir, triple, version: m[1], verbose: v.stdout, rustup: fs.existsSync(rustup) ? rustup : undefined };
}

// ---------------------------------------------------------------------------------------------
// base rootfs

const SLIMIFY_SCRIPT = String.raw`set -eu
r="$1"
rm -f "$r"/var/cache/apt/archives/*.deb "$r"/var/cache/apt/archives/partial/*.deb "$r"/var/cache/apt/*.bin
rm -rf "$r"/var/lib/apt/lists/*
mkdir -p "$r"/var/lib/apt/lists/partial
find "$r/dev" -mindepth 1 -delete
rm -f "$r/etc/resolv.conf" "$r/etc/hostname" "$r/etc/apt/sources.list"
rm -rf "$r"/tmp/* "$r"/var/tmp/* "$r"/var/log/apt/* "$r"/var/log/bootstrap.log "$r"/var/log/dpkg.log "$r"/var/log/alternatives.log
mkdir -p "$r/etc/apt/sources.list.d" "$r/etc/apt/apt.conf.d" "$r/etc/dpkg/dpkg.cfg.d"
cat > "$r/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# what debuerreotype --slimify does for the official debian:*-slim images
cat > "$r/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
EOF
cat > "$r/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' > "$r/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' > "$r/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Apt::AutoRemove::SuggestsImportant "false";' > "$r/etc/apt/apt.conf.d/docker-autoremove-suggests"
# Stand-in only (not in the official image): this workplace's Debian mirror may serve Release files
# past their Valid-Until; the host's apt has the same setting.
printf 'Acquire::Check-Valid-Until "false";\n' > "$r/etc/apt/apt.conf.d/99pro-standin-mirror"
find "$r/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
for d in groff info linda lintian man; do rm -rf "$r/usr/share/$d"/*; done
find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
`;

/** The cached slim bookworm rootfs tarball (debootstrap on first use, about 25-40 s). */
function ensureBaseRootfs(baseKey: string, built: string[]): string {
  const dir = cachePath('standins');
  const tarball = path.join(dir, `rootfs-${baseKey}.tar`);
  if (fs.existsSync(tarball)) return tarball;
  for (const f of fs.readdirSync(dir)) {
    if (/^rootfs-.*\.tar$/.test(f)) fs.rmSync(path.join(dir, f), { force: true }); // older recipes
  }
  const work = path.join(dir, `work-rootfs-${process.pid}`);
  fs.rmSync(work, { recursive: true, force: true });
  const rootfs = path.join(work, 'rootfs');
  fs.mkdirSync(rootfs, { recursive: true });
  try {
    progress(`debootstrap --variant=minbase bookworm (${DEBIAN_MIRROR}) into ${rootfs} ...`);
    const t0 = Date.now();
    runOrThrow('debootstrap', ['--variant=minbase', 'bookworm', rootfs, DEBIAN_MIRROR], { timeoutMs: 20 * 60_000 }, 'debootstrap of the stand-in base');
    progress(`debootstrap done in ${((Date.now() - t0) / 1000).toFixed(1)}s; slimming and packing`);
    runOrThrow('sh', ['-c', SLIMIFY_SCRIPT, 'slimify', rootfs], {}, 'slimming the stand-in rootfs');
    const tmp = `${tarball}.tmp-${process.pid}`;
    runOrThrow('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-cf', tmp, '.'], { timeoutMs: 10 * 60_000 }, 'packing the stand-in rootfs');
    fs.renameSync(tmp, tarball);
    built.push('rootfs');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return tarball;
}

/** Removes a working container if it exists (leftover of an interrupted run). */
function removeContainerQuietly(name: string): void {
  buildah(['rm', name], { timeoutMs: 5 * 60_000 });
}

function buildDebianImage(tarball: string): string {
  const name = `pro-standin-debian-${process.pid}`;
  removeContainerQuietly(name);
  buildahOrThrow(['from', '--name', name, 'scratch'], {}, 'creating the debian stand-in container');
  try {
    buildahOrThrow(['add', name, tarball, '/'], { timeoutMs: 10 * 60_000 }, 'adding the rootfs to the debian stand-in');
    buildahOrThrow([
      'config',
      '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--cmd', '["bash"]',
      '--created-by', 'projen-rust-operator test stand-in: debootstrap --variant=minbase bookworm (slimmed)',
      name,
    ], {}, 'configuring the debian stand-in');
    const c = buildahOrThrow(['commit', '--rm', '--format', 'docker', name, DEBIAN_STANDIN], { timeoutMs: 10 * 60_000 }, 'committing the debian stand-in');
    return lastLine(c.stdout);
  } catch (e) {
    removeContainerQuietly(name);
    throw e;
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1].trim();
}

// ---------------------------------------------------------------------------------------------
// rust stand-in

const MINIMAL_PROFILE_DROP_BINS = ['cargo-clippy', 'clippy-driver', 'cargo-fmt', 'rustfmt'];

/** Lays out /usr/local/{rustup,cargo} like the official image (hard links into the host toolchain when possible). */
function stageRustTree(stage: string, tc: HostToolchain, crates: readonly StubCrate[], real: RealCrateSources, gitStubs: readonly GitStub[]): void {
  const usrLocal = path.join(stage, 'usr', 'local');
  const rustupHome = path.join(usrLocal, 'rustup');
  const cargoHome = path.join(usrLocal, 'cargo');
  const toolchainName = `${tc.version}-${tc.triple}`;
  const tcDest = path.join(rustupHome, 'toolchains', toolchainName);
  fs.mkdirSync(path.dirname(tcDest), { recursive: true });
  // hard links are instant and cost no space; fall back to a real copy across file systems
  let cp = run('cp', ['-al', tc.dir, tcDest], { timeoutMs: 10 * 60_000 });
  if (cp.code !== 0) {
    fs.rmSync(tcDest, { recursive: true, force: true });
    cp = runOrThrow('cp', ['-a', tc.dir, tcDest], { timeoutMs: 10 * 60_000 }, 'copying the host toolchain');
  }
  // minimal profile (rustc, rust-std, cargo) like the official slim images: no docs, clippy, rustfmt
  fs.rmSync(path.join(tcDest, 'share', 'doc'), { recursive: true, force: true });
  for (const b of MINIMAL_PROFILE_DROP_BINS) fs.rmSync(path.join(tcDest, 'bin', b), { force: true });
  const rustlib = path.join(tcDest, 'lib', 'rustlib');
  if (fs.existsSync(rustlib)) {
    for (const f of fs.readdirSync(rustlib)) {
      if (/^manifest-(clippy|rustfmt|rust-docs|rust-src|rust-analyzer)/.test(f)) fs.rmSync(path.join(rustlib, f), { force: true });
    }
    const components = path.join(rustlib, 'components');
    if (fs.existsSync(components)) {
      const kept = fs.readFileSync(components, 'utf8').split('\n')
        .filter((l) => l && !/^(clippy|rustfmt|rust-docs|rust-src|rust-analyzer)/.test(l));
      fs.rmSync(components); // it is a hard link into the host toolchain: unlink, never write through
      fs.writeFileSync(components, kept.join('\n') + '\n');
    }
  }
  fs.writeFileSync(path.join(rustupHome, 'settings.toml'), [
    'version = "12"',
    `default_toolchain = "${toolchainName}"`,
    'profile = "minimal"',
    '',
    '[overrides]',
    '',
  ].join('\n'));
  const bin = path.join(cargoHome, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const proxies = ['cargo', 'rustc', 'rustdoc', 'rust-gdb', 'rust-gdbgui', 'rust-lldb'];
  if (tc.rustup) {
    fs.copyFileSync(tc.rustup, path.join(bin, 'rustup'));
    fs.chmodSync(path.join(bin, 'rustup'), 0o755);
    for (const p of proxies) fs.symlinkSync('rustup', path.join(bin, p));
  } else {
    for (const p of proxies) {
      if (fs.existsSync(path.join(tcDest, 'bin', p))) {
        fs.symlinkSync(`${STANDIN_RUSTUP_HOME}/toolchains/${toolchainName}/bin/${p}`, path.join(bin, p));
      }
    }
  }
  writeVendorDir(path.join(usrLocal, 'cargo', path.basename(STANDIN_VENDOR_DIR)), crates, real, 'copy');
  fs.writeFileSync(path.join(cargoHome, 'config.toml'), cargoSourceReplacementToml(STANDIN_VENDOR_DIR, { gitFetchWithCli: gitStubs.length > 0 }));
  if (gitStubs.length > 0) {
    writeGitStubRepos(path.join(usrLocal, 'cargo', path.basename(STANDIN_GIT_STUBS_DIR)), gitStubs);
    fs.mkdirSync(path.join(stage, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(stage, 'etc', 'gitconfig'), [
      '# TEST-ONLY (projen-rust-operator image tests): git dependencies come from local stub repositories.',
      gitInsteadOfConfig(STANDIN_GIT_STUBS_DIR, gitStubs),
    ].join('\n'));
  }
}

// The official slim image has no `make`, which tikv-jemalloc-sys's build script needs: the probe
// resolves the real allocator crates (the whole graph, --locked) and builds without the feature;
// the generated Dockerfile installs make and builds jemalloc itself.
const RUST_PROBE_SCRIPT = String.raw`set -eu
rustup --version >/dev/null 2>&1 || true
rustc --version
cargo --version
rm -rf /tmp/pro-probe
cargo new --quiet --vcs none /tmp/pro-probe
cd /tmp/pro-probe
cat >> Cargo.toml <<'EOF'
tikv-jemallocator = { version = "0.6", optional = true }

[features]
default = ["jemalloc"]
jemalloc = ["dep:tikv-jemallocator"]
EOF
cat > src/main.rs <<'EOF'
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
fn main() { let v: Vec<u8> = vec![1, 2, 3]; println!("probe ok {}", v.len()); }
EOF
cargo generate-lockfile --offline
grep -A1 '^name = "tikv-jemalloc-sys"' Cargo.lock
cargo metadata --locked --offline --format-version 1 >/dev/null
cargo build --quiet --locked --no-default-features
./target/debug/pro-probe
cd /
rm -rf /tmp/pro-probe "$CARGO_HOME"/.package-cache* "$CARGO_HOME"/registry "$CARGO_HOME"/.global-cache
`;

function buildRustImage(
  tc: HostToolchain, crates: readonly StubCrate[], real: RealCrateSources, gitStubs: readonly GitStub[], aptPackages: readonly string[],
): { id: string; rustVersion: string } {
  const name = `pro-standin-rust-${process.pid}`;
  const stage = path.join(cachePath('standins'), `work-rust-${process.pid}`);
  fs.rmSync(stage, { recursive: true, force: true });
  removeContainerQuietly(name);
  buildahOrThrow(['from', '--pull-never', '--name', name, DEBIAN_STANDIN], {}, 'creating the rust stand-in container');
  try {
    progress(`rust stand-in: apt-get install ${aptPackages.join(' ')}`);
    buildahOrThrow(['run', '--isolation', 'chroot', name, '--', 'sh', '-c',
      'set -eux; apt-get update; DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; rm -rf /var/lib/apt/lists/*',
      'apt', ...aptPackages], { timeoutMs: 20 * 60_000 }, 'installing the rust stand-in apt packages');
    progress(`rust stand-in: copying the host toolchain ${tc.version} (${tc.dir})`);
    stageRustTree(stage, tc, crates, real, gitStubs);
    buildahOrThrow(['copy', name, path.join(stage, 'usr', 'local'), '/usr/local'], { timeoutMs: 20 * 60_000 }, 'copying the toolchain into the rust stand-in');
    if (gitStubs.length > 0) {
      buildahOrThrow(['copy', name, path.join(stage, 'etc', 'gitconfig'), '/etc/gitconfig'], {}, 'copying /etc/gitconfig into the rust stand-in');
    }
    buildahOrThrow([
      'config',
      '--env', `RUSTUP_HOME=${STANDIN_RUSTUP_HOME}`,
      '--env', `CARGO_HOME=${STANDIN_CARGO_HOME}`,
      '--env', 'PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--env', `RUST_VERSION=${tc.version}`,
      '--created-by', `projen-rust-operator test stand-in: host Rust ${tc.version} + crate sources (${[...real.crateDirs.map((d) => path.basename(d)), ...crates.map((c) => `${c.name}-${c.version} (stub)`)].join(', ')})`,
      name,
    ], {}, 'configuring the rust stand-in');
    progress('rust stand-in: probing cargo with the replaced crates-io source');
    const probe = buildahOrThrow(['run', '--isolation', 'chroot', name, '--', 'sh', '-c',
      `chmod -R a+w ${STANDIN_RUSTUP_HOME} ${STANDIN_CARGO_HOME}\n${RUST_PROBE_SCRIPT}`],
    { timeoutMs: 10 * 60_000 }, 'probing the rust stand-in (cargo resolution and build with the replaced crates-io source)');
    if (!/probe ok 3/.test(probe.stdout)) {
      throw new Error(`rust stand-in probe did not print "probe ok 3":\n${probe.stdout}\n${probe.stderr}`);
    }
    const rustVersion = (/^rustc .*$/m.exec(probe.stdout) ?? [''])[0];
    const c = buildahOrThrow(['commit', '--rm', '--format', 'docker', name, RUST_STANDIN], { timeoutMs: 20 * 60_000 }, 'committing the rust stand-in');
    return { id: lastLine(c.stdout), rustVersion };
  } catch (e) {
    removeContainerQuietly(name);
    throw e;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Creates (once; cached between runs) the local stand-ins for `debian:bookworm-slim` and
 * `RUST_STANDIN` (`rust:1.92-slim-bookworm`), plus `extraImages`. A cached call costs one `buildah images`
 * (well under a second). Safe to call from several jest workers (a lock file serialises them).
 */
export function ensureStandInImages(options: StandInOptions = {}): StandInImages {
  const t0 = Date.now();
  const crates = stubCrates(options.extraCrates);
  const real = realCrateSources();
  const gitStubs = options.gitStubs ?? [];
  const aptPackages = [...(options.rustAptPackages ?? OFFICIAL_RUST_SLIM_APT_PACKAGES)].sort();
  const tc = hostToolchain(options.hostToolchainDir);
  const baseKey = hash(BASE_RECIPE, DEBIAN_MIRROR);
  const rustKey = hash(RUST_RECIPE, baseKey, tc.dir, tc.verbose, tc.rustup ?? 'no-rustup',
    stubCratesHash(crates), real.hash, gitStubsHash(gitStubs), aptPackages.join(' '));
  const extras = Object.entries(options.extraImages ?? {}).map(([n, kind]) => {
    if (kind !== 'debian' && kind !== 'rust') throw new Error(`ensureStandInImages: extraImages[${n}] must be 'debian' or 'rust', got ${kind}`);
    return { name: qualifyImageName(n), kind };
  });

  const isCurrent = (state: StandInState): boolean => {
    if (options.rebuild) return false;
    if (state.debian?.key !== baseKey || state.rust?.key !== rustKey) return false;
    const byName = new Map<string, string>();
    for (const img of listImages()) for (const n of img.names) byName.set(n, img.id);
    const idOk = (n: string, id: string) => byName.has(n) && id.startsWith(byName.get(n)!);
    if (!idOk(DEBIAN_STANDIN, state.debian.id) || !idOk(RUST_STANDIN, state.rust.id)) return false;
    return extras.every((e) => idOk(e.name, e.kind === 'rust' ? state.rust!.id : state.debian!.id));
  };

  const result = (state: StandInState, built: string[]): StandInImages => {
    const images: Record<string, string> = { [DEBIAN_STANDIN]: state.debian!.id, [RUST_STANDIN]: state.rust!.id };
    for (const e of extras) images[e.name] = e.kind === 'rust' ? state.rust!.id : state.debian!.id;
    return { debian: DEBIAN_STANDIN, rust: RUST_STANDIN, images, rustVersion: state.rust!.rustVersion, built, durationMs: Date.now() - t0 };
  };

  const fast = readState();
  if (isCurrent(fast)) return result(fast, []);

  return withCacheLock('standins', () => {
    const state = readState();
    if (isCurrent(state)) return result(state, []);
    const built: string[] = [];
    progress('creating stand-in base images (cached afterwards) ...');
    if (options.rebuild || state.debian?.key !== baseKey || !imageExists(DEBIAN_STANDIN)) {
      const tarball = ensureBaseRootfs(baseKey, built);
      const t = Date.now();
      const id = buildDebianImage(tarball);
      state.debian = { key: baseKey, id };
      state.rust = undefined; // built FROM the debian stand-in
      writeState(state);
      built.push('debian');
      progress(`debian stand-in ${DEBIAN_STANDIN} = ${id.slice(0, 12)} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
    }
    if (options.rebuild || state.rust?.key !== rustKey || !imageExists(RUST_STANDIN)) {
      const t = Date.now();
      const r = buildRustImage(tc, crates, real, gitStubs, aptPackages);
      state.rust = { key: rustKey, id: r.id, rustVersion: r.rustVersion };
      writeState(state);
      built.push('rust');
      progress(`rust stand-in ${RUST_STANDIN} = ${r.id.slice(0, 12)}, ${r.rustVersion} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
    }
    for (const e of extras) {
      const id = e.kind === 'rust' ? state.rust!.id : state.debian!.id;
      buildahOrThrow(['tag', id, e.name], {}, `tagging stand-in ${e.name}`);
    }
    // the debian/rust names might have been removed while the images stayed
    buildahOrThrow(['tag', state.debian!.id, DEBIAN_STANDIN], {}, 'tagging the debian stand-in');
    buildahOrThrow(['tag', state.rust!.id, RUST_STANDIN], {}, 'tagging the rust stand-in');
    if (built.includes('debian') || built.includes('rust')) {
      // The previous stand-ins are now untagged, and so is every layer-cache image built on
      // them: useless, and with vfs several GB. Drop all untagged images (the layer cache).
      const p = buildah(['rmi', '--prune'], { timeoutMs: 10 * 60_000 });
      progress(p.code === 0 ? 'removed untagged images (previous stand-ins and the layer cache built on them)'
        : `WARNING: buildah rmi --prune failed: ${p.stderr.trim().split('\n').pop()}`);
    }
    const out = result(state, built);
    progress(`stand-in images ready in ${(out.durationMs / 1000).toFixed(1)}s (built: ${built.join(', ') || 'nothing'})`);
    return out;
  });
}
