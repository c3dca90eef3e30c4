/**
 * More workflows, supported: the README's showcase example, run as a real `.projenrc.ts` against
 * this checkout, gives a `showcase.yml` that is pinned from the table (a tag written by the user
 * included), lint-clean (actionlint, GitHub's parser, shellcheck), hardened, built with the CI
 * test job's setup, and owned: `npx projen drift` is clean, then reports a hand edit.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LogLevel } from 'projen';
import { GitHub } from 'projen/lib/github';
import { auditCheckoutCredentials, auditJobPermissions, auditPins, auditRunExpressions, auditWorkflowPermissions } from './support/audits';
import { parseWorkflowText } from './support/parsed-workflow';
import { removeScratchDirs, scratchDir } from './support/scratch';
import { OperatorWorkflow, RustOperatorProject } from '../../src';
import { DEFAULT_ACTION_PINS } from '../../src/github/pinned-actions';
import { REPO_ROOT } from '../support/pack';
import { run } from '../support/scaffold';
import { synthQuietly, TEST_OPERATOR } from '../support/synth';
import { closeWorkflowParser, formatFindings, runScripts, validateWorkflow } from '../support/validate-workflow';

jest.setTimeout(180_000);

afterAll(() => {
  closeWorkflowParser();
  removeScratchDirs();
});

const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const SHOWCASE = '.github/workflows/showcase.yml';
const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf-8');
const EXAMPLE = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]).find((code) => code.includes('addWorkflow('))!;

let dir: string;
beforeAll(() => {
  dir = path.join(scratchDir(), 'ggrs_plot_operator');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), EXAMPLE.replace(/from 'projen-rust-operator'/g, `from ${JSON.stringify(path.join(REPO_ROOT, 'src'))}`));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const synth = run(TSX, ['.projenrc.ts'], dir, { PROJEN_DISABLE_POST: 'true' });
  if (synth.status !== 0) throw new Error(synth.stderr);
});

test('the README example is there and writes showcase.yml', () => {
  expect(EXAMPLE).toContain("project.addWorkflow('showcase'");
  expect(fs.existsSync(path.join(dir, SHOWCASE))).toBe(true);
});

test('showcase.yml passes actionlint, GitHub\'s parser and shellcheck', async () => {
  const text = fs.readFileSync(path.join(dir, SHOWCASE), 'utf-8');
  expect(formatFindings(await validateWorkflow(text, SHOWCASE))).toBe('');
  expect(runScripts(text).length).toBeGreaterThan(0);
});

test('pinned from the table (the tag written in .projenrc.ts too), hardened, with the CI build setup', () => {
  const text = fs.readFileSync(path.join(dir, SHOWCASE), 'utf-8');
  const workflow = parseWorkflowText(text);
  expect(auditPins(workflow, DEFAULT_ACTION_PINS)).toEqual([]);
  const upload = DEFAULT_ACTION_PINS['upload-artifact'];
  expect(text).toContain(`uses: ${upload.action}@${upload.sha} # ${upload.version}`);
  expect(text).not.toContain('@v4');
  expect(auditCheckoutCredentials(workflow, DEFAULT_ACTION_PINS)).toEqual([]);
  expect(auditRunExpressions(workflow)).toEqual([]);
  expect(auditWorkflowPermissions(workflow)).toEqual([]);
  expect(auditJobPermissions(workflow, DEFAULT_ACTION_PINS, { showcase: { contents: 'read' } })).toEqual([]);

  const job = workflow.job('showcase');
  expect(job.steps.map((step) => step.id)).toEqual([...OperatorWorkflow.BUILD_SETUP_STEP_IDS, 'generate', 'upload']);
  const ci = parseWorkflowText(fs.readFileSync(path.join(dir, '.github/workflows/ci.yml'), 'utf-8')).job('test');
  const ciStep = (id: string) => ci.steps.find((step) => step.id === id)!;
  const step = (id: string) => job.steps.find((s) => s.id === id)!;
  // The same checkout (submodules, token), toolchain and package list as the CI test job.
  expect(step('checkout').json).toEqual(ciStep('checkout').json);
  expect(step('checkout').with).toMatchObject({ submodules: 'recursive', token: '${{ secrets.GH_PAT || github.token }}' });
  expect(step('toolchain').json).toEqual(ciStep('toolchain').json);
  expect(step('system-packages').run).toBe(ciStep('system-packages').run);
  expect(step('system-packages').run).toContain('libcairo2-dev');
  // The cache is restored, never saved, from here.
  expect(step('cargo-cache').with['save-if']).toBe(false);
});

test('owned: drift is clean, then names a hand edit of showcase.yml', () => {
  const clean = run(TSX, [path.join(REPO_ROOT, 'src', 'cli.ts'), 'drift'], dir);
  expect(clean.stdout + clean.stderr).not.toContain('showcase.yml');
  expect(clean.status).toBe(0);
  const file = path.join(dir, SHOWCASE);
  fs.chmodSync(file, 0o644);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf-8').replace('timeout-minutes: 60', 'timeout-minutes: 5'));
  const drifted = run(TSX, [path.join(REPO_ROOT, 'src', 'cli.ts'), 'drift'], dir);
  expect(drifted.status).not.toBe(0);
  expect(drifted.stdout + drifted.stderr).toContain(SHOWCASE);
});

describe('the API', () => {
  const project = () => new RustOperatorProject({ ...TEST_OPERATOR, logging: { level: LogLevel.OFF }, outdir: scratchDir() });

  test('project.github is the GitHub component that owns every workflow', () => {
    const p = project();
    expect(p.github).toBeInstanceOf(GitHub);
    expect(GitHub.of(p)).toBe(p.github);
    p.addWorkflow('nightly', { triggers: { schedule: [{ cron: '0 3 * * *' }] } });
    expect(p.github.workflows.map((w) => w.name).sort()).toEqual(['ci', 'nightly', 'upgrade']);
  });

  test('bad names and steps are refused, naming what to fix', () => {
    const p = project();
    const w = p.addWorkflow('showcase', { triggers: { workflowDispatch: {} } });
    expect(() => p.addWorkflow('showcase', { triggers: { workflowDispatch: {} } })).toThrow(/another workflow/);
    expect(() => p.addWorkflow('bad name', { triggers: { workflowDispatch: {} } })).toThrow(/workflow name/);
    expect(() => w.addBuildJob('build', { steps: [] })).toThrow(/is empty/);
    expect(() => w.addBuildJob('build', { steps: [{ run: 'true' }] })).toThrow(/without an id/);
    expect(() => w.addBuildJob('build', { steps: [{ id: 'toolchain', run: 'true' }] })).toThrow(/"toolchain"/);
    expect(() => w.addBuildJob('build', { steps: [{ id: 'x', run: 'true' }], timeout: 3 } as any)).toThrow(/timeout/);
  });
});

test('an action outside the pin table is left as written, and the pin audit names it', async () => {
  const p = new RustOperatorProject({ ...TEST_OPERATOR, logging: { level: LogLevel.OFF }, outdir: scratchDir() });
  p.addWorkflow('showcase', { triggers: { workflowDispatch: {} } }).addBuildJob('showcase', {
    steps: [{ id: 'tercen', name: 'Start Tercen', uses: 'tercen/actions/start-tercen@main' }],
  });
  synthQuietly(p);
  const workflow = parseWorkflowText(fs.readFileSync(path.join(p.outdir, SHOWCASE), 'utf-8'));
  expect(auditPins(workflow, DEFAULT_ACTION_PINS)).toEqual(['showcase/tercen: tercen/actions/start-tercen@main is not pinned to a full commit SHA']);
});
