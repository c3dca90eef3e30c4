import * as fs from 'fs';
import * as path from 'path';
import { LogLevel, Project } from 'projen';
import { makeTempDir, plainToml, runCargo, scratchCrate, removeTempDirs } from './support';
import { CargoManifest } from '../../src/cargo/cargo-manifest';
import { CargoDebugInfo, CargoLto, CargoOptLevel, CargoPanicStrategy, CargoProfileOptions, CargoStrip } from '../../src/cargo/cargo-profile';
import { renderProfile } from '../../src/cargo/profile-rules';
import { Allocator, AllocatorMode } from '../../src/core/allocator';

afterAll(removeTempDirs);

/** Every value of every typed setting, spread over six profiles. */
function coveringProfiles(): { [name: string]: CargoProfileOptions } {
  const opt = Object.values(CargoOptLevel);
  const lto = Object.values(CargoLto);
  const strip = Object.values(CargoStrip);
  const debug = Object.values(CargoDebugInfo);
  const panic = Object.values(CargoPanicStrategy);
  const profiles: { [name: string]: CargoProfileOptions } = {};
  for (let i = 0; i < opt.length; i++) {
    profiles[`cover-${i}`] = {
      inherits: i % 2 === 0 ? 'release' : 'dev',
      optLevel: opt[i],
      lto: lto[i % lto.length],
      codegenUnits: i + 1,
      strip: strip[i % strip.length],
      debug: debug[i % debug.length],
      panicStrategy: panic[i % panic.length],
      incremental: i % 2 === 0,
    };
  }
  return profiles;
}

/**
 * A scratch crate with no dependencies whose Cargo.toml holds only [package] and the managed
 * [profile.*] tables, written by the component itself.
 */
function profileCrate(configure: (cargo: CargoManifest) => void): { dir: string; text: string; cargo: CargoManifest } {
  const dir = scratchCrate('[package]\nname = "scratch"\nversion = "0.1.0"\nedition = "2021"\n');
  const project = new Project({ name: 'scratch', outdir: dir, logging: { level: LogLevel.OFF } });
  const cargo = new CargoManifest(project, { allocator: new Allocator({ mode: AllocatorMode.SYSTEM }), devRelease: true });
  configure(cargo);
  project.synth();
  return { dir, text: fs.readFileSync(path.join(dir, 'Cargo.toml'), 'utf8'), cargo };
}

describe('the managed profiles build with cargo', () => {
  const target = makeTempDir('cargo-target');
  const env = { CARGO_TARGET_DIR: target };
  const { dir, text, cargo } = profileCrate(c => {
    for (const [name, profile] of Object.entries(coveringProfiles())) {
      c.addProfile(name, profile);
    }
  });

  test('the scratch manifest holds only [package] and the managed profiles', () => {
    const value = plainToml(text);
    expect(Object.keys(value).sort()).toEqual(['package', 'profile']);
    expect(Object.keys(value.profile)).toEqual(cargo.profileNames);
    expect(cargo.profileNames).toEqual(['release', 'maxperf', 'dev-release', 'cover-0', 'cover-1', 'cover-2', 'cover-3', 'cover-4', 'cover-5']);
  });

  test.each(['release', 'maxperf', 'dev-release', 'cover-0', 'cover-1', 'cover-2', 'cover-3', 'cover-4', 'cover-5'])(
    'cargo build --profile %s succeeds without unused manifest keys', (name) => {
      const run = runCargo(dir, ['build', '--offline', '--profile', name], env);
      expect(run.stderr).not.toMatch(/unused manifest key|warning|error/);
      expect(run.status).toBe(0);
      expect(fs.existsSync(path.join(target, cargo.profileDirectory(name), 'scratch'))).toBe(true);
    });

  test('the settings reach cargo as configured (cargo reports the profile it used)', () => {
    const run = runCargo(dir, ['build', '--offline', '--profile', 'cover-1'], env);
    // cover-1 inherits dev, opt-level 1 and full debug info: cargo calls that "optimized + debuginfo".
    expect(run.stderr).toMatch(/`cover-1` profile \[optimized \+ debuginfo\]/);
  });
});

describe('the cargo checks can fail (controls)', () => {
  test('a profile without inherits does not build', () => {
    const dir = scratchCrate('[package]\nname = "scratch"\nversion = "0.1.0"\nedition = "2021"\n\n[profile.fast]\nopt-level = 3\n');
    const run = runCargo(dir, ['build', '--offline', '--profile', 'fast'], { CARGO_TARGET_DIR: makeTempDir('cargo-target') });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/missing an `inherits` directive/);
  });

  test('an unknown profile key is reported as an unused manifest key', () => {
    const dir = scratchCrate('[package]\nname = "scratch"\nversion = "0.1.0"\nedition = "2021"\n\n[profile.release]\noptlevel = 3\n');
    const run = runCargo(dir, ['build', '--offline', '--release'], { CARGO_TARGET_DIR: makeTempDir('cargo-target') });
    expect(run.stderr).toMatch(/unused manifest key: profile.release.optlevel/);
  });
});

describe('renderProfile', () => {
  test('writes cargo keys in a fixed order, with cargo value types', () => {
    const keys = renderProfile({
      incremental: false,
      panicStrategy: CargoPanicStrategy.ABORT,
      debug: CargoDebugInfo.LINE_TABLES_ONLY,
      strip: CargoStrip.DEBUGINFO,
      codegenUnits: 16,
      lto: CargoLto.THIN,
      optLevel: CargoOptLevel.O2,
      inherits: 'release',
    });
    expect(keys).toEqual([
      { key: 'inherits', value: 'release' },
      { key: 'opt-level', value: 2 },
      { key: 'lto', value: 'thin' },
      { key: 'codegen-units', value: 16 },
      { key: 'strip', value: 'debuginfo' },
      { key: 'debug', value: 'line-tables-only' },
      { key: 'panic', value: 'abort' },
      { key: 'incremental', value: false },
    ]);
    expect(renderProfile({ optLevel: CargoOptLevel.MIN_SIZE, lto: CargoLto.TRUE, strip: CargoStrip.FALSE })).toEqual([
      { key: 'opt-level', value: 'z' }, { key: 'lto', value: true }, { key: 'strip', value: false },
    ]);
    expect(renderProfile({})).toEqual([]);
  });
});
