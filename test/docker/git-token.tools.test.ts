/**
 * The git token for private dependencies: the generated setup line is run with a real `sh` and
 * a real `git` against a temp secret file. An absent or empty secret must change nothing; a token
 * must reach git only through the credential helper (never an exported variable holding it).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cargoBuilds } from './support';
import { synthOperator, tempDir } from '../support/synth';
import { stages } from '../support/validate-dockerfile';

const result = synthOperator({ gitTokenSecret: 'PRIVATE_DEPS_TOKEN' });
const dockerfile = result.read('Dockerfile');
const SECRET = '/run/secrets/git_token';

/** The setup line of each cargo RUN (`if [ -s <secret> ]; then export ...; fi`). */
function setupLines(): string[] {
  return cargoBuilds(stages(dockerfile)[0]).map((run) => {
    const match = /^(if \[ -s \/run\/secrets\/git_token \]; then export .*?; fi) +&& /.exec(run.args);
    if (!match) throw new Error(`no guarded setup line at the start of: ${run.args}`);
    return match[1];
  });
}

/** Runs `script` with sh in a clean git environment (no system or global config, no prompts). */
function sh(script: string): { status: number | null; stdout: string; stderr: string } {
  const home = tempDir('git-home-');
  const env: { [key: string]: string } = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
  };
  const run = spawnSync('sh', ['-c', script], { encoding: 'utf8', env, timeout: 30_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const ASK = 'printf "protocol=https\\nhost=github.com\\npath=tercen/private.git\\n\\n" | git credential fill';

describe.each([
  ['absent', undefined],
  ['empty', ''],
])('with the secret %s', (_name, content) => {
  test.each(setupLines().map((line, i) => [i === 0 ? 'dependency layer' : 'final build', line]))('%s: nothing is exported and git has no credentials', (_which, line) => {
    const dir = tempDir('secret-');
    const file = path.join(dir, 'git_token');
    if (content !== undefined) fs.writeFileSync(file, content);
    const setup = line.split(SECRET).join(file);
    const run = sh(`${setup} && echo continued && env | grep -E '^(GIT_CONFIG_(COUNT|KEY|VALUE)|CARGO_NET)' ; ${ASK}`);
    // The chain continues, nothing git- or cargo-related is set...
    expect(run.stdout.split('\n')[0]).toBe('continued');
    expect(run.stdout).not.toMatch(/GIT_CONFIG_(COUNT|KEY|VALUE)|CARGO_NET|password=/);
    // ...so git finds no helper and, unable to prompt, gives up.
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/could not read Username|terminal prompts disabled/);
  });
});

describe('with a token', () => {
  test.each(setupLines().map((line, i) => [i === 0 ? 'dependency layer' : 'final build', line]))('%s: git credential fill returns it through the helper', (_which, line) => {
    const dir = tempDir('secret-');
    const file = path.join(dir, 'git_token');
    fs.writeFileSync(file, 'ghp_s3cr3t-t0ken\n');
    const setup = line.split(SECRET).join(file);
    const run = sh(`${setup} && env | grep -E '^(GIT_CONFIG_COUNT|GIT_CONFIG_KEY_0|CARGO_NET_GIT_FETCH_WITH_CLI)=' | sort && ${ASK}`);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe([
      'CARGO_NET_GIT_FETCH_WITH_CLI=true',
      'GIT_CONFIG_COUNT=1',
      'GIT_CONFIG_KEY_0=credential.https://github.com.helper',
      'protocol=https',
      'host=github.com',
      'username=x-access-token',
      'password=ghp_s3cr3t-t0ken',
      '',
    ].join('\n'));
  });

  test('another host never gets the token', () => {
    const dir = tempDir('secret-');
    const file = path.join(dir, 'git_token');
    fs.writeFileSync(file, 'ghp_s3cr3t-t0ken');
    const setup = setupLines()[0].split(SECRET).join(file);
    const run = sh(`${setup} && printf "protocol=https\\nhost=gitlab.com\\npath=x/y.git\\n\\n" | git credential fill`);
    expect(run.stdout).not.toContain('ghp_s3cr3t-t0ken');
    expect(run.status).not.toBe(0);
  });

  test('the token is in no exported variable, only read from the file when git asks', () => {
    const dir = tempDir('secret-');
    const file = path.join(dir, 'git_token');
    fs.writeFileSync(file, 'ghp_s3cr3t-t0ken');
    const setup = setupLines()[0].split(SECRET).join(file);
    const run = sh(`${setup} && env`);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('GIT_CONFIG_VALUE_0=');
    expect(run.stdout).not.toContain('ghp_s3cr3t-t0ken');
  });

  test('storing and erasing credentials through the helper is a quiet no-op', () => {
    const dir = tempDir('secret-');
    const file = path.join(dir, 'git_token');
    fs.writeFileSync(file, 'ghp_s3cr3t-t0ken');
    const setup = setupLines()[1].split(SECRET).join(file);
    for (const action of ['approve', 'reject']) {
      const run = sh(`${setup} && printf "protocol=https\\nhost=github.com\\nusername=x\\npassword=y\\n\\n" | git credential ${action}`);
      expect([action, run.status, run.stdout, run.stderr]).toEqual([action, 0, '', '']);
    }
  });
});

test('the secret id appears only in the two optional secret mounts and the guarded setup lines', () => {
  const lines = dockerfile.split('\n').filter((l) => l.includes('git_token'));
  expect(lines).toHaveLength(4);
  expect(lines.filter((l) => l === 'RUN --mount=type=secret,id=git_token,required=false \\')).toHaveLength(2);
  expect(lines.filter((l) => l.startsWith('    if [ -s /run/secrets/git_token ]; then export '))).toHaveLength(2);
  // No `git config --global` (it would persist in the layer) and no token-bearing ARG/ENV.
  expect(dockerfile).not.toMatch(/git config|^ARG|^ENV [^\n]*(TOKEN|token)/m);
  // The GitHub secret name stays in the workflow; the Dockerfile only knows the BuildKit id.
  expect(dockerfile).not.toContain('PRIVATE_DEPS_TOKEN');
});
