/**
 * `npx projen docker:build` checks for BuildKit before building: the check is shellcheck-clean
 * POSIX sh, and, run with a stub `docker`, stops with what to install when buildx is missing or
 * the legacy builder is selected, and lets the build go on otherwise.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { LogLevel } from 'projen';
import { BUILDKIT_CHECK } from '../../src/docker/jemalloc-dockerfile';
import { synthOperator, tempDir } from '../support/synth';

function runCheck(buildx: boolean, env: { [name: string]: string } = {}): { status: number | null; stderr: string } {
  const bin = tempDir('pro-buildkit-');
  fs.writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\n[ "$1" = buildx ] && exit ${buildx ? 0 : 1}\nexit 0\n`, { mode: 0o755 });
  const result = spawnSync('/bin/sh', ['-c', BUILDKIT_CHECK], { encoding: 'utf-8', env: { PATH: `${bin}:/usr/bin:/bin`, ...env } });
  fs.rmSync(bin, { recursive: true, force: true });
  return { status: result.status, stderr: result.stderr };
}

test('the task runs the check first, then the build', () => {
  const result = synthOperator({ logging: { level: LogLevel.OFF }, gitTokenSecret: 'GH_PAT' });
  const steps = JSON.parse(result.read('.projen/tasks.json')).tasks['docker:build'].steps;
  expect(steps.map((step: { exec: string }) => step.exec)).toEqual([BUILDKIT_CHECK, 'docker build --secret id=git_token,env=GIT_TOKEN -t hello_operator:local .']);
  fs.rmSync(result.dir, { recursive: true, force: true });
});

test('shellcheck (POSIX sh) finds nothing', () => {
  const result = spawnSync('shellcheck', ['--norc', '-s', 'sh', '-'], { input: BUILDKIT_CHECK, encoding: 'utf-8' });
  expect(result.stdout + result.stderr).toBe('');
  expect(result.status).toBe(0);
});

test('without buildx: exit 1, saying what to install', () => {
  const { status, stderr } = runCheck(false);
  expect(status).toBe(1);
  expect(stderr).toContain('docker:build needs Docker BuildKit');
  expect(stderr).toContain('docker-buildx-plugin');
});

test('with the legacy builder selected: exit 1, saying to unset DOCKER_BUILDKIT', () => {
  const { status, stderr } = runCheck(true, { DOCKER_BUILDKIT: '0' });
  expect(status).toBe(1);
  expect(stderr).toContain('unset DOCKER_BUILDKIT');
});

test('with buildx: passes silently', () => {
  expect(runCheck(true)).toEqual({ status: 0, stderr: '' });
  expect(runCheck(true, { DOCKER_BUILDKIT: '1' })).toEqual({ status: 0, stderr: '' });
});
