import { Component, Project } from 'projen';

/**
 * The `drift` task: `npx projen drift` computes what synth would write (in a temporary copy)
 * and compares it with the working tree without changing it; exit 1 with a diff and a fix per
 * differing owned file. Read-only, so it runs on pull requests from forks.
 */
export class DriftTask extends Component {
  /** The task name. */
  public static readonly TASK_NAME = 'drift';

  constructor(project: Project) {
    super(project);
    project.addTask(DriftTask.TASK_NAME, {
      description: 'Check, without writing, that every generated file and managed Cargo.toml key matches .projenrc.ts',
      exec: 'projen-rust-operator drift',
    });
    project.addTask('release', {
      description: 'Set the version in Cargo.toml, Cargo.lock and operator.json to the argument (X.Y.Z), commit and tag it',
      exec: 'projen-rust-operator release',
      receiveArgs: true,
    });
  }
}
