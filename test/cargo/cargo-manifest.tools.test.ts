import * as fs from 'fs';
import * as path from 'path';
import { LogLevel, Project, Testing } from 'projen';
import { cargoMetadata, linesOf, makeTempDir, plainToml, stripManagedBlocks, removeTempDirs } from './support';
import { CargoManifest, CargoManifestOptions, RustEdition } from '../../src/cargo/cargo-manifest';
import { CargoLto, CargoOptLevel } from '../../src/cargo/cargo-profile';
import { CargoTargetKind } from '../../src/cargo/cargo-target';
import { Allocator, AllocatorMode } from '../../src/core/allocator';
import { OptionError } from '../../src/core/errors';

const FIXTURE = fs.readFileSync(path.join(__dirname, 'fixtures', 'ggrs_plot_operator.Cargo.toml'), 'utf8');
afterAll(removeTempDirs);

const FIXTURE_FILES = { 'src/lib.rs': '', 'src/bin/dev.rs': 'fn main() {}\n', 'build.rs': 'fn main() {}\n' };

/** A plain projen project in a fresh temp dir, optionally with a Cargo.toml already there. */
function setup(options: CargoManifestOptions = {}, cargoToml?: string, name = 'demo-operator', outdir = makeTempDir('cargo-manifest')) {
  if (cargoToml !== undefined) {
    fs.writeFileSync(path.join(outdir, 'Cargo.toml'), cargoToml);
  }
  const project = new Project({ name, outdir, logging: { level: LogLevel.OFF } });
  const cargo = new CargoManifest(project, options);
  return { project, cargo, outdir, file: path.join(outdir, 'Cargo.toml') };
}

/** Runs a synth of a new project over the same dir (as a second `npx projen` would). */
function resynth(outdir: string, options: CargoManifestOptions = {}, name = 'demo-operator'): string {
  const project = new Project({ name, outdir, logging: { level: LogLevel.OFF } });
  new CargoManifest(project, options);
  project.synth();
  return fs.readFileSync(path.join(outdir, 'Cargo.toml'), 'utf8');
}

function ownerWritable(file: string): boolean {
  return (fs.statSync(file).mode & 0o200) !== 0; // eslint-disable-line no-bitwise
}

function optionError(run: () => void): OptionError {
  try {
    run();
  } catch (e) {
    if (e instanceof OptionError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected an OptionError, none was thrown');
}

/** Every file under a dir with its bytes and mtime, to prove nothing was written. */
function snapshotDir(dir: string): { [file: string]: string } {
  const out: { [file: string]: string } = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else {
        out[path.relative(dir, full)] = `${fs.statSync(full).mtimeMs}:${fs.readFileSync(full, 'base64')}`;
      }
    }
  };
  walk(dir);
  return out;
}

