/**
 * Customising the generated workflow from `.projenrc.ts`, without editing YAML: insert, replace,
 * patch and remove steps by their documented ids, add a job. The result still passes the real
 * validators and our audits.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LogLevel } from 'projen';
import { workflows } from 'projen/lib/github';
import { auditCheckoutCredentials, auditPins, auditRunExpressions, auditUndocumentedPermissions, auditWorkflowPermissions } from './support/audits';
import { WORKFLOW_FILE } from './support/cases';
import { parseWorkflowText } from './support/parsed-workflow';
import { RustOperatorProject, RustOperatorProjectOptions, ScanDestination } from '../../src';
import { removeScratchDirs, scratchDir } from './support/scratch';
import { GhcrReleaseWorkflow } from '../../src/github/ghcr-release-workflow';
import { GithubReleaseJob } from '../../src/github/github-release-job';
import { OperatorInstallTestJob } from '../../src/github/operator-install-test-job';
import { DEFAULT_ACTION_PINS } from '../../src/github/pinned-actions';
import { TrivyScanJob } from '../../src/github/trivy-scan-job';
import { synthQuietly, TEST_OPERATOR } from '../support/synth';
import { closeWorkflowParser, formatFindings, validateWorkflow } from '../support/validate-workflow';

afterAll(() => {
  closeWorkflowParser();
  removeScratchDirs();
});

function newProject(options: Partial<RustOperatorProjectOptions> = {}): RustOperatorProject {
  return new RustOperatorProject({ ...TEST_OPERATOR, logging: { level: LogLevel.OFF }, ...options, outdir: scratchDir('pro-gh-custom-') });
}

function synthWorkflow(project: RustOperatorProject): string {
  synthQuietly(project);
  return fs.readFileSync(path.join(project.outdir, WORKFLOW_FILE), 'utf-8');
}

test('every documented step id addresses a step (STEP_IDS match the generated jobs)', () => {
  // Every optional step on: the gate, both report destinations, the GitHub release, and
  // multi-platform (the digest hand-over steps).
  const project = newProject({ failOnCriticalVulnerabilities: true, scanDestination: ScanDestination.BOTH, githubRelease: true, platforms: ['linux/amd64', 'linux/arm64'] });
  const workflow = project.workflow.workflow;
  for (const [job, ids] of Object.entries(GhcrReleaseWorkflow.STEP_IDS)) {
    for (const id of ids) expect(workflow.getStep(job, id).id).toBe(id);
  }
  for (const id of TrivyScanJob.STEP_IDS) expect(workflow.getStep(project.scanJob.jobId, id).id).toBe(id);
  for (const id of OperatorInstallTestJob.STEP_IDS) expect(workflow.getStep(project.installTestJob.jobId, id).id).toBe(id);
  for (const id of GithubReleaseJob.STEP_IDS) expect(workflow.getStep(project.githubReleaseJob!.jobId, id).id).toBe(id);
});

test('insert after clippy, replace, patch and remove by id, add a job: still valid and hardened', async () => {
  const project = newProject();
  const release = project.workflow;
  const workflow = release.workflow;

  workflow.insertStepAfter('test', 'clippy', { id: 'deny', name: 'Check licenses and advisories', run: 'cargo deny check' });
  workflow.insertStepBefore('test', 'fmt', { id: 'versions', name: 'Print tool versions', run: 'cargo --version\nrustc --version' });
  workflow.replaceStep('test', 'doctest', { name: 'Doc tests (workspace)', run: 'cargo test --doc --workspace --all-features' });
  workflow.patchStep('image', 'build', { with: { ...workflow.getStep('image', 'build').with, platforms: 'linux/amd64,linux/arm64' } });
  workflow.removeStep('test', 'system-packages');
  workflow.addJob('msrv', {
    name: 'Minimum supported Rust version',
    runsOn: release.runsOn,
    needs: [GhcrReleaseWorkflow.TEST_JOB],
    permissions: { contents: workflows.JobPermission.READ },
    steps: [
      release.checkoutStep(),
      { id: 'toolchain', name: 'Install Rust 1.80', run: 'rustup toolchain install 1.80 --profile minimal' },
      { id: 'override', name: 'Use it here', run: 'rustup override set 1.80' },
      { id: 'check', name: 'cargo check', run: 'cargo check --all-features', env: { REF: '${{ github.ref_name }}' } },
    ],
  });

  const text = synthWorkflow(project);
  expect(formatFindings(await validateWorkflow(text))).toBe('');
  const parsed = parseWorkflowText(text);
  expect(parsed.job('test').steps.map((s) => s.id)).toEqual(['checkout', 'node-dependencies', 'drift', 'toolchain', 'cargo-cache', 'versions', 'fmt', 'clippy', 'deny', 'test', 'doctest']);
  expect(parsed.job('test').steps.find((s) => s.id === 'doctest')!.run).toBe('cargo test --doc --workspace --all-features');
  const build = parsed.job('image').steps.find((s) => s.id === 'build')!;
  expect(build.with).toMatchObject({ 'platforms': 'linux/amd64,linux/arm64', 'outputs': expect.stringContaining('push-by-digest=true'), 'cache-to': 'type=gha,mode=max' });
  expect(parsed.job('msrv').steps.map((s) => s.id)).toEqual(['checkout', 'toolchain', 'override', 'check']);
  // The added job's actions are pinned and annotated from the same table.
  expect(auditPins(parsed, DEFAULT_ACTION_PINS)).toEqual([]);
  expect(auditCheckoutCredentials(parsed, DEFAULT_ACTION_PINS)).toEqual([]);
  expect(auditRunExpressions(parsed)).toEqual([]);
  expect(auditWorkflowPermissions(parsed)).toEqual([]);
  // The generated jobs' permissions keep their comments; the added job's own are the user's to document.
  expect(auditUndocumentedPermissions(parsed)).toEqual(['msrv: contents: read has no comment saying what needs it']);
});

test('a permission level changed from .projenrc.ts loses the generated comment instead of keeping a wrong one', () => {
  const project = newProject();
  project.workflow.workflow.file!.addOverride('jobs.test.permissions.contents', 'write');
  const parsed = parseWorkflowText(synthWorkflow(project));
  expect(parsed.job('test').json.permissions).toEqual({ contents: 'write' });
  expect(auditUndocumentedPermissions(parsed)).toEqual(['test: contents: write has no comment saying what needs it']);
});

test('a step without an id, or an unknown id, is refused', () => {
  const workflow = newProject().workflow.workflow;
  expect(() => workflow.insertStepAfter('test', 'clippy', { name: 'no id', run: 'true' })).toThrow(/id/);
  expect(() => workflow.patchStep('test', 'lint', { run: 'true' })).toThrow(/lint/);
  expect(() => workflow.insertStepAfter('test', 'clippy', { id: 'fmt', run: 'true' })).toThrow(/fmt/);
});

test('a customisation that breaks the workflow is caught by the validators', async () => {
  const project = newProject();
  project.workflow.workflow.insertStepAfter('test', 'clippy', { id: 'bad', run: 'echo $UNQUOTED_VAR > out' });
  project.workflow.workflow.addJob('orphan', { runsOn: ['ubuntu-latest'], needs: ['nope'], permissions: {}, steps: [{ id: 'x', run: 'true' }] });
  const findings = await validateWorkflow(synthWorkflow(project));
  expect(findings.map((f) => `${f.tool} ${f.code ?? ''}`.trim())).toEqual(expect.arrayContaining(['shellcheck SC2086', 'actionlint job-needs', 'workflow-parser']));
});
