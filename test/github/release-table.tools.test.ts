/**
 * The release table: for each example ref, which jobs run and which image tags are pushed.
 *
 * Computed INDEPENDENTLY of the generator, from the generated YAML: trigger filters with GitHub's
 * filter-pattern syntax (implemented in support/workflow-model.ts and checked below against the
 * examples of GitHub's docs), each job's `if:` and `needs` with GitHub's own parser and
 * expression engine, and the pushed tags from the metadata-action `tags`/`flavor` inputs with
 * docker/metadata-action's documented rules. The result must equal the expected table AND
 * `GhcrReleaseWorkflow.refOutcome`, which the generated docs/OPERATOR.md prints.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { tagsImages } from './support/audits';
import { CASES, CaseDefinition, synthCase, WORKFLOW_FILE, WorkflowCase } from './support/cases';
import { actionOf, ParsedJob, ParsedWorkflow, parseWorkflowText } from './support/parsed-workflow';
import { removeScratchDirs } from './support/scratch';
import { evaluateWorkflow, filterAllows, filterPatternMatches, isTriggered, metadataActionTags, parseSemver, scenarioOf } from './support/workflow-model';
import { GhcrReleaseWorkflow, RefOutcome } from '../../src/github/ghcr-release-workflow';
import { JobTrigger, matchesFilterPattern } from '../../src/plan/release-policy';
import { synthQuietly } from '../support/synth';

afterAll(removeScratchDirs);

type Table = { [ref: string]: RefOutcome };

/**
 * The jobs that push tags: a `docker buildx imagetools create` step whose tags come from the
 * job's metadata step. Builds push by digest only: no build-push step names a tag or pushes one.
 */
function taggingJobs(workflow: ParsedWorkflow): ParsedJob[] {
  for (const build of workflow.jobs.flatMap((job) => job.steps).filter((s) => actionOf(s.uses) === 'docker/build-push-action')) {
    expect({ tags: build.with.tags, push: build.with.push }).toEqual({ tags: undefined, push: undefined });
    expect(String(build.with.outputs)).toMatch(/^type=image,name=[^,]+,push-by-digest=true,name-canonical=true,push=true$/);
  }
  const tagging = workflow.jobs.filter((job) => job.steps.some(tagsImages));
  expect(tagging.length).toBeGreaterThan(0);
  return tagging;
}

/** The release table of a generated workflow, from the YAML alone. */
async function releaseTable(yaml: string, refs: readonly string[], failing: string[] = []): Promise<Table> {
  const scenarios = refs.map((ref) => ({ ...scenarioOf(ref), failing }));
  const model = await evaluateWorkflow(yaml, scenarios);
  const workflow = parseWorkflowText(yaml);
  const pushing = taggingJobs(workflow);
  const table: Table = {};
  for (const scenario of scenarios) {
    if (!isTriggered(model.events, scenario.github)) {
      table[scenario.id] = { jobs: [], tags: [] };
      continue;
    }
    const results = model.results[scenario.id];
    const tags: string[] = [];
    for (const job of pushing.filter((j) => results[j.id] === 'success')) {
      const metadata = job.steps.find((s) => actionOf(s.uses) === 'docker/metadata-action')!;
      const tag = job.steps.find(tagsImages)!;
      expect(tag.env.TAGS).toBe(`\${{ steps.${metadata.id}.outputs.tags }}`);
      expect([metadata.if, tag.if]).toEqual([undefined, undefined]);
      tags.push(...metadataActionTags(metadata.with as { tags?: string; flavor?: string }, scenario.github));
    }
    table[scenario.id] = { jobs: model.jobs.map((j) => j.id).filter((id) => results[id] === 'success'), tags };
  }
  return table;
}

/** The commit of every scenario (support/workflow-model.ts), for SHA tags. */
const SHA = '0123456789abcdef0123456789abcdef01234567';

function refOutcomes(release: GhcrReleaseWorkflow, refs: readonly string[]): Table {
  return Object.fromEntries(refs.map((ref) => [ref, release.refOutcome(ref, SHA)]));
}

const RELEASE = ['test', 'image', 'publish', 'scan'];