describe('scaffolding a missing Cargo.toml', () => {
  test('writes [package] and [dependencies] once, then the managed tables', () => {
    const { project } = setup({ rustVersion: '1.85' });
    const files = Testing.synth(project);
    expect(files['Cargo.toml']).toMatchSnapshot();
    const value = plainToml(files['Cargo.toml']);
    expect(value.package).toEqual({ 'name': 'demo-operator', 'version': '0.1.0', 'edition': '2021', 'rust-version': '1.85' });
    expect(value.dependencies).toEqual({ 'tikv-jemallocator': { version: '0.6', optional: true } });
    expect(value.features).toEqual({ default: ['jemalloc'], jemalloc: ['dep:tikv-jemallocator'] });
    expect(value.profile).toEqual({
      release: { 'opt-level': 'z', 'lto': true, 'codegen-units': 1, 'strip': true },
      maxperf: { 'inherits': 'release', 'opt-level': 3, 'lto': 'fat' },
    });
    const run = cargoMetadata(files['Cargo.toml']);
    expect(run.stderr).toBe('');
    expect(run.json.packages[0].features).toEqual({ default: ['jemalloc'], jemalloc: ['dep:tikv-jemallocator'] });
  });

  test('uses packageName and edition, and never scaffolds again', () => {
    const { project, file, outdir } = setup({ packageName: 'plot_op', edition: RustEdition.EDITION_2024, allocator: new Allocator({ mode: AllocatorMode.SYSTEM }) });
    project.synth();
    const first = fs.readFileSync(file, 'utf8');
    expect(first).toBe([
      '[package]', 'name = "plot_op"', 'version = "0.1.0"', 'edition = "2024"', '',
      '[dependencies]', '',
      '[profile.release]',
      '# managed by projen-rust-operator (edit .projenrc.ts): opt-level, lto, codegen-units, strip',
      'opt-level = "z"', 'lto = true', 'codegen-units = 1', 'strip = true', '',
      '[profile.maxperf]',
      '# managed by projen-rust-operator (edit .projenrc.ts): inherits, opt-level, lto',
      'inherits = "release"', 'opt-level = 3', 'lto = "fat"', '',
    ].join('\n'));
    // The user renames the package and bumps the version: scaffolding never happens again.
    fs.writeFileSync(file, first.replace('name = "plot_op"', 'name = "renamed"').replace('0.1.0', '0.2.0'));
    const second = resynth(outdir, { packageName: 'plot_op', edition: RustEdition.EDITION_2024, allocator: new Allocator({ mode: AllocatorMode.SYSTEM }) });
    expect(second).toContain('name = "renamed"\nversion = "0.2.0"\n');
  });

  test('stays writable, is not a projen-owned file, survives cleanup, and is written only when its bytes change', () => {
    const { project, file, outdir } = setup();
    project.synth();
    expect(ownerWritable(file)).toBe(true);
    const owned = JSON.parse(fs.readFileSync(path.join(outdir, '.projen', 'files.json'), 'utf8')).files;
    expect(owned).not.toContain('Cargo.toml');
    expect(owned.length).toBeGreaterThan(0); // the check above looked at a real list
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(file, past, past);
    const bytes = fs.readFileSync(file);
    resynth(outdir);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.statSync(file).mtimeMs).toBe(past.getTime());
    // A read-only Cargo.toml (e.g. left by a projen TomlFile) is made writable again on write.
    fs.chmodSync(file, 0o444);
    resynth(outdir, { devRelease: true });
    expect(ownerWritable(file)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toContain('[profile.dev-release]');
  });

  test('a project name that is no Cargo package name needs packageName', () => {
    const { project } = setup({}, undefined, 'My Operator!');
    const error = optionError(() => project.synth());
    expect(error.subject).toBe('cargo.packageName');
    expect(error.message).toMatch(/"My Operator!" is not a valid Cargo package name/);
  });
});

