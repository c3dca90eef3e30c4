import { GitHub, GithubWorkflow, GithubWorkflowOptions, workflows } from 'projen/lib/github';
import { EditLog } from '../core/edit-log';

/**
 * A projen workflow whose generated jobs are defined again at synth time, from the final
 * configuration, with every change made from `.projenrc.ts` (`addJob`, `insertStepAfter`,
 * `patchStep`, ...) replayed on top. So a job's content never depends on the order in which
 * constructs were created, and escape hatches keep working on the jobs as first defined.
 */
export class RebuildableWorkflow extends GithubWorkflow {
  private readonly edits = new EditLog<RebuildableWorkflow>();
  private readonly definers: (() => void)[] = [];

  constructor(github: GitHub, name: string, options: GithubWorkflowOptions = {}) {
    super(github, name, options);
  }

  /** Registers (and runs now) a function that adds generated jobs; it runs again at every rebuild. */
  public addGenerator(definer: () => void): void {
    this.definers.push(definer);
    this.edits.withoutRecording(definer);
  }

  /** Removes every job, runs the generators, then replays the changes made from `.projenrc.ts`. */
  public rebuild(): void {
    for (const id of Object.keys(this.jobs)) {
      super.removeJob(id);
    }
    this.edits.withoutRecording(() => this.definers.forEach((definer) => definer()));
    this.edits.replay(this);
  }

  public addJobs(jobs: Record<string, workflows.Job>): void {
    this.apply((w) => GithubWorkflow.prototype.addJobs.call(w, jobs));
  }

  public updateJobs(jobs: Record<string, workflows.Job>): void {
    this.apply((w) => GithubWorkflow.prototype.updateJobs.call(w, jobs));
  }

  public removeJob(id: string): void {
    this.apply((w) => GithubWorkflow.prototype.removeJob.call(w, id));
  }

  public appendStep(jobId: string, step: workflows.JobStep): void {
    this.apply((w) => GithubWorkflow.prototype.appendStep.call(w, jobId, step));
  }

  public replaceStep(jobId: string, stepId: string, replacementStep: workflows.JobStep): void {
    this.apply((w) => GithubWorkflow.prototype.replaceStep.call(w, jobId, stepId, replacementStep));
  }

  public patchStep(jobId: string, stepId: string, patch: Partial<workflows.JobStep>): void {
    this.apply((w) => GithubWorkflow.prototype.patchStep.call(w, jobId, stepId, patch));
  }

  public removeStep(jobId: string, stepId: string): void {
    this.apply((w) => GithubWorkflow.prototype.removeStep.call(w, jobId, stepId));
  }

  public insertStepBefore(jobId: string, referenceStepId: string, step: workflows.JobStep): void {
    this.apply((w) => GithubWorkflow.prototype.insertStepBefore.call(w, jobId, referenceStepId, step));
  }

  public insertStepAfter(jobId: string, referenceStepId: string, step: workflows.JobStep): void {
    this.apply((w) => GithubWorkflow.prototype.insertStepAfter.call(w, jobId, referenceStepId, step));
  }

  private apply(edit: (workflow: RebuildableWorkflow) => void): void {
    edit(this);
    this.edits.record(edit);
  }
}
