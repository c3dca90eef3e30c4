import { Component } from 'projen';
import { workflows } from 'projen/lib/github';
import { GhcrReleaseWorkflow } from './ghcr-release-workflow';
import { GeneratedJob } from './workflow-comments';
import { OptionError } from '../core/errors';
import { checkFreeJobId } from '../core/names';
import { checkOptionNames } from '../core/option-names';
import { ResolvedPlan } from '../plan/operator-plan';
import { JobTrigger } from '../plan/release-policy';

/** Trivy severities. */
const SEVERITIES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** Where the scan's SARIF report goes. */
export enum ScanDestination {
  /** GitHub code scanning (needs `security-events: write`, and GitHub Code Security on a private repository). */
  CODE_SCANNING = 'code-scanning',
  /** A workflow artifact (`trivy-image`, kept 30 days): works on every plan, shows nothing in the Security tab. */
  ARTIFACT = 'artifact',
  /** Both: the artifact first, so a refused code-scanning upload still leaves the report. */
  BOTH = 'both',
}

/** Options for `TrivyScanJob`. */
export interface TrivyScanJobOptions {
  /**
   * Where the SARIF report goes. Private repositories without GitHub Code Security cannot
   * upload to code scanning (the upload fails the job): use `ScanDestination.ARTIFACT` there.
   * The gate works with each.
   * @default ScanDestination.CODE_SCANNING
   */
  readonly destination?: ScanDestination;

  /**
   * Fail the workflow when the image has findings of `gateSeverities` (the seed: optional).
   * Reporting happens either way; gating is a separate step after it.
   * @default false
   */
  readonly failOnFindings?: boolean;

  /**
   * Severities that fail the gate.
   * @default ["CRITICAL"]
   */
  readonly gateSeverities?: string[];

  /**
   * Severities in the report.
   * @default ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
   */
  readonly reportSeverities?: string[];

  /**
   * Let the gate ignore findings that have no fixed version yet (nothing to upgrade to).
   * @default true
   */
  readonly gateIgnoresUnfixed?: boolean;

  /**
   * Job id.
   * @default "scan"
   */
  readonly jobId?: string;
}

/**
 * Scans the pushed image, by digest, with Trivy: a SARIF report uploaded to GitHub code
 * scanning, kept as a workflow artifact, or both (`destination`), and, optionally, a gate that
 * fails on critical findings.
 */
export class TrivyScanJob extends Component {
  /**
   * Stable step ids, in order: `upload-artifact` only with an artifact destination,
   * `upload-sarif` only with code scanning, `gate` only with `failOnFindings`.
   */
  public static readonly STEP_IDS = ['login', 'scan', 'upload-artifact', 'upload-sarif', 'gate'];

  /** The job id. */
  public readonly jobId: string;
  /** Whether the job fails on findings of the gate severities. */
  public readonly gates: boolean;
  /** Where the report goes. */
  public readonly destination: ScanDestination;

  constructor(release: GhcrReleaseWorkflow, options: TrivyScanJobOptions = {}) {
    checkOptionNames(options, 'TrivyScanJobOptions', 'TrivyScanJob');
    super(release.project);
    this.jobId = options.jobId ?? 'scan';
    checkFreeJobId(this.jobId, this.jobId in release.workflow.jobs, 'trivy.jobId');
    const gates = this.gates = options.failOnFindings ?? false;
    const report = checkSeverities(options.reportSeverities ?? SEVERITIES, 'trivy.reportSeverities');
    const gate = checkSeverities(options.gateSeverities ?? ['CRITICAL'], 'trivy.gateSeverities');
    const ignoreUnfixed = options.gateIgnoresUnfixed ?? true;
    const destination = this.destination = options.destination ?? ScanDestination.CODE_SCANNING;
    if (!Object.values(ScanDestination).includes(destination)) {
      throw new OptionError('scanDestination', `${JSON.stringify(destination)} is not a scan destination.`,
        'Use ScanDestination.CODE_SCANNING, ScanDestination.ARTIFACT or ScanDestination.BOTH.');
    }
    const props = { report, gate, gates, ignoreUnfixed, destination };
    release._addGeneratedJob(this.jobId, (plan) => scanJob(release, plan, props), { trigger: JobTrigger.PUBLISH });
  }

  /** Whether the report is uploaded to code scanning. */
  public get uploadsToCodeScanning(): boolean {
    return this.destination !== ScanDestination.ARTIFACT;
  }

