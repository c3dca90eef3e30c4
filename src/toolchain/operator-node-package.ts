import * as fs from 'fs';
import * as path from 'path';
import { InstallTrigger, NodePackage } from 'projen/lib/javascript';

/**
 * The operator's package.json. Differs from projen's `NodePackage` in one way: in CI (where
 * projen runs `install:ci`, i.e. `npm ci`) a project without a lock file yet, such as one that
 * `projen new` has just written, is installed with `install` instead, because `npm ci` refuses
 * to run without `package-lock.json`. Once the lock file exists, CI installs stay frozen.
 */
export class OperatorNodePackage extends NodePackage {
  /** Where npm puts the dev dependencies' programs (projen, tsx), relative to the project. */
  public static readonly BIN_DIR = 'node_modules/.bin';

  protected installDependencies(trigger: InstallTrigger): void {
    if (this.hasLockFile()) {
      super.installDependencies(trigger);
    } else {
      this.project.tasks.runTask(this.installTask.name);
    }
  }

  /** Whether the lock file that `install:ci` needs is present. */
  protected hasLockFile(): boolean {
    return fs.existsSync(path.join(this.project.outdir, this.lockFile));
  }
}
