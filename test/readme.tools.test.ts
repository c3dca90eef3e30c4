/**
 * The README's code is real: its `.projenrc.ts` example and subclassing example run against this
 * checkout and synthesize, and its release table is what the workflow does.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GhcrReleaseWorkflow, GithubReleaseJob, OperatorInstallTestJob, TrivyScanJob } from '../src';
import { REPO_ROOT } from './support/pack';
import { run } from './support/scaffold';
import { synthOperator, tempDir } from './support/synth';

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf-8');
const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

function runExample(code: string, dir: string): { status: number | null; stderr: string } {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), code.replace(/from 'projen-rust-operator'/g, `from ${JSON.stringify(path.join(REPO_ROOT, 'src'))}`));
  return run(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['.projenrc.ts'], dir, { PROJEN_DISABLE_POST: 'true' });
}

test('the README has exactly two set-up commands', () => {
  const setup = /## Set up\n\n```bash\n([\s\S]*?)```/.exec(README)![1].trim().split('\n');
  expect(setup.map((line) => line.split('#')[0].trim())).toEqual(['scripts/setup.sh && npm run demo', 'npm test']);
  // CI sets up a fresh machine with the same script.
  expect(fs.readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf-8')).toMatch(/^scripts\/setup\.sh$/m);
});

test('the .projenrc.ts example synthesizes, escape hatches included', () => {
  const dir = path.join(tempDir('pro-readme-'), 'ggrs_plot_operator');
  const result = runExample(blocks[0], dir);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const workflow = fs.readFileSync(path.join(dir, '.github/workflows/ci.yml'), 'utf-8');
  expect(workflow).toContain('run: cargo audit');
  expect(fs.readFileSync(path.join(dir, 'Cargo.toml'), 'utf-8')).toContain('[profile.profiling]');
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8')).toMatch(/HEALTHCHECK NONE\nENTRYPOINT/);
});

test('the subclassing example swaps the base images', () => {
  const dir = path.join(tempDir('pro-readme-'), 'my_operator');
  const code = `${blocks[1]}\nnew TercenOperatorProject({ name: 'my_operator', repositoryUrl: 'https://github.com/tercen/my_operator' }).synth();\n`;
  const result = runExample(code, dir);
  expect(result.stderr).toBe('');
  const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8');
  expect(dockerfile).toContain('FROM tercen/rust-operator-base:latest AS builder');
  expect(dockerfile).toContain('FROM tercen/runtime-base:latest AS runtime');
});

test('the release table is what the workflow does', () => {
  const table = /\| Git ref \| Jobs that run \| Image tags pushed \|\n\|---\|---\|---\|\n((?:\|.*\|\n)+)/.exec(README)![1].trim().split('\n');
  const workflow = synthOperator().project.workflow;
  const expected = GhcrReleaseWorkflow.EXAMPLE_REFS.map((ref) => {
    const outcome = workflow.refOutcome(ref);
    const jobs = outcome.jobs.length ? outcome.jobs.map((job) => `\`${job}\``).join(', ') : 'none (not a release tag)';
    const tags = outcome.tags.length ? outcome.tags.map((tag) => `\`${tag}\``).join(', ') : 'none';
    return `| ${ref === 'pull_request' ? 'a pull request' : `\`${ref}\``} | ${jobs} | ${tags} |`;
  });
  expect(table).toEqual(expected);
});

test('the step ids in the README are the workflow\'s', () => {
  const paragraph = README.slice(README.indexOf('Step ids, for'), README.indexOf('Hardening:')).replace(/\s+/g, ' ');
  expect(paragraph).toContain(`\`test\`: ${GhcrReleaseWorkflow.STEP_IDS.test.join(', ')};`);
  expect(paragraph).toContain(`\`image\`: ${GhcrReleaseWorkflow.STEP_IDS.image.join(', ')};`);
  expect(paragraph).toContain(`\`publish\`: ${GhcrReleaseWorkflow.STEP_IDS.publish.join(', ')};`);
  expect(paragraph).toContain(`\`scan\`: ${TrivyScanJob.STEP_IDS.join(', ')};`);
  expect(paragraph).toContain(`\`operator-install-test\`: ${OperatorInstallTestJob.STEP_IDS.join(', ')}.`);
  expect(paragraph).toContain(`\`github-release\`: ${GithubReleaseJob.STEP_IDS.join(', ')};`);
});