  /** Whether the report is kept as a workflow artifact. */
  public get keepsArtifact(): boolean {
    return this.destination !== ScanDestination.CODE_SCANNING;
  }
}

/** Name of the workflow artifact holding the report. */
export const SCAN_ARTIFACT = 'trivy-image';

interface ScanProps {
  readonly report: string[];
  readonly gate: string[];
  readonly gates: boolean;
  readonly ignoreUnfixed: boolean;
  readonly destination: ScanDestination;
}

/** The scan job of the tagged digest (the multi-platform index when several platforms are built). */
function scanJob(release: GhcrReleaseWorkflow, plan: ResolvedPlan, props: ScanProps): GeneratedJob {
  const { report, gate } = props;
  // Trivy scans the index's image for the platform it runs on (amd64): name one that is built
  // when amd64 is not.
  const platform = plan.platforms.length > 0 && !plan.platforms.some((p) => p.platform === 'linux/amd64') ? plan.platforms[0].platform : undefined;
  const env = platform ? { env: { TRIVY_PLATFORM: platform } } : {};
  const image = `${release.imageName}@\${{ needs.${GhcrReleaseWorkflow.PUBLISH_JOB}.outputs.digest }}`;
  const sarif = 'trivy-image.sarif';
  const steps: workflows.JobStep[] = [
    // A new GHCR package is private until made public, so the scanner logs in to pull it.
    release.loginStep(),
    {
      id: 'scan',
      name: 'Scan image',
      uses: release.actions.uses('trivy'),
      ...env,
      with: {
        'image-ref': image,
        'format': 'sarif',
        'output': sarif,
        'severity': report.join(','),
        // SARIF ignores `severity` unless told otherwise.
        'limit-severities-for-sarif': true,
        'exit-code': '0',
      },
    },
  ];
  const codeScanning = props.destination !== ScanDestination.ARTIFACT;
  if (props.destination !== ScanDestination.CODE_SCANNING) {
    steps.push({
      id: 'upload-artifact',
      name: 'Keep the report as a workflow artifact',
      uses: release.actions.uses('upload-artifact'),
      with: { 'name': SCAN_ARTIFACT, 'path': sarif, 'retention-days': 30 },
    });
  }
  if (codeScanning) {
    steps.push({
      id: 'upload-sarif',
      name: 'Upload to code scanning',
      uses: release.actions.uses('upload-sarif'),
      with: { sarif_file: sarif, category: 'trivy-image' },
    });
  }
  if (props.gates) {
    steps.push({
      id: 'gate',
      name: `Fail on ${gate.join('/')} findings`,
      uses: release.actions.uses('trivy'),
      ...env,
      with: {
        'image-ref': image,
        'format': 'table',
        'severity': gate.join(','),
        'ignore-unfixed': props.ignoreUnfixed,
        'exit-code': '1',
        // Trivy is already installed and its database downloaded by the scan step.
        'skip-setup-trivy': true,
      },
    });
  }
  return {
    job: {
      name: 'Scan image',
      needs: [GhcrReleaseWorkflow.PUBLISH_JOB],
      runsOn: release.runsOn,
      steps,
    },
    grants: codeScanning
      ? {
        actions: { level: workflows.JobPermission.READ, reason: 'upload-sarif reads the workflow run (private repositories)' },
        contents: { level: workflows.JobPermission.READ, reason: 'upload-sarif (private repositories)' },
        packages: { level: workflows.JobPermission.READ, reason: 'trivy pulls the image, private on ghcr.io until made public' },
        securityEvents: { level: workflows.JobPermission.WRITE, reason: 'upload-sarif uploads to code scanning' },
      }
      // The artifact service uses the runner's own token: pulling the image is all.
      : { packages: { level: workflows.JobPermission.READ, reason: 'trivy pulls the image, private on ghcr.io until made public' } },
  };
}

function checkSeverities(values: string[], option: string): string[] {
  if (values.length === 0) {
    throw new OptionError(option, 'is empty.', `List one or more of ${SEVERITIES.join(', ')}.`);
  }
  for (const value of values) {
    if (!SEVERITIES.includes(value)) {
      throw new OptionError(option, `"${value}" is not a Trivy severity.`, `Use ${SEVERITIES.join(', ')}.`);
    }
  }
  return SEVERITIES.filter((severity) => values.includes(severity));
}
