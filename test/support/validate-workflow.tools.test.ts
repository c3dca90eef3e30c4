/**
 * Self-tests of the workflow validators: a valid workflow passes every tool, and every tool reports
 * a planted defect (a validator that cannot fail proves nothing).
 */
import {
  actionlint,
  closeWorkflowParser,
  Finding,
  formatFindings,
  githubWorkflowParser,
  KNOWN_FALSE_POSITIVES,
  replaceExpressions,
  runScripts,
  shellcheckRunSteps,
  validateWorkflow,
  withoutKnownFalsePositives,
} from './validate-workflow';

afterAll(() => closeWorkflowParser());

const CHECKOUT = 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1';

/** Minimal hardened workflow: top-level `permissions: {}`, per-job grants, SHA pin, a run step. */
const VALID = `name: ci
on:
  push:
    branches: [main]
  pull_request: {}
permissions: {}
concurrency:
  group: ci-\${{ github.ref }}
  cancel-in-progress: \${{ github.event_name == 'pull_request' }}
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - name: Checkout
        uses: ${CHECKOUT}
        with:
          persist-credentials: false
      - name: Build
        id: build
        env:
          REF_NAME: \${{ github.ref_name }}
        run: |
          echo "building \${REF_NAME}"
          echo "sha=\${{ github.sha }}" >> "$GITHUB_OUTPUT"
`;

/** VALID with `replacement` substituted for `original` (which must occur). */
function plant(original: string, replacement: string, base = VALID): string {
  expect(base).toContain(original);
  return base.replace(original, replacement);
}

function codes(findings: Finding[]): string[] {
  return findings.map((f) => f.code ?? '');
}

describe('valid workflow', () => {
  test('passes actionlint, the GitHub parser and shellcheck', async () => {
    expect(await actionlint(VALID)).toEqual([]);
    expect(await githubWorkflowParser(VALID)).toEqual([]);
    expect(await shellcheckRunSteps(VALID)).toEqual([]);
    expect(await validateWorkflow(VALID)).toEqual([]);
  });

  test('its run step really is handed to shellcheck, with expressions replaced', () => {
    const scripts = runScripts(VALID);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatchObject({ job: 'build', step: 'build', dialect: 'bash', preludeLines: 2 });
    expect(scripts[0].script).toBe(
      '#!/usr/bin/env bash\nset -e\necho "building ${REF_NAME}"\necho "sha=_________________" >> "$GITHUB_OUTPUT"\n',
    );
  });
});

describe('actionlint reports planted defects', () => {
  test('needs: an undefined job', async () => {
    const y = plant('    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    needs: [nope]\n');
    const f = await actionlint(y);
    expect(f).toEqual([
      expect.objectContaining({ tool: 'actionlint', code: 'job-needs', line: 11, message: expect.stringContaining('"nope"') }),
    ]);
  });

  test('unknown runs-on label', async () => {
    const f = await actionlint(plant('runs-on: ubuntu-latest', 'runs-on: ubuntu-lastest'));
    expect(codes(f)).toEqual(['runner-label']);
    expect(f[0]).toMatchObject({ line: 12, column: 14 });
  });

  test('undefined property in an expression', async () => {
    const f = await actionlint(plant('github.ref_name', 'github.foo'));
    expect(f).toEqual([
      expect.objectContaining({ code: 'expression', line: 23, message: expect.stringContaining('property "foo" is not defined') }),
    ]);
  });

  test('untrusted input inline in a run script', async () => {
    const f = await actionlint(plant('github.sha', 'github.event.pull_request.title'));
    expect(codes(f)).toEqual(['expression']);
    expect(f[0].message).toMatch(/potentially untrusted/);
  });
});

