/**
 * Self-tests of the Dockerfile validators: a valid multi-stage Dockerfile is clean, and every
 * check reports a planted defect.
 */
import {
  copyFromReferencesExistingStages,
  dockerfileDiagnostics,
  entrypointIsExecForm,
  finalStage,
  finalStageUser,
  findLiteral,
  formatFindings,
  globalInstructions,
  runMounts,
  stages,
} from './validate-dockerfile';

const VALID = `# syntax=docker/dockerfile:1
ARG RUST_VERSION=1.95
FROM --platform=$BUILDPLATFORM rust:\${RUST_VERSION}-slim-bookworm AS builder
ARG TARGETARCH
WORKDIR /src
COPY . .
RUN --mount=type=secret,id=git_token,required=false \\
    --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \\
    cargo build --release --locked && \\
    cp target/release/x /x

FROM debian:bookworm-slim AS runtime
COPY --from=builder --chmod=755 /x /usr/local/bin/x
USER 1000:1000
ENTRYPOINT ["/usr/local/bin/x"]
`;

function plant(original: string, replacement: string, base = VALID): string {
  expect(base).toContain(original);
  return base.replace(original, replacement);
}

describe('valid multi-stage Dockerfile', () => {
  test('has no diagnostics and passes every structural check', () => {
    expect(dockerfileDiagnostics(VALID)).toEqual([]);
    expect(finalStageUser(VALID)).toBe('1000:1000');
    expect(entrypointIsExecForm(VALID)).toBe(true);
    expect(copyFromReferencesExistingStages(VALID)).toEqual({
      ok: true,
      references: [{ from: 'builder', line: 13, inStage: 1, resolvesTo: 'stage' }],
      missing: [],
    });
    expect(findLiteral(VALID, 'x86_64-linux-gnu')).toEqual([]);
  });

  test('stages() describes stages, instructions and flags', () => {
    const s = stages(VALID);
    expect(s.map(({ index, alias, image, platform, line }) => ({ index, alias, image, platform, line }))).toEqual([
      { index: 0, alias: 'builder', image: 'rust:${RUST_VERSION}-slim-bookworm', platform: '$BUILDPLATFORM', line: 3 },
      { index: 1, alias: 'runtime', image: 'debian:bookworm-slim', platform: undefined, line: 12 },
    ]);
    expect(s[0].instructions.map((i) => i.keyword)).toEqual(['ARG', 'WORKDIR', 'COPY', 'RUN']);
    expect(s[0].instructions[3]).toEqual({
      keyword: 'RUN',
      args: 'cargo build --release --locked &&     cp target/release/x /x',
      flags: { mount: 'type=secret,id=git_token,required=false' },
      flagList: [
        { name: 'mount', value: 'type=secret,id=git_token,required=false' },
        { name: 'mount', value: 'type=cache,target=/usr/local/cargo/registry,sharing=locked' },
      ],
      line: 7,
    });
    expect(finalStage(VALID).instructions).toEqual([
      { keyword: 'COPY', args: '/x /usr/local/bin/x', flags: { from: 'builder', chmod: '755' }, flagList: expect.any(Array), line: 13 },
      { keyword: 'USER', args: '1000:1000', flags: {}, flagList: [], line: 14 },
      { keyword: 'ENTRYPOINT', args: '["/usr/local/bin/x"]', flags: {}, flagList: [], line: 15 },
    ]);
    expect(globalInstructions(VALID)).toEqual([expect.objectContaining({ keyword: 'ARG', args: 'RUST_VERSION=1.95', line: 2 })]);
  });

  test('runMounts() lists every --mount per RUN', () => {
    expect(runMounts(VALID)).toEqual([
      {
        line: 7,
        stage: 0,
        mounts: ['type=secret,id=git_token,required=false', 'type=cache,target=/usr/local/cargo/registry,sharing=locked'],
        parsed: [
          { type: 'secret', id: 'git_token', required: 'false' },
          { type: 'cache', target: '/usr/local/cargo/registry', sharing: 'locked' },
        ],
      },
    ]);
    expect(runMounts(plant('RUN --mount=type=secret,id=git_token,required=false \\\n    --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \\\n', 'RUN ')))
      .toEqual([expect.objectContaining({ line: 7, mounts: [] })]);
  });
});

