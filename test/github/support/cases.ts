/**
 * The option combinations every workflow test runs over: through `RustOperatorProject` (what
 * users get) and, for options the project does not expose (runner labels, main branch, tag
 * patterns, release cache), through `GhcrReleaseWorkflow` on a bare projen project.
 */
import { LogLevel, Project } from 'projen';
import { scratchDir } from './scratch';
import { GitSubmodules, ImageTagPolicy, RustOperatorProjectOptions, ScanDestination } from '../../../src';
import { GhcrReleaseWorkflow, GhcrReleaseWorkflowOptions } from '../../../src/github/ghcr-release-workflow';
import { GithubReleaseJob } from '../../../src/github/github-release-job';
import { OperatorInstallTestJob, OperatorInstallTestJobOptions } from '../../../src/github/operator-install-test-job';
import { DEFAULT_ACTION_PINS, PinnedAction } from '../../../src/github/pinned-actions';
import { TrivyScanJob, TrivyScanJobOptions } from '../../../src/github/trivy-scan-job';
import { resultOf, synthOperator, synthQuietly } from '../../support/synth';

export const WORKFLOW_FILE = '.github/workflows/ci.yml';

/** A pin override used by tests: a well-formed SHA, not a real release. */
export const TEST_CHECKOUT_PIN: PinnedAction = { action: 'actions/checkout', sha: 'a5ac7e51b41094c92402da3b24376905380afc29', version: 'v7.0.0' };

/** A generated workflow and what produced it. */
export interface WorkflowCase {
  readonly name: string;
  /** `.github/workflows/ci.yml` as written. */
  readonly yaml: string;
  readonly release: GhcrReleaseWorkflow;
  readonly scan: TrivyScanJob;
  readonly install: OperatorInstallTestJob;
  /** The GitHub release job, if the case has one. */
  readonly githubRelease?: GithubReleaseJob;
  /** The pin table the workflow must use: defaults plus the case's overrides. */
  readonly pins: { readonly [key: string]: PinnedAction };
  /** Whether release (tag) builds may restore the build cache. */
  readonly cacheOnReleaseBuilds: boolean;
  /** The project folder. */
  readonly dir: string;
}

export interface CaseDefinition {
  readonly name: string;
  /** Options of a RustOperatorProject. */
  readonly project?: Partial<RustOperatorProjectOptions>;
  /** Options of a bare GhcrReleaseWorkflow with its scan and install jobs (instead of `project`). */
  readonly workflowOnly?: {
    readonly release: GhcrReleaseWorkflowOptions;
    readonly scan?: TrivyScanJobOptions;
    readonly install?: OperatorInstallTestJobOptions;
  };
}

