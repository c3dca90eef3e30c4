/**
 * Private git dependencies (`gitTokenSecret`): the test job hands the token to cargo through the
 * `env:` of the cargo steps only, the image job passes it to BuildKit as a secret, and both
 * still work when the secret is absent (forks, Dependabot): the credential helper the workflow
 * configures is run here with the real `git`, with and without a token.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { WORKFLOW_FILE } from './support/cases';
import { actionOf, ParsedWorkflow, parseWorkflowText } from './support/parsed-workflow';
import { removeScratchDirs, scratchDir } from './support/scratch';
import { GhcrReleaseWorkflow } from '../../src/github/ghcr-release-workflow';
import { DEFAULT_ACTION_PINS } from '../../src/github/pinned-actions';
import { synthOperator, tempDir } from '../support/synth';

const SECRET = 'PRIVATE_DEPS_TOKEN';
const SECRET_EXPRESSION = `\${{ secrets.${SECRET} }}`;

afterAll(removeScratchDirs);

let workflow: ParsedWorkflow;
let text: string;
let dockerfile: string;
beforeAll(() => {
  const result = synthOperator({ gitTokenSecret: SECRET }, {}, scratchDir());
  text = result.read(WORKFLOW_FILE);
  workflow = parseWorkflowText(text);
  dockerfile = result.read('Dockerfile');
});

describe('test job', () => {
  test('the token reaches cargo only through the env: of cargo steps', () => {
    const test = workflow.job(GhcrReleaseWorkflow.TEST_JOB);
    expect(test.json.env).toBeUndefined();
    const withToken = test.steps.filter((step) => JSON.stringify(step.json).includes(SECRET_EXPRESSION));
    // clippy and test fetch and build the dependencies; the doc tests too.
    expect(withToken.map((step) => step.id)).toEqual(['clippy', 'test', 'doctest']);
    for (const step of withToken) {
      expect(step.env.GIT_TOKEN).toBe(SECRET_EXPRESSION);
      expect(step.run).toMatch(/\bcargo\b/);
      expect(step.run).not.toContain('secrets.');
      expect(step.with).toEqual({});
    }
    // Nowhere else in the test job: not in job env, not inline, not in an action's inputs.
    const others = test.steps.filter((step) => !withToken.includes(step));
    expect(others.filter((step) => JSON.stringify(step.json).includes('GIT_TOKEN'))).toEqual([]);
  });

  test('the other jobs never see the secret except the image build', () => {
    for (const job of workflow.jobs.filter((j) => j.id !== GhcrReleaseWorkflow.TEST_JOB)) {
      const holders = job.steps.filter((step) => JSON.stringify(step.json).includes(`secrets.${SECRET}`)).map((step) => `${job.id}/${step.id}`);
      expect(holders).toEqual(job.id === GhcrReleaseWorkflow.IMAGE_JOB ? ['image/build'] : []);
    }
    expect(text.split(`secrets.${SECRET}`).length - 1).toBe(4);
  });
});

describe('image job', () => {
  test('the build gets secrets: git_token=${{ secrets.X }}, the id the Dockerfile mounts, not required', () => {
    const build = workflow.job(GhcrReleaseWorkflow.IMAGE_JOB).steps.find((step) => actionOf(step.uses) === DEFAULT_ACTION_PINS['build-push'].action)!;
    expect(build.with.secrets).toBe(`git_token=${SECRET_EXPRESSION}`);
    // The Dockerfile mounts the same id; `required=false`: with no secret the build goes on.
    const mounts = dockerfile.match(/--mount=type=secret,[^\s]+/g) ?? [];
    expect(mounts.length).toBeGreaterThan(0);
    for (const mount of mounts) expect(mount).toBe('--mount=type=secret,id=git_token,required=false');
    // docker/build-push-action turns an empty value (`git_token=`, a fork) into a warning and
    // passes no secret (actions-toolkit parseSecretKvp throws "is not a valid secret", caught).
  });
});

test('without gitTokenSecret: no token, no helper, no build secret', () => {
  const plain = synthOperator({}, {}, scratchDir());
  expect(plain.read(WORKFLOW_FILE)).not.toMatch(/GIT_TOKEN|GIT_CONFIG|secrets: |CARGO_NET_GIT_FETCH_WITH_CLI/);
  expect(plain.read('Dockerfile')).not.toContain('type=secret');
});

describe('the credential helper, run with the real git', () => {
  let env: { [name: string]: string };
  beforeAll(() => {
    const clippy = workflow.job(GhcrReleaseWorkflow.TEST_JOB).steps.find((step) => step.id === 'clippy')!;
    env = Object.fromEntries(Object.entries(clippy.env).filter(([name]) => name !== 'GIT_TOKEN').map(([k, v]) => [k, String(v)]));
    expect(Object.keys(env).sort()).toEqual(['CARGO_NET_GIT_FETCH_WITH_CLI', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0']);
  });

  /** `git credential fill` for a URL, in an isolated HOME, with the step's env plus `extra`. */
  function fill(url: string, extra: { [name: string]: string }, withStepEnv = true) {
    const home = tempDir('pro-gh-git-');
    const u = new URL(url);
    const result = spawnSync('git', ['credential', 'fill'], {
      input: `protocol=${u.protocol.replace(':', '')}\nhost=${u.host}\npath=${u.pathname.slice(1)}\n\n`,
      env: {
        PATH: process.env.PATH!,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        GIT_ASKPASS: '',
        SSH_ASKPASS: '',
        ...(withStepEnv ? env : {}),
        ...extra,
      },
      encoding: 'utf-8',
      timeout: 20000,
    });
    fs.rmSync(home, { recursive: true, force: true });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test('with the token: git gets x-access-token and the token for github.com', () => {
    const out = fill('https://github.com/acme/private-crate.git', { GIT_TOKEN: 'ghs_testtoken123' });
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('username=x-access-token\n');
    expect(out.stdout).toContain('password=ghs_testtoken123\n');
  });

  test('without the token (a fork): the helper answers nothing, git behaves as with no helper', () => {
    for (const absent of [{ GIT_TOKEN: '' }, {}] as Array<{ [name: string]: string }>) {
      const out = fill('https://github.com/acme/private-crate.git', absent);
      const bare = fill('https://github.com/acme/private-crate.git', absent, false);
      expect(out.stdout).not.toContain('password=');
      expect(out.stdout).not.toContain('username=');
      expect({ status: out.status, stdout: out.stdout }).toEqual({ status: bare.status, stdout: bare.stdout });
      // git's own complaint (no terminal to prompt), not an error of the helper.
      expect(out.stderr).toMatch(/terminal prompts disabled/);
      expect(out.stderr).not.toMatch(/helper|syntax error|not found/i);
    }
  });

  test('the token is never offered to another host', () => {
    const out = fill('https://gitlab.com/acme/private-crate.git', { GIT_TOKEN: 'ghs_testtoken123' });
    expect(out.stdout).not.toContain('ghs_testtoken123');
  });

  test('the helper itself: answers get only, and only with a token', () => {
    const helper = env.GIT_CONFIG_VALUE_0;
    expect(helper.startsWith('!')).toBe(true);
    // git runs a `!` helper as `sh -c '<helper> <action>'`.
    const run = (action: string, token?: string) => spawnSync('sh', ['-c', `${helper.slice(1)} ${action}`], {
      env: { PATH: process.env.PATH!, ...(token === undefined ? {} : { GIT_TOKEN: token }) }, encoding: 'utf-8',
    });
    expect(run('get', 't0k3n').stdout).toBe('username=x-access-token\npassword=t0k3n\n');
    expect(run('get', '').stdout).toBe('');
    expect(run('get').stdout).toBe('');
    expect(run('store', 't0k3n').stdout).toBe('');
    expect(run('erase', 't0k3n').stdout).toBe('');
    for (const r of [run('get', ''), run('get'), run('store', 't0k3n')]) expect(r.stderr).toBe('');
  });
});
