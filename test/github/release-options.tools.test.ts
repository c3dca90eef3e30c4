/**
 * The GitHub release job, the scan destination and the submodules option: every combination
 * passes the real validators and our audits; the release script, run with real git on a real
 * history (and `gh` stubbed), writes the notes asked for; submodules reach every checkout that
 * builds and the image's build context.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { LogLevel } from 'projen';
import {
  auditCheckoutCredentials, auditJobPermissions, auditPins, auditRunExpressions, auditWorkflowPermissions, Permissions, RunStepRules,
} from './support/audits';
import { WORKFLOW_FILE } from './support/cases';
import { ParsedWorkflow, parseWorkflowText } from './support/parsed-workflow';
import { removeScratchDirs, scratchDir } from './support/scratch';
import { GitSubmodules, RustOperatorProjectOptions, ScanDestination } from '../../src';
import { dockerignoreExcludes } from '../../src/docker/dockerignore';
import { DEFAULT_ACTION_PINS } from '../../src/github/pinned-actions';
import { synthOperator } from '../support/synth';
import { closeWorkflowParser, formatFindings, validateWorkflow } from '../support/validate-workflow';

jest.setTimeout(300_000);

afterAll(() => {
  closeWorkflowParser();
  removeScratchDirs();
});

const RUN_RULES: RunStepRules = { 'github-release/release': { contents: 'write' } };

function permissionTable(destination: ScanDestination, githubRelease: boolean): { [job: string]: Permissions } {
  return {
    'test': { contents: 'read' },
    'image': { contents: 'read', packages: 'write' },
    'publish': { 'packages': 'write', 'id-token': 'write', 'attestations': 'write' },
    'scan': destination === ScanDestination.ARTIFACT
      ? { packages: 'read' }
      : { 'actions': 'read', 'contents': 'read', 'packages': 'read', 'security-events': 'write' },
    'operator-install-test': {},
    ...(githubRelease ? { 'github-release': { contents: 'write' } } : {}),
  };
}

const COMBINATIONS: Array<[string, Partial<RustOperatorProjectOptions>]> = [];
for (const githubRelease of [false, true]) {
  for (const scanDestination of Object.values(ScanDestination)) {
    for (const submodules of Object.values(GitSubmodules)) {
      for (const token of [false, true]) {
        const options: Partial<RustOperatorProjectOptions> = {
          githubRelease, scanDestination, submodules, failOnCriticalVulnerabilities: true, ...(token ? { gitTokenSecret: 'GH_PAT' } : {}),
        };
        COMBINATIONS.push([`githubRelease ${githubRelease}, scan ${scanDestination}, submodules ${submodules}, token ${token}`, options]);
      }
    }
  }
}

test.each(COMBINATIONS)('%s: actionlint, parser, shellcheck and the audits are clean', async (_name, options) => {
  const result = synthOperator({ logging: { level: LogLevel.OFF }, ...options }, {}, scratchDir());
  const yaml = result.read(WORKFLOW_FILE);
  expect(formatFindings(await validateWorkflow(yaml))).toBe('');
  const workflow = parseWorkflowText(yaml);
  expect(auditPins(workflow, DEFAULT_ACTION_PINS)).toEqual([]);
  expect(auditCheckoutCredentials(workflow, DEFAULT_ACTION_PINS)).toEqual([]);
  expect(auditRunExpressions(workflow)).toEqual([]);
  expect(auditWorkflowPermissions(workflow)).toEqual([]);
  const table = permissionTable(options.scanDestination!, options.githubRelease!);
  expect(auditJobPermissions(workflow, DEFAULT_ACTION_PINS, table, RUN_RULES)).toEqual([]);
  // Only the release job may write contents; security-events only when the report goes to code scanning.
  const writers = (scope: string) => workflow.jobs.filter((job) => job.json.permissions?.[scope] === 'write').map((job) => job.id);
  expect(writers('contents')).toEqual(options.githubRelease ? ['github-release'] : []);
  expect(writers('security-events')).toEqual(options.scanDestination === ScanDestination.ARTIFACT ? [] : ['scan']);
  // The gate runs after whichever upload there is, on the same digest.
  const scan = workflow.job('scan').steps;
  expect(scan.map((step) => step.id)).toEqual(['login', 'scan',
    ...(options.scanDestination !== ScanDestination.CODE_SCANNING ? ['upload-artifact'] : []),
    ...(options.scanDestination !== ScanDestination.ARTIFACT ? ['upload-sarif'] : []), 'gate']);
  expect(scan.find((s) => s.id === 'gate')!.with['image-ref']).toBe(scan.find((s) => s.id === 'scan')!.with['image-ref']);
  if (options.githubRelease) {
    // After publish (the tagged digest) and the gate: no release of an image that fails it.
    expect(workflow.job('github-release').json.needs).toEqual(['publish', 'scan']);
  }
  checkSubmoduleCheckouts(workflow, options);
  const upgrade = parseWorkflowText(result.read('.github/workflows/upgrade.yml'));
  checkSubmoduleCheckouts(upgrade, options, ['upgrade']);
});

/** Checkouts of jobs that build fetch the submodules (with the token); the others do not. */
function checkSubmoduleCheckouts(workflow: ParsedWorkflow, options: Partial<RustOperatorProjectOptions>, building = ['test', 'image']): void {
  for (const job of workflow.jobs) {
    for (const step of job.steps.filter((s) => s.id === 'checkout')) {
      const fetches = building.includes(job.id) && options.submodules !== GitSubmodules.NONE;
      const expected = fetches ? (options.submodules === GitSubmodules.RECURSIVE ? 'recursive' : true) : undefined;
      expect({ job: job.id, submodules: step.with.submodules }).toEqual({ job: job.id, submodules: expected });
      expect({ job: job.id, token: step.with.token }).toEqual({ job: job.id, token: fetches && options.gitTokenSecret ? '${{ secrets.GH_PAT || github.token }}' : undefined });
      expect(step.with['persist-credentials']).toBe(false);
    }
  }
}

