import { Component, JsonPatch, Project } from 'projen';
import { GitHub, GithubWorkflow, workflows } from 'projen/lib/github';
import { GhcrReleaseWorkflow, rustToolchainStep } from './ghcr-release-workflow';
import { ActionPins, PinnedAction } from './pinned-actions';
import { annotateWorkflow, grantsToPermissions, PermissionGrants } from './workflow-comments';
import { OptionError } from '../core/errors';
import { OperatorPlan } from '../plan/operator-plan';

/** Options for `OperatorUpgradeWorkflow`. */
export interface OperatorUpgradeWorkflowOptions {
  /**
   * When the scheduled run starts (cron, UTC). The workflow can also be started by hand
   * (workflow_dispatch).
   * @default "17 5 * * 1" (Mondays 05:17 UTC)
   */
  readonly schedule?: string;

  /**
   * Branch the upgrade is pushed to; its open pull request is updated, never duplicated.
   * @default "projen-rust-operator/upgrade"
   */
  readonly branch?: string;

  /**
   * Branch the pull request targets.
   * @default - the CI workflow's main branch, else "main"
   */
  readonly baseBranch?: string;

  /**
   * GitHub secret with a token (fine-grained personal access token, or a GitHub App
   * installation token stored by another workflow) that pushes the branch and opens the pull
   * request. A pull request opened with the job's `GITHUB_TOKEN` does not start other
   * workflows, so CI does not run on it until someone pushes to it; one opened with such a token
   * does. With this set the pushing job needs no write permission of its own.
   * @default - the job's GITHUB_TOKEN
   */
  readonly tokenSecret?: string;

  /**
   * Runner labels of both jobs.
   * @default - the CI workflow's runners, else ["ubuntu-latest"]
   */
  readonly runsOn?: string[];

  /**
   * Replacements for entries of the pinned-action table, by key.
   * @default - the CI workflow's table
   */
  readonly actionPins?: { [key: string]: PinnedAction };

  /**
   * Workflow file name under `.github/workflows/`.
   * @default "upgrade.yml"
   */
  readonly fileName?: string;
}

/**
 * `.github/workflows/upgrade.yml`: once a week (and on dispatch) moves the operator to the newest
 * release of projen-rust-operator (and projen to the newest version of that release's peer
 * range), runs `npx projen`, `npx projen drift` and the CI workflow's Rust checks, and opens one
 * pull request, or updates the open one, whose body carries the package's changelog entries
 * since the current version.
 *
 * Two jobs, as in projen's own upgrade workflow: `upgrade` runs the new package's code with a
 * read-only token and hands a patch on as an artifact; `pull-request` applies it, pushes the
 * branch and opens the pull request, and is the only job that may write. Neither persists
 * checkout credentials; values reach scripts through `env:` only.
 */
export class OperatorUpgradeWorkflow extends Component {
  /** The package this workflow follows. */
  public static readonly PACKAGE = 'projen-rust-operator';
  /** Id of the job that upgrades and checks (read-only). */
  public static readonly UPGRADE_JOB = 'upgrade';
  /** Id of the job that pushes the branch and opens the pull request. */
  public static readonly PULL_REQUEST_JOB = 'pull-request';
  /** Steps of the CI test job that the upgrade job runs too, when the CI workflow has them. */
  public static readonly RUST_CHECK_STEP_IDS = ['toolchain', 'cargo-cache', 'system-packages', 'fmt', 'clippy', 'test', 'doctest'];
  /**
   * Stable step ids, by job, in order. The upgrade job's Rust checks (`RUST_CHECK_STEP_IDS`)
   * sit between `drift` and `pr-body`, as far as the CI test job has them.
   */
  public static readonly STEP_IDS: { [jobId: string]: string[] } = {
    'upgrade': ['checkout', 'bump', 'synth', 'drift', '(rust checks)', 'pr-body', 'patch', 'upload'],
    'pull-request': ['checkout', 'download', 'push', 'open'],
  };

  /** Returns the `OperatorUpgradeWorkflow` of a project, or undefined. */
  public static of(project: Project): OperatorUpgradeWorkflow | undefined {
    return project.components.find((c): c is OperatorUpgradeWorkflow => c instanceof OperatorUpgradeWorkflow);
  }

  /** The underlying projen workflow. */
  public readonly workflow: GithubWorkflow;
  /** The upgrade branch. */
  public readonly branch: string;
  /** The secret with the pushing token, if not GITHUB_TOKEN. */
  public readonly tokenSecret?: string;

