/**
 * Our own versions of the audits security reviewers run on workflows (zizmor's checks), over the
 * parsed YAML of every option combination in `CASES`: SHA pins with the version of the pin table,
 * no persisted checkout credentials, no expressions inside `run:`, least privilege per job, a
 * comment on every permission saying what needs it, no cache restore in a job that publishes from
 * a tag, a concurrency group per ref, and stable, documented step ids. The last block plants one defect per audit and shows the audit catches it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import {
  auditCachePoisoning,
  auditCheckoutCredentials,
  auditDependabotCooldown,
  auditJobPermissions,
  auditPins,
  auditRunExpressions,
  auditStepIds,
  auditUndocumentedPermissions,
  auditWorkflowPermissions,
  cacheSteps,
  cacheUsage,
  Permissions,
  Pins,
  publishes,
  RunStepRules,
} from './support/audits';
import { CASES, synthCase, WorkflowCase } from './support/cases';
import { ParsedStep, ParsedWorkflow, parseWorkflowText } from './support/parsed-workflow';
import { removeScratchDirs } from './support/scratch';
import { evaluateWorkflow, Scenario, scenarioOf, WorkflowModel } from './support/workflow-model';
import { GhcrReleaseWorkflow } from '../../src/github/ghcr-release-workflow';
import { GithubReleaseJob } from '../../src/github/github-release-job';
import { OperatorInstallTestJob } from '../../src/github/operator-install-test-job';
import { DEFAULT_ACTION_PINS } from '../../src/github/pinned-actions';
import { TrivyScanJob } from '../../src/github/trivy-scan-job';
import { OperatorPlan } from '../../src/plan/operator-plan';

/**
 * What each job may hold, and why. Adding or widening a permission in the generator fails the
 * audit until this table (and its reason) is updated; the audit also derives, step by step,
 * what the steps need and requires the same table.
 */
const EXPECTED_PERMISSIONS: { [job: string]: Permissions } = {
  // Checkout of a possibly private repository. Nothing else: no step pushes or writes anything.
  'test': { contents: 'read' },
  'image': {
    contents: 'read', // checkout
    packages: 'write', // push by digest to ghcr.io
  },
  'publish': {
    // NOT contents: nothing is checked out; metadata-action reads the repository with metadata: read.
    'packages': 'write', // imagetools create pushes the index and the tags; attest pushes the attestation
    'id-token': 'write', // attest: OIDC token for the Sigstore signing certificate
    'attestations': 'write', // attest: store the attestation
    // NOT artifact-metadata: attest runs with create-storage-record: false.
  },
  'scan': {
    'actions': 'read', // upload-sarif reads the workflow run (private repositories)
    'contents': 'read', // upload-sarif (private repositories)
    'packages': 'read', // trivy pulls the pushed image, private on GHCR until made public
    'security-events': 'write', // upload-sarif to code scanning
  },
  // tercenctl reads the repository itself; the job's GITHUB_TOKEN is not used.
  'operator-install-test': {},
  // gh release create: creating a release is a contents write (and checkout of the history).
  'github-release': { contents: 'write' },
};

/** `run:` steps that use the job token, and what they do with it. */
const RUN_RULES: RunStepRules = {
  'github-release/release': { contents: 'write' }, // gh release view / create
};

/**
 * The table for a case: a scan job that keeps its report as an artifact only pulls the image;
 * without the attestation, the publish job holds `packages: write` only.
 */
function expectedPermissions(generated: WorkflowCase): { [job: string]: Permissions } {
  return {
    ...EXPECTED_PERMISSIONS,
    ...(generated.scan.uploadsToCodeScanning ? {} : { scan: { packages: 'read' } }),
    ...(generated.release.provenanceAttestation ? {} : { publish: { packages: 'write' } }),
  };
}

