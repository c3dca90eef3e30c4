/**
 * The allocator model: one mode, from which the Cargo feature, the crate, the Debian packages,
 * the runtime environment and the scaffolded global allocator all derive.
 */
import { Allocator, AllocatorMode } from '../../src/core/allocator';
import { OptionError } from '../../src/core/errors';
import { thrownBy } from '../support/synth';

const SEED = 'background_thread:true,metadata_thp:auto,dirty_decay_ms:30000,muzzy_decay_ms:30000';
const GLOBAL_ALLOCATOR = [
  '#[cfg(feature = "jemalloc")]',
  '#[global_allocator]',
  'static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;',
  '',
].join('\n');

describe.each([
  {
    mode: AllocatorMode.LINKED_AND_PRELOADED,
    linked: true,
    preloaded: true,
    cargoFeature: 'jemalloc',
    crateVersion: '0.6',
    builderPackages: ['libjemalloc-dev', 'make'],
    runtimePackages: ['libjemalloc2'],
    env: { LD_PRELOAD: 'libjemalloc.so.2', MALLOC_CONF: SEED, _RJEM_MALLOC_CONF: SEED },
    source: GLOBAL_ALLOCATOR,
  },
  {
    mode: AllocatorMode.LINKED,
    linked: true,
    preloaded: false,
    cargoFeature: 'jemalloc',
    crateVersion: '0.6',
    builderPackages: ['libjemalloc-dev', 'make'],
    runtimePackages: [],
    env: { _RJEM_MALLOC_CONF: SEED },
    source: GLOBAL_ALLOCATOR,
  },
  {
    mode: AllocatorMode.PRELOADED,
    linked: false,
    preloaded: true,
    cargoFeature: undefined,
    crateVersion: undefined,
    builderPackages: ['libjemalloc-dev'],
    runtimePackages: ['libjemalloc2'],
    env: { LD_PRELOAD: 'libjemalloc.so.2', MALLOC_CONF: SEED },
    source: '',
  },
  {
    mode: AllocatorMode.SYSTEM,
    linked: false,
    preloaded: false,
    cargoFeature: undefined,
    crateVersion: undefined,
    builderPackages: [],
    runtimePackages: [],
    env: {},
    source: '',
  },
])('mode $mode', (expected) => {
  const allocator = new Allocator({ mode: expected.mode });

  test('derives the feature, crate, packages, environment and global allocator', () => {
    expect({
      linked: allocator.linked,
      preloaded: allocator.preloaded,
      cargoFeature: allocator.cargoFeature,
      crateVersion: allocator.crateVersion,
      builderPackages: allocator.builderPackages,
      runtimePackages: allocator.runtimePackages,
      env: allocator.runtimeEnvironment,
      source: allocator.globalAllocatorSource,
    }).toEqual({
      linked: expected.linked,
      preloaded: expected.preloaded,
      cargoFeature: expected.cargoFeature,
      crateVersion: expected.crateVersion,
      builderPackages: expected.builderPackages,
      runtimePackages: expected.runtimePackages,
      env: expected.env,
      source: expected.source,
    });
  });

  test('the preload is a bare soname (works on amd64 and arm64) and each jemalloc gets the variable it reads', () => {
    const env = allocator.runtimeEnvironment;
    expect(JSON.stringify(env)).not.toMatch(/x86_64|aarch64|\/usr\/lib/);
    // The linked tikv-jemallocator is _rjem_-prefixed on Linux and reads only _RJEM_MALLOC_CONF;
    // MALLOC_CONF only reaches the preloaded libjemalloc2.
    expect('_RJEM_MALLOC_CONF' in env).toBe(allocator.linked);
    expect('MALLOC_CONF' in env).toBe(allocator.preloaded);
    expect('LD_PRELOAD' in env).toBe(allocator.preloaded);
    expect(Object.keys(env)).toEqual(Object.keys(env).sort());
  });

  test('mallocConf is the seed\'s unless given (and empty for the system allocator)', () => {
    expect(allocator.mallocConf).toBe(expected.mode === AllocatorMode.SYSTEM ? '' : SEED);
  });
});

test('the default is the seed\'s setup done right: linked AND preloaded', () => {
  expect(new Allocator().mode).toBe(AllocatorMode.LINKED_AND_PRELOADED);
  expect(Allocator.PRELOAD_SONAME).toBe('libjemalloc.so.2');
  expect(Allocator.CRATE_NAME).toBe('tikv-jemallocator');
});

