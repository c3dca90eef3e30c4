import { Component, JsonPatch } from 'projen';
import { GitHub, GithubWorkflow, workflows } from 'projen/lib/github';
import { annotatePins, GhcrReleaseWorkflow } from './ghcr-release-workflow';
import { RebuildableWorkflow } from './rebuildable-workflow';
import { OptionError } from '../core/errors';
import { checkFreeJobId } from '../core/names';
import { checkOptionNames } from '../core/option-names';

/** Options for `OperatorWorkflow`. */
export interface OperatorWorkflowOptions {
  /** When the workflow runs (e.g. `{ workflowDispatch: {} }`). */
  readonly triggers: workflows.Triggers;

  /**
   * Workflow file name under `.github/workflows/`.
   * @default - `<name>.yml`
   */
  readonly fileName?: string;
}

/** Options for `OperatorWorkflow.addBuildJob`. */
export interface BuildJobOptions {
  /**
   * The job's display name.
   * @default - the job id
   */
  readonly name?: string;

  /** Steps run after the build setup (checkout, Rust toolchain, cargo cache, system packages). */
  readonly steps: workflows.JobStep[];

  /**
   * What the job's token may do (nothing is granted at workflow level).
   * @default { contents: read }
   */
  readonly permissions?: workflows.JobPermissions;

  /**
   * Jobs this one needs.
   * @default []
   */
  readonly needs?: string[];

  /**
   * Condition of the job.
   * @default - none
   */
  readonly if?: string;

  /**
   * Environment of every step of the job.
   * @default {}
   */
  readonly env?: { [name: string]: string };

  /**
   * Time limit of the job in minutes.
   * @default - GitHub's (360)
   */
  readonly timeoutMinutes?: number;
}

/**
 * One more workflow of the operator (a showcase, a benchmark, a nightly check) that shares what
 * the CI workflow uses: the pin table (every `uses:` of the table's actions is swapped to its
 * pinned SHA and annotated with the release), `permissions: {}` at workflow level, the runners,
 * and for jobs added with `addBuildJob`, the CI test job's build setup: the checkout with the
 * submodules and git token, the Rust toolchain, the cargo cache (restored, never saved) and the
 * one list of system packages, all read from the operator plan at every synth.
 *
 * Create it with `project.addWorkflow(name, options)`; add plain jobs with `addJob` (or
 * `workflow.addJob`). Steps have ids, so `.workflow`'s step methods work on them too.
 */
export class OperatorWorkflow extends Component {
  /** Ids of the setup steps `addBuildJob` puts first, as far as the CI test job has them. */
  public static readonly BUILD_SETUP_STEP_IDS = ['checkout', 'toolchain', 'cargo-cache', 'system-packages'];

  /** The underlying projen workflow. */
  public readonly workflow: GithubWorkflow;

  private readonly ci: GhcrReleaseWorkflow;
  private readonly rebuildable: RebuildableWorkflow;

  constructor(ci: GhcrReleaseWorkflow, name: string, options: OperatorWorkflowOptions) {
    checkOptionNames(options, 'OperatorWorkflowOptions', 'OperatorWorkflow');
    super(ci.project);
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) {
      throw new OptionError('workflow name', `${JSON.stringify(name)} is not a workflow name.`, 'Use letters, digits, "_", "-" and ".", e.g. "showcase".');
    }
    if (options.fileName !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*\.ya?ml$/.test(options.fileName)) {
      throw new OptionError('fileName', `${JSON.stringify(options.fileName)} is not a workflow file name.`, `Use a name ending in .yml, e.g. "${name}.yml".`);
    }
    this.ci = ci;
    const github = GitHub.of(ci.project)!;
    if (github.tryFindWorkflow(name)) {
      throw new OptionError('workflow name', `"${name}" is the name of another workflow.`, 'Give each workflow its own name.');
    }
    this.rebuildable = new RebuildableWorkflow(github, name, { fileName: options.fileName ?? `${name}.yml` });
    this.workflow = this.rebuildable;
    this.workflow.on(options.triggers);
    const file = this.workflow.file!;
    file.patch(JsonPatch.add('/permissions', {}));
    annotatePins(file, ci.actions);
  }

  /** Adds a job as given (give it `permissions` of its own). */
  public addJob(id: string, job: workflows.Job): void {
    this.workflow.addJob(id, job);
  }

  /**
   * Adds a job that builds the operator: the CI test job's setup steps
   * (`BUILD_SETUP_STEP_IDS`, rendered at synth from the operator plan), then `options.steps`.
   * The cargo cache is restored, never saved, from here.
   */
  public addBuildJob(id: string, options: BuildJobOptions): void {
    checkOptionNames(options, 'BuildJobOptions', `OperatorWorkflow.addBuildJob(${id})`);
    checkFreeJobId(id, id in this.workflow.jobs, 'jobId');
    const subject = `addBuildJob(${id}).steps`;
    const fix = `Give each step an id of its own, not one of ${OperatorWorkflow.BUILD_SETUP_STEP_IDS.join(', ')}.`;
    if (options.steps.length === 0) {
      throw new OptionError(subject, 'is empty.', 'Give the steps that run after the build setup.');
    }
    const seen: string[] = [];
    for (const step of options.steps) {
      if (typeof step.id !== 'string' || step.id === '') {
        throw new OptionError(subject, `has a step without an id (${JSON.stringify(step.name ?? step.run ?? step.uses)}).`, fix);
      }
      if (seen.includes(step.id) || OperatorWorkflow.BUILD_SETUP_STEP_IDS.includes(step.id)) {
        throw new OptionError(subject, `uses the step id "${step.id}" twice.`, fix);
      }
      seen.push(step.id);
    }
    this.rebuildable.addGenerator(() => this.workflow.addJob(id, {
      name: options.name ?? id,
      runsOn: this.ci.runsOn,
      permissions: options.permissions ?? { contents: workflows.JobPermission.READ },
      ...(options.needs ? { needs: options.needs } : {}),
      ...(options.if ? { if: options.if } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.timeoutMinutes !== undefined ? { timeoutMinutes: options.timeoutMinutes } : {}),
      steps: [...this.buildSetupSteps(), ...options.steps],
    }));
  }

  /** Defines the build jobs again from the resolved plan, after the CI workflow's jobs. */
  public preSynthesize(): void {
    this.rebuildable.rebuild();
  }

  /** The checkout of `buildCheckoutStep()`, then the CI test job's toolchain, cache and packages steps. */
  private buildSetupSteps(): workflows.JobStep[] {
    const test = this.ci.workflow.getJob(GhcrReleaseWorkflow.TEST_JOB) as workflows.Job | undefined;
    const copied = (test?.steps ?? [])
      .filter((step) => step.id !== 'checkout' && OperatorWorkflow.BUILD_SETUP_STEP_IDS.includes(step.id ?? ''))
      .map((step): workflows.JobStep => {
        const copy: workflows.JobStep = JSON.parse(JSON.stringify(step));
        return step.id === 'cargo-cache' ? { ...copy, with: { ...copy.with, 'save-if': false } } : copy;
      });
    return [this.ci.buildCheckoutStep(), ...copied];
  }
}