export const CASES: readonly CaseDefinition[] = [
  { name: 'default', project: {} },
  { name: 'private git dependencies', project: { gitTokenSecret: 'PRIVATE_DEPS_TOKEN' } },
  { name: 'trivy gate on', project: { failOnCriticalVulnerabilities: true } },
  { name: 'install test enabled', project: { operatorInstallTest: true } },
  { name: 'mixed-case repository owner', project: { repositoryUrl: 'https://github.com/AcmeCorp/MyOperator.git' } },
  { name: 'mixed-case registryOwner', project: { registryOwner: 'AcmeCorp' } },
  { name: 'action pin override', project: { actionPins: { checkout: TEST_CHECKOUT_PIN } } },
  { name: 'Tercen image tags', project: { imageTagPolicy: ImageTagPolicy.TERCEN } },
  {
    name: 'everything on',
    project: {
      repositoryUrl: 'https://github.com/AcmeCorp/MyOperator.git',
      gitTokenSecret: 'PRIVATE_DEPS_TOKEN',
      failOnCriticalVulnerabilities: true,
      operatorInstallTest: true,
      builderPackages: ['libcairo2-dev'],
    },
  },
  { name: 'GitHub release', project: { githubRelease: true } },
  { name: 'GitHub release after the vulnerability gate', project: { githubRelease: true, failOnCriticalVulnerabilities: true } },
  { name: 'scan report as an artifact, gate on', project: { scanDestination: ScanDestination.ARTIFACT, failOnCriticalVulnerabilities: true } },
  { name: 'scan report to code scanning and as an artifact', project: { scanDestination: ScanDestination.BOTH } },
  { name: 'recursive submodules with the git token', project: { submodules: GitSubmodules.RECURSIVE, gitTokenSecret: 'PRIVATE_DEPS_TOKEN' } },
  {
    name: 'Tercen tags, GitHub release, submodules, scan artifact',
    project: {
      imageTagPolicy: ImageTagPolicy.TERCEN,
      githubRelease: true,
      submodules: GitSubmodules.TOP_LEVEL,
      scanDestination: ScanDestination.ARTIFACT,
    },
  },
  {
    name: 'custom runners, main branch and tag patterns',
    workflowOnly: {
      release: {
        imageName: 'ghcr.io/acme/hello_operator',
        runsOn: ['self-hosted', 'linux', 'x64'],
        mainBranch: 'develop',
        tagPatterns: ['[0-9]+.[0-9]+.[0-9]+'],
        systemPackages: ['protobuf-compiler'],
        driftCheck: false,
        gitTokenSecret: 'DEPS_TOKEN',
        gitTokenBuildSecretId: 'deps_token',
        actionPins: { checkout: TEST_CHECKOUT_PIN },
      },
      scan: { failOnFindings: true, gateSeverities: ['HIGH', 'CRITICAL'], reportSeverities: ['MEDIUM', 'HIGH', 'CRITICAL'], gateIgnoresUnfixed: false },
      install: { enabled: true, repository: 'acme/hello_operator', tercenctlVersion: '0.11.2' },
    },
  },
  {
    name: 'multi-platform',
    project: { platforms: ['linux/amd64', 'linux/arm64'], operatorInstallTest: true, gitTokenSecret: 'PRIVATE_DEPS_TOKEN' },
  },
  {
    name: 'multi-platform, Tercen tags, own runners, no SBOM or attestation',
    workflowOnly: {
      release: {
        imageName: 'ghcr.io/acme/hello_operator',
        platforms: ['linux/arm64', 'linux/amd64'],
        platformRunners: { 'linux/arm64': ['self-hosted', 'linux', 'arm64'] },
        runsOn: ['ubuntu-24.04'],
        imageTagPolicy: ImageTagPolicy.TERCEN,
        sbom: false,
        provenanceAttestation: false,
        cacheOnReleaseBuilds: true,
      },
    },
  },
  {
    name: 'cacheOnReleaseBuilds',
    workflowOnly: { release: { imageName: 'ghcr.io/acme/hello_operator', cacheOnReleaseBuilds: true } },
  },
];

/** Synthesizes one case into a fresh folder. */
export function synthCase(definition: CaseDefinition): WorkflowCase {
  if (definition.workflowOnly) {
    const dir = scratchDir();
    const project = new Project({ name: 'hello_operator', outdir: dir, logging: { level: LogLevel.OFF } });
    const { release: options, scan: scanOptions, install: installOptions } = definition.workflowOnly;
    const release = new GhcrReleaseWorkflow(project, options);
    const scan = new TrivyScanJob(release, scanOptions);
    const install = new OperatorInstallTestJob(release, installOptions);
    synthQuietly(project);
    return {
      name: definition.name,
      yaml: resultOf(project, dir).read(WORKFLOW_FILE),
      release,
      scan,
      install,
      pins: { ...DEFAULT_ACTION_PINS, ...options.actionPins },
      cacheOnReleaseBuilds: options.cacheOnReleaseBuilds ?? false,
      dir,
    };
  }
  const result = synthOperator({ logging: { level: LogLevel.OFF }, ...definition.project }, {}, scratchDir());
  return {
    name: definition.name,
    yaml: result.read(WORKFLOW_FILE),
    release: result.project.workflow,
    scan: result.project.scanJob,
    install: result.project.installTestJob,
    githubRelease: result.project.githubReleaseJob,
    pins: { ...DEFAULT_ACTION_PINS, ...definition.project?.actionPins },
    cacheOnReleaseBuilds: false,
    dir: result.dir,
  };
}
