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
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { CASES, CaseDefinition, synthCase, WORKFLOW_FILE, WorkflowCase } from './support/cases';
import { actionOf, parseWorkflowText } from './support/parsed-workflow';
import { removeScratchDirs } from './support/scratch';
import { evaluateWorkflow, filterAllows, filterPatternMatches, isTriggered, metadataActionTags, parseSemver, scenarioOf } from './support/workflow-model';
import { GhcrReleaseWorkflow, RefOutcome } from '../../src/github/ghcr-release-workflow';
import { JobTrigger, matchesFilterPattern } from '../../src/plan/release-policy';
import { synthQuietly } from '../support/synth';

afterAll(removeScratchDirs);

type Table = { [ref: string]: RefOutcome };

/** The release table of a generated workflow, from the YAML alone. */
async function releaseTable(yaml: string, refs: readonly string[]): Promise<Table> {
  const scenarios = refs.map(scenarioOf);
  const model = await evaluateWorkflow(yaml, scenarios);
  const workflow = parseWorkflowText(yaml);
  // The job that pushes: a build-push step with `push: true` whose tags come from a metadata step.
  const pushing = workflow.jobs.filter((job) => job.steps.some((s) => actionOf(s.uses) === 'docker/build-push-action' && s.with.push === true));
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
      const build = job.steps.find((s) => actionOf(s.uses) === 'docker/build-push-action')!;
      expect(build.with.tags).toBe(`\${{ steps.${metadata.id}.outputs.tags }}`);
      expect([metadata.if, build.if]).toEqual([undefined, undefined]);
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

const RELEASE = ['test', 'image', 'scan'];

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
