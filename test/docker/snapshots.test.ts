/**
 * Snapshots of the generated Dockerfile and .dockerignore: they show in review what a change does
 * to the output. Correctness is checked elsewhere (configurations.tools.test.ts, dependency-layer.tools.test.ts).
 */
import { SHAPES_CARGO_TOML, SHAPES_SOURCES } from './fixtures';
import { AllocatorMode } from '../../src/core/allocator';
import { synthOperator } from '../support/synth';

test('default Dockerfile', () => {
  expect(synthOperator().read('Dockerfile')).toMatchSnapshot();
});

test('default .dockerignore', () => {
  expect(synthOperator().read('.dockerignore')).toMatchSnapshot();
});

test('a ggrs-like operator: plotting libraries, compile-time files, private git dependencies, lib and two bins', () => {
  const result = synthOperator({
    name: 'shape_operator',
    builderPackages: ['libcairo2-dev', 'libfontconfig1-dev', 'libfreetype-dev', 'libpango1.0-dev'],
    runtimePackages: ['libcairo2', 'libfontconfig1', 'libfreetype6', 'libpango-1.0-0', 'libpangocairo-1.0-0'],
    compileTimeFiles: ['palettes.json', 'protos'],
    gitTokenSecret: 'TERCEN_GITHUB_TOKEN',
  }, { 'Cargo.toml': SHAPES_CARGO_TOML, ...SHAPES_SOURCES, 'palettes.json': '{}', 'protos/a.proto': '' });
  expect(result.read('Dockerfile')).toMatchSnapshot();
});

test('system allocator without a dependency layer', () => {
  const result = synthOperator({ allocator: AllocatorMode.SYSTEM, dockerfileOptions: { dependencyLayer: false } });
  expect(result.read('Dockerfile')).toMatchSnapshot();
});

test('maxperf, preloaded jemalloc only, a custom user, and a .dockerignore exception for docs/', () => {
  const result = synthOperator({
    allocator: AllocatorMode.PRELOADED,
    buildProfile: 'maxperf',
    compileTimeFiles: ['docs/help.md'],
    dockerfileOptions: { runtimeUser: 'tercen', runtimeUid: 1001 },
  }, { 'docs/help.md': '# Help' });
  expect(result.read('Dockerfile')).toMatchSnapshot();
  expect(result.read('.dockerignore')).toMatchSnapshot();
});