describe('adopting an existing operator (shaped like ggrs_plot_operator)', () => {
  const adopt = () => {
    const env = setup({}, FIXTURE, 'ggrs_plot_operator');
    env.project.synth();
    return { ...env, output: fs.readFileSync(env.file, 'utf8') };
  };

  test('changes only the managed keys: every dependency, comment and target stays byte for byte', () => {
    const { output } = adopt();
    expect(output).toMatchSnapshot();
    // Without our blocks the file is the fixture minus the taken-over `opt-level = 3`, plus the
    // appended [profile.maxperf] header.
    expect(stripManagedBlocks(output)).toBe(FIXTURE.replace('opt-level = 3\n', '') + '\n[profile.maxperf]\n');
    const before = plainToml(FIXTURE);
    const after = plainToml(output);
    expect(after.package).toEqual(before.package);
    expect(after.lib).toEqual(before.lib);
    expect(after.bin).toEqual(before.bin);
    expect(after['build-dependencies']).toEqual(before['build-dependencies']);
    expect(after['dev-dependencies']).toEqual(before['dev-dependencies']);
    expect(after.dependencies).toEqual({ ...before.dependencies, 'tikv-jemallocator': { version: '0.6', optional: true } });
    expect(after.features).toEqual({ default: ['jemalloc'], jemalloc: ['dep:tikv-jemallocator'], webgpu: ['dep:wgpu'] });
    expect(after.profile.release).toEqual({ 'opt-level': 'z', 'lto': true, 'codegen-units': 1, 'strip': true, 'debug': 'line-tables-only' });
    for (const line of linesOf(FIXTURE).filter(l => l !== 'opt-level = 3\n')) {
      expect(output).toContain(line);
    }
  });

  test('cargo accepts the adopted manifest', () => {
    const { output } = adopt();
    const run = cargoMetadata(output, FIXTURE_FILES);
    expect(run.stderr).toBe('');
    const pkg = run.json.packages[0];
    expect(pkg.features).toEqual({ default: ['jemalloc'], jemalloc: ['dep:tikv-jemallocator'], webgpu: ['dep:wgpu'] });
    expect(pkg.dependencies.map((d: any) => d.rename ?? d.name).sort()).toEqual(expect.arrayContaining(['tercen-rs', 'ggrs-core', 'tikv-jemallocator', 'tonic-build', 'tempfile']));
  });

  test('reads the facts the Dockerfile needs from the file', () => {
    const { cargo } = setup({}, FIXTURE, 'ignored-name');
    expect(cargo.packageName).toBe('ggrs_plot_operator');
    expect(cargo.packageVersion).toBe('0.3.1');
    expect(cargo.targets).toEqual([
      { kind: CargoTargetKind.LIB, name: 'ggrs_plot_operator', path: 'src/lib.rs', declared: true },
      { kind: CargoTargetKind.BIN, name: 'ggrs_plot_operator', path: 'src/main.rs', declared: true },
      { kind: CargoTargetKind.BIN, name: 'dev', path: 'src/bin/dev.rs', declared: true },
      { kind: CargoTargetKind.BUILD_SCRIPT, path: 'build.rs', declared: true },
    ]);
    expect(cargo.targetPaths).toEqual(['build.rs', 'src/bin/dev.rs', 'src/lib.rs', 'src/main.rs']);
    expect(cargo.buildScript).toBe('build.rs');
    expect(cargo.featureNames).toEqual(['jemalloc', 'webgpu']);
    expect(cargo.defaultFeatures).toEqual(['jemalloc']);
  });

  test('a second synth changes nothing; a dependency added by cargo add survives byte for byte', () => {
    const { output, outdir, file } = adopt();
    expect(resynth(outdir, {}, 'ggrs_plot_operator')).toBe(output);
    // cargo add: one entry right after the header (sorted position), one at the end of the table.
    const edited = output
      .replace('[dependencies]\n', '[dependencies]\naho-corasick = "1.1"\n')
      .replace('wgpu = { version = "22", optional = true }   # GPU rasterizer, see the webgpu feature\n',
        'wgpu = { version = "22", optional = true }   # GPU rasterizer, see the webgpu feature\nzstd = { version = "0.13", features = ["zstdmt"] }\n');
    expect(edited).not.toBe(output);
    fs.writeFileSync(file, edited);
    const after = resynth(outdir, {}, 'ggrs_plot_operator');
    expect(after).toContain('\naho-corasick = "1.1"\n');
    expect(after).toContain('# GPU rasterizer, see the webgpu feature\nzstd = { version = "0.13", features = ["zstdmt"] }\n');
    expect(stripManagedBlocks(after)).toBe(stripManagedBlocks(edited));
    expect(resynth(outdir, {}, 'ggrs_plot_operator')).toBe(after);
  });

  test('a hand edit of a managed key is put back; a hand edit elsewhere is kept', () => {
    const { output, outdir, file } = adopt();
    fs.writeFileSync(file, output.replace('lto = true', 'lto = false').replace('anyhow = "1"', 'anyhow = "1.0.89"'));
    const after = resynth(outdir, {}, 'ggrs_plot_operator');
    expect(after).toBe(output.replace('anyhow = "1"', 'anyhow = "1.0.89"'));
  });
});

