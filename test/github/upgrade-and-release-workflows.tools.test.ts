/**
 * The operators' upgrade workflow and this repository's release workflow: actionlint, GitHub's
 * parser and shellcheck find nothing; the zizmor-style audits (pins, persisted credentials,
 * expressions in `run:`, least privilege with a reason per permission) pass; the generated
 * dependabot.yml leaves projen-rust-operator to the upgrade workflow.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import { parse as parseYaml } from 'yaml';
import {
  auditCheckoutCredentials,
  auditJobPermissions,
  auditUndocumentedPermissions,
  auditPins,
  auditRunExpressions,
  auditWorkflowPermissions,
  Permissions,
  RunStepRules,
} from './support/audits';
import { parseWorkflowText } from './support/parsed-workflow';
import { removeScratchDirs, scratchDir } from './support/scratch';
import { projectOptions } from '../../scripts/release-notes';
import { OperatorUpgradeWorkflow } from '../../src/github/operator-upgrade-workflow';
import { DEFAULT_ACTION_PINS } from '../../src/github/pinned-actions';
import { RustToolchainFile } from '../../src/toolchain/rust-toolchain-file';
import { changelogExcerpt } from '../../src/upgrade/changelog-excerpt';
import { synthOperator, synthQuietly } from '../support/synth';
import { closeWorkflowParser, formatFindings, validateWorkflow } from '../support/validate-workflow';

afterAll(() => {
  closeWorkflowParser();
  removeScratchDirs();
});

const UPGRADE = '.github/workflows/upgrade.yml';

/** The permission table of the upgrade workflow, and why each grant is there. */
const UPGRADE_PERMISSIONS: { [job: string]: Permissions } = {
  // Checkout only: it runs the new package's code (npm install, projen, cargo), so nothing more.
  'upgrade': { contents: 'read' },
  'pull-request': {
    'contents': 'write', // push the upgrade branch
    'pull-requests': 'write', // open or update its pull request
  },
};
const UPGRADE_RUN_RULES: RunStepRules = {
  'pull-request/push': { contents: 'write' }, // git push with the job token
  'pull-request/open': { 'pull-requests': 'write' }, // gh pr list/create/edit with the job token
};

const CONFIGURATIONS: { [name: string]: Parameters<typeof synthOperator>[0] } = {
  'defaults': {},
  'git token and packages': { gitTokenSecret: 'GIT_TOKEN', builderPackages: ['libcairo2-dev'], allocator: 'linked' as any },
  'system allocator, custom runner': { allocator: 'system' as any, runsOn: ['ubuntu-24.04'], mainBranch: 'trunk' },
};

describe.each(Object.entries(CONFIGURATIONS))('upgrade.yml: %s', (_name, options) => {
  const generated = synthOperator(options, {}, scratchDir('pro-upgrade-'));
  const yaml = generated.read(UPGRADE);
  const workflow = parseWorkflowText(yaml);

  test('actionlint, GitHub\'s parser and shellcheck find nothing', async () => {
    const findings = await validateWorkflow(yaml, UPGRADE);
    expect(formatFindings(findings)).toEqual(formatFindings([]));
  });

  test('zizmor-style audits pass, and each job holds exactly what the table says and its steps need', () => {
    expect(auditPins(workflow, DEFAULT_ACTION_PINS)).toEqual([]);
    expect(auditCheckoutCredentials(workflow, DEFAULT_ACTION_PINS)).toEqual([]);
    expect(auditRunExpressions(workflow)).toEqual([]);
    expect(auditWorkflowPermissions(workflow)).toEqual([]);
    expect(auditJobPermissions(workflow, DEFAULT_ACTION_PINS, UPGRADE_PERMISSIONS, UPGRADE_RUN_RULES)).toEqual([]);
    expect(auditUndocumentedPermissions(workflow)).toEqual([]);
  });

  test('weekly and on dispatch; the Rust checks are the CI test job\'s, and the branch is pushed only by the pull-request job', () => {
    expect(workflow.json.on.schedule).toHaveLength(1);
    expect(workflow.json.on).toHaveProperty('workflow_dispatch');
    const ci = parseWorkflowText(generated.read('.github/workflows/ci.yml'));
    const ids = workflow.job('upgrade').steps.map((s) => s.id);
    const checks = ci.job('test').steps.filter((s) => OperatorUpgradeWorkflow.RUST_CHECK_STEP_IDS.includes(s.id!));
    expect(ids).toEqual(OperatorUpgradeWorkflow.STEP_IDS.upgrade.flatMap((id) => (id === '(rust checks)' ? checks.map((s) => s.id) : [id])));
    for (const check of checks.filter((s) => s.run !== undefined)) {
      expect(workflow.job('upgrade').steps.find((s) => s.id === check.id)!.run).toBe(check.run);
    }
    // The cache is never saved from the upgrade job.
    const cache = workflow.job('upgrade').steps.find((s) => s.id === 'cargo-cache');
    if (cache) expect(cache.with['save-if']).toBe(false);
    expect(workflow.job('pull-request').steps.map((s) => s.id)).toEqual(OperatorUpgradeWorkflow.STEP_IDS['pull-request']);
    const pushes = workflow.jobs.flatMap((j) => j.steps).filter((s) => /git .*push/.test(s.run ?? ''));
    expect(pushes.map((s) => `${s.job}/${s.id}`)).toEqual(['pull-request/push']);
  });
});

