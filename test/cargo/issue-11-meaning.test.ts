// Issue 11, "Cargo.toml: keep the user's meaning, not only their bytes": each numbered case as a
// minimal manifest, checked by cargo itself (`cargo metadata --offline` resolving the dependency
// graph against the vendored tikv-jemallocator, Debian's crates and stubs).
import * as fs from 'fs';
import * as path from 'path';
import { LogLevel, Project } from 'projen';
import { jemallocStubs, OfflineRegistry } from './offline-registry';
import { makeTempDir, removeTempDirs, scratchCrate, plainToml } from './support';
import { CargoManifest, CargoManifestOptions } from '../../src/cargo/cargo-manifest';
import { Allocator } from '../../src/core/allocator';
import { OptionError } from '../../src/core/errors';
import { OperatorManifest } from '../../src/tercen/operator-manifest';

afterAll(removeTempDirs);

const PACKAGE = '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n';

/** Synthesizes a CargoManifest over `dir` and returns the project and what it logged at info level. */
function synth(dir: string, options: CargoManifestOptions = {}) {
  const project = new Project({ name: 'demo', outdir: dir, logging: { level: LogLevel.OFF } });
  const cargo = new CargoManifest(project, options);
  const logged: string[] = [];
  const info = project.logger.info.bind(project.logger);
  project.logger.info = (...text: any[]) => {
    logged.push(text.join(' '));
    info(...text);
  };
  project.synth();
  return { project, cargo, logged, text: fs.readFileSync(path.join(dir, 'Cargo.toml'), 'utf8') };
}

function optionError(run: () => void): OptionError {
  try {
    run();
  } catch (e) {
    if (e instanceof OptionError) return e;
    throw e;
  }
  throw new Error('expected an OptionError, none was thrown');
}

describe('1. the user\'s default features are kept', () => {
  test('the allocator feature is appended to default; cargo resolves both', () => {
    const dir = scratchCrate(`${PACKAGE}\n[features]\ndefault = ["cli", "tls"]\ncli = []\ntls = []\n`);
    const { text } = synth(dir);
    expect(plainToml(text).features.default).toEqual(['cli', 'tls', 'jemalloc']);
    const run = new OfflineRegistry().metadata(dir);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.json.packages.find((p: any) => p.name === 'demo').features.default).toEqual(['cli', 'tls', 'jemalloc']);
  });

  test('defaultFeatures still states the whole list', () => {
    const dir = scratchCrate(`${PACKAGE}\n[features]\ndefault = ["cli"]\ncli = []\n`);
    expect(plainToml(synth(dir, { defaultFeatures: ['jemalloc'] }).text).features.default).toEqual(['jemalloc']);
  });
});