describe('configuration changes over time', () => {
  test('removed profiles, a switched allocator and new features leave no stale keys behind', () => {
    const { project, outdir, file } = setup({ devRelease: true }, FIXTURE, 'ggrs_plot_operator');
    project.synth();
    expect(fs.readFileSync(file, 'utf8')).toContain('[profile.dev-release]');

    const system = new Allocator({ mode: AllocatorMode.SYSTEM });
    const p2 = new Project({ name: 'ggrs_plot_operator', outdir, logging: { level: LogLevel.OFF } });
    const c2 = new CargoManifest(p2, { allocator: system, features: { gpu: ['webgpu', 'polars/lazy'] } });
    c2.removeProfile('maxperf');
    p2.synth();
    const after = fs.readFileSync(file, 'utf8');
    const value = plainToml(after);
    expect(value.features).toEqual({ gpu: ['webgpu', 'polars/lazy'], webgpu: ['dep:wgpu'] });
    expect(value.dependencies['tikv-jemallocator']).toBeUndefined();
    expect(value.profile.maxperf).toBeUndefined();
    expect(value.profile['dev-release']).toBeUndefined();
    expect(after).not.toMatch(/maxperf|dev-release|jemalloc/);
    // Back to the original configuration: the same bytes as the first adoption.
    const again = resynth(outdir, {}, 'ggrs_plot_operator');
    expect(again).toBe(resynthFresh(FIXTURE));
    expect(cargoMetadata(after, FIXTURE_FILES).status).toBe(0);
  });

  test('unmanaging everything on a scaffolded file leaves [package]; emptied tables go', () => {
    const { project, outdir, file } = setup({ packageName: 'plain' });
    project.synth();
    const p2 = new Project({ name: 'x', outdir, logging: { level: LogLevel.OFF } });
    const c2 = new CargoManifest(p2, { allocator: new Allocator({ mode: AllocatorMode.SYSTEM }), maxperf: false });
    c2.removeProfile('release');
    p2.synth();
    // [dependencies] held only the managed tikv-jemallocator, so it goes with it (cargo add
    // writes it again when needed).
    expect(fs.readFileSync(file, 'utf8')).toBe('[package]\nname = "plain"\nversion = "0.1.0"\nedition = "2021"\n');
  });
});

function resynthFresh(text: string): string {
  const { project, file } = setup({}, text, 'ggrs_plot_operator');
  project.synth();
  return fs.readFileSync(file, 'utf8');
}

describe('facts', () => {
  test('profiles, directories and features', () => {
    const { cargo } = setup({ devRelease: true, buildProfile: 'dev-release', features: { extra: [] }, defaultFeatures: ['jemalloc', 'extra'] });
    expect(cargo.profileNames).toEqual(['release', 'maxperf', 'dev-release']);
    expect(cargo.buildProfile).toBe('dev-release');
    expect(cargo.buildProfileDirectory).toBe('dev-release');
    expect(['dev', 'test', 'release', 'bench', 'maxperf'].map(p => cargo.profileDirectory(p))).toEqual(['debug', 'debug', 'release', 'release', 'maxperf']);
    expect(cargo.featureNames).toEqual(['jemalloc', 'extra']);
    expect(cargo.defaultFeatures).toEqual(['jemalloc', 'extra']);
    expect(cargo.tryFindProfile('dev-release')).toEqual({ inherits: 'release', optLevel: CargoOptLevel.O2, lto: CargoLto.FALSE, codegenUnits: 16 });
    expect(cargo.tryFindProfile('nope')).toBeUndefined();
    expect(cargo.packageName).toBe('demo-operator');
    expect(cargo.packageVersion).toBe('0.1.0');
    expect(cargo.targets).toEqual([]);
    expect(cargo.buildScript).toBeUndefined();
  });

  test('without a linked allocator, default features come from the file', () => {
    const system = new Allocator({ mode: AllocatorMode.SYSTEM });
    const { cargo } = setup({ allocator: system }, FIXTURE.replace('webgpu = ["dep:wgpu"]', 'webgpu = ["dep:wgpu"]\ndefault = ["webgpu"]'));
    expect(cargo.defaultFeatures).toEqual(['webgpu']);
    expect(cargo.featureNames).toEqual(['webgpu']);
    expect(setup({ allocator: system }).cargo.defaultFeatures).toEqual([]);
  });

  test('of() finds the component; a project has at most one', () => {
    const { project, cargo } = setup();
    expect(CargoManifest.of(project)).toBe(cargo);
    expect(CargoManifest.of(new Project({ name: 'other', outdir: makeTempDir('cargo-other'), logging: { level: LogLevel.OFF } }))).toBeUndefined();
    expect(optionError(() => new CargoManifest(project)).subject).toBe('cargo');
  });

  test('a version inherited from a workspace that is not there names the line', () => {
    const error = optionError(() => setup({}, '[package]\nname = "a"\nversion.workspace = true\n').cargo.packageVersion);
    expect(error.subject).toBe('Cargo.toml:3');
    expect(error.message).toMatch(/no enclosing workspace root was found/);
  });

  test('an undeclared build.rs is found on disk; package.build = false turns it off', () => {
    const { cargo, outdir } = setup({}, '[package]\nname = "a"\nversion = "0.1.0"\n');
    fs.writeFileSync(path.join(outdir, 'build.rs'), 'fn main() {}\n');
    expect(cargo.buildScript).toBe('build.rs');
    expect(setup({}, '[package]\nname = "a"\nversion = "0.1.0"\nbuild = false\n', 'a', outdir).cargo.buildScript).toBeUndefined();
  });
});