/** The step ids a job must have, from the documented STEP_IDS and the case's options. */
function documentedStepIds(generated: WorkflowCase): (jobId: string) => string[] {
  const { release, scan, install } = generated;
  return (jobId) => {
    switch (jobId) {
      case GhcrReleaseWorkflow.TEST_JOB:
        return GhcrReleaseWorkflow.STEP_IDS.test.filter((id) =>
          !((id === 'node-dependencies' || id === 'drift') && !release.driftCheck) && !(id === 'system-packages' && OperatorPlan.of(release.project).resolve().ci.packages.length === 0));
      case GhcrReleaseWorkflow.IMAGE_JOB:
        return GhcrReleaseWorkflow.STEP_IDS.image.filter((id) => release.platforms.length > 1 || !['digest', 'upload-digest'].includes(id));
      case GhcrReleaseWorkflow.PUBLISH_JOB:
        return GhcrReleaseWorkflow.STEP_IDS.publish.filter((id) =>
          (release.platforms.length > 1 || id !== 'download-digests') && (release.provenanceAttestation || id !== 'attest'));
      case scan.jobId:
        return TrivyScanJob.STEP_IDS.filter((id) => (id !== 'gate' || scan.gates)
          && (id !== 'upload-sarif' || scan.uploadsToCodeScanning) && (id !== 'upload-artifact' || scan.keepsArtifact));
      case generated.githubRelease?.jobId:
        return GithubReleaseJob.STEP_IDS;
      case install.jobId:
        return OperatorInstallTestJob.STEP_IDS;
      default:
        return [`(job ${jobId} is not documented)`];
    }
  };
}

afterAll(removeScratchDirs);

const TAG_REFS = ['refs/tags/1.2.3', 'refs/tags/1.2.3-rc.1'];

/** GitHub's evaluation of the workflow for the refs the cache and concurrency audits need. */
interface Evaluation {
  readonly model: WorkflowModel;
  readonly mainRef: string;
  /** The job of each `cache-from` value. */
  readonly buildJobs: string[];
  /**
   * `cache-from` of each build step (once per matrix leg), `cancel-in-progress`, rust-cache
   * `save-if`, and for each cache-aware step (zizmor's table) whether it restores (runs, not
   * `lookup-only`), by ref.
   */
  readonly values: { [ref: string]: { cacheFrom: string[]; cancel: string; saveIf: string[]; restores: boolean[] } };
  /** The cache-aware steps, in the order of `values[ref].restores`. */
  readonly cacheAware: ParsedStep[];
}

/** A step's `if:` as a template (`true` without one). */
const ifTemplate = (step: ParsedStep): string => {
  const condition = step.if === undefined ? 'true' : String(step.if).trim();
  return condition.startsWith('${{') ? condition : `\${{ ${condition} }}`;
};

async function evaluate(workflow: ParsedWorkflow, yaml: string, pins: Pins, mainBranch: string): Promise<Evaluation> {
  const mainRef = `refs/heads/${mainBranch}`;
  const scenarios: Scenario[] = [...TAG_REFS, mainRef, 'pull_request'].map(scenarioOf);
  // A build step of a matrix job once per leg, with that leg's `matrix` context.
  const builds = workflow.jobs.flatMap((job) => {
    const legs = (job.json.strategy?.matrix?.include ?? [undefined]) as Array<{ [key: string]: unknown } | undefined>;
    return workflow.stepsUsing(job.id, pins['build-push'].action).flatMap((step) => legs.map((matrix) => ({ step, matrix })));
  });
  const caches = workflow.jobs.flatMap((job) => cacheSteps(job.steps, pins));
  const cacheAware = workflow.jobs.flatMap((job) => job.steps.filter((step) => cacheUsage(step) !== undefined));
  const texts: Array<{ text: string; matrix?: { [key: string]: unknown } }> = [
    ...builds.map(({ step, matrix }) => ({ text: String(step.with['cache-from'] ?? ''), matrix })),
    { text: String(workflow.json.concurrency?.['cancel-in-progress'] ?? '') },
    ...caches.map((step) => ({ text: String(step.with['save-if'] ?? 'true') })),
    ...cacheAware.flatMap((step) => [{ text: ifTemplate(step) }, { text: String(step.with['lookup-only'] ?? 'false') }]),
  ];
  const model = await evaluateWorkflow(yaml, scenarios, scenarios.flatMap((s) => texts.map((t) => ({ scenario: s.id, ...t }))));
  const values: Evaluation['values'] = {};
  scenarios.forEach((s, i) => {
    const v = model.templates.slice(i * texts.length, (i + 1) * texts.length);
    const aware = v.slice(builds.length + 1 + caches.length);
    values[s.id] = {
      cacheFrom: v.slice(0, builds.length),
      cancel: v[builds.length],
      saveIf: v.slice(builds.length + 1, builds.length + 1 + caches.length),
      restores: cacheAware.map((step, k) => model.results[s.id][step.job] === 'success' && aware[2 * k] === 'true' && aware[2 * k + 1] !== 'true'),
    };
  });
  return { model, mainRef, values, buildJobs: builds.map(({ step }) => step.job), cacheAware };
}

