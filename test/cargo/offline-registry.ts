// An offline stand-in for crates.io (and git sources) that lets `cargo metadata --offline`
// resolve a whole dependency graph: the vendored tikv-jemallocator (../shared/vendor/cargo),
// Debian's crates (/usr/share/cargo/registry) and generated stub crates of the right name,
// version and features for everything else. The configuration is passed on the command line
// (`--config`), so nothing is written next to the crate under test.
import * as fs from 'fs';
import * as path from 'path';
import { makeTempDir, runCargo, CargoRun } from './support';

/** The repository's shared folder: `../shared` beside the repository root, as in CI. */
export const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared');
export const VENDOR = path.join(SHARED, 'vendor', 'cargo');
export const DEBIAN_REGISTRY = '/usr/share/cargo/registry';

/** A crate to generate. */
export interface StubCrate {
  readonly name: string;
  readonly version: string;
  readonly features?: readonly string[];
  /** `links = "..."` (gets an empty build script, as cargo requires). */
  readonly links?: string;
  /** Dependencies, name to requirement. */
  readonly dependencies?: { readonly [name: string]: string };
}

/** A git source to replace by the offline directory (as `cargo vendor` prints it). */
export interface GitSource {
  readonly git: string;
  readonly branch?: string;
  readonly tag?: string;
  readonly rev?: string;
  /** The packages taken from it (seeded into Cargo.lock, which a replaced git source needs). */
  readonly packages: readonly { readonly name: string; readonly version: string }[];
}

/** Crates available without a stub: directory name `name-version`. */
export function availableCrates(): { name: string; version: string }[] {
  const dirs = [VENDOR, DEBIAN_REGISTRY].filter(d => fs.existsSync(d)).flatMap(d => fs.readdirSync(d).map(n => path.join(d, n)));
  return dirs.filter(d => fs.existsSync(path.join(d, 'Cargo.toml'))).map(d => {
    const m = /^(.*)-(\d+\.\d+\.\d+.*)$/.exec(path.basename(d))!;
    return { name: m[1], version: m[2] };
  });
}

/** Writes a stub crate's folder into a directory source. */
export function writeStub(dir: string, stub: StubCrate): void {
  const root = path.join(dir, `${stub.name}-${stub.version}`);
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
  const features = [...new Set(stub.features ?? [])].filter(f => f !== 'default').sort();
  const lines = [
    '[package]', `name = ${JSON.stringify(stub.name)}`, `version = ${JSON.stringify(stub.version)}`, 'edition = "2015"',
    ...(stub.links ? [`links = ${JSON.stringify(stub.links)}`, 'build = "build.rs"'] : []),
    '', '[lib]', 'path = "src/lib.rs"', '', '[features]', 'default = []', ...features.map(f => `${JSON.stringify(f)} = []`),
    '', '[dependencies]', ...Object.entries(stub.dependencies ?? {}).map(([n, v]) => `${JSON.stringify(n)} = ${JSON.stringify(v)}`), '',
  ];
  fs.writeFileSync(path.join(root, 'Cargo.toml'), lines.join('\n'));
  fs.writeFileSync(path.join(root, 'src', 'lib.rs'), '');
  if (stub.links) fs.writeFileSync(path.join(root, 'build.rs'), 'fn main() {}\n');
  fs.writeFileSync(path.join(root, '.cargo-checksum.json'), '{"files":{},"package":null}');
}

/** An offline directory source holding the vendored and Debian crates plus `stubs`. */
export class OfflineRegistry {
  public readonly dir: string;
  private readonly gits: GitSource[] = [];

  constructor(stubs: readonly StubCrate[] = [], gits: readonly GitSource[] = []) {
    this.dir = makeTempDir('cargo-offline');
    for (const d of [VENDOR, DEBIAN_REGISTRY].filter(x => fs.existsSync(x))) {
      for (const name of fs.readdirSync(d)) {
        if (fs.existsSync(path.join(d, name, 'Cargo.toml')) && !fs.existsSync(path.join(this.dir, name))) {
          fs.symlinkSync(path.join(d, name), path.join(this.dir, name));
        }
      }
    }
    for (const stub of stubs) {
      if (!fs.existsSync(path.join(this.dir, `${stub.name}-${stub.version}`))) writeStub(this.dir, stub);
    }
    this.gits.push(...gits);
  }

  /** `--config` arguments replacing crates.io and the git sources by this directory. */
  public configArgs(): string[] {
    const args = ['source.crates-io.replace-with="offline"', `source.offline.directory=${JSON.stringify(this.dir)}`];
    this.gits.forEach((g, i) => {
      args.push(`source.git${i}.git=${JSON.stringify(g.git)}`, `source.git${i}.replace-with="offline"`);
      for (const key of ['branch', 'tag', 'rev'] as const) {
        if (g[key] !== undefined) args.push(`source.git${i}.${key}=${JSON.stringify(g[key])}`);
      }
    });
    return args.flatMap(a => ['--config', a]);
  }

  /**
   * `cargo metadata --offline` (dependencies resolved) in a crate directory. With git sources,
   * a Cargo.lock naming their packages is seeded first in `dir` (a replaced git source needs
   * one; cargo completes it).
   */
  public metadata(dir: string): CargoRun & { json?: any } {
    const lock = path.join(dir, 'Cargo.lock');
    if (this.gits.length > 0 && !fs.existsSync(lock)) {
      const entries = this.gits.flatMap(g => {
        const query = g.tag !== undefined ? `?tag=${g.tag}` : g.branch !== undefined ? `?branch=${g.branch}` : g.rev !== undefined ? `?rev=${g.rev}` : '';
        const commit = g.rev !== undefined && /^[0-9a-f]{40}$/.test(g.rev) ? g.rev : '0'.repeat(40);
        return g.packages.map(p => `[[package]]\nname = ${JSON.stringify(p.name)}\nversion = ${JSON.stringify(p.version)}\nsource = "git+${g.git}${query}#${commit}"\n`);
      });
      fs.writeFileSync(lock, `version = 4\n\n${entries.join('\n')}`);
    }
    const run = runCargo(dir, ['metadata', '--offline', '--format-version', '1', ...this.configArgs()]);
    return { ...run, json: run.status === 0 ? JSON.parse(run.stdout) : undefined };
  }
}

/** tikv-jemallocator and its -sys crate at a version the vendor folder lacks (links = "jemalloc" kept). */
export function jemallocStubs(version: string): StubCrate[] {
  return [
    { name: 'tikv-jemalloc-sys', version, links: 'jemalloc', features: ['profiling', 'stats', 'background_threads_runtime_support', 'unprefixed_malloc_on_supported_platforms', 'disable_initial_exec_tls'] },
    { name: 'tikv-jemallocator', version, dependencies: { 'tikv-jemalloc-sys': `=${version}` }, features: ['profiling', 'stats', 'background_threads', 'background_threads_runtime_support', 'unprefixed_malloc_on_supported_platforms', 'disable_initial_exec_tls'] },
  ];
}
