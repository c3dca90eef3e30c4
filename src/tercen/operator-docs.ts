import { FileBase, IResolver } from 'projen';
import { AllocatorMode } from '../allocator';
import { renderValue } from '../cargo/managed-toml';
import { renderProfile } from '../cargo/profile-rules';
import { JemallocDockerfile } from '../docker/jemalloc-dockerfile';
import { GhcrReleaseWorkflow } from '../github/ghcr-release-workflow';
import type { RustOperatorProject } from '../rust-operator-project';
import { ContainerPolicy } from './operator-json';

/**
 * `docs/OPERATOR.md`: how to build, run, check, profile, release and troubleshoot this operator,
 * written from the actual configuration (image name, allocator variables, profiles, CI jobs) at
 * every synth, so it cannot describe a different setup from the one in the repository.
 */
export class OperatorDocs extends FileBase {
  /** Where the docs are written. */
  public static readonly PATH = 'docs/OPERATOR.md';

  private readonly operator: RustOperatorProject;

  constructor(project: RustOperatorProject) {
    super(project, OperatorDocs.PATH, { marker: true, readonly: true, committed: true });
    this.operator = project;
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    return [
      `<!-- ${this.marker} -->`,
      ...this.overview(),
      ...this.localDevelopment(),
      ...this.allocatorSection(),
      ...this.profilesSection(),
      ...this.registrySection(),
      ...this.ciSection(),
      ...this.troubleshooting(),
    ].join('\n') + '\n';
  }