/** Whether GitHub's evaluation has a cache-aware step restore on any release tag. */
function restoresOnRelease(evaluation: Evaluation): (step: ParsedStep) => boolean {
  return (step) => {
    const i = evaluation.cacheAware.findIndex((s) => s.job === step.job && s.index === step.index);
    if (i < 0) throw new Error(`${step.job}/${step.id}: not evaluated`);
    return TAG_REFS.some((ref) => evaluation.values[ref].restores[i]);
  };
}

/**
 * No cache restore in a job that publishes from a tag: such a job holds no cache action, and its
 * BuildKit `cache-from`, as GitHub evaluates it for a tag, is empty (`type=gha` only when the
 * user opted in with `cacheOnReleaseBuilds`).
 */
function auditReleaseCache(workflow: ParsedWorkflow, pins: Pins, evaluation: Evaluation, cacheOnReleaseBuilds: boolean): string[] {
  const problems: string[] = [];
  for (const job of workflow.jobs.filter((j) => publishes(j.steps, pins))) {
    if (cacheSteps(job.steps, pins).length > 0) problems.push(`${job.id}: publishes and restores a cache`);
    for (const ref of TAG_REFS) {
      if (evaluation.model.results[ref][job.id] !== 'success') continue;
      const cacheFrom = evaluation.values[ref].cacheFrom.filter((value, i) => value !== '' && evaluation.buildJobs[i] === job.id);
      if (cacheFrom.length > 0 && !cacheOnReleaseBuilds) problems.push(`${job.id}: imports the build cache (${cacheFrom.join(', ')}) for ${ref}`);
    }
  }
  return problems;
}

/** A concurrency group per ref; runs for main and tags are never cancelled. */
function auditConcurrency(workflow: ParsedWorkflow, evaluation: Evaluation): string[] {
  const group = String(workflow.json.concurrency?.group ?? '');
  const problems = group.includes('${{ github.ref }}') ? [] : [`concurrency group "${group}" is not per ref`];
  for (const ref of [...TAG_REFS, evaluation.mainRef]) {
    if (evaluation.values[ref].cancel !== 'false') problems.push(`runs for ${ref} can be cancelled`);
  }
  return problems;
}