test('a custom mallocConf reaches both variables; a custom feature name and crate version reach the feature and the source', () => {
  const allocator = new Allocator({ mallocConf: 'narenas:2,background_thread:false', featureName: 'fast-alloc', crateVersion: '^0.6.1' });
  expect(allocator.runtimeEnvironment).toEqual({
    LD_PRELOAD: 'libjemalloc.so.2', MALLOC_CONF: 'narenas:2,background_thread:false', _RJEM_MALLOC_CONF: 'narenas:2,background_thread:false',
  });
  expect(allocator.cargoFeature).toBe('fast-alloc');
  expect(allocator.crateVersion).toBe('^0.6.1');
  expect(allocator.globalAllocatorSource.split('\n')[0]).toBe('#[cfg(feature = "fast-alloc")]');
});

describe('impossible combinations and bad values are refused naming the option', () => {
  test.each<[string, () => Allocator, string, RegExp]>([
    ['unknown mode', () => new Allocator({ mode: 'jemalloc-ish' as AllocatorMode }), 'allocator.mode', /unknown allocator mode "jemalloc-ish"/],
    ['mallocConf with the system allocator', () => new Allocator({ mode: AllocatorMode.SYSTEM, mallocConf: 'narenas:2' }), 'allocator.mallocConf', /has no effect with the system allocator/],
    ['featureName without linking', () => new Allocator({ mode: AllocatorMode.PRELOADED, featureName: 'jemalloc' }), 'allocator.featureName', /links nothing/],
    ['crateVersion without linking', () => new Allocator({ mode: AllocatorMode.SYSTEM, crateVersion: '0.6' }), 'allocator.crateVersion', /links nothing/],
    ['a mallocConf with a shell command', () => new Allocator({ mallocConf: 'narenas:2;id' }), 'allocator.mallocConf', /not a jemalloc option string/],
    ['an empty mallocConf', () => new Allocator({ mallocConf: '' }), 'allocator.mallocConf', /not a jemalloc option string/],
    ['a feature name with a space', () => new Allocator({ featureName: 'je malloc' }), 'allocator.featureName', /not a valid Cargo feature name/],
    ['a crate version that is not a requirement', () => new Allocator({ crateVersion: 'latest' }), 'allocator.crateVersion', /not a Cargo version requirement/],
  ])('%s', (_name, create, subject, message) => {
    const error = thrownBy(create);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).subject).toBe(subject);
    expect((error as Error).message).toMatch(message);
  });

  test('parseMode takes the string forms and names the option it is given', () => {
    expect(Allocator.parseMode('preloaded')).toBe(AllocatorMode.PRELOADED);
    expect(() => Allocator.parseMode('LINKED', 'allocator')).toThrow('projen-rust-operator: allocator: unknown allocator mode "LINKED". Use one of: linked-and-preloaded, linked, preloaded, system.');
  });
});

describe('tikv-jemallocator crate features', () => {
  test('are kept sorted for the Cargo.toml entry and change nothing else by default', () => {
    const allocator = new Allocator({ crateFeatures: ['stats', 'profiling'] });
    expect(allocator.crateFeatures).toEqual(['profiling', 'stats']);
    expect(allocator.linkedConfVariable).toBe('_RJEM_MALLOC_CONF');
    expect(Object.keys(allocator.runtimeEnvironment)).toEqual(['LD_PRELOAD', 'MALLOC_CONF', '_RJEM_MALLOC_CONF']);
    expect(new Allocator({ mode: AllocatorMode.PRELOADED }).linkedConfVariable).toBeUndefined();
  });

  test('unprefixed symbols make the linked copy read MALLOC_CONF', () => {
    const allocator = new Allocator({ mode: AllocatorMode.LINKED, crateFeatures: [Allocator.UNPREFIXED_FEATURE], mallocConf: 'narenas:2' });
    expect(allocator.linkedConfVariable).toBe('MALLOC_CONF');
    expect(allocator.runtimeEnvironment).toEqual({ MALLOC_CONF: 'narenas:2' });
  });

  test.each<[string, () => Allocator, RegExp]>([
    ['unprefixed and preloaded: two mallocs', () => new Allocator({ crateFeatures: [Allocator.UNPREFIXED_FEATURE] }), /two allocators behind the same symbols. Use mode "linked"/],
    ['features without linking', () => new Allocator({ mode: AllocatorMode.PRELOADED, crateFeatures: ['profiling'] }), /only used when tikv-jemallocator is linked/],
    ['a feature name with a shell character', () => new Allocator({ crateFeatures: ['profiling;id'] }), /is not a Cargo feature name/],
  ])('%s is refused', (_name, create, message) => {
    expect(create).toThrow(OptionError);
    expect(create).toThrow(message);
    try {
      create();
    } catch (error) {
      expect((error as OptionError).subject).toBe('allocator.crateFeatures');
    }
  });
});