/** The default table: what the README and docs/OPERATOR.md show. */
const DEFAULT_TABLE: Table = {
  'refs/heads/main': { jobs: RELEASE, tags: ['main'] },
  'refs/heads/feature/x': { jobs: ['test'], tags: [] },
  'refs/tags/1.2.3': { jobs: RELEASE, tags: ['1.2.3'] },
  'refs/tags/v1.2.3': { jobs: [], tags: [] }, // not a release tag: the workflow does not run
  'refs/tags/1.2.3-rc.1': { jobs: RELEASE, tags: ['1.2.3-rc.1'] }, // a pre-release: full version only, no latest
  'pull_request': { jobs: ['test'], tags: [] },
};

const WITH_INSTALL_TEST: Table = {
  ...DEFAULT_TABLE,
  'refs/tags/1.2.3': { jobs: [...RELEASE, 'operator-install-test'], tags: ['1.2.3'] },
  'refs/tags/1.2.3-rc.1': { jobs: [...RELEASE, 'operator-install-test'], tags: ['1.2.3-rc.1'] },
};

/** Tercen's tags: every branch push publishes, with the commit and short commit as tags. */
const TERCEN_TABLE: Table = {
  'refs/heads/main': { jobs: RELEASE, tags: ['main', SHA, SHA.slice(0, 7)] },
  'refs/heads/feature/x': { jobs: RELEASE, tags: ['feature-x', SHA, SHA.slice(0, 7)] },
  'refs/tags/1.2.3': { jobs: RELEASE, tags: [SHA, SHA.slice(0, 7), '1.2.3'] },
  'refs/tags/v1.2.3': { jobs: [], tags: [] },
  'refs/tags/1.2.3-rc.1': { jobs: RELEASE, tags: [SHA, SHA.slice(0, 7), '1.2.3-rc.1'] },
  'pull_request': { jobs: ['test'], tags: [] },
};

/** The GitHub release job runs for release tags only, after the image job. */
function withGithubRelease(table: Table): Table {
  const tags = ['refs/tags/1.2.3', 'refs/tags/1.2.3-rc.1'];
  return Object.fromEntries(Object.entries(table).map(([ref, outcome]) =>
    [ref, tags.includes(ref) ? { ...outcome, jobs: [...outcome.jobs, 'github-release'] } : outcome]));
}

/** By case name; cases not listed have the default table. */
const EXPECTED: { [caseName: string]: { refs?: string[]; table: Table } } = {
  'GitHub release': { table: withGithubRelease(DEFAULT_TABLE) },
  'GitHub release after the vulnerability gate': { table: withGithubRelease(DEFAULT_TABLE) },
  'Tercen tags, GitHub release, submodules, scan artifact': { table: withGithubRelease(TERCEN_TABLE) },
  'Tercen image tags': { table: TERCEN_TABLE },
  'default': { table: DEFAULT_TABLE },
  'install test enabled': { table: WITH_INSTALL_TEST },
  'everything on': { table: WITH_INSTALL_TEST },
  'multi-platform': { table: WITH_INSTALL_TEST },
  'multi-platform, Tercen tags, own runners, no SBOM or attestation': { table: TERCEN_TABLE },
  'custom runners, main branch and tag patterns': {
    refs: [...GhcrReleaseWorkflow.EXAMPLE_REFS, 'refs/heads/develop'],
    table: {
      ...DEFAULT_TABLE,
      'refs/heads/main': { jobs: ['test'], tags: [] },
      'refs/heads/develop': { jobs: RELEASE, tags: ['develop'] },
      'refs/tags/1.2.3': { jobs: [...RELEASE, 'operator-install-test'], tags: ['1.2.3'] },
      'refs/tags/1.2.3-rc.1': { jobs: [], tags: [] }, // tagPatterns: X.Y.Z only
    },
  },
};

describe.each(CASES.map((definition) => [definition.name, definition] as const))('%s', (name, definition: CaseDefinition) => {
  let generated: WorkflowCase;
  beforeAll(() => {
    generated = synthCase(definition);
  });

  test('GitHub\'s evaluation of the YAML gives the expected table, and refOutcome says the same', async () => {
    const expected = EXPECTED[name] ?? EXPECTED.default;
    const refs = expected.refs ?? GhcrReleaseWorkflow.EXAMPLE_REFS;
    const table = await releaseTable(generated.yaml, refs);
    expect(table).toEqual(expected.table);
    expect(refOutcomes(generated.release, refs)).toEqual(table);
  });
});

