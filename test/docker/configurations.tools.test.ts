/**
 * Every supported configuration yields a Dockerfile that dockerfile-utils accepts and that is
 * structurally sound (see imageProblems in ./support): no toolchain in the final image, non-root,
 * exec-form entrypoint, stage references, the allocator's environment, the build profile, every
 * compile-time file copied and not ignored, the git token only as an optional secret mount.
 */
import { SHAPES_CARGO_TOML, SHAPES_SOURCES } from './fixtures';
import { aptInstalled, DEFAULT_EXPECTATIONS, ImageExpectations, imageProblems } from './support';
import { Allocator, AllocatorMode } from '../../src/core/allocator';
import { dockerignoreExcludes } from '../../src/docker/dockerignore';
import { RustOperatorProjectOptions } from '../../src/project/rust-operator-project';
import { synthOperator } from '../support/synth';
import { dockerfileDiagnostics, finalStage, stages } from '../support/validate-dockerfile';

interface Configuration {
  readonly name: string;
  readonly options?: Partial<RustOperatorProjectOptions>;
  readonly files?: { [file: string]: string };
  readonly expect?: Partial<ImageExpectations>;
}

const DEFAULTS = DEFAULT_EXPECTATIONS;

const CONFIGURATIONS: Configuration[] = [
  { name: 'default' },
  ...Object.values(AllocatorMode).map((mode): Configuration => ({
    name: `allocator ${mode}`,
    options: { allocator: mode },
    expect: { allocator: new Allocator({ mode }) },
  })),
  {
    name: 'allocator with custom mallocConf',
    options: { allocator: AllocatorMode.LINKED_AND_PRELOADED, mallocConf: 'background_thread:false,narenas:2' },
    expect: { allocator: new Allocator({ mallocConf: 'background_thread:false,narenas:2' }) },
  },
  {
    name: 'extra builder and runtime packages',
    options: { builderPackages: ['libcairo2-dev', 'libpango1.0-dev'], runtimePackages: ['libcairo2', 'libpango-1.0-0'] },
  },
  {
    name: 'compile-time files, a folder and build.rs',
    options: { compileTimeFiles: ['palettes.json', 'protos', 'build.rs', 'assets/fonts/'] },
    files: { 'palettes.json': '{}', 'protos/a.proto': 'syntax = "proto3";', 'build.rs': 'fn main() {}', 'assets/fonts/x.ttf': '' },
    expect: { compileTimeFiles: ['palettes.json', 'protos', 'build.rs', 'assets/fonts'] },
  },
  {
    name: 'a manifest with [lib], two [[bin]], a [[bench]] path and package.build',
    options: { name: 'shape_operator' },
    files: { 'Cargo.toml': SHAPES_CARGO_TOML, ...SHAPES_SOURCES },
    expect: { binary: 'shape_operator', compileTimeFiles: ['build.rs'] },
  },
  {
    name: 'gitTokenSecret',
    options: { gitTokenSecret: 'PRIVATE_DEPS_TOKEN' },
    expect: { gitTokenSecret: 'git_token' },
  },
  {
    name: 'buildProfile maxperf',
    options: { buildProfile: 'maxperf' },
    expect: { profile: 'maxperf', profileDirectory: 'maxperf' },
  },
  {
    name: 'buildProfile dev-release',
    options: { devReleaseProfile: true, buildProfile: 'dev-release' },
    expect: { profile: 'dev-release', profileDirectory: 'dev-release' },
  },
  {
    name: 'buildProfile dev',
    options: { buildProfile: 'dev' },
    expect: { profile: 'dev', profileDirectory: 'debug' },
  },
  {
    name: 'dependencyLayer false',
    options: { dockerfileOptions: { dependencyLayer: false } },
    expect: { dependencyLayer: false },
  },
  {
    name: 'custom runtime user and uid',
    options: { dockerfileOptions: { runtimeUser: 'tercen', runtimeUid: 1001 } },
    expect: { uid: 1001 },
  },
  {
    name: 'everything at once',
    options: {
      name: 'shape_operator',
      allocator: AllocatorMode.LINKED,
      builderPackages: ['libcairo2-dev'],
      runtimePackages: ['libcairo2'],
      compileTimeFiles: ['protos'],
      gitTokenSecret: 'TOKEN',
      devReleaseProfile: true,
      buildProfile: 'dev-release',
      dockerfileOptions: { runtimeUser: 'svc', runtimeUid: 2000 },
    },
    files: { 'Cargo.toml': SHAPES_CARGO_TOML, ...SHAPES_SOURCES, 'protos/a.proto': '' },
    expect: {
      binary: 'shape_operator',
      allocator: new Allocator({ mode: AllocatorMode.LINKED }),
      compileTimeFiles: ['protos', 'build.rs'],
      gitTokenSecret: 'git_token',
      profile: 'dev-release',
      profileDirectory: 'dev-release',
      uid: 2000,
    },
  },
];