test('the release job: release tags only, after publish, notes from the tagged digest through env', () => {
  const result = synthOperator({ logging: { level: LogLevel.OFF }, githubRelease: true }, {}, scratchDir());
  const job = parseWorkflowText(result.read(WORKFLOW_FILE)).job('github-release');
  expect(job.json.needs).toBe('publish');
  expect(job.json.if).toBe("github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')");
  expect(job.json.permissions).toEqual({ contents: 'write' });
  const release = job.steps.find((s) => s.id === 'release')!;
  expect(release.env).toEqual({ GH_TOKEN: '${{ secrets.GITHUB_TOKEN }}', IMAGE: 'ghcr.io/acme/hello_operator', DIGEST: '${{ needs.publish.outputs.digest }}' });
  expect(job.steps.find((s) => s.id === 'checkout')!.with).toEqual({ 'persist-credentials': false, 'fetch-depth': 0 });
  // Off by default: no job that writes contents.
  const byDefault = parseWorkflowText(synthOperator({ logging: { level: LogLevel.OFF } }, {}, scratchDir()).read(WORKFLOW_FILE));
  expect(byDefault.jobs.map((j) => j.id)).not.toContain('github-release');
});

describe('the release script, run with git on a real history and gh stubbed', () => {
  let script: string;
  let repo: string;
  let sha: { [tag: string]: string };
  beforeAll(() => {
    const result = synthOperator({ logging: { level: LogLevel.OFF }, githubRelease: true }, {}, scratchDir());
    script = parseWorkflowText(result.read(WORKFLOW_FILE)).job('github-release').steps.find((s) => s.id === 'release')!.run!;
    repo = scratchDir();
    const git = (...args: string[]) => {
      const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf-8' });
      if (r.status !== 0) throw new Error(r.stderr);
      return r.stdout.trim();
    };
    git('init', '-q', '-b', 'main');
    sha = {};
    const commit = (message: string) => git('commit', '-q', '--allow-empty', '-m', message);
    commit('First commit');
    git('tag', '1.0.0');
    commit('Add bar charts');
    git('tag', 'v-not-a-release');
    commit('Fix axis labels');
    git('tag', '1.1.0-rc.1');
    commit('Faster rendering');
    git('tag', '1.1.0');
    for (const tag of ['1.0.0', '1.1.0-rc.1', '1.1.0']) sha[tag] = git('rev-parse', `${tag}^{commit}`);
  });

  /** Runs the script for a tag; the stub gh records its arguments and the notes. */
  function release(tag: string, existing = false): { status: number | null; args: string[]; notes: string; stdout: string } {
    const bin = scratchDir();
    const temp = scratchDir();
    const log = path.join(temp, 'gh.log');
    fs.writeFileSync(path.join(bin, 'gh'), [
      '#!/bin/bash',
      `if [ "$2" = view ]; then exit ${existing ? 0 : 1}; fi`,
      `printf '%s\\n' "$@" > ${JSON.stringify(log)}`,
      'while [ $# -gt 0 ]; do if [ "$1" = --notes-file ]; then cp "$2" "$RUNNER_TEMP/notes.copy"; fi; shift; done',
    ].join('\n'), { mode: 0o755 });
    const r = spawnSync('bash', ['-e', '-c', script], {
      cwd: repo,
      encoding: 'utf-8',
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        GITHUB_REF_NAME: tag,
        GITHUB_SHA: sha[tag],
        GITHUB_REPOSITORY: 'acme/hello_operator',
        RUNNER_TEMP: temp,
        GH_TOKEN: 'x',
        IMAGE: 'ghcr.io/acme/hello_operator',
        DIGEST: 'sha256:0123',
      },
    });
    const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf-8') : '');
    return { status: r.status, args: read(log).split('\n').filter(Boolean), notes: read(path.join(temp, 'notes.copy')), stdout: r.stdout + r.stderr };
  }

  test('a release: commits since the previous release, pre-releases and non-release tags skipped', () => {
    const { status, args, notes } = release('1.1.0');
    expect(status).toBe(0);
    expect(args).toEqual(['release', 'create', '1.1.0', '--repo', 'acme/hello_operator', '--verify-tag', '--title', '1.1.0',
      '--notes-file', expect.any(String), '--generate-notes', '--notes-start-tag', '1.0.0']);
    expect(notes).toContain('- `ghcr.io/acme/hello_operator:1.1.0`\n- `ghcr.io/acme/hello_operator@sha256:0123`');
    expect(notes).toContain('docker pull ghcr.io/acme/hello_operator@sha256:0123');
    const commits = notes.slice(notes.indexOf('## Commits since 1.0.0')).split('\n').filter((line) => line.startsWith('- '));
    expect(commits.map((line) => line.replace(/ \([0-9a-f]+\)$/, ''))).toEqual(['- Faster rendering', '- Fix axis labels', '- Add bar charts']);
  });

  test('a pre-release is marked so; the first release lists every commit', () => {
    expect(release('1.1.0-rc.1').args).toEqual(expect.arrayContaining(['--prerelease', '--notes-start-tag', '1.0.0']));
    const first = release('1.0.0');
    expect(first.args).not.toContain('--notes-start-tag');
    expect(first.notes).toMatch(/## Commits\n\n- First commit \([0-9a-f]+\)\n/);
  });

  test('a re-run leaves an existing release alone', () => {
    const rerun = release('1.1.0', true);
    expect(rerun.status).toBe(0);
    expect(rerun.args).toEqual([]);
    expect(rerun.stdout).toContain('The release 1.1.0 exists already');
  });
});