test('the generated docs print the table computed from the YAML', async () => {
  const generated = synthCase(CASES[0]);
  const table = await releaseTable(generated.yaml, GhcrReleaseWorkflow.EXAMPLE_REFS);
  const docs = fs.readFileSync(path.join(generated.dir, 'docs/OPERATOR.md'), 'utf-8');
  for (const [ref, outcome] of Object.entries(table)) {
    const label = ref === 'pull_request' ? 'a pull request' : `\`${ref}\``;
    const row = `| ${label} | ${outcome.jobs.join(', ') || 'none'} | ${outcome.tags.map((t) => `\`${t}\``).join(', ') || 'none'} |`;
    expect(docs).toContain(row);
  }
});

test('refOutcome follows jobs added with addJob: their trigger, and needs of a skipped job skip', async () => {
  const generated = synthCase(CASES[0]);
  const release = generated.release;
  release.addJob('lint-docs', { runsOn: ['ubuntu-latest'], permissions: {}, steps: [{ id: 'echo', run: 'echo docs' }] }, { trigger: JobTrigger.ALWAYS });
  release.addJob('after-scan', { runsOn: ['ubuntu-latest'], needs: ['scan'], permissions: {}, steps: [{ id: 'echo', run: 'echo scanned' }] });
  release.addJob('tags-only', { runsOn: ['ubuntu-latest'], needs: ['image'], permissions: {}, steps: [{ id: 'echo', run: 'echo tag' }] }, { trigger: JobTrigger.RELEASE_TAG });
  synthQuietly(generated.release.project);
  const text = fs.readFileSync(path.join(generated.dir, WORKFLOW_FILE), 'utf-8');
  const table = await releaseTable(text, GhcrReleaseWorkflow.EXAMPLE_REFS);
  expect(table['refs/heads/main'].jobs).toEqual([...RELEASE, 'lint-docs', 'after-scan']);
  expect(table['refs/tags/1.2.3'].jobs).toEqual([...RELEASE, 'lint-docs', 'after-scan', 'tags-only']);
  expect(table.pull_request.jobs).toEqual(['test', 'lint-docs']);
  expect(refOutcomes(generated.release, GhcrReleaseWorkflow.EXAMPLE_REFS)).toEqual(table);
});

/** What each job of the release does, from its steps: build (per matrix leg), merge (tag), attest, scan. */
function roles(workflow: ParsedWorkflow): { [job: string]: { build: string[]; merge: boolean; attest: boolean; scan: boolean } } {
  return Object.fromEntries(workflow.jobs.map((job) => {
    const builds = job.steps.some((s) => actionOf(s.uses) === 'docker/build-push-action');
    const legs = (job.json.strategy?.matrix?.include ?? []) as Array<{ platform: string }>;
    const platforms = legs.length > 0 ? legs.map((leg) => leg.platform) : job.steps.filter((s) => actionOf(s.uses) === 'docker/build-push-action').map((s) => String(s.with.platforms));
    return [job.id, {
      build: builds ? platforms.map((platform) => `${job.id} (${platform})`) : [],
      merge: job.steps.some(tagsImages),
      attest: job.steps.some((s) => actionOf(s.uses) === 'actions/attest'),
      scan: job.steps.some((s) => actionOf(s.uses) === 'aquasecurity/trivy-action'),
    }];
  }));
}

type RoleRow = { build: string[]; merge: string[]; attest: string[]; scan: string[] };

/** Per ref, which build (per platform), merge, attest and scan jobs run, by GitHub's evaluation. */
async function roleTable(yaml: string, refs: readonly string[]): Promise<{ [ref: string]: RoleRow }> {
  const workflow = parseWorkflowText(yaml);
  const model = await evaluateWorkflow(yaml, refs.map(scenarioOf));
  const byJob = roles(workflow);
  return Object.fromEntries(refs.map((ref) => {
    const running = isTriggered(model.events, scenarioOf(ref).github) ? workflow.jobs.map((j) => j.id).filter((id) => model.results[ref][id] === 'success') : [];
    return [ref, {
      build: running.flatMap((id) => byJob[id].build),
      merge: running.filter((id) => byJob[id].merge),
      attest: running.filter((id) => byJob[id].attest),
      scan: running.filter((id) => byJob[id].scan),
    }];
  }));
}

describe('multi-platform images', () => {
  const NONE: RoleRow = { build: [], merge: [], attest: [], scan: [] };
  const BOTH = ['image (linux/amd64)', 'image (linux/arm64)'];

  test('per ref: both platform builds, the merge, the attestation and the scan run when the image is published', async () => {
    const generated = synthCase(CASES.find((c) => c.name === 'multi-platform')!);
    const published: RoleRow = { build: BOTH, merge: ['publish'], attest: ['publish'], scan: ['scan'] };
    expect(await roleTable(generated.yaml, GhcrReleaseWorkflow.EXAMPLE_REFS)).toEqual({
      'refs/heads/main': published,
      'refs/heads/feature/x': NONE,
      'refs/tags/1.2.3': published,
      'refs/tags/v1.2.3': NONE,
      'refs/tags/1.2.3-rc.1': published,
      'pull_request': NONE,
    });
  });

  test('per ref, with the Tercen tags, no attestation and the platforms in the order given', async () => {
    const generated = synthCase(CASES.find((c) => c.name.startsWith('multi-platform, Tercen tags'))!);
    const published: RoleRow = { build: ['image (linux/arm64)', 'image (linux/amd64)'], merge: ['publish'], attest: [], scan: ['scan'] };
    expect(await roleTable(generated.yaml, GhcrReleaseWorkflow.EXAMPLE_REFS)).toEqual({
      'refs/heads/main': published,
      'refs/heads/feature/x': published,
      'refs/tags/1.2.3': published,
      'refs/tags/v1.2.3': NONE,
      'refs/tags/1.2.3-rc.1': published,
      'pull_request': NONE,
    });
    // Each platform on its runner: the own arm64 runner, the amd64 build on runsOn.
    expect(parseWorkflowText(generated.yaml).job('image').json.strategy.matrix.include.map((leg: any) => [leg.platform, leg.runner]))
      .toEqual([['linux/arm64', ['self-hosted', 'linux', 'arm64']], ['linux/amd64', 'ubuntu-24.04']]);
  });

  test('the single-platform default: one build, tagged by the same publish job', async () => {
    const generated = synthCase(CASES[0]);
    const published: RoleRow = { build: ['image (linux/amd64)'], merge: ['publish'], attest: ['publish'], scan: ['scan'] };
    const table = await roleTable(generated.yaml, GhcrReleaseWorkflow.EXAMPLE_REFS);
    expect(table['refs/heads/main']).toEqual(published);
    expect(table['refs/tags/1.2.3']).toEqual(published);
    expect(table.pull_request).toEqual(NONE);
  });

  describe.each(CASES.filter((c) => c.name.startsWith('multi-platform')).map((c) => [c.name, c] as const))('%s: the merge job consumes every platform\'s digest', (_name, definition) => {
    let generated: WorkflowCase;
    let workflow: ParsedWorkflow;
    beforeAll(() => {
      generated = synthCase(definition);
      workflow = parseWorkflowText(generated.yaml);
    });

    test('from the parsed workflow: one leg per platform, each uploads its digest, the merge downloads them all', async () => {
      const image = workflow.job('image');
      const publish = workflow.job('publish');
      const legs = image.json.strategy.matrix.include as Array<{ [key: string]: unknown }>;
      expect(legs.map((leg) => leg.platform)).toEqual(generated.release.platforms.map((p) => p.platform));
      const build = image.steps.find((s) => s.id === 'build')!;
      expect(build.with.platforms).toBe('${{ matrix.platform }}');
      const digest = image.steps.find((s) => s.id === 'digest')!;
      expect(digest.env.DIGEST).toBe('${{ steps.build.outputs.digest }}');
      const upload = image.steps.find((s) => actionOf(s.uses) === 'actions/upload-artifact')!;
      const download = publish.steps.find((s) => actionOf(s.uses) === 'actions/download-artifact')!;
      // The artifact name of each leg, as GitHub interpolates it with that leg's matrix.
      const model = await evaluateWorkflow(generated.yaml, [scenarioOf('refs/heads/main')],
        legs.map((matrix) => ({ scenario: 'refs/heads/main', text: String(upload.with.name), matrix })));
      const names = model.templates;
      expect(new Set(names).size).toBe(legs.length);
      const pattern = new RegExp(`^${String(download.with.pattern).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      for (const name of names) expect(name).toMatch(pattern);
      expect(download.with['merge-multiple']).toBe(true);
      // Uploaded from and downloaded to the folder the tag step reads.
      expect(upload.with.path).toBe('${{ runner.temp }}/digests/*');
      expect(download.with.path).toBe('${{ runner.temp }}/digests');
      expect(digest.run).toContain('"$RUNNER_TEMP/digests/');
      expect(publish.json.needs).toEqual(['test', 'image']);
    });

    test('run with a stub docker: the digests of every leg become one index under every tag', () => {
      const image = workflow.job('image');
      const publish = workflow.job('publish');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pro-merge-'));
      const temp = path.join(dir, 'runner-temp');
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(temp);
      fs.mkdirSync(bin);
      const log = path.join(dir, 'docker.log');
      // Records each call; `imagetools inspect` answers with the index digest.
      fs.writeFileSync(path.join(bin, 'docker'), `#!/bin/bash\necho "$*" >> "${log}"\nif [ "$3" = inspect ]; then echo '{"digest":"sha256:${'c'.repeat(64)}"}'; fi\n`, { mode: 0o755 });
      const run = (script: string, env: { [name: string]: string }) =>
        execFileSync('bash', ['-e', '-c', script], { env: { PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: temp, ...env }, encoding: 'utf-8' });
      const legs = image.json.strategy.matrix.include as Array<{ slug: string }>;
      const digests = legs.map((_, i) => `${String(i + 1).repeat(64)}`);
      // Each leg exports its digest on its own runner; download-artifact merges them into one folder.
      legs.forEach((_, i) => run(image.steps.find((s) => s.id === 'digest')!.run!, { DIGEST: `sha256:${digests[i]}` }));
      const tag = publish.steps.find(tagsImages)!;
      const output = path.join(dir, 'output');
      const tags = 'ghcr.io/acme/hello_operator:main\nghcr.io/acme/hello_operator:0123456';
      run(tag.run!, { IMAGE: String(tag.env.IMAGE), TAGS: tags, GITHUB_OUTPUT: output, GITHUB_REF: 'refs/heads/main' });
      const calls = fs.readFileSync(log, 'utf-8').trim().split('\n');
      expect(calls[0].split(' ').slice(0, 3)).toEqual(['buildx', 'imagetools', 'create']);
      expect(calls[0]).toContain('--tag ghcr.io/acme/hello_operator:main --tag ghcr.io/acme/hello_operator:0123456');
      const sources = calls[0].split(' ').filter((word) => word.includes('@sha256:'));
      expect(new Set(sources)).toEqual(new Set(digests.map((d) => `${tag.env.IMAGE}@sha256:${d}`)));
      expect(fs.readFileSync(output, 'utf-8')).toBe(`digest=sha256:${'c'.repeat(64)}\n`);
      // A missing platform digest fails the merge instead of publishing a partial index.
      fs.rmSync(path.join(temp, 'digests', digests[0]));
      expect(() => run(tag.run!, { IMAGE: String(tag.env.IMAGE), TAGS: tags, GITHUB_OUTPUT: output, GITHUB_REF: 'refs/heads/main' })).toThrow(/Expected 2 platform digests/);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
});

