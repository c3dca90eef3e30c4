/**
 * The distroless runtime (`RuntimeBase.distroless()`) in the generated files, checked with
 * dockerfile-utils, dockerfile-ast and shellcheck: no RUN (no shell) in the shipped stage, a
 * numeric USER, no apt or useradd there, runtime libraries copied from a Debian stage of the
 * base's release, no architecture name, and docs that offer a shell only when the base has one.
 * The real build is test/image/distroless.test.ts.
 */
import { spawnSync } from 'child_process';
import { AllocatorMode } from '../../src/core/allocator';
import { JemallocDockerfile } from '../../src/docker/jemalloc-dockerfile';
import { RuntimeBase } from '../../src/plan/base-image';
import { RustOperatorProjectOptions } from '../../src/project/rust-operator-project';
import { synthOperator } from '../support/synth';
import { copyFromReferencesExistingStages, dockerfileDiagnostics, finalStage, finalStageUser, stages } from '../support/validate-dockerfile';

const CONFIGURATIONS: { name: string; options: Partial<RustOperatorProjectOptions> }[] = [
  { name: 'default allocator', options: { runtimeBase: RuntimeBase.distroless() } },
  { name: 'debug, runtime packages', options: { runtimeBase: RuntimeBase.distroless({ debug: true }), builderPackages: ['libcairo2-dev'], runtimePackages: ['libcairo2', 'libpango-1.0-0'] } },
  { name: 'linked allocator, platformUser', options: { runtimeBase: RuntimeBase.distroless(), allocator: AllocatorMode.LINKED, platformUser: true } },
  { name: 'system allocator, uid 65532 (distroless nonroot)', options: { runtimeBase: RuntimeBase.distroless(), allocator: AllocatorMode.SYSTEM, dockerfileOptions: { runtimeUid: 65532 } } },
  { name: 'a pinned custom distroless image', options: { runtimeBase: RuntimeBase.distroless({ image: 'registry.example.com/mirror/cc-debian12:nonroot', debianRelease: 'bookworm' }) } },
];

/** What is wrong with a distroless Dockerfile, as messages (empty: nothing). */
function distrolessProblems(text: string): string[] {
  const problems: string[] = [];
  const all = stages(text);
  const final = finalStage(text);
  if (!/distroless|cc-debian/.test(final.image)) problems.push(`final stage is FROM ${final.image}`);
  for (const i of final.instructions) {
    if (i.keyword === 'RUN') problems.push(`line ${i.line}: RUN in the shipped stage, which has no shell`);
  }
  const user = finalStageUser(text);
  if (user !== undefined && !/^\d+:\d+$/.test(user)) problems.push(`USER ${user} is not numeric uid:gid`);
  if (all.some((st) => st.instructions.some((i) => /useradd|groupadd/.test(i.args)))) problems.push('useradd/groupadd in a Dockerfile whose runtime has none');
  const libraries = all.find((s) => s.alias === JemallocDockerfile.LIBRARIES_STAGE);
  if (!libraries) problems.push('no runtime-libraries stage');
  else if (!/^debian:[a-z]+-slim$/.test(libraries.image)) problems.push(`runtime-libraries stage is FROM ${libraries.image}`);
  if (!final.instructions.some((i) => i.keyword === 'COPY' && i.flags.from === JemallocDockerfile.LIBRARIES_STAGE)) {
    problems.push('the shipped stage does not copy the gathered libraries');
  }
  if (!copyFromReferencesExistingStages(text).ok) problems.push('a COPY --from names no earlier stage or image');
  const arch = /x86_64|aarch64|amd64|arm64|i386|armhf/.exec(text);
  if (arch) problems.push(`architecture name "${arch[0]}" in the Dockerfile`);
  return problems;
}

