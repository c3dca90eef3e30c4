/**
 * The image job's release checks, run for real with bash against a synthesized operator: a tag
 * that disagrees with Cargo.toml or operator.json fails before anything is built or pushed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { ContainerPolicy } from '../../src';
import { synthOperator } from '../support/synth';
import { closeWorkflowParser, formatFindings, validateWorkflow } from '../support/validate-workflow';

afterAll(closeWorkflowParser);

function versionCheck(options: Parameters<typeof synthOperator>[0], tag: string, edit?: (dir: string) => void) {
  const result = synthOperator(options);
  edit?.(result.dir);
  const step = parse(result.read('.github/workflows/ci.yml')).jobs.image.steps.find((s: any) => s.id === 'version-check');
  const run = spawnSync('bash', ['-e', '-c', step.run], {
    cwd: result.dir,
    encoding: 'utf-8',
    env: { ...process.env, ...(step.env ?? {}), GITHUB_REF_NAME: tag },
  });
  return { step, status: run.status, output: run.stdout + run.stderr };
}

test('runs only on release tags', () => {
  expect(versionCheck({}, '0.1.0').step.if).toBe("github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')");
});

test('a tag that matches Cargo.toml and operator.json passes', () => {
  const check = versionCheck({}, '0.1.0');
  expect(check.output).toBe('');
  expect(check.status).toBe(0);
});

test('a tag that is not the Cargo version fails with the fix', () => {
  const check = versionCheck({}, '0.2.0');
  expect(check.status).toBe(1);
  expect(check.output).toContain("::error file=Cargo.toml::The tag is 0.2.0 but Cargo.toml has version 0.1.0. Run 'npx projen release 0.2.0'");
});

test('an exact-pin container that disagrees fails', () => {
  const check = versionCheck({}, '0.1.0', (dir) => {
    const file = path.join(dir, 'operator.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf-8').replace('hello_operator:0.1.0', 'hello_operator:0.0.9'));
  });
  expect(check.status).toBe(1);
  expect(check.output).toContain('::error file=operator.json::operator.json has container ghcr.io/acme/hello_operator:0.0.9, but this release pushes ghcr.io/acme/hello_operator:0.1.0');
});

test('an untagged container is not checked', () => {
  const check = versionCheck({ containerPolicy: ContainerPolicy.UNTAGGED }, '0.1.0');
  expect(check.step.run).not.toContain('operator.json');
  expect(check.status).toBe(0);
});

test('provenance attestation can be turned off, with its permissions', () => {
  const off = parse(synthOperator({ provenanceAttestation: false }).read('.github/workflows/ci.yml')).jobs;
  expect(off.publish.steps.map((s: any) => s.id)).not.toContain('attest');
  expect(off.publish.permissions).toEqual({ packages: 'write' });
  const on = parse(synthOperator().read('.github/workflows/ci.yml')).jobs;
  expect(on.publish.permissions).toEqual({ 'packages': 'write', 'id-token': 'write', 'attestations': 'write' });
  // The build pushes by digest only; the attestation is of the tagged digest.
  for (const jobs of [off, on]) expect(jobs.image.permissions).toEqual({ contents: 'read', packages: 'write' });
});

test('the pushed image carries an SBOM unless turned off; provenance is set explicitly', () => {
  const build = (options: object) => parse(synthOperator(options).read('.github/workflows/ci.yml')).jobs.image.steps.find((s: any) => s.id === 'build').with;
  expect(build({})).toMatchObject({ sbom: true, provenance: 'mode=max' });
  expect(build({ sbom: false })).toMatchObject({ sbom: false, provenance: 'mode=max' });
});

test('an arm64-only image: one build on the arm64 runner, the scan told which platform to pull, still valid', async () => {
  const text = synthOperator({ platforms: ['linux/arm64'] }).read('.github/workflows/ci.yml');
  expect(formatFindings(await validateWorkflow(text))).toBe('');
  const jobs = parse(text).jobs;
  expect(jobs.image['runs-on']).toBe('ubuntu-24.04-arm');
  expect(jobs.image.strategy).toBeUndefined();
  expect(jobs.image.steps.find((s: any) => s.id === 'build').with.platforms).toBe('linux/arm64');
  expect(jobs.scan.steps.find((s: any) => s.id === 'scan').env).toEqual({ TRIVY_PLATFORM: 'linux/arm64' });
  // With amd64 built, Trivy pulls it by default: no platform named.
  expect(parse(synthOperator().read('.github/workflows/ci.yml')).jobs.scan.steps.find((s: any) => s.id === 'scan').env).toBeUndefined();
});