/** Every maximal path over `needs`, from jobs nobody needs back to jobs that need nothing. */
function paths(workflow: ParsedWorkflow): string[][] {
  const needs = (id: string): string[] => {
    const value = workflow.job(id).json.needs;
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  const needed = new Set(workflow.jobs.flatMap((job) => needs(job.id)));
  const walk = (id: string): string[][] => (needs(id).length === 0 ? [[id]] : needs(id).flatMap((need) => walk(need).map((p) => [...p, id])));
  return workflow.jobs.filter((job) => !needed.has(job.id)).flatMap((job) => walk(job.id));
}

describe.each(CASES.map((definition) => [definition.name, definition] as const))('%s: the job graph', (_name, definition) => {
  let generated: WorkflowCase;
  let workflow: ParsedWorkflow;
  beforeAll(() => {
    generated = synthCase(definition);
    workflow = parseWorkflowText(generated.yaml);
  });

  test('no tag is pushed before the test job succeeded: with the tests failing, the image is built but nothing is tagged', async () => {
    const refs = GhcrReleaseWorkflow.EXAMPLE_REFS;
    const failed = await releaseTable(generated.yaml, refs, [GhcrReleaseWorkflow.TEST_JOB]);
    const passed = await releaseTable(generated.yaml, refs);
    for (const ref of refs) {
      expect({ ref, tags: failed[ref].tags }).toEqual({ ref, tags: [] });
      // The build still ran beside the failing tests (pushed by digest, untagged).
      expect({ ref, image: failed[ref].jobs.includes('image') }).toEqual({ ref, image: passed[ref].jobs.includes('image') });
    }
    expect(Object.values(passed).some((row) => row.tags.length > 0)).toBe(true);
    // Statically too: every job that tags needs the test job.
    for (const job of taggingJobs(workflow)) expect(job.json.needs).toContain(GhcrReleaseWorkflow.TEST_JOB);
  });

  test('the longest path over needs holds one Rust build, not the tests and the image build in a row', () => {
    // The jobs that compile the crate: cargo in the test job, the Dockerfile's cargo build in the image job.
    const rustBuilds = workflow.jobs.filter((job) => job.steps.some((s) => actionOf(s.uses) === 'docker/build-push-action' || /\bcargo (test|clippy|build)\b/.test(s.run ?? ''))).map((job) => job.id);
    expect(rustBuilds).toEqual(['test', 'image']);
    const all = paths(workflow);
    const longest = Math.max(...all.map((p) => p.length));
    for (const p of all) expect({ path: p, builds: p.filter((id) => rustBuilds.includes(id)).length }).toEqual({ path: p, builds: 1 });
    // Past the scan only jobs that build nothing (the GitHub release, when on).
    expect(all.filter((p) => p.length === longest).map((p) => p.slice(0, 3))).toEqual(expect.arrayContaining([
      ['test', 'publish', 'scan'],
      ['image', 'publish', 'scan'],
    ]));
  });
});

describe('the job-graph checks catch a planted defect', () => {
  let yaml: string;
  beforeAll(() => {
    yaml = synthCase(CASES[0]).yaml;
  });
  const plant = (from: string, to: string) => {
    const text = yaml.replace(from, to);
    expect(text).not.toBe(yaml);
    return text;
  };

  test('a publish job that does not need the tests tags an untested image', async () => {
    const text = plant('    needs:\n      - test\n      - image\n', '    needs: image\n');
    const failed = await releaseTable(text, ['refs/heads/main'], [GhcrReleaseWorkflow.TEST_JOB]);
    expect(failed['refs/heads/main'].tags).toEqual(['main']);
  });

  test('an image job that waits for the tests puts both Rust builds on one path', () => {
    const text = plant('  image:\n    name: Build and push image\n', '  image:\n    name: Build and push image\n    needs: test\n');
    expect(paths(parseWorkflowText(text))).toEqual(expect.arrayContaining([['test', 'image', 'publish', 'scan']]));
  });
});

describe('the independent evaluators', () => {
  test('filter patterns: the examples of GitHub\'s "filter pattern cheat sheet"', () => {
    const cases: Array<[string, string[], string[]]> = [
      ['feature/*', ['feature/my-branch', 'feature/your-branch'], ['feature/a/b', 'feature']],
      ['feature/**', ['feature/beta-a/my-branch', 'feature/your-branch', 'feature/mona/the/octocat'], ['features/x']],
      ['*', ['main', 'releases'], ['releases/x']],
      ['**', ['all/the/branches', 'every/tag'], []],
      ['*feature', ['mona-feature', 'feature', 'ver-10-feature'], ['feature-x']],
      ['v2*', ['v2', 'v2.0', 'v2.9'], ['v3']],
      ['v[12].[0-9]+.[0-9]+', ['v1.10.1', 'v2.0.0'], ['v3.0.0', 'v1.x.0', 'v1.0']],
      ['[0-9]+.[0-9]+.[0-9]+', ['1.2.3', '10.20.30'], ['v1.2.3', '1.2', '1.2.3-rc.1', '1.2.3.4', 'a.b.c']],
      ['[0-9]+.[0-9]+.[0-9]+-*', ['1.2.3-rc.1', '1.2.3-'], ['1.2.3', '1.2.3-rc/1']],
      ['docs?', ['doc', 'docs'], ['docss']],
    ];
    for (const [pattern, matching, notMatching] of cases) {
      const check = (name: string) => ({ pattern, name, matches: filterPatternMatches(pattern, name) });
      for (const name of matching) expect(check(name)).toEqual({ pattern, name, matches: true });
      for (const name of notMatching) expect(check(name)).toEqual({ pattern, name, matches: false });
    }
    expect(filterAllows(['**', '!feature/**'], 'feature/x')).toBe(false);
    expect(filterAllows(['!feature/**', '**'], 'feature/x')).toBe(true);
  });

  test('filter patterns: the generator\'s matcher agrees with the independent one on random tags', () => {
    const tag = fc.stringMatching(/^v?[0-9]{1,3}(\.[0-9a-z]{1,3}){0,3}(-[a-z0-9.\/]{0,5})?$/);
    fc.assert(fc.property(tag, fc.constantFrom(...GhcrReleaseWorkflow.RELEASE_TAG_PATTERNS, 'v*', 'feature/*', '**', '[0-9]+.[0-9]+'), (name, pattern) =>
      matchesFilterPattern(pattern, name) === filterPatternMatches(pattern, name)), { numRuns: 2000 });
  });

  test('metadata-action tags: branch, semver, v prefix, pre-release, latest flavours', () => {
    const tags = 'type=ref,event=branch\ntype=semver,pattern={{version}}';
    const of = (ref: string, flavor = 'latest=false') => metadataActionTags({ tags, flavor }, scenarioOf(ref).github);
    expect(of('refs/heads/main')).toEqual(['main']);
    expect(of('refs/heads/feature/x')).toEqual(['feature-x']);
    expect(of('refs/tags/1.2.3')).toEqual(['1.2.3']);
    expect(of('refs/tags/v1.2.3')).toEqual(['1.2.3']);
    expect(of('refs/tags/1.2.3-rc.1')).toEqual(['1.2.3-rc.1']);
    expect(of('refs/tags/01.2.3')).toEqual([]); // not semver: metadata-action only warns
    expect(of('refs/tags/1.2.3', 'latest=auto')).toEqual(['1.2.3', 'latest']);
    expect(of('refs/tags/1.2.3-rc.1', 'latest=auto')).toEqual(['1.2.3-rc.1']);
    expect(of('refs/heads/main', 'latest=true')).toEqual(['main', 'latest']);
    expect(metadataActionTags({ tags: 'type=semver,pattern={{major}}.{{minor}}\ntype=sha' }, scenarioOf('refs/tags/1.2.3').github)).toEqual(['1.2', 'sha-0123456', 'latest']);
    expect(parseSemver('1.2.3+build.5')).toEqual({ major: '1', minor: '2', patch: '3', prerelease: [] });
  });

  test('triggers: a branch push with only tag filters, and branch filters of pull requests', () => {
    const main = scenarioOf('refs/heads/main').github;
    expect(isTriggered({ push: { tags: ['*'] } }, main)).toBe(false);
    expect(isTriggered({ push: {} }, main)).toBe(true);
    expect(isTriggered({ push: { 'branches-ignore': ['main'] } }, main)).toBe(false);
    expect(isTriggered({ pull_request: { branches: ['release/*'] } }, scenarioOf('pull_request').github)).toBe(false);
    expect(isTriggered({ pull_request: {} }, main)).toBe(false);
  });
});