/** shellcheck (POSIX sh, what debian:*-slim runs RUN with) of the runtime-libraries stage's RUNs. */
function shellcheckLibraries(text: string): string[] {
  const libraries = stages(text).find((s) => s.alias === JemallocDockerfile.LIBRARIES_STAGE)!;
  return libraries.instructions.filter((i) => i.keyword === 'RUN').flatMap((i) => {
    const r = spawnSync('shellcheck', ['--norc', '-s', 'sh', '-f', 'gcc', '-'], { input: i.args, encoding: 'utf8' });
    if (r.status !== 0 && r.status !== 1) throw new Error(`shellcheck failed: ${r.stderr}`);
    return r.stdout.split('\n').filter((l) => l);
  });
}

describe.each(CONFIGURATIONS)('distroless: $name', ({ options }) => {
  const result = synthOperator(options);
  const text = result.read('Dockerfile');

  test('dockerfile-utils reports nothing', () => {
    expect(dockerfileDiagnostics(text)).toEqual([]);
  });

  test('the shipped stage has no RUN, a numeric USER, libraries from a Debian stage, no architecture name', () => {
    expect(distrolessProblems(text)).toEqual([]);
  });

  test('shellcheck finds nothing in the libraries script', () => {
    expect(shellcheckLibraries(text)).toEqual([]);
  });

  test('the docs offer a shell exactly when the base has one', () => {
    const docs = result.read('docs/OPERATOR.md');
    expect(docs).not.toMatch(/--entrypoint \/bin\/(ba)?sh/);
    const debug = (options.runtimeBase as RuntimeBase).shell !== undefined;
    expect(docs.includes('--entrypoint /busybox/sh')).toBe(debug);
    expect(docs.includes('The runtime image has no shell')).toBe(!debug);
  });
});

test('the checks catch planted defects', () => {
  const text = synthOperator({ runtimeBase: RuntimeBase.distroless() }).read('Dockerfile');
  const final = finalStage(text);
  const lines = text.split('\n');
  lines.splice(final.line, 0, 'RUN groupadd --gid 1000 op && useradd --uid 1000 op');
  const planted = lines.join('\n').replace('USER 1000:1000', 'USER operator')
    .replace('/runtime-libraries/ /', '/runtime-libraries/ /usr/lib/x86_64-linux-gnu/').replace('--from=runtime-libraries', '--from=runtime-libs');
  expect(distrolessProblems(planted)).toEqual([
    expect.stringContaining('RUN in the shipped stage'),
    'USER operator is not numeric uid:gid',
    'useradd/groupadd in a Dockerfile whose runtime has none',
    'the shipped stage does not copy the gathered libraries',
    'a COPY --from names no earlier stage or image',
    'architecture name "x86_64" in the Dockerfile',
  ]);
  expect(shellcheckLibraries(text.replace('"${f##*/}"', '${f##*/}'))).toEqual([expect.stringContaining('[SC2086]')]);
});

test('the seed\'s runtime packages are the base\'s own: only the allocator\'s libjemalloc2 is installed', () => {
  const text = synthOperator({ runtimeBase: RuntimeBase.distroless(), runtimePackages: ['libssl3', 'libcairo2'] }).read('Dockerfile');
  const libraries = stages(text).find((s) => s.alias === JemallocDockerfile.LIBRARIES_STAGE)!;
  const install = libraries.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('apt-get install'))!;
  expect(install.args).toMatch(/--no-install-recommends libcairo2 libjemalloc2\s/);
  expect(text).not.toMatch(/ca-certificates|libssl3/);
});

test('no runtime packages and nothing preloaded: no apt at all, the libraries stage still checks the binary', () => {
  const text = synthOperator({ runtimeBase: RuntimeBase.distroless(), allocator: AllocatorMode.LINKED }).read('Dockerfile');
  expect(text).not.toContain('apt-get install -y --no-install-recommends libjemalloc2');
  const libraries = stages(text).find((s) => s.alias === JemallocDockerfile.LIBRARIES_STAGE)!;
  expect(libraries.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('apt-get'))).toBe(false);
  expect(libraries.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('echo /usr/local/bin/hello_operator; cat /tmp/provided; } | xargs ldd'))).toBe(true);
});