test('upgrade.yml snapshot (defaults)', () => {
  expect(synthOperator({}, {}, scratchDir('pro-upgrade-snap-')).read(UPGRADE)).toMatchSnapshot();
});

test('with a token secret the pushing job holds no write permission; the token reaches scripts through env only', async () => {
  const generated = synthOperator({}, {}, scratchDir('pro-upgrade-token-'));
  const project = generated.project;
  expect(OperatorUpgradeWorkflow.of(project)).toBeDefined();
  const outdir = scratchDir('pro-upgrade-token2-');
  const withToken = new Project({ name: 'standalone', outdir });
  new OperatorUpgradeWorkflow(withToken, { tokenSecret: 'UPGRADE_TOKEN' });
  synthQuietly(withToken);
  const yaml = fs.readFileSync(path.join(outdir, UPGRADE), 'utf-8');
  const workflow = parseWorkflowText(yaml);
  expect(formatFindings(await validateWorkflow(yaml, UPGRADE))).toEqual(formatFindings([]));
  expect(auditJobPermissions(workflow, DEFAULT_ACTION_PINS, { 'upgrade': { contents: 'read' }, 'pull-request': { contents: 'read' } })).toEqual([]);
  expect(auditUndocumentedPermissions(workflow)).toEqual([]);
  expect(workflow.job('pull-request').steps.find((s) => s.id === 'push')!.env.GH_TOKEN).toBe('${{ secrets.UPGRADE_TOKEN }}');
  // Without a CI workflow, its own Rust checks, on the plan's Rust (no rust-toolchain.toml here).
  expect(workflow.job('upgrade').steps.map((s) => s.id)).toEqual(expect.arrayContaining(['toolchain', 'fmt', 'clippy', 'test']));
  expect(workflow.job('upgrade').steps.find((s) => s.id === 'toolchain')!.run).toMatch(/^rustup toolchain install 1\.92 --profile minimal --component clippy,rustfmt\nrustup override set 1\.92\n/);
  // With rust-toolchain.toml, rustup installs what the file says.
  const withFile = new Project({ name: 'standalone', outdir: scratchDir('pro-upgrade-toolchain-') });
  new RustToolchainFile(withFile, { channel: '1.88' });
  new OperatorUpgradeWorkflow(withFile, {});
  synthQuietly(withFile);
  const filed = parseWorkflowText(fs.readFileSync(path.join(withFile.outdir, UPGRADE), 'utf-8'));
  expect(filed.job('upgrade').steps.find((s) => s.id === 'toolchain')!.run).toMatch(/^rustup toolchain install\n/);
  expect(fs.readFileSync(path.join(withFile.outdir, 'rust-toolchain.toml'), 'utf-8')).toContain('channel = "1.88"\n');
});

test('the audits catch a write permission on the upgrade job and a persisted checkout', () => {
  const yaml = synthOperator({}, {}, scratchDir('pro-upgrade-bad-')).read(UPGRADE)
    .replace('    permissions:\n      contents: read # checkout\n', '    permissions:\n      contents: write # checkout\n')
    .replace('persist-credentials: false', 'persist-credentials: true');
  const workflow = parseWorkflowText(yaml);
  expect(auditJobPermissions(workflow, DEFAULT_ACTION_PINS, UPGRADE_PERMISSIONS, UPGRADE_RUN_RULES)).toEqual([
    'upgrade: holds {"contents":"write"}, the table says {"contents":"read"}',
  ]);
  expect(auditCheckoutCredentials(workflow, DEFAULT_ACTION_PINS)).toEqual(['upgrade/checkout: checkout without persist-credentials: false']);
});

test('a subproject (examples/) and upgradeWorkflow: false get no upgrade workflow', () => {
  expect(synthOperator({ upgradeWorkflow: false }, {}, scratchDir('pro-upgrade-off-')).exists(UPGRADE)).toBe(false);
});

test('dependabot.yml does not propose bumps of projen-rust-operator (the upgrade workflow does)', () => {
  const dependabot = parseYaml(synthOperator({}, {}, scratchDir('pro-dependabot-')).read('.github/dependabot.yml'));
  for (const update of dependabot.updates) {
    if (update['package-ecosystem'] !== 'npm') continue;
    expect(update.ignore?.map((i: { 'dependency-name': string }) => i['dependency-name'])).toContain('projen-rust-operator');
  }
  expect(dependabot.updates.map((u: any) => u['package-ecosystem'])).toEqual(['cargo']);
});

