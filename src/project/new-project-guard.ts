import * as fs from 'fs';
import * as path from 'path';
import { ProjectOptions } from 'projen';
import { OptionError } from '../core/errors';

/** The field `projen new` adds to a project type's options while it creates the project. */
const PROJEN_NEW = '__new__';

/**
 * Refuses `projen new` in a folder that already holds a hand-kept Dockerfile, Cargo.toml or
 * workflow (and no `.projen/`): projen new would overwrite them without a word and then commit the
 * whole working tree. Runs in the project's constructor, i.e. before projen writes a file or runs
 * git. `adopt` is the way in for an existing repository.
 */
export function refuseNewOverHandKeptFiles(options: ProjectOptions): void {
  if (!(options as unknown as { [key: string]: unknown })[PROJEN_NEW]) {
    return;
  }
  const dir = path.resolve(options.outdir ?? process.cwd());
  if (fs.existsSync(path.join(dir, '.projen'))) {
    return;
  }
  const found = ['Dockerfile', 'Cargo.toml'].filter((file) => fs.existsSync(path.join(dir, file)));
  const workflows = path.join(dir, '.github', 'workflows');
  if (fs.existsSync(workflows)) {
    found.push(...fs.readdirSync(workflows).filter((file) => /\.ya?ml$/.test(file)).sort().map((file) => `.github/workflows/${file}`));
  }
  if (found.length > 0) {
    throw new OptionError('projen new', `this folder already holds hand-kept ${found.join(', ')}: projen new would overwrite them and commit the whole working tree.`,
      'Nothing was written or committed. Run `npx projen-rust-operator adopt` here instead: it shows a plan first, keeps what these files do, and never commits.');
  }
}
