/**
 * `npx projen-rust-operator adopt` on real repositories, as a user runs it: the package comes from
 * one `npm pack` tarball through `npx --package <tarball>` (one npm cache for every repository),
 * in copies of both ggrs_plot_operator snapshots and three shapes built in
 * test/adopt/repositories.ts. Also: a dirty tree is refused byte for byte, and `projen new` over
 * hand-kept build files is refused without writing or committing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AdoptionPlan, diffValues, planAdoption } from '../../src/adopt/adoption-plan';
import { readToml } from '../../src/cargo/managed-toml';
import { dockerignoreExcludes } from '../../src/docker/dockerignore';
import { AdoptedRepository, ggrs, ggrsPreSdk, git, httpService, otherBinary, releaseWorkflow } from '../adopt/repositories';
import { packedTarball, PROJEN_CLI } from '../support/pack';
import { projen, run } from '../support/scaffold';
import { snapshotTree } from '../support/synth';
import { closeWorkflowParser, formatFindings, validateWorkflow } from '../support/validate-workflow';

jest.setTimeout(900_000);

let tarball: string;
beforeAll(() => {
  tarball = packedTarball();
});
afterAll(() => closeWorkflowParser());

function adoptCli(dir: string, args: string[]) {
  const started = Date.now();
  const result = run('npx', ['--yes', '--package', tarball, 'projen-rust-operator', 'adopt', ...args], dir);
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

/** Paths (files) git ignores in `dir` right now, node_modules aside. */
function ignoredFiles(dir: string): string[] {
  return git(dir, ['ls-files', '--others', '--ignored', '--exclude-standard']).stdout.split('\n').filter((f) => f && !f.startsWith('node_modules/'));
}

interface Shape {
  readonly make: () => AdoptedRepository;
  /** Lines the printed plan must contain. */
  readonly plan: string[];
  /** Options the written .projenrc.ts must set. */
  readonly projenrc: string[];
}

const SHAPES: { [name: string]: Shape } = {
  'ggrs_plot_operator (HEAD)': {
    make: ggrs,
    plan: [
      'Replace (the hand-kept file becomes projen\'s; what it does that the generated one will not):',
      '  Dockerfile\n      today it sets ENV LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 (generated: libjemalloc.so.2)',
      '  .github/workflows/ci.yml\n      today it sets up Rust `stable` on the runner (generated: rust-toolchain.toml\'s channel)',
      'Left alone:\n  .github/workflows/release.yml\n  .github/workflows/showcase.yml',
      '  .github/workflows/release.yml\n      runs on the same tags ([0-9]+.[0-9]+.[0-9]+)',
      'advice: Delete .github/workflows/release.yml once the generated ci.yml publishes what it did',
    ],
    projenrc: ['buildProfile: "dev-release"', 'platformUser: true', 'runtimeEnvironment: { RUST_BACKTRACE: "1" }', 'imageTagPolicy: ImageTagPolicy.TERCEN',
      'gitTokenSecret: "GH_PAT"', 'gitTokenBuildSecretId: "gh_pat"', 'containerPolicy: ContainerPolicy.UNTAGGED', 'builderImage: "rust:1.92-slim-bookworm"',
      'submodules: GitSubmodules.RECURSIVE', 'githubRelease: true',
      'project.cargo.addProfile("release", { optLevel: CargoOptLevel.O3, lto: CargoLto.TRUE, codegenUnits: 1, strip: CargoStrip.TRUE });',
      '"operator_config.json"'],
  },
  'ggrs_plot_operator@pre-sdk': {
    make: ggrsPreSdk,
    plan: [
      '  operator.json\n      today it names the container ghcr.io/tercen/ggrs_plot_operator:main (becomes ghcr.io/tercen/ggrs_plot_operator:0.1.1)',
    ],
    // The submodule is checked out by every build job and part of the build context through the
    // submodules option, so it is no longer a compile-time file of its own.
    projenrc: ['compileTimeFiles: ["palettes.json"]', 'submodules: GitSubmodules.RECURSIVE', 'repositoryUrl: "https://github.com/tercen/ggrs_plot_operator"'],
  },
  'a plain HTTP service (multi-stage Dockerfile, GHCR workflow)': {
    make: httpService,
    plan: ['  .github/workflows/ci.yml\n      today it runs on tags v*', '  Dockerfile\n      today it has `EXPOSE 8080`', 'Create:\n', '  operator.json'],
    projenrc: ['allocator: AllocatorMode.SYSTEM', 'dockerfileOptions: { runtimeUid: 10001 }', 'runtimeEnvironment: { PORT: "8080" }', 'runtimePackages: ["curl"]',
      'project.cargo.addProfile("release", { optLevel: CargoOptLevel.O3, lto: CargoLto.THIN });', 'project.cargo.removeProfile("maxperf");'],
  },
  'a release.yml on the same tags': {
    make: releaseWorkflow,
    plan: ['Left alone:\n  .github/workflows/release.yml', '      runs on the same tags ([0-9]+.[0-9]+.[0-9]+)', '      pushes an image, as ci.yml pushes ghcr.io/acme/tagged_operator',
      'its GitHub release is made by the generated github-release job (githubRelease: true)'],
    projenrc: ['imageName: "ghcr.io/acme/tagged_operator"', 'containerPolicy: EXACT_PIN', 'githubRelease: true'],
  },
  'a binary that is not src/main.rs': {
    make: otherBinary,
    plan: ['  Dockerfile\n'],
    projenrc: ['name: "acme_jobs"', 'platformUser: true', 'project.cargo.removeProfile("release");'],
  },
};