describe.each(CASES.map((definition) => [definition.name, definition] as const))('%s', (_name, definition) => {
  let generated: WorkflowCase;
  let workflow: ParsedWorkflow;
  let evaluation: Evaluation;
  beforeAll(async () => {
    generated = synthCase(definition);
    workflow = parseWorkflowText(generated.yaml);
    evaluation = await evaluate(workflow, generated.yaml, generated.pins, generated.release.mainBranch);
  });

  test('every uses: is pinned to a full commit SHA with the version of the pin table as comment', () => {
    expect(workflow.jobs.flatMap((job) => job.steps).filter((step) => step.uses).length).toBeGreaterThan(5);
    expect(auditPins(workflow, generated.pins)).toEqual([]);
    // The table is DEFAULT_ACTION_PINS plus the case's overrides, by key.
    expect(Object.keys(generated.pins).sort()).toEqual(Object.keys(DEFAULT_ACTION_PINS).sort());
  });

  test('every checkout has persist-credentials: false', () => {
    expect(workflow.jobs.flatMap((job) => job.steps).filter((step) => step.uses?.startsWith(`${generated.pins.checkout.action}@`)).length).toBeGreaterThan(0);
    expect(auditCheckoutCredentials(workflow, generated.pins)).toEqual([]);
  });

  test('no ${{ }} expression inside any run: (values reach scripts through env:)', () => {
    expect(auditRunExpressions(workflow)).toEqual([]);
  });

  test('workflow-level permissions: {}', () => {
    expect(auditWorkflowPermissions(workflow)).toEqual([]);
  });

  test('each job holds exactly the permissions of the table, which is what its steps need', () => {
    expect(auditJobPermissions(workflow, generated.pins, expectedPermissions(generated), RUN_RULES)).toEqual([]);
  });

  test('every permission of every job carries a comment saying what needs it', () => {
    expect(workflow.jobs.flatMap((job) => Object.keys(job.json.permissions ?? {})).length).toBeGreaterThan(5);
    expect(auditUndocumentedPermissions(workflow)).toEqual([]);
  });

  test('no cache restore in a job that publishes from a tag', () => {
    expect(auditReleaseCache(workflow, generated.pins, evaluation, generated.cacheOnReleaseBuilds)).toEqual([]);
    // The image job does publish on tags, and imports the cache on the main branch.
    for (const ref of TAG_REFS) expect(evaluation.model.results[ref][GhcrReleaseWorkflow.IMAGE_JOB]).toBe('success');
    expect(publishes(workflow.job(GhcrReleaseWorkflow.IMAGE_JOB).steps, generated.pins)).toBe(true);
    // One cache scope per platform when several are built.
    const platforms = generated.release.platforms;
    const branchCache = platforms.length > 1 ? platforms.map((p) => `type=gha,scope=${p.slug}`) : ['type=gha'];
    expect(evaluation.values[evaluation.mainRef].cacheFrom).toEqual(branchCache);
    expect(evaluation.values['refs/tags/1.2.3'].cacheFrom).toEqual(generated.cacheOnReleaseBuilds ? branchCache : branchCache.map(() => ''));
  });

  test('cache-poisoning (zizmor): no cache restored in a workflow that publishes on tags', () => {
    expect(auditCachePoisoning(workflow, generated.pins, restoresOnRelease(evaluation))).toEqual([]);
    // The audit is not vacuous here: the workflow publishes on tags and holds a cache action.
    expect(workflow.json.on.push.tags.length).toBeGreaterThan(0);
    expect(evaluation.cacheAware.map((step) => `${step.job}/${step.id}`)).toEqual(['test/cargo-cache']);
  });

  test('the cargo cache: neither restored nor saved on tags; restored on branches and pull requests, saved from main only', () => {
    const test = workflow.job(GhcrReleaseWorkflow.TEST_JOB);
    expect(cacheSteps(test.steps, generated.pins).map((step) => step.id)).toEqual(['cargo-cache']);
    for (const ref of TAG_REFS) expect({ ref, restores: evaluation.values[ref].restores }).toEqual({ ref, restores: [false] });
    for (const ref of [evaluation.mainRef, 'pull_request']) expect({ ref, restores: evaluation.values[ref].restores }).toEqual({ ref, restores: [true] });
    expect(evaluation.values[evaluation.mainRef].saveIf).toEqual(['true']);
    expect(evaluation.values.pull_request.saveIf).toEqual(['false']);
  });

  test('dependabot-cooldown (zizmor): every update waits 7 days or more', () => {
    const file = path.join(generated.dir, '.github', 'dependabot.yml');
    if (!fs.existsSync(file)) {
      // A bare workflow writes no dependabot.yml.
      expect(definition.workflowOnly).toBeDefined();
      return;
    }
    const dependabot = parseYaml(fs.readFileSync(file, 'utf-8'));
    expect(dependabot.updates.length).toBeGreaterThan(0);
    expect(auditDependabotCooldown(dependabot)).toEqual([]);
  });

  test('the upgrade workflow passes the cache-poisoning audit too', () => {
    const file = path.join(generated.dir, '.github', 'workflows', 'upgrade.yml');
    if (!fs.existsSync(file)) {
      expect(definition.workflowOnly).toBeDefined();
      return;
    }
    const upgrade = parseWorkflowText(fs.readFileSync(file, 'utf-8'));
    expect(auditCachePoisoning(upgrade, generated.pins, () => true)).toEqual([]);
  });

  test('a concurrency group per ref; only pull request runs cancel each other', () => {
    expect(auditConcurrency(workflow, evaluation)).toEqual([]);
    expect(evaluation.values.pull_request.cancel).toBe('true');
  });

  test('every step has an explicit id, unique per job, equal to the documented STEP_IDS', () => {
    expect(auditStepIds(workflow, documentedStepIds(generated))).toEqual([]);
    const { TEST_JOB, IMAGE_JOB, PUBLISH_JOB } = GhcrReleaseWorkflow;
    const jobs = [TEST_JOB, IMAGE_JOB, PUBLISH_JOB, generated.scan.jobId, generated.install.jobId,
      ...(generated.githubRelease ? [generated.githubRelease.jobId] : [])];
    expect(workflow.jobs.map((job) => job.id)).toEqual(jobs);
  });
});

