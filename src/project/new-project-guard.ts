import { spawnSync } from 'child_process';
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
    removeProjenNewInstall(dir);
    throw new OptionError('projen new', `this folder already holds hand-kept ${found.join(', ')}: projen new would overwrite them and commit the whole working tree.`,
      'Nothing was written or committed. Run `npx projen-rust-operator adopt` here instead: it shows a plan first, keeps what these files do, and never commits.');
  }
}

/** What `projen new --from` installs before the project type runs: projen and this package. */
const INSTALLED_BY_NEW = ['projen', 'projen-rust-operator', 'constructs'];

/**
 * Removes the stub package.json (and its lock file and node_modules/) that `projen new --from`
 * installed just before refusing, so the refusal leaves the folder as it was. Only a package.json
 * that git does not track and that holds nothing but those dev dependencies is the stub.
 */
function removeProjenNewInstall(dir: string): void {
  const file = path.join(dir, 'package.json');
  let json: { [key: string]: unknown };
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch {
    return;
  }
  const keys = Object.keys(json);
  const deps = Object.keys({ ...(json.devDependencies as object), ...(json.dependencies as object) });
  const stub = keys.every((key) => key === 'devDependencies' || key === 'dependencies') && deps.every((dep) => INSTALLED_BY_NEW.includes(dep));
  const tracked = spawnSync('git', ['ls-files', '--error-unmatch', 'package.json'], { cwd: dir, stdio: 'ignore' }).status === 0;
  if (!stub || tracked) {
    return;
  }
  for (const leftover of ['package.json', 'package-lock.json', 'node_modules']) {
    fs.rmSync(path.join(dir, leftover), { recursive: true, force: true });
  }
}