describe('dockerfileDiagnostics reports planted defects', () => {
  test('unknown instruction', () => {
    expect(dockerfileDiagnostics(plant('WORKDIR /src\n', 'WORKDIR /src\nFOOBAR x\n'))).toEqual([
      { tool: 'dockerfile-utils', code: 'UNKNOWN_INSTRUCTION', severity: 'error', line: 6, column: 1, message: 'Unknown instruction: FOOBAR' },
    ]);
  });

  test('duplicate stage name, unknown COPY flag, USER without argument', () => {
    expect(dockerfileDiagnostics(plant('AS runtime', 'AS builder')).map((d) => [d.code, d.line])).toEqual([
      ['DUPLICATE_BUILD_STAGE_NAME', 3],
      ['DUPLICATE_BUILD_STAGE_NAME', 12],
    ]);
    expect(dockerfileDiagnostics(plant('--chmod=755', '--chmdo=755')).map((d) => d.code)).toEqual(['UNKNOWN_COPY_FLAG']);
    expect(dockerfileDiagnostics(plant('USER 1000:1000', 'USER')).map((d) => d.code)).toEqual(['ARGUMENT_MISSING']);
  });

  test('warnings are kept with severity warning', () => {
    const d = dockerfileDiagnostics(plant('WORKDIR /src', 'WORKDIR src'));
    expect(d).toEqual([expect.objectContaining({ code: 'WORKDIR_IS_NOT_ABSOLUTE', severity: 'warning', line: 5 })]);
    expect(formatFindings(d)).toBe('[dockerfile-utils WORKDIR_IS_NOT_ABSOLUTE] 5:9: WORKDIR paths should be absolute');
  });

  test('what it does NOT catch (the structural checks below do)', () => {
    expect(dockerfileDiagnostics(plant('--from=builder', '--from=nonexistent'))).toEqual([]);
    expect(dockerfileDiagnostics(plant('ENTRYPOINT ["/usr/local/bin/x"]', 'ENTRYPOINT /usr/local/bin/x'))).toEqual([]);
    expect(dockerfileDiagnostics(plant('--mount=type=secret', '--mount=typo=secret'))).toEqual([]);
  });
});

describe('structural checks report planted defects', () => {
  test('COPY --from a stage that does not exist, comes later, or is a bare name', () => {
    const r = copyFromReferencesExistingStages(plant('--from=builder', '--from=nonexistent'));
    expect(r.ok).toBe(false);
    expect(r.missing).toEqual([{ from: 'nonexistent', line: 13, inStage: 1, resolvesTo: 'missing' }]);

    // a stage may only copy from EARLIER stages
    const later = plant('COPY . .\n', 'COPY . .\nCOPY --from=runtime /a /b\n');
    expect(copyFromReferencesExistingStages(later).missing.map((m) => m.from)).toEqual(['runtime']);

    // index and case-insensitive alias are stages; registry references are images
    const ok = plant('--from=builder', '--from=BUILDER')
      .replace('USER 1000:1000', 'COPY --from=0 /x /y\nCOPY --from=ghcr.io/acme/tool:1 /t /t\nUSER 1000:1000');
    expect(copyFromReferencesExistingStages(ok)).toEqual(expect.objectContaining({ ok: true }));
    expect(copyFromReferencesExistingStages(ok).references.map((x) => x.resolvesTo)).toEqual(['stage', 'stage', 'image']);
    expect(copyFromReferencesExistingStages(plant('--from=builder', '--from=1')).missing).toHaveLength(1);
  });

  test('shell-form or single-quoted ENTRYPOINT is not exec form; neither is a missing one', () => {
    expect(entrypointIsExecForm(plant('ENTRYPOINT ["/usr/local/bin/x"]', 'ENTRYPOINT /usr/local/bin/x'))).toBe(false);
    expect(entrypointIsExecForm(plant('ENTRYPOINT ["/usr/local/bin/x"]', "ENTRYPOINT ['/usr/local/bin/x']"))).toBe(false);
    expect(entrypointIsExecForm(plant('ENTRYPOINT ["/usr/local/bin/x"]', 'ENTRYPOINT []'))).toBe(false);
    expect(entrypointIsExecForm(plant('ENTRYPOINT ["/usr/local/bin/x"]\n', ''))).toBe(false);
    // an exec-form ENTRYPOINT in the builder stage does not count for the final image
    expect(entrypointIsExecForm(plant('ENTRYPOINT ["/usr/local/bin/x"]\n', '').replace('WORKDIR /src', 'WORKDIR /src\nENTRYPOINT ["/x"]'))).toBe(false);
  });

  test('final stage without USER, or USER only in the builder, or a later USER root', () => {
    expect(finalStageUser(plant('USER 1000:1000\n', ''))).toBeUndefined();
    expect(finalStageUser(plant('USER 1000:1000\n', '').replace('WORKDIR /src', 'USER 1000\nWORKDIR /src'))).toBeUndefined();
    expect(finalStageUser(plant('USER 1000:1000\n', 'USER 1000:1000\nUSER root\n'))).toBe('root');
  });

  test('literal x86_64-linux-gnu is found, comments are marked', () => {
    const y = plant('    cp target/release/x /x', '    cp target/x86_64-linux-gnu/release/x /x\n# not for x86_64-linux-gnu only');
    expect(findLiteral(y, 'x86_64-linux-gnu')).toEqual([
      { line: 10, column: 15, text: '    cp target/x86_64-linux-gnu/release/x /x', inComment: false },
      { line: 11, column: 11, text: '# not for x86_64-linux-gnu only', inComment: true },
    ]);
  });

  test('finalStage throws without FROM', () => {
    expect(() => finalStage('ARG X=1\n')).toThrow(/no FROM/);
  });
});
