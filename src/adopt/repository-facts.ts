import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DockerfileFacts, readDockerfile } from './dockerfile-facts';
import { readWorkflow, WorkflowFacts } from './workflow-facts';
import { CargoPackage } from '../cargo/cargo-package';
import { OptionError } from '../core/errors';
import { findJsonSyntaxError } from '../tercen/operator-json-syntax';

/** Everything `adopt` reads from an existing repository; nothing here writes. */
export interface RepositoryFacts {
  readonly dir: string;
  /** The read-only Cargo view (name, version, binaries, features, lock file version). */
  readonly cargo: CargoPackage;
  /** `[profile.*]` tables as written. */
  readonly profiles: { [name: string]: { [key: string]: unknown } };
  readonly dockerfile?: DockerfileFacts;
  /** Every workflow under .github/workflows. */
  readonly workflows: WorkflowFacts[];
  /** Lines of .gitignore / .dockerignore (undefined when the file is absent). */
  readonly gitignore?: string[];
  readonly dockerignore?: string[];
  /** Submodule paths of .gitmodules. */
  readonly submodules: string[];
  /** operator.json's `container`, and whether the file exists. */
  readonly operatorJson?: { container?: string; name?: string; description?: string };
  /** The `origin` remote as an https URL, if any. */
  readonly remoteUrl?: string;
  /** Whether the folder already is a projen project. */
  readonly hasProjen: boolean;
}

/** Reads the repository at `dir`. Refuses a folder without Cargo.toml (nothing to adopt). */
export function readRepository(dir: string): RepositoryFacts {
  const abs = path.resolve(dir);
  if (!fs.existsSync(path.join(abs, 'Cargo.toml'))) {
    throw new OptionError('Cargo.toml', `is missing in ${abs}.`,
      'Run adopt at the root of a Rust repository; for a new operator use `npx projen new --from projen-rust-operator rust-operator`.');
  }
  const cargo = new CargoPackage({ directory: abs });
  const text = (file: string) => (fs.existsSync(path.join(abs, file)) ? fs.readFileSync(path.join(abs, file), 'utf-8') : undefined);
  const dockerText = text('Dockerfile');
  const workflowDir = path.join(abs, '.github', 'workflows');
  const workflows = fs.existsSync(workflowDir)
    ? fs.readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f)).sort()
      .map((f) => readWorkflow(`.github/workflows/${f}`, fs.readFileSync(path.join(workflowDir, f), 'utf-8')))
    : [];
  const lines = (file: string) => text(file)?.split(/\r?\n/);
  const gitmodules = text('.gitmodules') ?? '';
  const submodules = [...gitmodules.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)].map((m) => m[1]);
  const operatorText = text('operator.json');
  let operatorJson: RepositoryFacts['operatorJson'];
  if (operatorText !== undefined) {
    const syntax = findJsonSyntaxError(operatorText);
    if (syntax) {
      throw new OptionError('operator.json', `is not valid JSON: ${syntax.message}`, 'Fix operator.json, then run adopt again.');
    }
    const json = JSON.parse(operatorText);
    operatorJson = { container: typeof json.container === 'string' ? json.container : undefined, name: json.name, description: json.description };
  }
  const profiles = (cargo._rootManifest ?? cargo._manifest).profile ?? {};
  return {
    dir: abs,
    cargo,
    profiles,
    dockerfile: dockerText === undefined ? undefined : readDockerfile(dockerText),
    workflows,
    gitignore: lines('.gitignore'),
    dockerignore: lines('.dockerignore'),
    submodules,
    operatorJson,
    remoteUrl: gitRemote(abs),
    hasProjen: fs.existsSync(path.join(abs, '.projen')) || fs.existsSync(path.join(abs, '.projenrc.ts')),
  };
}

function gitRemote(dir: string): string | undefined {
  const result = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd: dir, encoding: 'utf-8' });
  if (result.status !== 0) return undefined;
  const url = result.stdout.trim();
  const ssh = /^git@github\.com:(.+?)(\.git)?$/.exec(url);
  return ssh ? `https://github.com/${ssh[1]}` : url.replace(/\.git$/, '');
}
