import { Component } from 'projen';
import { GhcrReleaseWorkflow } from './ghcr-release-workflow';
import { OptionError } from '../core/errors';
import { checkFreeJobId } from '../core/names';
import { checkOptionNames } from '../core/option-names';
import { JobTrigger } from '../plan/release-policy';

/** Options for `OperatorInstallTestJob`. */
export interface OperatorInstallTestJobOptions {
  /**
   * Run the job. Off by default, as the seed says: it needs a Tercen test instance and the
   * three `TERCEN_TEST_OPERATOR_*` secrets, and is only useful once the operator works. When
   * off, the job stays in the workflow with `if: false`, ready to switch on.
   * @default false
   */
  readonly enabled?: boolean;

  /**
   * Version of the `tercen/tercenctl` image that installs the operator.
   * @default "0.10.0"
   */
  readonly tercenctlVersion?: string;

  /**
   * The repository the operator is installed from, `owner/name`: lowercase and ending in
   * `_operator` (Tercen's rule).
   * @default - the repository the workflow runs in
   */
  readonly repository?: string;

  /**
   * Job id.
   * @default "operator-install-test"
   */
  readonly jobId?: string;
}

/**
 * Installs the released operator into a Tercen test instance with `tercenctl operator install`,
 * which runs the operator tests in `tests/*.json`. Runs for release tags once enabled.
 */
export class OperatorInstallTestJob extends Component {
  /** The secrets the job reads. */
  public static readonly SECRETS = ['TERCEN_TEST_OPERATOR_USERNAME', 'TERCEN_TEST_OPERATOR_PASSWORD', 'TERCEN_TEST_OPERATOR_URI'];
  /** Stable step ids. */
  public static readonly STEP_IDS = ['install'];

  /** Whether the job runs. */
  public readonly enabled: boolean;
  /** The job id. */
  public readonly jobId: string;

  constructor(release: GhcrReleaseWorkflow, options: OperatorInstallTestJobOptions = {}) {
    checkOptionNames(options, 'OperatorInstallTestJobOptions', 'OperatorInstallTestJob');
    super(release.project);
    this.enabled = options.enabled ?? false;
    this.jobId = options.jobId ?? 'operator-install-test';
    checkFreeJobId(this.jobId, this.jobId in release.workflow.jobs, 'operatorInstallTest.jobId');
    const version = options.tercenctlVersion ?? '0.10.0';
    if (!/^\d+\.\d+\.\d+$/.test(version)) {
      throw new OptionError('operatorInstallTest.tercenctlVersion', `"${version}" is not an X.Y.Z version.`, 'Use a released tercenctl version such as "0.10.0".');
    }
    if (options.repository !== undefined && !/^[a-z0-9-]+\/[a-z0-9_.-]+_operator$/.test(options.repository)) {
      throw new OptionError('operatorInstallTest.repository', `"${options.repository}" cannot be installed by Tercen.`,
        'Tercen installs from a lowercase repository whose name ends in "_operator", e.g. "tercen/hello_operator".');
    }
    const repository = options.repository ? `https://github.com/${options.repository}` : '"https://github.com/${GITHUB_REPOSITORY}"';
    release._addGeneratedJob(this.jobId, () => ({
      name: 'Operator installation test',
      // Installs the release tag: after the publish job pushed it.
      needs: [GhcrReleaseWorkflow.PUBLISH_JOB],
      runsOn: release.runsOn,
      // No step uses the job's GITHUB_TOKEN: tercenctl reads the repository with its own access.
      permissions: {},
      steps: [
        {
          id: 'install',
          name: 'Install the operator in the Tercen test instance',
          // Secrets reach the container through the environment, never the command line.
          run: `docker run --rm -e TERCEN_URI -e TERCEN_USERNAME -e TERCEN_PASSWORD tercen/tercenctl:${version} operator install --repo ${repository} --tag "$GITHUB_REF_NAME"`,
          env: {
            TERCEN_URI: '${{ secrets.TERCEN_TEST_OPERATOR_URI }}',
            TERCEN_USERNAME: '${{ secrets.TERCEN_TEST_OPERATOR_USERNAME }}',
            TERCEN_PASSWORD: '${{ secrets.TERCEN_TEST_OPERATOR_PASSWORD }}',
          },
        },
      ],
    }), { trigger: this.enabled ? JobTrigger.RELEASE_TAG : JobTrigger.NEVER });
  }
}