describe('GitHub workflow parser reports planted defects', () => {
  test('a job without runs-on', async () => {
    const f = await githubWorkflowParser(plant('    runs-on: ubuntu-latest\n', ''));
    expect(f).toEqual([
      // reported at the job's mapping, whose first key is now `permissions:`
      { tool: 'workflow-parser', message: 'Required property is missing: runs-on', line: 12, column: 5 },
    ]);
  });

  test('an unknown top-level key', async () => {
    const f = await githubWorkflowParser(plant('permissions: {}\n', 'permissions: {}\nfoo: bar\n'));
    expect(f).toEqual([{ tool: 'workflow-parser', message: "Unexpected value 'foo'", line: 7, column: 1 }]);
  });

  test('an unknown permission level', async () => {
    const f = await githubWorkflowParser(plant('contents: read', 'contents: admin'));
    expect(f.map((x) => x.line)).toEqual([14]);
    expect(f[0].message).toMatch(/admin/);
  });

  test('needs: an undefined job (found while converting, not while parsing)', async () => {
    const y = `${VALID}  publish:
    runs-on: ubuntu-latest
    needs: [build, nope]
    steps:
      - run: echo publish
`;
    const f = await githubWorkflowParser(y);
    expect(f).toEqual([expect.objectContaining({ line: 29, message: expect.stringMatching(/nope/) })]);
  });

  test('a dependency cycle', async () => {
    const y = `${plant('    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    needs: [publish]\n')}  publish:
    runs-on: ubuntu-latest
    needs: [build]
    steps:
      - run: echo publish
`;
    expect((await githubWorkflowParser(y)).length).toBeGreaterThan(0);
  });

  test('invalid YAML', async () => {
    const f = await githubWorkflowParser('on: push\njobs: [\n');
    expect(f.length).toBeGreaterThan(0);
    expect(f[0].tool).toBe('workflow-parser');
  });

  test('the worker survives many requests and answers them in order', async () => {
    const results = await Promise.all(
      [VALID, plant('permissions: {}\n', 'permissions: {}\nfoo: bar\n'), VALID].map((y) => githubWorkflowParser(y)),
    );
    expect(results.map((r) => r.length)).toEqual([0, 1, 0]);
  });
});

describe('shellcheck reports planted defects in run steps', () => {
  test('unquoted variable (SC2086) mapped to job, step and file position', async () => {
    const y = plant('echo "building ${REF_NAME}"', 'echo building $REF_NAME');
    const f = await shellcheckRunSteps(y);
    expect(f).toEqual([
      {
        tool: 'shellcheck',
        code: 'SC2086',
        severity: 'info',
        job: 'build',
        step: 'build',
        line: 25,
        column: 25,
        message: expect.stringContaining('Double quote'),
      },
    ]);
    expect(y.split('\n')[24].slice(24)).toBe('$REF_NAME');
  });

  test('cd without || exit (SC2164) is reported only when the shell has no -e', async () => {
    // GitHub runs an unspecified shell as `bash -e {0}`, and shellcheck knows `cd` then cannot fail
    // silently; a custom `bash {0}` has no -e.
    const y = plant('echo "building', 'cd dir\n          echo "building');
    expect(await shellcheckRunSteps(y)).toEqual([]);
    const noE = plant('        run: |\n', '        shell: bash {0}\n        run: |\n', y);
    expect(runScripts(noE)[0]).toMatchObject({ preludeLines: 1 });
    expect(await shellcheckRunSteps(noE)).toEqual([expect.objectContaining({ code: 'SC2164', line: 26, column: 11 })]);
  });

  test('a step without id is named by its name, one without either by its index', async () => {
    const y = plant('        id: build\n', '', plant('echo "building ${REF_NAME}"', 'echo building $REF_NAME'));
    expect(await shellcheckRunSteps(y)).toEqual([expect.objectContaining({ job: 'build', step: 'Build', line: 24 })]);
    const anon = plant('      - name: Build\n        env:', '      - env:', y);
    expect(await shellcheckRunSteps(anon)).toEqual([expect.objectContaining({ step: 'steps[1]', line: 23 })]);
  });

  test('shell: sh is checked as POSIX sh', async () => {
    const y = plant(
      '        run: |\n',
      '        shell: sh\n        run: |\n',
      plant('echo "building ${REF_NAME}"', 'if [[ -n "$REF_NAME" ]]; then echo x; fi'),
    );
    expect(codes(await shellcheckRunSteps(y))).toEqual(['SC3010']);
    expect(await shellcheckRunSteps(y.replace('shell: sh', 'shell: bash'))).toEqual([]);
  });

  test('single-line run scalars map to the exact column', async () => {
    const one = plant(
      '        run: |\n          echo "building ${REF_NAME}"\n          echo "sha=${{ github.sha }}" >> "$GITHUB_OUTPUT"\n',
      '        run: echo ${{ github.sha }} $REF_NAME\n',
    );
    expect(await shellcheckRunSteps(one)).toEqual([expect.objectContaining({ code: 'SC2086', line: 24, column: 37 })]);
    expect(one.split('\n')[23].slice(36)).toBe('$REF_NAME');
  });

  test('expressions are replaced by same-length placeholders', () => {
    expect(replaceExpressions('a ${{ x }} b "${{ y }}"')).toBe('a ________ b "________"');
  });

  test('non-POSIX shells are skipped, Windows runners default to pwsh', () => {
    expect(runScripts(plant('        run: |\n', '        shell: pwsh\n        run: |\n'))).toEqual([]);
    expect(runScripts(plant('ubuntu-latest', 'windows-latest'))).toEqual([]);
    expect(runScripts(plant('ubuntu-latest', 'windows-latest').replace('        run: |\n', '        shell: bash\n        run: |\n'))).toHaveLength(1);
  });
});