describe.each(Object.keys(SHAPES))('adopt %s', (shapeName) => {
  const shape = SHAPES[shapeName];
  let repo: AdoptedRepository;
  let plan: AdoptionPlan;
  let before: ReturnType<typeof snapshotTree>;
  let ignoredBefore: string[];
  let result: ReturnType<typeof adoptCli>;
  const head = () => git(repo.dir, ['rev-parse', 'HEAD']).stdout.trim();
  let headBefore: string;

  beforeAll(() => {
    repo = shape.make();
    before = snapshotTree(repo.dir);
    ignoredBefore = ignoredFiles(repo.dir);
    headBefore = head();
    plan = planAdoption(repo.dir, { packageSpec: tarball });
    result = adoptCli(repo.dir, ['--yes', '--package-spec', tarball]);
    // eslint-disable-next-line no-console
    console.log(`adopt ${shapeName}: ${result.seconds.toFixed(1)} s`);
  });

  test('prints the plan, writes the .projenrc.ts that keeps today\'s behaviour, exits 0', () => {
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    for (const line of shape.plan) expect(result.stdout).toContain(line);
    expect(result.stdout).toContain('Nothing is committed or staged.');
    const rc = fs.readFileSync(path.join(repo.dir, '.projenrc.ts'), 'utf-8');
    expect(rc).toBe(plan.projenrc);
    for (const option of shape.projenrc) expect(rc).toContain(option);
    expect(ignoredBefore.length).toBeGreaterThan(0);
  });

  test('commits nothing, stages nothing, and changes only the files of the plan', () => {
    expect(head()).toBe(headBefore);
    expect(git(repo.dir, ['diff', '--cached', '--name-only']).stdout).toBe('');
    const changed = git(repo.dir, ['status', '--porcelain', '--untracked-files=all']).stdout.split('\n').filter(Boolean).map((l) => l.slice(3));
    const planned = plan.files.map((f) => f.path);
    expect(changed.filter((f) => !planned.includes(f))).toEqual([]);
    const after = snapshotTree(repo.dir);
    for (const [file, entry] of before) {
      if (!planned.includes(file)) expect({ file, same: after.get(file)?.content.equals(entry.content) }).toEqual({ file, same: true });
    }
    // What the plan showed is what was written (package.json and the lock file npm may order differently).
    for (const [file, content] of plan.contents) {
      if (['package.json', '.projen/deps.json'].includes(file)) continue;
      expect({ file, same: after.get(file)?.content.equals(content) }).toEqual({ file, same: true });
    }
  });

  test('every path the old .gitignore and .dockerignore ignored is still ignored', () => {
    for (const file of [...ignoredBefore, ...repo.ignored]) {
      expect({ file, status: git(repo.dir, ['check-ignore', '-q', file]).status }).toEqual({ file, status: 0 });
    }
    const oldDockerignore = before.get('.dockerignore')?.content.toString('utf-8');
    if (oldDockerignore !== undefined) {
      const newDockerignore = fs.readFileSync(path.join(repo.dir, '.dockerignore'), 'utf-8');
      const required = ['Cargo.toml', 'Cargo.lock', 'operator.json', 'build.rs', 'palettes.json'];
      for (const file of before.keys()) {
        if (dockerignoreExcludes(oldDockerignore, file) && !required.includes(file) && !file.startsWith('src/')) {
          expect({ file, excluded: dockerignoreExcludes(newDockerignore, file) }).toEqual({ file, excluded: true });
        }
      }
    }
  });

  test('Cargo.toml keeps every user byte, and every value but those the plan lists', () => {
    const oldText = before.get('Cargo.toml')!.content.toString('utf-8');
    const newText = fs.readFileSync(path.join(repo.dir, 'Cargo.toml'), 'utf-8');
    // Every old line, in order (only marker comments and listed tables are added).
    const newLines = newText.split('\n');
    let at = 0;
    for (const line of oldText.split('\n')) {
      const found = newLines.indexOf(line, at);
      expect({ line, found: found >= 0 }).toEqual({ line, found: true });
      at = found + 1;
    }
    const changes = diffValues(readToml(oldText), readToml(newText)).map((c) => c.key);
    expect(changes).toEqual(plan.cargoChanges.map((c) => c.key));
  });

  test('npx projen twice changes no byte; npx projen drift exits 0', () => {
    expect(projen(repo.dir).status).toBe(0);
    const first = snapshotTree(repo.dir);
    expect(projen(repo.dir).status).toBe(0);
    expect(snapshotTree(repo.dir)).toEqual(first);
    const drift = projen(repo.dir, ['drift']);
    expect(drift.stdout).toContain('In sync:');
    expect(drift.status).toBe(0);
  });

  test('the generated workflows are clean under actionlint, GitHub\'s parser and shellcheck', async () => {
    const workflows = plan.files.map((f) => f.path).filter((f) => /^\.github\/workflows\/.*\.yml$/.test(f));
    expect(workflows.length).toBeGreaterThan(0);
    for (const file of workflows) {
      const findings = await validateWorkflow(fs.readFileSync(path.join(repo.dir, file), 'utf-8'), file);
      expect(formatFindings(findings)).toBe(formatFindings([]));
    }
  });
});