  private readonly options: OperatorUpgradeWorkflowOptions;
  private readonly actions: ActionPins;
  private readonly permissionReasons: { [jobId: string]: { [scope: string]: string } } = {};

  constructor(project: Project, options: OperatorUpgradeWorkflowOptions = {}) {
    super(project);
    this.options = options;
    const schedule = options.schedule ?? '17 5 * * 1';
    if (!/^(\S+\s+){4}\S+$/.test(schedule.trim())) {
      throw new OptionError('upgradeWorkflowOptions.schedule', `"${schedule}" is not a cron expression of five fields.`, 'Use e.g. "17 5 * * 1" (Mondays 05:17 UTC).');
    }
    this.branch = options.branch ?? `${OperatorUpgradeWorkflow.PACKAGE}/upgrade`;
    if (!/^[A-Za-z0-9._\/-]+$/.test(this.branch) || this.branch.includes('..') || this.branch.startsWith('-')) {
      throw new OptionError('upgradeWorkflowOptions.branch', `"${this.branch}" is not a branch name.`, 'Use letters, digits, ".", "_", "-" and "/", e.g. "projen-rust-operator/upgrade".');
    }
    if (options.tokenSecret !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.tokenSecret)) {
      throw new OptionError('upgradeWorkflowOptions.tokenSecret', `"${options.tokenSecret}" is not a GitHub secret name.`, 'Use letters, digits and "_", e.g. "UPGRADE_TOKEN".');
    }
    if (options.fileName !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*\.ya?ml$/.test(options.fileName)) {
      throw new OptionError('upgradeWorkflowOptions.fileName', `${JSON.stringify(options.fileName)} is not a workflow file name.`, 'Use a name ending in .yml, e.g. "upgrade.yml".');
    }
    this.tokenSecret = options.tokenSecret;
    const ci = GhcrReleaseWorkflow.of(project);
    this.actions = options.actionPins ? new ActionPins(options.actionPins) : ci?.actions ?? new ActionPins();