describe.each(CONFIGURATIONS)('$name', ({ options, files, expect: expected }) => {
  const result = synthOperator(options ?? {}, files ?? {});
  const dockerfile = result.read('Dockerfile');
  const dockerignore = result.read('.dockerignore');

  test('dockerfile-utils finds no errors (nor warnings)', () => {
    expect(dockerfileDiagnostics(dockerfile)).toEqual([]);
  });

  test('is structurally sound', () => {
    expect(imageProblems(dockerfile, dockerignore, { ...DEFAULTS, ...expected })).toEqual([]);
  });

  test('.dockerignore leaves out target, .git, node_modules and docs, never what the build reads', () => {
    for (const excluded of ['target', 'target/release/x', '.git', '.git/HEAD', 'node_modules', 'node_modules/projen/package.json', 'docs', 'docs/OPERATOR.md']) {
      expect([excluded, dockerignoreExcludes(dockerignore, excluded)]).toEqual([excluded, true]);
    }
    for (const kept of ['src', 'src/main.rs', 'src/bin/dev.rs', 'Cargo.toml', 'Cargo.lock', 'operator.json', 'protos', 'protos/tercen.proto', 'build.rs', 'Dockerfile']) {
      expect([kept, dockerignoreExcludes(dockerignore, kept)]).toEqual([kept, false]);
    }
  });

  test('the builder stage installs what the runtime needs to be built, and the runtime only libraries', () => {
    const builder = stages(dockerfile)[0];
    const allocator = { ...DEFAULTS, ...expected }.allocator;
    const built = aptInstalled(builder);
    expect(built).toEqual(expect.arrayContaining(['pkg-config', 'libssl-dev', 'protobuf-compiler', ...(allocator.linked ? ['make'] : [])]));
    expect(built.includes('libjemalloc-dev')).toBe(allocator.mode !== AllocatorMode.SYSTEM);
    expect(built.includes('git')).toBe(options?.gitTokenSecret !== undefined);
    for (const extra of options?.builderPackages ?? []) expect(built).toContain(extra);
    const runtime = aptInstalled(finalStage(dockerfile));
    expect(runtime).toEqual(expect.arrayContaining(['ca-certificates', 'libssl3', ...(options?.runtimePackages ?? [])]));
  });
});

test('the structural check catches planted defects (each check can fail)', () => {
  const result = synthOperator({ compileTimeFiles: ['protos'], gitTokenSecret: 'T' }, { 'protos/a.proto': '' });
  const dockerfile = result.read('Dockerfile');
  const dockerignore = result.read('.dockerignore');
  const expected: ImageExpectations = { ...DEFAULTS, compileTimeFiles: ['protos'], gitTokenSecret: 'git_token' };
  expect(imageProblems(dockerfile, dockerignore, expected)).toEqual([]);
  const planted: [string, string, RegExp][] = [
    ['FROM debian:bookworm-slim AS runtime', 'FROM rust:1.75-slim-bookworm AS runtime', /based on a Rust image/],
    ['USER 1000:1000', 'USER 0:0', /not a numeric non-root/],
    ['USER 1000:1000', 'USER operator', /not a numeric non-root/],
    ['ENTRYPOINT ["/usr/local/bin/hello_operator"]', 'ENTRYPOINT /usr/local/bin/hello_operator', /exec form/],
    ['COPY --from=builder', 'COPY --from=buildr', /not naming an earlier stage/],
    ['LD_PRELOAD=libjemalloc.so.2', 'LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', /x86_64-linux-gnu/],
    ['    _RJEM_MALLOC_CONF=', '    RJEM_MALLOC_CONF=', /_RJEM_MALLOC_CONF is undefined/],
    ['ca-certificates libjemalloc2', 'ca-certificates libjemalloc2 pkg-config', /installs build packages: pkg-config/],
    ['COPY protos ./protos\n', '', /no COPY of protos/],
    ['find operator.json protos src', 'find operator.json src', /protos is copied but not touched/],
    ['--profile release', '--release', /profiles \[\]/],
    [',required=false', '', /secret mount/],
    ['WORKDIR /build', 'WORKDIR /build\nARG GIT_TOKEN', /ARG mentions a token/],
    ['/build/target/release/hello_operator', '/build/target/debug/hello_operator', /the binary is copied as/],
  ];
  for (const [original, replacement, problem] of planted) {
    expect(dockerfile).toContain(original);
    const broken = dockerfile.replace(original, replacement);
    expect([original, imageProblems(broken, dockerignore, expected).join('\n')]).toEqual([original, expect.stringMatching(problem)]);
  }
  expect(imageProblems(dockerfile, `${dockerignore}protos\n`, expected)).toEqual(['.dockerignore excludes protos', '.dockerignore excludes protos/inner.file']);
});