  /** What the image is made of. */
  protected overview(): string[] {
    const p = this.operator;
    const d = p.dockerfile;
    return [
      `# ${p.name}: build, run and release`,
      '',
      `${p.description}`,
      '',
      '| | |',
      '|---|---|',
      `| Image | \`${p.imageName}\` |`,
      `| Binary | \`${d.binaryPath}\` (entrypoint, runs as uid ${d.runtimeUid}) |`,
      `| Builder stage | \`${d.builderImageName}\` with ${packageList(d.builderPackageList)} |`,
      `| Runtime stage | \`${d.runtimeImageName}\` with ${packageList(d.runtimePackageList)}; no Rust toolchain |`,
      `| Cargo profile of the image | \`${d.profile}\` |`,
      `| Allocator | ${allocatorDescription(p.allocator.mode)} |`,
      `| operator.json \`container\` | ${p.operatorManifest.containerPolicy === ContainerPolicy.EXACT_PIN ? `\`${p.imageName}:X.Y.Z\`, the exact release (never \`main\` or \`latest\`)` : `\`${p.imageName}\` (untagged; Tercen resolves the tag)`} |`,
      '',
      'The Dockerfile, `.dockerignore`, `.github/workflows/ci.yml`, this file and the managed tables of',
      'Cargo.toml are generated from `.projenrc.ts`: change them there and run `npx projen`;',
      '`npx projen drift` shows any difference without writing.',
      '',
    ];
  }

  /** Building and running the image locally. */
  protected localDevelopment(): string[] {
    const p = this.operator;
    const d = p.dockerfile;
    const local = d.localImageTag;
    const secret = d.gitTokenSecretId;
    return [
      '## Local development',
      '',
      '```bash',
      '# Build (the dependency layer is reused as long as Cargo.toml and Cargo.lock do not change)',
      ...(secret ? [`export ${JemallocDockerfile.LOCAL_GIT_TOKEN_VARIABLE}=<token with read access to the private git dependencies>`] : []),
      d.dockerBuildCommand(),
      '# Build without cache',
      d.dockerBuildCommand({ noCache: true }),
      '# Run the way Tercen starts it',
      `docker run --rm ${local} --taskId <task id> --serviceUri <Tercen URI> --token <token>`,
      '# Without --taskId the operator exits 1 with "TERCEN_TASK_ID is not set"',
      '# A shell in the runtime image',
      `docker run --rm -it --entrypoint /bin/bash ${local}`,
      '```',
      '',
      'The flags `--taskId`, `--serviceUri` and `--token` set `TERCEN_TASK_ID`, `TERCEN_URI` and',
      '`TERCEN_TOKEN`; you can also pass those variables with `-e`.',
      '',
    ];
  }

  /** How to check the allocator that is configured, and how to profile memory. */
  protected allocatorSection(): string[] {
    const p = this.operator;
    const env = p.dockerfile.runtimeEnvironmentVariables;
    const local = p.dockerfile.localImageTag;
    const lines = ['## Allocator', '', allocatorDescription(p.allocator.mode) + '.', ''];
    if (p.allocator.mode === AllocatorMode.SYSTEM) {
      lines.push('The image sets no allocator variables.', '');
      return lines;
    }
    lines.push('Environment of the runtime image:', '', '| Variable | Value | Read by |', '|---|---|---|');
    for (const name of Object.keys(env).sort()) {
      lines.push(`| \`${name}\` | \`${env[name]}\` | ${readBy(name)} |`);
    }
    lines.push('', 'Check it:', '', '```bash');
    for (const name of Object.keys(env).sort()) {
      lines.push(`docker run --rm --entrypoint /bin/sh ${local} -c 'echo "$${name}"'`);
    }
    if (p.allocator.preloaded) {
      lines.push('# The preloaded libjemalloc2 prints its statistics at exit:');
      lines.push(`docker run --rm -e MALLOC_CONF=stats_print:true ${local} 2>&1 | grep -m1 "jemalloc statistics"`);
    }
    if (p.allocator.linked) {
      lines.push('# The linked tikv-jemallocator (built with default features) prints its statistics at exit:');
      lines.push(`docker run --rm -e ${p.allocator.linkedConfVariable}=stats_print:true ${local} 2>&1 | grep -m1 "jemalloc statistics"`);
    }
    lines.push('```', '');
    lines.push('### Memory profiling', '');
    if (p.allocator.preloaded) {
      lines.push('Debian\'s libjemalloc2 is built with profiling. Heap profiles of the allocations it serves:', '',
        '```bash',
        `docker run --rm -e MALLOC_CONF=prof:true,prof_prefix:/tmp/profiles/jeprof -v "$(pwd)/profiles:/tmp/profiles" ${local} --taskId <task id> --serviceUri <URI> --token <token>`,
        `jeprof --show_bytes --pdf ${p.dockerfile.binaryPath} profiles/jeprof.*.heap > profile.pdf   # jeprof: Debian package libjemalloc-dev`,
        '```', '');
    }
    if (p.allocator.linked) {
      lines.push('Allocations of the Rust code go to the linked tikv-jemallocator, which profiles only when built with',
        `its \`profiling\` feature${p.allocator.crateFeatures.includes('profiling') ? ' (enabled here)' : ' (add it with the `allocatorCrateFeatures` option)'}; then use`,
        `\`${p.allocator.linkedConfVariable}=prof:true,prof_prefix:/tmp/profiles/jeprof\`.`, '');
    }
    lines.push(p.allocator.linked
      ? 'To build without jemalloc (valgrind, platforms without jemalloc): `cargo build --no-default-features`.'
      : 'No Cargo feature is involved.', '');
    return lines;
  }

  /** The managed Cargo profiles, as written to Cargo.toml. */
  protected profilesSection(): string[] {
    const cargo = this.operator.cargo;
    const lines = ['## Cargo profiles', '', 'Managed in Cargo.toml by `.projenrc.ts`:', '', '| Profile | Settings | Build |', '|---|---|---|'];
    for (const name of cargo.profileNames) {
      const settings = renderProfile(cargo.tryFindProfile(name)!).map((key) => `${key.key} = ${renderValue(key.value)}`).join(', ');
      const command = name === 'release' ? 'cargo build --release' : `cargo build --profile ${name}`;
      lines.push(`| \`${name}\`${name === cargo.buildProfile ? ' (image)' : ''} | \`${settings}\` | \`${command}\` |`);
    }
    lines.push('', 'Size settings live only in these tables; the Dockerfile sets no `CARGO_PROFILE_*` variables.', '');
    return lines;
  }

  /** Pulling and pushing on the registry. */
  protected registrySection(): string[] {
    const image = this.operator.imageName;
    const registry = image.split('/')[0];
    return [
      '## Registry',
      '',
      '```bash',
      '# Log in (a personal access token with read:packages, and write:packages to push)',
      `echo "$GITHUB_TOKEN" | docker login ${registry} -u <your GitHub user> --password-stdin`,
      `docker pull ${image}:main            # the main branch`,
      `docker pull ${image}:X.Y.Z           # a release`,
      `${this.operator.dockerfile.dockerBuildCommand({ tag: `${image}:test` })} && docker push ${image}:test`,
      '```',
      '',
      'A new package on GHCR is private: make it public in the package settings so Tercen can pull it.',
      'There is no `latest` tag.',
      '',
    ];
  }

  /** What each CI job does, and which ref pushes which tag. */
  protected ciSection(): string[] {
    const workflow = this.operator.workflow;
    const main = workflow.mainBranch;
    const install = this.operator.installTestJob;
    const scan = this.operator.scanJob;
    return [
      '## CI (`.github/workflows/ci.yml`)',
      '',
      '| Job | Runs on | Does |',
      '|---|---|---|',
      `| \`${GhcrReleaseWorkflow.TEST_JOB}\` | every push, pull request and manual run | ${workflow.driftCheck ? '`npx projen drift`, ' : ''}\`cargo fmt --check\`, \`cargo clippy -D warnings\`, \`cargo test\`, doc tests (toolchain ${workflow.rustToolchain}; packages ${packageList(workflow.systemPackages)}) |`,
      `| \`${GhcrReleaseWorkflow.IMAGE_JOB}\` | pushes to \`${main}\` and release tags | builds the Dockerfile, pushes \`${workflow.imageName}\`, attests build provenance of the pushed digest |`,
      `| \`${scan.jobId}\` | after \`${GhcrReleaseWorkflow.IMAGE_JOB}\` | Trivy scan of the pushed digest, uploaded to code scanning${scan.gates ? '; fails on CRITICAL findings with a fix' : ' (reports only)'} |`,
      `| \`${install.jobId}\` | ${install.enabled ? 'release tags' : 'never (`if: false`); enable with `operatorInstallTest: true`'} | \`tercenctl operator install\` on the Tercen test instance (secrets ${'`TERCEN_TEST_OPERATOR_USERNAME`, `_PASSWORD`, `_URI`'}) |`,
      '',
      '| Git ref | Jobs | Image tags pushed |',
      '|---|---|---|',
      ...GhcrReleaseWorkflow.EXAMPLE_REFS.map((example) => {
        const ref = example.replace(/^refs\/heads\/main$/, `refs/heads/${main}`);
        const outcome = workflow.refOutcome(ref);
        const jobs = outcome.jobs.length ? outcome.jobs.join(', ') : 'none';
        const tags = outcome.tags.length ? outcome.tags.map((tag) => `\`${tag}\``).join(', ') : 'none';
        return `| ${ref === 'pull_request' ? 'a pull request' : `\`${ref}\``} | ${jobs} | ${tags} |`;
      }),
      '',
      this.releaseInstructions(),
      '',
    ];
  }

  /** How to release, for the container policy. */
  protected releaseInstructions(): string {
    const pinned = this.operator.operatorManifest.containerPolicy === ContainerPolicy.EXACT_PIN;
    return [
      `Release with \`npx projen release X.Y.Z\`: it sets \`version\` in Cargo.toml and Cargo.lock${pinned ? ' and the `container` tag in operator.json' : ''},`,
      'commits those files and tags the commit `X.Y.Z`; then `git push origin HEAD X.Y.Z`. The image job refuses a',
      `tag that disagrees with Cargo.toml${pinned ? ' or operator.json' : ''}.`,
    ].join('\n');
  }

  /** The seed's troubleshooting table, for this configuration. */
  protected troubleshooting(): string[] {
    const d = this.operator.dockerfile;
    const lines = [
      '## Troubleshooting',
      '',
      '| Symptom | Fix |',
      '|---|---|',
      '| `error: linking with cc failed` | a native library is missing in the builder: add its `-dev` package to `builderPackages` |',
      `| \`failed to compile\` / \`requires rustc 1.xx\` | a dependency needs a newer Rust than \`${d.builderImageName}\`: raise \`builderImage\` |`,
      '| `proto file not found`, `include_str!` fails | the file is not copied into the builder: add it to `compileTimeFiles` |',
      '| `GLIBC_2.xx not found` at start-up | builder and runtime are on different Debian releases: use the same release for both |',
      '| `cannot open shared object file` at start-up | a runtime library is missing: add the package to `runtimePackages` |',
      '| `denied: permission_denied` when pushing | the image job needs `packages: write` (it has it) and the package must allow this repository to write it (package settings > Manage Actions access) |',
      '| image build does not reuse the cache | commit Cargo.lock: the dependency layer is keyed on Cargo.toml and Cargo.lock |',
    ];
    if (d.gitTokenSecretId) {
      lines.push('| `failed to authenticate when downloading repository` | set the repository secret with the git token; forks build without it, so private dependencies fail there |');
    }
    return [...lines, ''];
  }
}

function packageList(packages: string[]): string {
  return packages.length ? packages.map((name) => `\`${name}\``).join(', ') : 'no extra packages';
}

function allocatorDescription(mode: AllocatorMode): string {
  switch (mode) {
    case AllocatorMode.LINKED_AND_PRELOADED:
      return 'tikv-jemallocator linked behind the default `jemalloc` feature, and Debian\'s libjemalloc2 preloaded for C libraries';
    case AllocatorMode.LINKED:
      return 'tikv-jemallocator linked behind the default `jemalloc` feature';
    case AllocatorMode.PRELOADED:
      return 'Debian\'s libjemalloc2 preloaded for the whole process';
    default:
      return 'glibc malloc (system allocator)';
  }
}

function readBy(variable: string): string {
  switch (variable) {
    case 'LD_PRELOAD': return 'the dynamic loader (by soname, on every architecture)';
    case 'MALLOC_CONF': return 'the preloaded libjemalloc2';
    case '_RJEM_MALLOC_CONF': return 'the linked tikv-jemallocator';
    default: return '';
  }
}