describe('submodules in the image build context', () => {
  const gitmodules = [
    '[submodule "tercen_grpc_api"]',
    '\tpath = tercen_grpc_api',
    '\turl = https://github.com/tercen/tercen_grpc_api.git',
    '[submodule "fixtures"]',
    '\tpath = tests/fixtures',
    '\turl = https://github.com/acme/fixtures.git',
  ].join('\n');

  test('the paths of .gitmodules are copied into the builder and never excluded by .dockerignore', () => {
    const result = synthOperator({ logging: { level: LogLevel.OFF }, submodules: GitSubmodules.RECURSIVE }, { '.gitmodules': gitmodules }, scratchDir());
    const dockerfile = result.read('Dockerfile');
    const dockerignore = result.read('.dockerignore');
    for (const file of ['tercen_grpc_api', 'tests/fixtures']) {
      expect(dockerfile).toMatch(new RegExp(`^COPY ${file} \\./${file}$`, 'm'));
      expect({ file, excluded: dockerignoreExcludes(dockerignore, `${file}/x.proto`) }).toEqual({ file, excluded: false });
    }
    // The default exclusion of tests/ still applies elsewhere.
    expect(dockerignoreExcludes(dockerignore, 'tests/test.json')).toBe(true);
    expect(result.read('docs/OPERATOR.md')).toContain('git submodule update --init --recursive');
  });

  test('without the option the submodules are neither fetched nor copied', () => {
    const result = synthOperator({ logging: { level: LogLevel.OFF } }, { '.gitmodules': gitmodules }, scratchDir());
    expect(result.read('Dockerfile')).not.toContain('tercen_grpc_api');
    expect(result.read(WORKFLOW_FILE)).not.toContain('submodules');
  });

  test('a .gitmodules path outside the repository is refused, naming the file', () => {
    expect(() => synthOperator({ logging: { level: LogLevel.OFF }, submodules: GitSubmodules.TOP_LEVEL },
      { '.gitmodules': '[submodule "x"]\n\tpath = ../x\n' }, scratchDir())).toThrow(/\.gitmodules/);
  });

  test('a bad value is refused, naming the option', () => {
    expect(() => synthOperator({ logging: { level: LogLevel.OFF }, submodules: 'yes' as GitSubmodules }, {}, scratchDir())).toThrow(/submodules/);
    expect(() => synthOperator({ logging: { level: LogLevel.OFF }, scanDestination: 'email' as ScanDestination }, {}, scratchDir())).toThrow(/scanDestination/);
  });
});