describe('3. a tikv-jemallocator the user already has is adopted, never doubled', () => {
  test('[target.\'cfg(unix)\'.dependencies] tikv-jemallocator = "0.7": one requirement, cargo resolves it', () => {
    const dir = scratchCrate(`${PACKAGE}\n[target.'cfg(unix)'.dependencies]\ntikv-jemallocator = "0.7"\n`);
    const { text, logged } = synth(dir);
    const value = plainToml(text);
    expect(value.dependencies?.['tikv-jemallocator']).toBeUndefined(); // adopted where it is
    expect(value.target['cfg(unix)'].dependencies['tikv-jemallocator']).toBe('0.7');
    expect(value.features.jemalloc).toEqual([]); // linked already; the feature only turns on cfg(feature = "jemalloc")
    const run = new OfflineRegistry(jemallocStubs('0.7.0')).metadata(dir);
    expect(run.stderr).not.toMatch(/links to the native library/);
    expect(run.status).toBe(0);
    expect(run.json.packages.filter((p: any) => p.name === 'tikv-jemalloc-sys').length).toBe(1);
    expect(logged).toEqual([]);
  });

  test('a dependency for another platform gets ours beside it, with the same requirement', () => {
    const dir = scratchCrate(`${PACKAGE}\n[target.'cfg(all(target_env = "musl", target_pointer_width = "64"))'.dependencies.tikv-jemallocator]\nversion = "0.7.0"\n`);
    const value = plainToml(synth(dir).text);
    expect(value.dependencies['tikv-jemallocator']).toEqual({ version: '0.7.0', optional: true });
    const run = new OfflineRegistry(jemallocStubs('0.7.0')).metadata(dir);
    expect(run.status).toBe(0);
    expect(run.json.packages.filter((p: any) => p.name === 'tikv-jemallocator').map((p: any) => p.version)).toEqual(['0.7.0']);
  });

  test('renamed with package =, optional, in [dependencies]: adopted under its key', () => {
    const dir = scratchCrate(`${PACKAGE}\n[dependencies]\njemallocator = { package = "tikv-jemallocator", version = "0.6", optional = true }\n`);
    const value = plainToml(synth(dir).text);
    expect(value.dependencies).toEqual({ jemallocator: { package: 'tikv-jemallocator', version: '0.6', optional: true } });
    expect(value.features.jemalloc).toEqual(['dep:jemallocator']);
    expect(new OfflineRegistry().metadata(dir).status).toBe(0);
  });

  test('an explicit allocator crate version that conflicts is refused with the file, line and what to change', () => {
    const dir = scratchCrate(`${PACKAGE}\n[dependencies]\ntikv-jemallocator = { version = "0.7", optional = true }\n`);
    const before = fs.readFileSync(path.join(dir, 'Cargo.toml'), 'utf8');
    const error = optionError(() => synth(dir, { allocator: new Allocator({ crateVersion: '^0.6.1' }) }));
    expect(error.subject).toBe('Cargo.toml:7');
    expect(error.message).toMatch(/links = "jemalloc"/);
    expect(error.message).toMatch(/Set allocator.crateVersion to "0.7"/);
    expect(fs.readFileSync(path.join(dir, 'Cargo.toml'), 'utf8')).toBe(before);
    // Left at its default, the allocator's requirement follows the user's: their entry is adopted.
    const adopted = plainToml(synth(dir).text);
    expect(adopted.dependencies).toEqual({ 'tikv-jemallocator': { version: '0.7', optional: true } });
    expect(adopted.features.jemalloc).toEqual(['dep:tikv-jemallocator']);
  });
});