describe('this repository\'s release workflow', () => {
  const file = path.join(__dirname, '..', '..', '.github', 'workflows', 'release.yml');
  const yaml = fs.readFileSync(file, 'utf-8');
  const workflow = parseWorkflowText(yaml);
  const RELEASE_PERMISSIONS: { [job: string]: Permissions } = {
    // Builds, tests and packs; tags nothing remotely (the GitHub release job does).
    release: { contents: 'read' },
    // gh release create: creates the tag and the release.
    release_github: { contents: 'write' },
    release_npm: {
      'contents': 'read', // checkout
      'id-token': 'write', // npm trusted publishing (OIDC) and the provenance statement
    },
  };
  const RELEASE_RUN_RULES: RunStepRules = {
    'release_github/release': { contents: 'write' },
    'release_npm/release': { 'id-token': 'write' },
  };

  test('actionlint, GitHub\'s parser and shellcheck find nothing', async () => {
    expect(formatFindings(await validateWorkflow(yaml, '.github/workflows/release.yml'))).toEqual(formatFindings([]));
  });

  test('zizmor-style audits pass', () => {
    expect(auditPins(workflow, DEFAULT_ACTION_PINS)).toEqual([]);
    expect(auditCheckoutCredentials(workflow, DEFAULT_ACTION_PINS)).toEqual([]);
    expect(auditRunExpressions(workflow)).toEqual([]);
    expect(auditWorkflowPermissions(workflow)).toEqual([]);
    expect(auditJobPermissions(workflow, DEFAULT_ACTION_PINS, RELEASE_PERMISSIONS, RELEASE_RUN_RULES)).toEqual([]);
  });

  test('runs only on the default branch of the canonical repository; every other job needs the release job', () => {
    expect(workflow.job('release').json.if).toBe("github.repository == 'tercen/projen-rust-operator' && github.ref == 'refs/heads/main'");
    for (const job of workflow.jobs.filter((j) => j.id !== 'release')) expect([job.json.needs].flat()).toContain('release');
  });

  test('publishes to npm with provenance through trusted publishing, no npm token', () => {
    const publish = workflow.job('release_npm').steps.find((s) => s.id === 'release')!;
    expect(publish.env).toMatchObject({ NPM_CONFIG_PROVENANCE: 'true', NPM_TRUSTED_PUBLISHER: 'true' });
    expect(yaml).not.toMatch(/NPM_TOKEN/);
    expect(publish.run).toMatch(/publib@\d+\.\d+\.\d+/);
  });
});

describe('changelog excerpt', () => {
  const changelog = [
    '## [0.3.0](https://example/compare/v0.2.1...v0.3.0) (2026-12-20)', '', '### Features', '', '* c', '',
    '### [0.2.1](https://example/compare/v0.2.0...v0.2.1) (2026-12-10)', '', '* b', '',
    '## 0.2.0 (2026-12-01)', '', '* a', '',
  ].join('\n');
  test('the sections after the current version up to the new one, newest first', () => {
    expect(changelogExcerpt(changelog, '0.2.0', '0.3.0').map((s) => s.version)).toEqual(['0.3.0', '0.2.1']);
    expect(changelogExcerpt(changelog, '0.2.1', '0.2.1')).toEqual([]);
    expect(changelogExcerpt(changelog, '0.1.0', '0.2.1').map((s) => s.text.split('\n').pop())).toEqual(['* b', '* a']);
  });
});

test('an exact version written by `projen new --from projen-rust-operator@X` does not hold the project back', () => {
  const own = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8')).version;
  const exact = synthOperator({ devDeps: ['projen-rust-operator@0.0.1'] }, {}, scratchDir('pro-upgrade-self-'));
  expect(JSON.parse(exact.read('package.json')).devDependencies['projen-rust-operator']).toBe(`^${own}`);
  // A range the user chose is kept.
  const range = synthOperator({ devDeps: ['projen-rust-operator@~0.1.0'] }, {}, scratchDir('pro-upgrade-self2-'));
  expect(JSON.parse(range.read('package.json')).devDependencies['projen-rust-operator']).toBe('~0.1.0');
});

describe('release notes: the deprecation rule reads the options and their @deprecated tags', () => {
  test('options of RustOperatorProjectOptions, deprecated or not', () => {
    const source = [
      'export interface RustOperatorProjectOptions extends ProjectOptions {',
      '  /** @default 1 */', '  readonly kept?: number;',
      '  /** @deprecated use `kept` @default 2 */', '  readonly old?: number;',
      '}',
      'export interface Other { readonly notAnOption?: string; }',
    ].join('\n');
    expect([...projectOptions(source).entries()]).toEqual([['kept', false], ['old', true]]);
  });
  test('the real options file parses to the real option list', () => {
    const options = projectOptions(fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'project', 'rust-operator-project.ts'), 'utf-8'));
    expect(options.get('upgradeWorkflow')).toBe(false);
    expect(options.get('runtimeImage')).toBe(false);
    expect(options.size).toBeGreaterThan(20);
  });
});