    const github = GitHub.of(project) ?? new GitHub(project, { mergify: false, pullRequestLint: false });
    this.workflow = new GithubWorkflow(github, 'upgrade', { fileName: options.fileName ?? 'upgrade.yml' });
    this.workflow.on({ schedule: [{ cron: schedule.trim() }], workflowDispatch: {} });
    const file = this.workflow.file!;
    file.patch(JsonPatch.add('/permissions', {}));
    // One upgrade at a time: two runs must not push the branch concurrently.
    file.addOverride('concurrency', { 'group': '${{ github.workflow }}', 'cancel-in-progress': false });
    annotateWorkflow(file, this.actions, () => this.permissionReasons);
  }

  /** The jobs are added at synthesis, so they copy the CI test job as the user customised it. */
  public preSynthesize(): void {
    this.workflow.addJob(OperatorUpgradeWorkflow.UPGRADE_JOB, this.upgradeJob());
    this.workflow.addJob(OperatorUpgradeWorkflow.PULL_REQUEST_JOB, this.pullRequestJob());
  }

  /** The job's permissions from grants; their reasons are rendered as comments. */
  private permissions(jobId: string, grants: PermissionGrants): workflows.JobPermissions {
    const { permissions, reasons } = grantsToPermissions(grants);
    this.permissionReasons[jobId] = reasons;
    return permissions;
  }

  private get runsOn(): string[] {
    return this.options.runsOn ?? GhcrReleaseWorkflow.of(this.project)?.runsOn ?? ['ubuntu-latest'];
  }

  private get baseBranch(): string {
    return this.options.baseBranch ?? GhcrReleaseWorkflow.of(this.project)?.mainBranch ?? 'main';
  }

  private checkoutStep(): workflows.JobStep {
    return { id: 'checkout', name: 'Check out', uses: this.actions.uses('checkout'), with: { 'persist-credentials': false } };
  }

  /** The checkout of the job that builds: the CI workflow's (submodules, token), with this workflow's pin. */
  private buildCheckoutStep(): workflows.JobStep {
    const ci = GhcrReleaseWorkflow.of(this.project);
    return ci ? { ...ci.buildCheckoutStep(), uses: this.actions.uses('checkout') } : this.checkoutStep();
  }

  /**
   * The CI test job's Rust steps (toolchain, cache, system packages, fmt, clippy, test, doc
   * tests), so the upgrade is checked exactly as CI checks a push; the cache is restored, never
   * saved, from here. Without a CI workflow: the toolchain of rust-toolchain.toml and the three
   * cargo checks.
   */
  private rustCheckSteps(): workflows.JobStep[] {
    const ci = GhcrReleaseWorkflow.of(this.project);
    const job = ci?.workflow.getJob(GhcrReleaseWorkflow.TEST_JOB) as workflows.Job | undefined;
    const steps = (job?.steps ?? []).filter((step) => OperatorUpgradeWorkflow.RUST_CHECK_STEP_IDS.includes(step.id ?? ''));
    if (steps.length === 0) {
      return [
        rustToolchainStep(OperatorPlan.of(this.project).resolve().toolchain),
        { id: 'fmt', name: 'Check formatting', run: 'cargo fmt --all -- --check' },
        { id: 'clippy', name: 'Lint', run: 'cargo clippy --all-targets --all-features -- -D warnings' },
        { id: 'test', name: 'Test', run: 'cargo test --all-features' },
      ];
    }
    return steps.map((step) => {
      const copy: workflows.JobStep = JSON.parse(JSON.stringify(step));
      return step.id === 'cargo-cache' ? { ...copy, with: { ...copy.with, 'save-if': false } } : copy;
    });
  }

  /** Upgrade, synthesize, check; hand the patch and the pull request body on. Read-only. */
  private upgradeJob(): workflows.Job {
    const pkg = OperatorUpgradeWorkflow.PACKAGE;
    const out = '"$RUNNER_TEMP/upgrade"';
    return {
      name: `Upgrade ${pkg}`,
      runsOn: this.runsOn,
      // Checkout only: this job runs the new package's code, so it holds no write permission.
      permissions: this.permissions(OperatorUpgradeWorkflow.UPGRADE_JOB, { contents: { level: workflows.JobPermission.READ, reason: 'checkout' } }),
      outputs: {
        changed: { stepId: 'patch', outputName: 'changed' },
        version: { stepId: 'bump', outputName: 'version' },
      },
      steps: [
        this.buildCheckoutStep(),
        {
          id: 'bump',
          name: `Move to the newest ${pkg} and projen`,
          env: { PACKAGE: pkg },
          // One install, not `npm ci` then `npm install`: the versions before come from the lock
          // file, and the install keeps every other locked version and checksum (a cached
          // tarball is as good as a fetched one). It was half of the job's time in bench:fleet.
          run: [
            'locked() { node -p "require(\'./package-lock.json\').packages[\'node_modules/$1\'].version"; }',
            'current="$(locked "$PACKAGE")"',
            'projen_before="$(locked projen)"',
            'newest="$(npm view "$PACKAGE" version)"',
            '# projen moves within the peer range of the new release, to its newest version.',
            'projen_range="$(npm view "$PACKAGE@$newest" peerDependencies.projen)"',
            'npm install --save-dev --prefer-offline --ignore-scripts --no-audit --no-fund "$PACKAGE@$newest" "projen@$projen_range"',
            'projen_after="$(node -p "require(\'projen/package.json\').version")"',
            '{',
            '  echo "current=$current"',
            '  echo "version=$newest"',
            '  echo "projen-before=$projen_before"',
            '  echo "projen-after=$projen_after"',
            '} >> "$GITHUB_OUTPUT"',
            'echo "$PACKAGE $current -> $newest, projen $projen_before -> $projen_after"',
          ].join('\n'),
        },
        // Not CI mode: projen then installs with `npm install`, which updates the lock file
        // to the versions just chosen (`npm ci` would refuse the changed package.json).
        { id: 'synth', name: 'Synthesize', env: { CI: 'false' }, run: 'npx projen' },
        { id: 'drift', name: 'Check generated files match .projenrc.ts', run: 'npx projen drift' },
        ...this.rustCheckSteps(),
        {
          id: 'pr-body',
          name: 'Write the pull request body',
          env: {
            PACKAGE: pkg,
            CURRENT: '${{ steps.bump.outputs.current }}',
            VERSION: '${{ steps.bump.outputs.version }}',
            PROJEN_BEFORE: '${{ steps.bump.outputs.projen-before }}',
            PROJEN_AFTER: '${{ steps.bump.outputs.projen-after }}',
          },
          run: [
            `mkdir -p ${out}`,
            '{',
            '  echo "Upgrades $PACKAGE from $CURRENT to $VERSION (projen $PROJEN_BEFORE -> $PROJEN_AFTER), then runs \\`npx projen\\`."',
            '  echo',
            '  echo "\\`npx projen drift\\`, cargo fmt, clippy and the tests passed on the upgraded tree in the workflow run."',
            '  echo',
            '  echo "## Changes in $PACKAGE"',
            '  echo',
            '  node_modules/.bin/projen-rust-operator changelog "$CURRENT" "$VERSION"',
            '  echo',
            '  echo "## Files changed"',
            '  echo',
            '  echo "\\`\\`\\`"',
            '  git add --all',
            '  git diff --cached --stat',
            '  echo "\\`\\`\\`"',
            `} > ${out}/pr-body.md`,
            `cat ${out}/pr-body.md`,
          ].join('\n'),
        },
        {
          id: 'patch',
          name: 'Record the changes as a patch',
          run: [
            `mkdir -p ${out}`,
            'git add --all',
            `git diff --cached --binary > ${out}/changes.patch`,
            `if [ -s ${out}/changes.patch ]; then echo "changed=true" >> "$GITHUB_OUTPUT"; else echo "Already up to date."; fi`,
          ].join('\n'),
        },
        {
          id: 'upload',
          name: 'Upload the patch',
          if: "steps.patch.outputs.changed == 'true'",
          uses: this.actions.uses('upload-artifact'),
          with: { 'name': 'upgrade', 'path': '${{ runner.temp }}/upgrade/', 'retention-days': 7 },
        },
      ],
    };
  }

  /** Apply the patch, push the branch, open or update the one pull request. */
  private pullRequestJob(): workflows.Job {
    const token = this.tokenSecret ? `\${{ secrets.${this.tokenSecret} }}` : '${{ secrets.GITHUB_TOKEN }}';
    const permissions = this.permissions(OperatorUpgradeWorkflow.PULL_REQUEST_JOB, this.tokenSecret
      // The secret's token pushes and opens the pull request; the job token only checks out.
      ? { contents: { level: workflows.JobPermission.READ, reason: 'checkout' } }
      : {
        contents: { level: workflows.JobPermission.WRITE, reason: 'push the upgrade branch' },
        pullRequests: { level: workflows.JobPermission.WRITE, reason: 'open or update its pull request' },
      });
    const dir = '"$RUNNER_TEMP/upgrade"';
    return {
      name: 'Open or update the pull request',
      needs: [OperatorUpgradeWorkflow.UPGRADE_JOB],
      if: "needs.upgrade.outputs.changed == 'true'",
      runsOn: this.runsOn,
      permissions,
      steps: [
        this.checkoutStep(),
        {
          id: 'download',
          name: 'Download the patch',
          uses: this.actions.uses('download-artifact'),
          with: { name: 'upgrade', path: '${{ runner.temp }}/upgrade' },
        },
        {
          id: 'push',
          name: 'Commit and push the upgrade branch',
          env: {
            GH_TOKEN: token,
            BRANCH: this.branch,
            VERSION: '${{ needs.upgrade.outputs.version }}',
            PACKAGE: OperatorUpgradeWorkflow.PACKAGE,
          },
          run: [
            `git apply --index ${dir}/changes.patch`,
            'git -c user.name="github-actions[bot]" -c user.email="41898282+github-actions[bot]@users.noreply.github.com" commit --quiet -m "chore(deps): upgrade $PACKAGE to $VERSION"',
            '# The token is used for this push only; checkout did not store it.',
            'auth="$(printf \'x-access-token:%s\' "$GH_TOKEN" | base64 -w0)"',
            'git -c "http.https://github.com/.extraheader=AUTHORIZATION: basic $auth" push --force origin "HEAD:refs/heads/$BRANCH"',
          ].join('\n'),
        },
        {
          id: 'open',
          name: 'Open or update the pull request',
          env: {
            GH_TOKEN: token,
            BRANCH: this.branch,
            BASE: this.baseBranch,
            VERSION: '${{ needs.upgrade.outputs.version }}',
            PACKAGE: OperatorUpgradeWorkflow.PACKAGE,
          },
          run: [
            'title="chore(deps): upgrade $PACKAGE to $VERSION"',
            'number="$(gh pr list --head "$BRANCH" --base "$BASE" --state open --json number --jq \'.[0].number\')"',
            'if [ -n "$number" ]; then',
            `  gh pr edit "$number" --title "$title" --body-file ${dir}/pr-body.md`,
            'else',
            `  gh pr create --head "$BRANCH" --base "$BASE" --title "$title" --body-file ${dir}/pr-body.md`,
            'fi',
          ].join('\n'),
        },
      ],
    };
  }
}
