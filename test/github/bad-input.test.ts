/**
 * Bad input gives an error that names the option, before anything is written: each case is
 * constructed in a fresh, empty temp folder inside try/catch, and the folder stays empty.
 */
import * as fs from 'fs';
import { LogLevel, Project } from 'projen';
import { RustOperatorProject, RustOperatorProjectOptions } from '../../src';
import { removeScratchDirs, scratchDir } from './support/scratch';
import { OptionError } from '../../src/core/errors';
import { CargoDependabot, CargoDependabotOptions } from '../../src/github/cargo-dependabot';
import { GhcrReleaseWorkflow, GhcrReleaseWorkflowOptions } from '../../src/github/ghcr-release-workflow';
import { GithubReleaseJob, GithubReleaseJobOptions } from '../../src/github/github-release-job';
import { OperatorInstallTestJob, OperatorInstallTestJobOptions } from '../../src/github/operator-install-test-job';
import { TrivyScanJob, TrivyScanJobOptions } from '../../src/github/trivy-scan-job';
import { TEST_OPERATOR } from '../support/synth';

afterAll(removeScratchDirs);

const PIN = { action: 'actions/checkout', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' };

/** Runs `build` with a fresh empty folder; returns the OptionError and the folder's entries after it. */
function failure(build: (outdir: string) => void): { error: OptionError; entries: string[] } {
  const outdir = scratchDir('pro-gh-bad-');
  try {
    build(outdir);
  } catch (e) {
    if (!(e instanceof OptionError)) throw e;
    return { error: e, entries: fs.readdirSync(outdir) };
  }
  throw new Error('expected an OptionError, none was thrown');
}

function expectOptionError(build: (outdir: string) => void, subject: string): void {
  const { error, entries } = failure(build);
  expect(error.subject).toBe(subject);
  expect(error.message).toContain(`projen-rust-operator: ${subject}: `);
  expect(entries).toEqual([]);
}

describe('RustOperatorProject options', () => {
  const project = (options: Partial<RustOperatorProjectOptions>) => (outdir: string) =>
    new RustOperatorProject({ ...TEST_OPERATOR, ...options, outdir, logging: { level: LogLevel.OFF } });

  test.each([
    ['GITHUB_TOKEN', 'reserved prefix'],
    ['github_pat', 'reserved prefix, any case'],
    ['my-secret', 'a dash'],
    ['1TOKEN', 'a leading digit'],
    ['GIT TOKEN', 'a space'],
    ['', 'empty'],
  ])('gitTokenSecret %j (%s)', (gitTokenSecret) => {
    expectOptionError(project({ gitTokenSecret }), 'gitTokenSecret');
  });

  test.each([
    [{ checkout: { ...PIN, sha: '3d3c42e' } }, 'actionPins.checkout.sha'],
    [{ checkout: { ...PIN, sha: 'v7.0.1' } }, 'actionPins.checkout.sha'],
    [{ checkout: { ...PIN, sha: PIN.sha.toUpperCase() } }, 'actionPins.checkout.sha'],
    [{ cache: PIN }, 'actionPins.cache'],
    [{ checkout: { ...PIN, action: 'actions checkout' } }, 'actionPins.checkout.action'],
    [{ checkout: { ...PIN, version: 'v7 # evil' } }, 'actionPins.checkout.version'],
  ])('actionPins %j', (actionPins, subject) => {
    expectOptionError(project({ actionPins }), subject);
  });

  test.each([
    ['ghcr.io/Tercen/My_Operator', /uppercase.*"ghcr\.io\/tercen\/my_operator"/],
    ['ghcr.io/tercen/my operator', /whitespace/],
    ['ghcr.io/tercen/my_operator:1.2.3', /tag or digest/],
    ['ghcr.io/tercen/my_operator@sha256:' + 'a'.repeat(64), /tag or digest/],
    ['docker.io/tercen/my_operator', /not on ghcr\.io/],
    ['tercen/my_operator', /not on ghcr\.io/],
  ])('imageName %j', (imageName, message) => {
    expectOptionError(project({ imageName }), 'imageName');
    expect(failure(project({ imageName })).error.message).toMatch(message);
  });

  test.each([
    [{ platforms: ['linux/s390x'] }, 'platforms'],
    [{ platforms: ['linux/arm64', 'linux/arm64'] }, 'platforms'],
    [{ platformRunners: { 'linux/riscv64': ['riscv'] } }, 'platformRunners.linux/riscv64'],
  ])('%j', (options, subject) => {
    expectOptionError(project(options), subject);
  });

  test.each(['Acme Corp', 'acme/corp', '-acme'])('registryOwner %j', (registryOwner) => {
    expectOptionError(project({ registryOwner }), 'registryOwner');
  });
});

describe('GhcrReleaseWorkflow options', () => {
  const release = (options: Partial<GhcrReleaseWorkflowOptions>) => (outdir: string) =>
    new GhcrReleaseWorkflow(new Project({ name: 'hello_operator', outdir, logging: { level: LogLevel.OFF } }), { imageName: 'ghcr.io/acme/hello_operator', ...options });

  test.each([
    [{ runsOn: ['ubuntu latest'] }, 'runsOn'],
    [{ runsOn: [''] }, 'runsOn'],
    [{ runsOn: [] }, 'runsOn'],
    [{ runsOn: ['ubuntu-latest', '${{ inputs.runner }}'] }, 'runsOn'],
    [{ tagPatterns: ['v*'] }, 'tagPatterns'],
    [{ tagPatterns: ['1.2.$'] }, 'tagPatterns'],
    [{ tagPatterns: ["1.2.3' || true"] }, 'tagPatterns'],
    [{ tagPatterns: [] }, 'tagPatterns'],
    [{ mainBranch: 'main branch' }, 'mainBranch'],
    [{ mainBranch: '' }, 'mainBranch'],
    [{ mainBranch: 'feature/../x' }, 'mainBranch'],
    [{ mainBranch: "main' || true || '" }, 'mainBranch'],
    [{ gitTokenSecret: 'GITHUB_TOKEN' }, 'gitTokenSecret'],
    [{ gitTokenSecret: 'my-secret' }, 'gitTokenSecret'],
    [{ gitTokenSecret: '1TOKEN' }, 'gitTokenSecret'],
    [{ gitTokenBuildSecretId: 'git token' }, 'gitTokenBuildSecretId'],
    [{ gitTokenBuildSecretId: 'a=b' }, 'gitTokenBuildSecretId'],
    [{ actionPins: { checkout: { ...PIN, sha: 'abc1234' } } }, 'actionPins.checkout.sha'],
    [{ actionPins: { 'upload-artefact': PIN } }, 'actionPins.upload-artefact'],
    [{ imageName: 'ghcr.io/AcmeCorp/hello_operator' }, 'imageName'],
    [{ imageName: 'ghcr.io/acme/hello operator' }, 'imageName'],
    [{ imageName: 'ghcr.io/acme/hello_operator:main' }, 'imageName'],
    [{ systemPackages: ['libssl-dev; curl evil'] }, 'systemPackages'],
    [{ fileName: 'ci.txt' }, 'fileName'],
    [{ fileName: '../ci.yml' }, 'fileName'],
    [{ platforms: [] }, 'platforms'],
    [{ platforms: ['linux/arm/v7'] }, 'platforms'],
    [{ platforms: ['amd64'] }, 'platforms'],
    [{ platforms: ['linux/amd64', 'linux/arm64', 'linux/amd64'] }, 'platforms'],
    [{ platformRunners: { 'linux/arm64': ['ubuntu-24.04-arm'] } }, 'platformRunners.linux/arm64'],
    [{ platforms: ['linux/amd64', 'linux/arm64'], platformRunners: { 'linux/arm64': [] } }, 'platformRunners.linux/arm64'],
    [{ platforms: ['linux/amd64', 'linux/arm64'], platformRunners: { 'linux/arm64': ['${{ vars.ARM }}'] } }, 'platformRunners.linux/arm64'],
  ])('%j', (options, subject) => {
    expectOptionError(release(options as Partial<GhcrReleaseWorkflowOptions>), subject);
  });

  test('valid options are accepted (the cases above fail for the reason named)', () => {
    const outdir = scratchDir('pro-gh-good-');
    const project = new Project({ name: 'hello_operator', outdir, logging: { level: LogLevel.OFF } });
    const workflow = new GhcrReleaseWorkflow(project, {
      imageName: 'ghcr.io/acme/hello_operator',
      runsOn: ['self-hosted', 'ubuntu-24.04'],
      tagPatterns: ['[0-9]+.[0-9]+.[0-9]+'],
      mainBranch: 'release/main',
      gitTokenSecret: 'GIT_TOKEN',
      gitTokenBuildSecretId: 'git_token',
      actionPins: { checkout: PIN },
      systemPackages: ['libssl-dev'],
      fileName: 'release.yaml',
      platforms: ['linux/arm64', 'linux/amd64'],
      platformRunners: { 'linux/arm64': ['self-hosted', 'arm64'] },
    });
    expect(workflow.platforms).toEqual([
      { platform: 'linux/arm64', slug: 'linux-arm64', runsOn: ['self-hosted', 'arm64'] },
      { platform: 'linux/amd64', slug: 'linux-amd64', runsOn: ['self-hosted', 'ubuntu-24.04'] },
    ]);
    expect(workflow.mainBranch).toBe('release/main');
  });
});

describe('scan and install-test job options', () => {
  const withRelease = (build: (release: GhcrReleaseWorkflow) => void) => (outdir: string) =>
    build(new GhcrReleaseWorkflow(new Project({ name: 'hello_operator', outdir, logging: { level: LogLevel.OFF } }), { imageName: 'ghcr.io/acme/hello_operator' }));

  test.each([
    [{ gateSeverities: ['SEVERE'] }, 'trivy.gateSeverities'],
    [{ gateSeverities: [] }, 'trivy.gateSeverities'],
    [{ reportSeverities: ['critical'] }, 'trivy.reportSeverities'],
    [{ jobId: 'scan image' }, 'trivy.jobId'],
    [{ jobId: 'image' }, 'trivy.jobId'],
  ])('TrivyScanJob %j', (options, subject) => {
    expectOptionError(withRelease((release) => new TrivyScanJob(release, options as TrivyScanJobOptions)), subject);
  });

  test.each([
    [{ tercenctlVersion: 'latest' }, 'operatorInstallTest.tercenctlVersion'],
    [{ repository: 'Acme/Hello_Operator' }, 'operatorInstallTest.repository'],
    [{ repository: 'acme/hello' }, 'operatorInstallTest.repository'],
    [{ jobId: 'test' }, 'operatorInstallTest.jobId'],
  ])('OperatorInstallTestJob %j', (options, subject) => {
    expectOptionError(withRelease((release) => new OperatorInstallTestJob(release, options as OperatorInstallTestJobOptions)), subject);
  });

  test.each([
    [{ jobId: 'publish' }, 'githubRelease.jobId'],
    [{ jobId: '1release' }, 'githubRelease.jobId'],
  ])('GithubReleaseJob %j', (options, subject) => {
    expectOptionError(withRelease((release) => new GithubReleaseJob(release, options as GithubReleaseJobOptions)), subject);
  });
});

describe('dependabot.yml options', () => {
  const dependabot = (options: CargoDependabotOptions) => (outdir: string) =>
    new CargoDependabot(new Project({ name: 'hello_operator', outdir, logging: { level: LogLevel.OFF } }), options);

  test.each([
    [{ cooldownDays: 0 }, 'dependabot.cooldownDays'],
    [{ cooldownDays: 91 }, 'dependabot.cooldownDays'],
    [{ cooldownDays: 2.5 }, 'dependabot.cooldownDays'],
    [{ openPullRequestsLimit: -1 }, 'dependabot.openPullRequestsLimit'],
  ])('%j', (options, subject) => {
    expectOptionError(dependabot(options), subject);
  });

  test('a valid cooldown is written as cooldown.default-days', () => {
    const outdir = scratchDir('pro-dependabot-');
    const project = new Project({ name: 'hello_operator', outdir, logging: { level: LogLevel.OFF } });
    new CargoDependabot(project, { cooldownDays: 14 });
    project.synth();
    expect(fs.readFileSync(`${outdir}/.github/dependabot.yml`, 'utf-8')).toContain('cooldown:\n      default-days: 14\n');
  });
});