describe('bad input is a clear error and writes nothing', () => {
  test('invalid TOML names the file and line; no file is written or changed', () => {
    const broken = FIXTURE.replace('prost = "0.13"', 'prost = ');
    const { project, outdir } = setup({}, broken, 'ggrs_plot_operator');
    fs.mkdirSync(path.join(outdir, 'src'));
    fs.writeFileSync(path.join(outdir, 'src', 'main.rs'), 'fn main() {}\n');
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(path.join(outdir, 'Cargo.toml'), past, past);
    const before = snapshotDir(outdir);
    const error = optionError(() => project.synth());
    const line = broken.split('\n').findIndex(l => l === 'prost = ') + 1;
    expect(error.subject).toBe(`Cargo.toml:${line}`);
    expect(error.message).toMatch(/is not valid TOML/);
    expect(snapshotDir(outdir)).toEqual(before);
    expect(Object.keys(before).sort()).toEqual(['Cargo.toml', 'src/main.rs']);
  });

  test('a managed table written as an inline table names the line; nothing is written', () => {
    const text = '[package]\nname = "a"\nversion = "0.1.0"\n\n[profile]\nrelease = { opt-level = 3 }\n';
    const { project, outdir } = setup({}, text);
    const before = snapshotDir(outdir);
    const error = optionError(() => project.synth());
    expect(error.subject).toBe('Cargo.toml:6');
    expect(error.message).toMatch(/inline table/);
    expect(snapshotDir(outdir)).toEqual(before);
  });

  test.each<[string, CargoManifestOptions, string, RegExp]>([
    ['profile "debug"', { profiles: { debug: { inherits: 'dev' } } }, 'cargo.profiles.debug', /"debug" is reserved by cargo/],
    ['profile "test"', { profiles: { test: { inherits: 'dev' } } }, 'cargo.profiles.test', /"test" is reserved/],
    ['a custom profile without inherits', { profiles: { fast: { optLevel: CargoOptLevel.O3 } } }, 'cargo.profiles.fast.inherits', /has no inherits/],
    ['release with inherits', { profiles: { release: { inherits: 'dev' } } }, 'cargo.profiles.release.inherits', /cannot inherit/],
    ['an invalid profile name', { profiles: { 'my profile': { inherits: 'release' } } }, 'cargo.profiles.my profile', /not a valid profile name/],
    ['a cargo-reserved profile name', { profiles: { 'cargo-fast': { inherits: 'release' } } }, 'cargo.profiles.cargo-fast', /reserved by cargo/],
    ['codegenUnits 0', { profiles: { fast: { inherits: 'release', codegenUnits: 0 } } }, 'cargo.profiles.fast.codegenUnits', /not a positive whole number/],
    ['an opt-level that is not one', { profiles: { fast: { inherits: 'release', optLevel: '4' as CargoOptLevel } } }, 'cargo.profiles.fast.optLevel', /"4" is not a valid value/],
    ['lto "yes"', { profiles: { fast: { inherits: 'release', lto: 'yes' as CargoLto } } }, 'cargo.profiles.fast.lto', /Use one of: true, false, fat, thin, off/],
    ['maxperf both off and configured', { maxperf: false, profiles: { maxperf: { inherits: 'release' } } }, 'cargo.profiles.maxperf', /cargo.maxperf is false/],
    ['an invalid feature name', { features: { 'no spaces': [] } }, 'cargo.features.no spaces', /not a valid Cargo feature name/],
    ['a feature named default', { features: { default: [] } }, 'cargo.features.default', /cargo.defaultFeatures/],
    ['the allocator feature', { features: { jemalloc: [] } }, 'cargo.features.jemalloc', /allocator's feature/],
    ['a malformed feature item', { features: { gpu: ['dep:'] } }, 'cargo.features.gpu[0]', /not a feature item/],
    ['a malformed default feature', { defaultFeatures: ['a/b/c'] }, 'cargo.defaultFeatures[0]', /not a feature item/],
    ['buildProfile "debug"', { buildProfile: 'debug' }, 'cargo.buildProfile', /reserved/],
    ['packageName with spaces', { packageName: 'my op' }, 'cargo.packageName', /not a valid Cargo package name/],
    ['rustVersion "latest"', { rustVersion: 'latest' }, 'cargo.rustVersion', /not a Rust version/],
  ])('at construction: %s', (_, options, subject, message) => {
    const outdir = makeTempDir('cargo-bad');
    const error = optionError(() => setup(options, undefined, 'demo', outdir));
    expect(error.subject).toBe(subject);
    expect(error.message).toMatch(message);
  });

  test.each<[string, CargoManifestOptions, string, RegExp]>([
    ['dep: of an unknown dependency', { features: { gpu: ['dep:vulkano'] } }, 'cargo.features.gpu[0]', /"vulkano", which is not a dependency in Cargo.toml/],
    ['dep: of a non-optional dependency', { features: { gpu: ['dep:tokio'] } }, 'cargo.features.gpu[0]', /not an optional dependency/],
    ['x/feature of an unknown dependency', { features: { fast: ['rayon/std'] } }, 'cargo.features.fast[0]', /"rayon", which is not a dependency/],
    ['x?/feature of an unknown dependency', { features: { fast: ['rayon?/std'] } }, 'cargo.features.fast[0]', /"rayon", which is not a dependency/],
    ['a bare name that is neither a feature nor an optional dependency', { features: { fast: ['turbo'] } }, 'cargo.features.fast[0]', /neither a feature nor an optional dependency/],
    ['a bare non-optional dependency', { features: { fast: ['tokio'] } }, 'cargo.features.fast[0]', /neither a feature nor an optional dependency/],
    ['an unknown default feature', { defaultFeatures: ['jemalloc', 'turbo'] }, 'cargo.defaultFeatures[1]', /"turbo" is neither a feature/],
    ['inherits an undefined profile', { profiles: { fast: { inherits: 'speedy' } } }, 'cargo.profiles.fast.inherits', /"speedy" is not defined/],
    ['an inheritance cycle', { profiles: { a: { inherits: 'b' }, b: { inherits: 'a' } } }, 'cargo.profiles.a.inherits', /cycle: a -> b -> a/],
    ['a build profile that is not managed', { buildProfile: 'fast' }, 'cargo.buildProfile', /"fast" is not managed here/],
  ])('against the file at synth: %s', (_, options, subject, message) => {
    const { project, outdir } = setup(options, FIXTURE, 'ggrs_plot_operator');
    const before = snapshotDir(outdir);
    const error = optionError(() => project.synth());
    expect(error.subject).toBe(subject);
    expect(error.message).toMatch(message);
    expect(snapshotDir(outdir)).toEqual(before);
  });

  test('feature items that name what the file has are accepted (control for the cases above)', () => {
    const { project, file } = setup({
      features: { gpu: ['webgpu', 'dep:wgpu', 'wgpu/webgl', 'tokio/full', 'polars?/json', 'tonic-build/prost'] },
      defaultFeatures: ['jemalloc', 'gpu'],
      profiles: { fast: { inherits: 'maxperf' } },
      buildProfile: 'fast',
    }, FIXTURE, 'ggrs_plot_operator');
    project.synth();
    const value = plainToml(fs.readFileSync(file, 'utf8'));
    expect(value.features.gpu).toEqual(['webgpu', 'dep:wgpu', 'wgpu/webgl', 'tokio/full', 'polars?/json', 'tonic-build/prost']);
    expect(value.features.default).toEqual(['jemalloc', 'gpu']);
    expect(value.profile.fast).toEqual({ inherits: 'maxperf' });
  });

  test('target-specific and build dependencies count for features', () => {
    const text = FIXTURE.replace('[build-dependencies]\n', '[target.\'cfg(unix)\'.dependencies]\nlibc = { version = "0.2", optional = true }\n\n[build-dependencies]\n');
    const { project, file } = setup({ features: { unix: ['dep:libc', 'tonic-build/prost'] } }, text, 'ggrs_plot_operator');
    project.synth();
    expect(plainToml(fs.readFileSync(file, 'utf8')).features.unix).toEqual(['dep:libc', 'tonic-build/prost']);
    expect(cargoMetadata(fs.readFileSync(file, 'utf8'), FIXTURE_FILES).status).toBe(0);
  });

  test('a Cargo.toml that is not UTF-8 is refused, not mangled', () => {
    const outdir = makeTempDir('cargo-latin1');
    fs.writeFileSync(path.join(outdir, 'Cargo.toml'), Buffer.from('[package]\nname = "a"\nversion = "0.1.0"\ndescription = "caf\xe9"\n', 'latin1'));
    const { project } = setup({}, undefined, 'a', outdir);
    const before = snapshotDir(outdir);
    expect(optionError(() => project.synth()).message).toMatch(/not valid UTF-8/);
    expect(snapshotDir(outdir)).toEqual(before);
  });

  test('feature items from JavaScript that are not a list are refused', () => {
    const { cargo } = setup();
    expect(optionError(() => cargo.addFeature('gpu', 'dep:wgpu' as unknown as string[])).subject).toBe('cargo.features.gpu');
    expect(optionError(() => setup({ edition: '2027' as RustEdition })).subject).toBe('cargo.edition');
  });

  test('a manifest without [package] is refused', () => {
    const { project } = setup({}, '[dependencies]\nserde = "1"\n');
    expect(optionError(() => project.synth()).message).toMatch(/has no \[package\] table/);
  });
});

describe('workspaces: cargo reads profiles only from the root', () => {
  test('a virtual manifest without a member that has a binary is refused', () => {
    const { project } = setup({}, '[workspace]\nmembers = ["crates/*"]\n');
    expect(optionError(() => project.synth()).message).toMatch(/is a virtual workspace root .* none of its members \(none found\) has a binary/);
  });

  test('package.workspace naming no workspace is refused', () => {
    const root = makeTempDir('cargo-ws');
    const { project } = setup({}, '[package]\nname = "a"\nversion = "0.1.0"\nworkspace = "nowhere"\n', 'a', root);
    expect(optionError(() => project.synth()).message).toMatch(/package.workspace = "nowhere" names no Cargo.toml/);
  });

  test.each([
    ['listed by a glob', '[workspace]\nmembers = ["operators/*"]\n', true],
    ['listed by name', '[workspace]\nmembers = ["operators/plot"]\n', true],
    ['listed by **', '[workspace]\nmembers = ["**"]\n', true],
    ['excluded', '[workspace]\nmembers = ["operators/*"]\nexclude = ["operators/plot"]\n', false],
    ['not listed', '[workspace]\nmembers = ["crates/*"]\n', false],
    ['a parent package, no workspace', '[package]\nname = "root"\nversion = "0.1.0"\n', false],
    ['an unparsable parent manifest (cargo will report it, not us)', '[workspace\n', false],
  ])('a member of a workspace in a parent directory (%s)', (_, rootToml, isMember) => {
    const root = makeTempDir('cargo-ws');
    fs.writeFileSync(path.join(root, 'Cargo.toml'), rootToml);
    const outdir = path.join(root, 'operators', 'plot');
    fs.mkdirSync(outdir, { recursive: true });
    const { project } = setup({}, undefined, 'plot', outdir);
    project.synth();
    const member = plainToml(fs.readFileSync(path.join(outdir, 'Cargo.toml'), 'utf8'));
    expect(member.features.jemalloc).toEqual(['dep:tikv-jemallocator']);
    if (isMember) {
      // The member's profiles would be ignored by cargo: they go to the root.
      expect(member.profile).toBeUndefined();
      expect(plainToml(fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8')).profile.release['opt-level']).toBe('z');
    } else {
      expect(member.profile.release['opt-level']).toBe('z');
      expect(fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8')).toBe(rootToml);
    }
  });
});