describe('the checks catch planted defects', () => {
  test('security-events: write left on a scan job that only keeps an artifact', () => {
    const options = { scanDestination: ScanDestination.ARTIFACT, githubRelease: true };
    const yaml = synthOperator({ logging: { level: LogLevel.OFF }, ...options }, {}, scratchDir()).read(WORKFLOW_FILE);
    const planted = yaml.replace(/( {2}scan:\n(?: {4}.*\n)*? {4}permissions:\n)( {6}packages: read.*\n)/, '$1$2      security-events: write\n');
    expect(planted).not.toBe(yaml);
    expect(auditJobPermissions(parseWorkflowText(planted), DEFAULT_ACTION_PINS, permissionTable(options.scanDestination, true), RUN_RULES))
      .toEqual([expect.stringMatching(/^scan: holds .*security-events/)]);
  });

  test('contents: write on the release job without a rule for its script', () => {
    const yaml = synthOperator({ logging: { level: LogLevel.OFF }, githubRelease: true }, {}, scratchDir()).read(WORKFLOW_FILE);
    expect(() => auditJobPermissions(parseWorkflowText(yaml), DEFAULT_ACTION_PINS, permissionTable(ScanDestination.CODE_SCANNING, true)))
      .toThrow(/github-release\/release: run step uses the job token and has no rule/);
  });

  test('a misspelt option is refused with the right name', () => {
    expect(() => synthOperator({ logging: { level: LogLevel.OFF }, githubReleases: true } as Partial<RustOperatorProjectOptions>, {}, scratchDir()))
      .toThrow(/githubRelease/);
    const misspelt = { logging: { level: LogLevel.OFF }, scanDestinations: ScanDestination.BOTH } as Partial<RustOperatorProjectOptions>;
    expect(() => synthOperator(misspelt, {}, scratchDir())).toThrow(/scanDestination/);
  });
});