describe('validateWorkflow combines all three', () => {
  test('each tool contributes its finding', async () => {
    let y = plant('    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    needs: [nope]\n');
    y = plant('permissions: {}\n', 'permissions: {}\nfoo: bar\n', y);
    y = plant('echo "building ${REF_NAME}"', 'echo building $REF_NAME', y);
    const f = await validateWorkflow(y);
    expect([...new Set(f.map((x) => x.tool))].sort()).toEqual(['actionlint', 'shellcheck', 'workflow-parser']);
    expect(formatFindings(f)).toMatch(/\[shellcheck SC2086\] 27:25 build build: /);
  });

  test('withoutKnownFalsePositives filters by tool and message', () => {
    const findings: Finding[] = [
      { tool: 'actionlint', message: 'unknown permission scope "x"' },
      { tool: 'shellcheck', message: 'unknown permission scope "x"' },
    ];
    const list = [{ tool: 'actionlint' as const, match: /scope "x"/, reason: 'test' }];
    expect(withoutKnownFalsePositives(findings, list)).toEqual([findings[1]]);
    expect(withoutKnownFalsePositives(findings)).toEqual(findings); // KNOWN_FALSE_POSITIVES is empty
    expect(KNOWN_FALSE_POSITIVES).toEqual([]);
  });
});

describe('permissions and concurrency the generated workflows rely on', () => {
  const PUBLISH = plant(
    '    permissions:\n      contents: read\n',
    [
      '    permissions:',
      '      contents: read',
      '      packages: write',
      '      id-token: write',
      '      attestations: write',
      '      security-events: write',
      '    concurrency:',
      '      group: publish-${{ github.ref }}',
      "      cancel-in-progress: ${{ !startsWith(github.ref, 'refs/tags/') }}",
      '',
    ].join('\n'),
  );

  test('accepted by GitHub\'s parser and by actionlint', async () => {
    expect(await githubWorkflowParser(PUBLISH)).toEqual([]);
    expect(await actionlint(PUBLISH)).toEqual([]);
    expect(await validateWorkflow(PUBLISH)).toEqual([]);
  });

  test('artifact-metadata: write is accepted by GitHub\'s parser but rejected by actionlint 1.7.7', async () => {
    const y = plant('      attestations: write\n', '      attestations: write\n      artifact-metadata: write\n', PUBLISH);
    expect(await githubWorkflowParser(y)).toEqual([]);
    const f = await actionlint(y);
    expect(f).toEqual([
      expect.objectContaining({ code: 'permissions', line: 18, message: expect.stringContaining('unknown permission scope "artifact-metadata"') }),
    ]);
    // Not a known false positive: the project avoids the scope, so validateWorkflow still fails.
    expect(await validateWorkflow(y)).toHaveLength(1);
  });

  test('a misspelt scope is rejected by both tools', async () => {
    const y = plant('      id-token: write\n', '      id_token: write\n', PUBLISH);
    expect((await githubWorkflowParser(y)).length).toBeGreaterThan(0);
    expect(codes(await actionlint(y))).toEqual(['permissions']);
  });

  test('failure output is readable', async () => {
    const y = plant('      id-token: write\n', '      id_token: write\n', PUBLISH);
    expect(formatFindings(await validateWorkflow(y))).toMatch(/^\[actionlint permissions\] 16:7: unknown permission scope "id_token"/m);
  });
});