describe('each audit catches a planted defect', () => {
  let generated: WorkflowCase;
  beforeAll(() => {
    generated = synthCase(CASES[0]);
  });
  /** The default workflow text with one replacement, which must apply. */
  const plantText = (original: string | RegExp, replacement: string, base?: string): string => {
    const text = (base ?? generated.yaml).replace(original, replacement);
    expect(text).not.toBe(base ?? generated.yaml);
    return text;
  };
  const plant = (original: string | RegExp, replacement: string): ParsedWorkflow => parseWorkflowText(plantText(original, replacement));
  const checkout = DEFAULT_ACTION_PINS.checkout;

  test('a tag instead of a SHA, a missing or wrong version comment, an action outside the table', () => {
    expect(auditPins(plant(`${checkout.action}@${checkout.sha} # ${checkout.version}`, `${checkout.action}@v7`), generated.pins)).toEqual([
      'test/checkout: actions/checkout@v7 is not pinned to a full commit SHA',
    ]);
    expect(auditPins(plant(`@${checkout.sha} # ${checkout.version}`, `@${checkout.sha}`), generated.pins)).toEqual(expect.arrayContaining([expect.stringContaining('comment ""')]));
    expect(auditPins(plant(`@${checkout.sha} # ${checkout.version}`, `@${checkout.sha} # v6.0.0`), generated.pins)).toEqual(expect.arrayContaining([expect.stringContaining('"v6.0.0"')]));
    expect(auditPins(plant(/uses: actions\/checkout@\w+/, 'uses: actions/checkout@0123456789012345678901234567890123456789'), generated.pins)).toEqual([
      'test/checkout: actions/checkout@0123456789012345678901234567890123456789 is not in the pin table',
    ]);
  });

  test('persisted checkout credentials', () => {
    expect(auditCheckoutCredentials(plant('persist-credentials: false', 'persist-credentials: true'), generated.pins)).toEqual(['test/checkout: checkout without persist-credentials: false']);
  });

  test('an expression inside run:', () => {
    expect(auditRunExpressions(plant('run: cargo fmt --all -- --check', 'run: cargo fmt --all -- --check ${{ github.head_ref }}'))).toEqual(['test/fmt: expression inside run:']);
  });

  test('permissions granted at workflow level', () => {
    expect(auditWorkflowPermissions(plant(/^permissions: \{\}$/m, 'permissions: read-all'))).toEqual(['workflow-level permissions are "read-all", not {}']);
    expect(auditWorkflowPermissions(plant(/^permissions: \{\}$/m, 'permissions:\n  contents: read'))).toHaveLength(1);
  });

  test('an extra permission, a missing one, a storage record without artifact-metadata', () => {
    const extra = plant(/( {6}attestations: write[^\n]*\n)/, '$1      checks: write # planted\n');
    expect(auditJobPermissions(extra, generated.pins, EXPECTED_PERMISSIONS)).toEqual([expect.stringMatching(/^publish: holds .*"checks":"write"/)]);
    const missing = plant(/ {6}security-events: write[^\n]*\n/, '');
    expect(auditJobPermissions(missing, generated.pins, EXPECTED_PERMISSIONS)).toEqual([expect.stringMatching(/^scan: holds/)]);
    const storage = plant('create-storage-record: false', 'create-storage-record: true');
    expect(auditJobPermissions(storage, generated.pins, EXPECTED_PERMISSIONS)).toEqual([expect.stringMatching(/^publish: its steps need .*artifact-metadata/)]);
    // The tag step pushes: a publish job with packages: read is caught.
    const readOnly = plant(/( {6}packages: )write( # tag pushes)/, '$1read$2');
    expect(auditJobPermissions(readOnly, generated.pins, EXPECTED_PERMISSIONS)).toEqual([expect.stringMatching(/^publish: holds .*"packages":"read"/)]);
  });

  test('a permission without a comment, permissions that cannot be documented per scope', () => {
    expect(auditUndocumentedPermissions(plant(/( {6}id-token: write) # [^\n]*/, '$1'))).toEqual(['publish: id-token: write has no comment saying what needs it']);
    expect(auditUndocumentedPermissions(plant(/( {6}contents: read) # checkout\n( {4}steps:\n {6}- name: Check out)/, '$1\n$2'))).toEqual(['test: contents: read has no comment saying what needs it']);
    expect(auditUndocumentedPermissions(plant(/( {4}permissions:)\n {6}actions: read[^\n]*\n {6}contents: read[^\n]*\n {6}packages: read[^\n]*\n {6}security-events: write[^\n]*\n/, '$1 read-all\n')))
      .toEqual(['scan: permissions "read-all" cannot say what needs each scope']);
    // An empty block documents nothing and needs nothing.
    expect(parseWorkflowText(generated.yaml).job(generated.install.jobId).json.permissions).toEqual({});
  });

  test('a missing, duplicate or undocumented step id', () => {
    const documented = documentedStepIds(generated);
    expect(auditStepIds(plant('        id: fmt\n', ''), documented)).toEqual(expect.arrayContaining(['test/steps[6]: no id']));
    expect(auditStepIds(plant('id: fmt', 'id: clippy'), documented)).toEqual(expect.arrayContaining(['test: duplicate step ids clippy']));
    expect(auditStepIds(plant('id: fmt', 'id: format'), documented)).toHaveLength(1);
  });

  test('a release build importing the cache, a cache action in the image job', async () => {
    const alwaysText = plantText("cache-from: ${{ github.ref_type == 'branch' && 'type=gha' || '' }}", 'cache-from: type=gha');
    const always = parseWorkflowText(alwaysText);
    expect(auditReleaseCache(always, generated.pins, await evaluate(always, alwaysText, generated.pins, 'main'), false)).toEqual([
      'image: imports the build cache (type=gha) for refs/tags/1.2.3',
      'image: imports the build cache (type=gha) for refs/tags/1.2.3-rc.1',
    ]);
    const cacheText = plantText('      - name: Set up Docker Buildx\n', `      - name: Cache\n        id: cache\n        uses: ${DEFAULT_ACTION_PINS['rust-cache'].action}@${DEFAULT_ACTION_PINS['rust-cache'].sha}\n      - name: Set up Docker Buildx\n`);
    const cached = parseWorkflowText(cacheText);
    expect(auditReleaseCache(cached, generated.pins, await evaluate(cached, cacheText, generated.pins, 'main'), false)).toEqual(['image: publishes and restores a cache']);
  });

  test('cache-poisoning: a cargo cache restored on tags, a cache-aware action in a publishing job, what zizmor counts', async () => {
    const audit = async (text: string) => {
      const parsed = parseWorkflowText(text);
      return auditCachePoisoning(parsed, generated.pins, restoresOnRelease(await evaluate(parsed, text, generated.pins, 'main')));
    };
    // The step's `if:` removed: rust-cache restores on release tags.
    expect(await audit(plantText("        if: github.ref_type != 'tag'\n", ''))).toEqual([
      'test/cargo-cache: Swatinem/rust-cache restores a cache (default) in a workflow that publishes on tags',
    ]);
    // A condition that lets tags through.
    expect(await audit(plantText("if: github.ref_type != 'tag'", "if: github.event_name == 'push'"))).toHaveLength(1);
    // zizmor's own opt-out, statically and by expression.
    expect(await audit(plantText("        if: github.ref_type != 'tag'\n", '', plantText('        with:\n          save-if:', '        with:\n          lookup-only: true\n          save-if:')))).toEqual([]);
    expect(await audit(plantText("        if: github.ref_type != 'tag'\n", '', plantText('        with:\n          save-if:', "        with:\n          lookup-only: ${{ github.ref_type == 'branch' }}\n          save-if:")))).toHaveLength(1);
    // setup-node with a cache, in another job of the same workflow; setup-buildx caching its binary.
    const node = `      - name: Node\n        id: node\n        uses: ${DEFAULT_ACTION_PINS['setup-node'].action}@${DEFAULT_ACTION_PINS['setup-node'].sha}\n        with:\n          cache: npm\n      - name: Set up Docker Buildx\n`;
    expect(await audit(plantText('      - name: Set up Docker Buildx\n', node))).toEqual([
      'image/node: actions/setup-node restores a cache (opt-in) in a workflow that publishes on tags',
    ]);
    expect(await audit(plantText(/( +)uses: docker\/setup-buildx-action@(\w+) # (\S+)\n/, '$1uses: docker/setup-buildx-action@$2 # $3\n$1with:\n$1  version: v0.20.0\n'))).toEqual([
      'image/buildx: docker/setup-buildx-action restores a cache (default) in a workflow that publishes on tags',
    ]);
    // Without a tag trigger only the publishing job counts: its cache is found, the test job's is not.
    const noTags = plantText(/^    tags:\n(      - .*\n)+/m, '', plantText('      - name: Set up Docker Buildx\n', `      - name: Cache\n        id: cache\n        uses: ${DEFAULT_ACTION_PINS['rust-cache'].action}@${DEFAULT_ACTION_PINS['rust-cache'].sha}\n      - name: Set up Docker Buildx\n`));
    expect(await audit(plantText("        if: github.ref_type != 'tag'\n", '', noTags))).toEqual([
      'image/cache: Swatinem/rust-cache restores a cache (default) in a job that publishes',
    ]);
  });

  test('dependabot-cooldown: none, without default-days, too short', () => {
    const dependabot = parseYaml(fs.readFileSync(path.join(synthCase(CASES[0]).dir, '.github', 'dependabot.yml'), 'utf-8'));
    expect(auditDependabotCooldown(dependabot)).toEqual([]);
    const update = dependabot.updates[0];
    expect(auditDependabotCooldown({ updates: [{ ...update, cooldown: undefined }] })).toEqual(['updates[0] (cargo): no cooldown']);
    expect(auditDependabotCooldown({ updates: [{ ...update, cooldown: {} }] })).toEqual(['updates[0] (cargo): cooldown without default-days']);
    expect(auditDependabotCooldown({ updates: [{ ...update, cooldown: { 'default-days': 3 } }] })).toEqual(['updates[0] (cargo): cooldown default-days 3 is less than 7']);
  });

  test('a concurrency group shared by all refs, release runs that can be cancelled', async () => {
    const text = plantText("cancel-in-progress: ${{ github.event_name == 'pull_request' }}", 'cancel-in-progress: true',
      plantText('group: ${{ github.workflow }}-${{ github.ref }}', 'group: ${{ github.workflow }}'));
    const shared = parseWorkflowText(text);
    expect(auditConcurrency(shared, await evaluate(shared, text, generated.pins, 'main'))).toEqual([
      'concurrency group "${{ github.workflow }}" is not per ref',
      'runs for refs/tags/1.2.3 can be cancelled',
      'runs for refs/tags/1.2.3-rc.1 can be cancelled',
      'runs for refs/heads/main can be cancelled',
    ]);
  });
});