describe('refusals', () => {
  test('a dirty tree: refused, the files named, every byte and the index as before', () => {
    const repo = ggrs();
    fs.appendFileSync(path.join(repo.dir, 'Dockerfile'), '# local change\n');
    fs.appendFileSync(path.join(repo.dir, '.gitignore'), 'scratch/\n');
    const before = snapshotTree(repo.dir, ['node_modules', 'target']);
    const result = adoptCli(repo.dir, ['--yes']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Refused: .gitignore, Dockerfile have uncommitted changes and would be replaced. Nothing was written.');
    expect(result.stderr).toContain('--force');
    expect(snapshotTree(repo.dir, ['node_modules', 'target'])).toEqual(before);
  });

  test('without --yes and off a terminal: the plan only, nothing written', () => {
    const repo = otherBinary();
    const before = snapshotTree(repo.dir, ['node_modules', 'target']);
    const result = adoptCli(repo.dir, []);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Adoption plan for');
    expect(result.stdout).toContain('Nothing written. Run again with --yes to write these files.');
    expect(snapshotTree(repo.dir, ['node_modules', 'target'])).toEqual(before);
  });

  test('projen new over a hand-kept Dockerfile, Cargo.toml and workflows: refused, pointing at adopt; nothing left written, no commit', () => {
    const repo = ggrs();
    const tracked = snapshotTree(repo.dir);
    const headBefore = git(repo.dir, ['rev-parse', 'HEAD']).stdout;
    fs.copyFileSync(tarball, path.join(repo.dir, path.basename(tarball)));
    // git on (projen new's default): it would `git add .` and commit after synth.
    const result = run(process.execPath, [PROJEN_CLI, 'new', '--from', `./${path.basename(tarball)}`, 'rust-operator'], repo.dir);
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('projen-rust-operator: projen new: this folder already holds hand-kept Dockerfile, Cargo.toml, '
      + '.github/workflows/ci.yml, .github/workflows/release.yml, .github/workflows/showcase.yml');
    expect(`${result.stdout}${result.stderr}`).toContain('Run `npx projen-rust-operator adopt` here instead');
    expect(git(repo.dir, ['rev-parse', 'HEAD']).stdout).toBe(headBefore);
    expect(git(repo.dir, ['rev-list', '--count', 'HEAD']).stdout.trim()).toBe('1');
    expect(git(repo.dir, ['diff', '--cached', '--name-only']).stdout).toBe('');
    const after = snapshotTree(repo.dir);
    for (const [file, entry] of tracked) {
      expect({ file, same: after.get(file)?.content.equals(entry.content) }).toEqual({ file, same: true });
    }
    for (const generated of ['.projenrc.ts', '.projen/tasks.json', 'docs/OPERATOR.md', '.github/workflows/upgrade.yml', 'tsconfig.json']) {
      expect(fs.existsSync(path.join(repo.dir, generated))).toBe(false);
    }
    // What projen new installed before the project type refused is taken back: only the tarball the test copied in is new.
    expect(git(repo.dir, ['status', '--porcelain', '--untracked-files=all']).stdout).toBe(`?? ${path.basename(tarball)}\n`);
    expect(fs.existsSync(path.join(repo.dir, 'node_modules'))).toBe(false);
  });
});