describe('4. workspaces', () => {
  test('a virtual root: the member with the binary gets features and dependency, the root the profiles', () => {
    const root = makeTempDir('cargo-virtual');
    fs.writeFileSync(path.join(root, 'Cargo.toml'), '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n');
    scratchCrate('[package]\nname = "util"\nversion = "0.1.0"\nedition = "2021"\n', { 'src/lib.rs': '' }, path.join(root, 'crates', 'util'));
    fs.rmSync(path.join(root, 'crates', 'util', 'src', 'main.rs'));
    scratchCrate('[package]\nname = "op"\nversion = "0.1.0"\nedition = "2021"\n', {}, path.join(root, 'crates', 'op'));
    const { cargo } = synth(root);
    const rootValue = plainToml(fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8'));
    const member = plainToml(fs.readFileSync(path.join(root, 'crates', 'op', 'Cargo.toml'), 'utf8'));
    expect(rootValue.profile.release['opt-level']).toBe('z');
    expect(rootValue.features).toBeUndefined();
    expect(member.profile).toBeUndefined();
    expect(member.features.jemalloc).toEqual(['dep:tikv-jemallocator']);
    expect(cargo.package.name).toBe('op');
    expect(cargo.package.buildPackageArgument).toBe('op');
    expect(cargo.package.manifestFilesToCopy).toEqual(['Cargo.toml', 'crates/op/Cargo.toml', 'crates/util/Cargo.toml']);
    expect(cargo.package.dependencyStubs).toEqual([
      { path: 'crates/op/src/main.rs', kind: 'bin' },
      { path: 'crates/util/src/lib.rs', kind: 'lib' },
    ]);
    const run = new OfflineRegistry().metadata(root);
    expect(run.stderr).not.toMatch(/warning: profiles for the non root package will be ignored/);
    expect(run.status).toBe(0);
  });

  test('a member in a subdirectory project: profiles go to the root above', () => {
    const root = makeTempDir('cargo-member');
    fs.writeFileSync(path.join(root, 'Cargo.toml'), '[workspace]\nmembers = ["op"]\nresolver = "2"\n\n[workspace.package]\nversion = "1.4.0"\n');
    const dir = scratchCrate('[package]\nname = "op"\nversion.workspace = true\nedition = "2021"\n', {}, path.join(root, 'op'));
    const { cargo } = synth(dir);
    expect(cargo.packageVersion).toBe('1.4.0');
    expect(plainToml(fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8')).profile.release['opt-level']).toBe('z');
    expect(plainToml(fs.readFileSync(path.join(dir, 'Cargo.toml'), 'utf8')).profile).toBeUndefined();
    expect(new OfflineRegistry().metadata(root).status).toBe(0);
  });
});

describe('5. binaries as cargo sees them', () => {
  test.each([
    ['[[bin]] name = "tool" without src/main.rs', `${PACKAGE}\n[[bin]]\nname = "tool"\n`, { 'src/bin/tool.rs': 'fn main() {}\n' }, ['tool']],
    ['bat\'s src/bin/bat/main.rs', PACKAGE.replace('demo', 'bat'), { 'src/bin/bat/main.rs': 'fn main() {}\n', 'src/lib.rs': '' }, ['bat']],
    ['autobins = false with a declared binary', `${PACKAGE}autobins = false\n\n[[bin]]\nname = "run"\npath = "src/run.rs"\n`, { 'src/run.rs': 'fn main() {}\n', 'src/bin/extra.rs': 'fn main() {}\n' }, ['run']],
  ])('%s', (_, toml, files, binaries) => {
    const dir = makeTempDir('cargo-bins');
    scratchCrate(toml, files as any, dir);
    fs.rmSync(path.join(dir, 'src', 'main.rs'));
    const { cargo } = synth(dir);
    expect(cargo.package.binaries).toEqual(binaries);
    expect(cargo.package.hasBinary).toBe(true);
    expect(cargo.package.chooseBinary()).toBe(binaries[0]);
    const cargoBins = new OfflineRegistry().metadata(dir).json.packages.find((p: any) => p.name === cargo.package.name).targets.filter((t: any) => t.kind.includes('bin')).map((t: any) => t.name);
    expect(cargoBins).toEqual(binaries);
  });

  test('several binaries: default-run, else the one named like the package, else an error listing them', () => {
    const files = { 'src/bin/a.rs': 'fn main() {}\n', 'src/bin/b.rs': 'fn main() {}\n' };
    const dir = scratchCrate(PACKAGE.replace('edition', 'default-run = "b"\nedition'), files);
    expect(synth(dir).cargo.package.chooseBinary()).toBe('b');
    expect(synth(scratchCrate(PACKAGE, files)).cargo.package.chooseBinary()).toBe('demo');
    const none = makeTempDir('cargo-bins');
    scratchCrate(PACKAGE, files, none);
    fs.rmSync(path.join(none, 'src', 'main.rs'));
    const error = optionError(() => synth(none).cargo.package.chooseBinary());
    expect(error.subject).toBe('binaryName');
    expect(error.message).toMatch(/"a", "b"/);
    expect(synth(none).cargo.package.chooseBinary('b')).toBe('b');
    expect(optionError(() => synth(none).cargo.package.chooseBinary('c')).message).toMatch(/"c" is not a binary/);
  });

  test('a crate without any binary has none (the sample src/main.rs is for it only)', () => {
    const dir = makeTempDir('cargo-lib');
    scratchCrate(PACKAGE, { 'src/lib.rs': '' }, dir);
    fs.rmSync(path.join(dir, 'src', 'main.rs'));
    expect(synth(dir).cargo.package.hasBinary).toBe(false);
  });
});

describe('6. inherited package keys', () => {
  test('version.workspace = true is the root\'s version, not 0.1.0', () => {
    const dir = scratchCrate('[package]\nname = "demo"\nversion.workspace = true\nedition.workspace = true\ndescription = { workspace = true }\n\n'
      + '[workspace]\n\n[workspace.package]\nversion = "2.3.4"\nedition = "2021"\ndescription = "from the root"\n');
    const { cargo } = synth(dir);
    expect(cargo.packageVersion).toBe('2.3.4');
    expect(cargo.package.edition).toBe('2021');
    expect(cargo.package.description).toBe('from the root');
    expect(cargo.package.workspaceRole).toBe('root-package');
  });
});

describe('7. comments on managed lines', () => {
  test('survive when the value is unchanged and move with the key when it changes', () => {
    const dir = scratchCrate(`${PACKAGE}\n[profile.release]\nopt-level = 2  # Still optimized, but less aggressive\nlto = true # whole program\n`);
    const { text } = synth(dir);
    expect(text).toContain('opt-level = "z"  # Still optimized, but less aggressive\n');
    expect(text).toContain('lto = true # whole program\n');
    expect(synth(dir).text).toBe(text);
  });
});

describe('8. a user feature naming the implicit feature keeps working', () => {
  test('fast-alloc = ["tikv-jemallocator"] with an optional tikv-jemallocator', () => {
    const dir = scratchCrate(`${PACKAGE}\n[dependencies]\ntikv-jemallocator = { version = "0.6", optional = true }\n\n[features]\nfast-alloc = ["tikv-jemallocator"]\n`);
    const value = plainToml(synth(dir).text);
    expect(value.features.jemalloc).toEqual(['tikv-jemallocator']);
    const run = new OfflineRegistry().metadata(dir);
    expect(run.stderr).not.toMatch(/without an implicit feature/);
    expect(run.status).toBe(0);
  });
});

describe('9. a pre-release version', () => {
  test('is the container tag; a version the tag cannot carry names Cargo.toml and its line', () => {
    const dir = scratchCrate(PACKAGE.replace('0.1.0', '0.2.0-dev'));
    const project = new Project({ name: 'demo', outdir: dir, logging: { level: LogLevel.OFF } });
    new CargoManifest(project);
    new OperatorManifest(project, { imageName: 'ghcr.io/tercen/demo' });
    project.synth();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'operator.json'), 'utf8')).container).toBe('ghcr.io/tercen/demo:0.2.0-dev');

    const bad = scratchCrate(PACKAGE.replace('0.1.0', '0.2.0+build.5'));
    const error = optionError(() => {
      const p = new Project({ name: 'demo', outdir: bad, logging: { level: LogLevel.OFF } });
      new CargoManifest(p);
      new OperatorManifest(p, { imageName: 'ghcr.io/tercen/demo' });
      p.synth();
    });
    expect(error.subject).toBe('Cargo.toml:3');
    expect(error.message).toMatch(/\+build.5/);
  });
});

describe('say what changes', () => {
  test('one line per managed value changed from the user\'s, with the option that keeps it; nothing the second time', () => {
    const dir = scratchCrate(`${PACKAGE}\n[features]\ndefault = ["cli"]\ncli = []\n\n[profile.release]\nopt-level = 3\nlto = true\n`);
    const first = synth(dir).logged;
    expect(first).toEqual([
      'Cargo.toml:7 [features] default: ["cli"] -> ["cli", "jemalloc"] (to keep ["cli"]: defaultFeatures: ["cli"] in .projenrc.ts)',
      'Cargo.toml:11 [profile.release] opt-level: 3 -> "z" (to keep 3: cargo.addProfile(\'release\', { ...CargoManifest.RELEASE_PROFILE, optLevel: CargoOptLevel.O3 }) in .projenrc.ts)',
    ]);
    expect(synth(dir).logged).toEqual([]);
  });
});
