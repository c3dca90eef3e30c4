import { FileBase, IResolver, Project } from 'projen';
import { CargoManifest } from '../cargo/cargo-manifest';
import { renderValue } from '../cargo/managed-toml';
import { renderProfile } from '../cargo/profile-rules';
import { AllocatorMode } from '../core/allocator';
import { GitSubmodules } from '../core/submodules';
import { dockerBuildCommand } from '../docker/jemalloc-dockerfile';
import { GhcrReleaseWorkflow } from '../github/ghcr-release-workflow';
import { GithubReleaseJob } from '../github/github-release-job';
import { OperatorInstallTestJob } from '../github/operator-install-test-job';
import { ScanDestination, TrivyScanJob } from '../github/trivy-scan-job';
import { OperatorPlan, ResolvedPlan } from '../plan/operator-plan';
import { PublishedBranches, ReleasePolicy } from '../plan/release-policy';
import { ContainerPolicy } from '../tercen/operator-json';

/** Options for `OperatorDocs`. */
export interface OperatorDocsOptions {
  /** The operator's name (the title). */
  readonly name: string;
  /** One sentence saying what the operator does. */
  readonly description: string;
  /** How operator.json names the image. */
  readonly containerPolicy: ContainerPolicy;
  /** The managed Cargo.toml tables (the profiles section). */
  readonly cargo: CargoManifest;
  /** The CI workflow (the CI section and its ref table). */
  readonly workflow: GhcrReleaseWorkflow;
  /** The image scan job. */
  readonly scanJob: TrivyScanJob;
  /** The Tercen installation test job. */
  readonly installTestJob: OperatorInstallTestJob;
  /**
   * The GitHub release job, if any.
   * @default - none
   */
  readonly githubReleaseJob?: GithubReleaseJob;
}

/**
 * `docs/OPERATOR.md`: how to build, run, check, profile, release and troubleshoot this operator,
 * rendered at every synth from the operator plan (image, binary, profile, packages, allocator
 * variables and their readers, toolchain) and the release policy, so it states exactly what the
 * generated files do.
 */
export class OperatorDocs extends FileBase {
  /** Where the docs are written. */
  public static readonly PATH = 'docs/OPERATOR.md';

  private readonly options: OperatorDocsOptions;
  private readonly plan: OperatorPlan;

  constructor(project: Project, options: OperatorDocsOptions) {
    super(project, OperatorDocs.PATH, { marker: true, readonly: true, committed: true });
    this.options = options;
    this.plan = OperatorPlan.of(project);
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    const plan = this.plan.resolve();
    return [
      `<!-- ${this.marker} -->`,
      ...this.overview(plan),
      ...this.localDevelopment(plan),
      ...this.allocatorSection(plan),
      ...this.profilesSection(plan),
      ...this.registrySection(plan),
      ...this.ciSection(plan),
      ...this.troubleshooting(plan),
    ].join('\n') + '\n';
  }

  /** What the image is made of. */
  private overview(plan: ResolvedPlan): string[] {
    const image = plan.image!.name;
    const builder = plan.builder!;
    const runtime = plan.runtime!;
    return [
      `# ${this.options.name}: build, run and release`,
      '',
      `${this.options.description}`,
      '',
      '| | |',
      '|---|---|',
      `| Image | \`${image}\` |`,
      `| Binary | \`${plan.binary.installPath}\` (entrypoint, ${runtime.user ? `runs as uid ${runtime.user.uid}` : 'runs as the user the platform chooses: no `USER`, so root unless started with `--user`'}) |`,
      `| Rust toolchain | ${plan.toolchain.channel} (${plan.toolchain.file ? '`rust-toolchain.toml`: rustup installs it locally and in CI' : 'the builder image\'s'}; the builder image carries it) |`,
      `| Builder stage | \`${builder.image}\` with ${packageList(builder.packages)} |`,
      runtime.distroless
        ? `| Runtime stage | \`${runtime.image}\` (distroless: no package manager, ${runtime.shell ? `busybox shell at \`${runtime.shell}\`` : 'no shell'}) with the shared libraries of ${packageList(runtime.packages)} and what the binary needs beyond the base, copied from \`${runtime.librariesImage}\`; no Rust toolchain |`
        : `| Runtime stage | \`${runtime.image}\` with ${packageList(runtime.packages)}; no Rust toolchain |`,
      `| Cargo profile of the image | \`${plan.buildProfile}\` |`,
      `| Allocator | ${allocatorDescription(plan.allocator.mode)} |`,
      `| operator.json \`container\` | ${this.options.containerPolicy === ContainerPolicy.EXACT_PIN ? `\`${image}:X.Y.Z\`, the exact release (never \`main\` or \`latest\`)` : `\`${image}\` (untagged; Tercen resolves the tag)`} |`,
      '',
      'The Dockerfile, `.dockerignore`, `.github/workflows/ci.yml`, this file and the managed tables of',
      'Cargo.toml are generated from `.projenrc.ts`: change them there and run `npx projen`;',
      '`npx projen drift` shows any difference without writing.',
      '',
    ];
  }

  /** Building and running the image locally. */
  private localDevelopment(plan: ResolvedPlan): string[] {
    const local = plan.localImageTag;
    const token = plan.gitToken;
    const paragraphs: string[][] = [];
    if (token) {
      paragraphs.push(['The build needs Docker with BuildKit (the `buildx` plugin; `docker buildx version` shows it): the',
        'Dockerfile mounts the git token with `RUN --mount`, and `npx projen docker:build` checks for it first.']);
    }
    if (plan.submodules.fetch !== GitSubmodules.NONE) {
      const paths = plan.submodules.paths;
      const recursive = plan.submodules.fetch === GitSubmodules.RECURSIVE ? ' --recursive' : '';
      paragraphs.push([`Fetch the submodules first (\`git submodule update --init${recursive}\`): ${paths.length ? paths.map((p) => `\`${p}\``).join(', ') : 'the paths of `.gitmodules`'}`,
        `${paths.length === 1 ? 'is' : 'are'} copied into the builder.`]);
    }
    return [
      '## Local development',
      '',
      ...paragraphs.flatMap((paragraph) => [...paragraph, '']),
      '```bash',
      '# Build (the dependency layer is reused as long as Cargo.toml and Cargo.lock do not change)',
      ...(token ? [`export ${token.variable}=<token with read access to the private git dependencies>`] : []),
      dockerBuildCommand(plan),
      '# Build without cache',
      dockerBuildCommand(plan, { noCache: true }),
      '# Run the way Tercen starts it',
      `docker run --rm ${local} --taskId <task id> --serviceUri <Tercen URI> --token <token>`,
      '# Without --taskId the operator exits 1 with "TERCEN_TASK_ID is not set"',
      ...shellLines(plan),
      '```',
      '',
      ...distrolessNotes(plan),
      'The flags `--taskId`, `--serviceUri` and `--token` set `TERCEN_TASK_ID`, `TERCEN_URI` and',
      '`TERCEN_TOKEN`; you can also pass those variables with `-e`.',
      '',
    ];
  }

  /** How to check the allocator that is configured, and how to profile memory. */
  private allocatorSection(plan: ResolvedPlan): string[] {
    const allocator = plan.allocator;
    const variables = plan.runtime!.variables;
    const local = plan.localImageTag;
    const lines = ['## Allocator', '', allocatorDescription(allocator.mode) + '.', ''];
    if (allocator.mode === AllocatorMode.SYSTEM) {
      lines.push('The image sets no allocator variables.', '');
      return lines;
    }
    lines.push('Environment of the runtime image:', '', '| Variable | Value | Read by |', '|---|---|---|');
    for (const variable of variables) {
      lines.push(`| \`${variable.name}\` | \`${variable.value}\` | ${variable.readBy} |`);
    }
    lines.push('', 'Check it:', '', '```bash');
    // Debian's sh for the check; busybox's on distroless debug; none on plain distroless.
    const shell = plan.runtime!.distroless ? plan.runtime!.shell : '/bin/sh';
    if (shell) {
      for (const variable of variables) {
        lines.push(`docker run --rm --entrypoint ${shell} ${local} -c 'echo "$${variable.name}"'`);
      }
    } else {
      lines.push('# The image has no shell: read its environment from the image configuration');
      lines.push(`docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' ${local}`);
    }
    if (allocator.preloaded) {
      lines.push('# The preloaded libjemalloc2 prints its statistics at exit:');
      lines.push(`docker run --rm -e MALLOC_CONF=stats_print:true ${local} 2>&1 | grep -m1 "jemalloc statistics"`);
    }
    if (allocator.linked) {
      lines.push('# The linked tikv-jemallocator (built with default features) prints its statistics at exit:');
      lines.push(`docker run --rm -e ${allocator.linkedConfVariable}=stats_print:true ${local} 2>&1 | grep -m1 "jemalloc statistics"`);
    }
    lines.push('```', '');
    lines.push('### Memory profiling', '');
    if (allocator.preloaded) {
      lines.push('Debian\'s libjemalloc2 is built with profiling. Heap profiles of the allocations it serves:', '',
        '```bash',
        `docker run --rm -e MALLOC_CONF=prof:true,prof_prefix:/tmp/profiles/jeprof -v "$(pwd)/profiles:/tmp/profiles" ${local} --taskId <task id> --serviceUri <URI> --token <token>`,
        `jeprof --show_bytes --pdf ${plan.binary.installPath} profiles/jeprof.*.heap > profile.pdf   # jeprof: Debian package libjemalloc-dev`,
        '```', '');
    }
    if (allocator.linked) {
      lines.push('Allocations of the Rust code go to the linked tikv-jemallocator, which profiles only when built with',
        `its \`profiling\` feature${allocator.crateFeatures.includes('profiling') ? ' (enabled here)' : ' (add it with the `allocatorCrateFeatures` option)'}; then use`,
        `\`${allocator.linkedConfVariable}=prof:true,prof_prefix:/tmp/profiles/jeprof\`.`, '');
    }
    lines.push(allocator.linked
      ? 'To build without jemalloc (valgrind, platforms without jemalloc): `cargo build --no-default-features`.'
      : 'No Cargo feature is involved.', '');
    return lines;
  }

  /** The managed Cargo profiles, as written to Cargo.toml. */
  private profilesSection(plan: ResolvedPlan): string[] {
    const cargo = this.options.cargo;
    const lines = ['## Cargo profiles', '', 'Managed in Cargo.toml by `.projenrc.ts`:', '', '| Profile | Settings | Build |', '|---|---|---|'];
    for (const name of cargo.profileNames) {
      const settings = renderProfile(cargo.tryFindProfile(name)!).map((key) => `${key.key} = ${renderValue(key.value)}`).join(', ');
      const command = name === 'release' ? 'cargo build --release' : `cargo build --profile ${name}`;
      lines.push(`| \`${name}\`${name === plan.buildProfile ? ' (image)' : ''} | \`${settings}\` | \`${command}\` |`);
    }
    lines.push('', 'Size settings live only in these tables; the Dockerfile sets no `CARGO_PROFILE_*` variables.', '');
    return lines;
  }

  /** Pulling and pushing on the registry. */
  private registrySection(plan: ResolvedPlan): string[] {
    const image = plan.image!.name;
    const registry = image.split('/')[0];
    return [
      '## Registry',
      '',
      '```bash',
      '# Log in (a personal access token with read:packages, and write:packages to push)',
      `echo "$GITHUB_TOKEN" | docker login ${registry} -u <your GitHub user> --password-stdin`,
      `docker pull ${image}:main            # the main branch`,
      `docker pull ${image}:X.Y.Z           # a release`,
      `${dockerBuildCommand(plan, { tag: `${image}:test` })} && docker push ${image}:test`,
      '```',
      '',
      'A new package on GHCR is private: make it public in the package settings so Tercen can pull it.',
      'There is no `latest` tag.',
      '',
    ];
  }

  /** What each CI job does, and which ref pushes which tag. */
  private ciSection(plan: ResolvedPlan): string[] {
    const { workflow, installTestJob: install, scanJob: scan, githubReleaseJob: githubRelease } = this.options;
    const main = plan.release.mainBranch;
    const destination = {
      [ScanDestination.CODE_SCANNING]: 'uploaded to code scanning',
      [ScanDestination.ARTIFACT]: 'kept as the workflow artifact `trivy-image` (SARIF)',
      [ScanDestination.BOTH]: 'kept as the workflow artifact `trivy-image` and uploaded to code scanning',
    }[scan.destination];
    const submodules = plan.submodules.fetch === GitSubmodules.NONE ? ''
      : ` The checkouts of \`${GhcrReleaseWorkflow.TEST_JOB}\` and \`${GhcrReleaseWorkflow.IMAGE_JOB}\` fetch the git submodules${plan.submodules.fetch === GitSubmodules.RECURSIVE ? ' recursively' : ''}${plan.gitToken?.secretName ? ` with the \`${plan.gitToken.secretName}\` secret (private submodules; the job's token without it)` : ''}.`;
    const publishing = plan.release.imageTags.branches === PublishedBranches.ALL ? 'branch pushes and release tags' : `pushes to \`${main}\` and release tags`;
    const platforms = plan.platforms.map((p) => `\`${p.platform}\` (on \`${p.runsOn.join(', ')}\`)`).join(' and ');
    return [
      '## CI (`.github/workflows/ci.yml`)',
      '',
      '| Job | Runs on | Does |',
      '|---|---|---|',
      `| \`${GhcrReleaseWorkflow.TEST_JOB}\` | every push, pull request and manual run | ${workflow.driftCheck ? '`npx projen drift`, ' : ''}\`cargo fmt --check\`, \`cargo clippy -D warnings\`, \`cargo test\`, doc tests (Rust ${plan.toolchain.channel} of \`rust-toolchain.toml\`, installed by rustup; packages ${packageList(plan.ci.packages)}) |`,
      `| \`${GhcrReleaseWorkflow.IMAGE_JOB}\` | ${publishing}, beside \`${GhcrReleaseWorkflow.TEST_JOB}\` | builds the Dockerfile for ${platforms} and pushes it to \`${plan.image!.name}\` by digest only, untagged${workflow.sbom ? ', with an SBOM' : ''} and BuildKit provenance |`,
      `| \`${GhcrReleaseWorkflow.PUBLISH_JOB}\` | after \`${GhcrReleaseWorkflow.TEST_JOB}\` and \`${GhcrReleaseWorkflow.IMAGE_JOB}\` succeeded | tags ${plan.platforms.length > 1 ? 'one multi-platform image made of the platform digests' : 'the tested digest'} (\`docker buildx imagetools create\`)${workflow.provenanceAttestation ? ', attests build provenance of the tagged digest' : ''}: no tag points at an untested image |`,
      `| \`${scan.jobId}\` | after \`${GhcrReleaseWorkflow.PUBLISH_JOB}\` | Trivy scan of the tagged digest, ${destination}${scan.gates ? '; fails on CRITICAL findings with a fix' : ' (reports only)'} |`,
      `| \`${install.jobId}\` | ${install.enabled ? 'release tags' : 'never (`if: false`); enable with `operatorInstallTest: true`'} | \`tercenctl operator install\` on the Tercen test instance (secrets ${'`TERCEN_TEST_OPERATOR_USERNAME`, `_PASSWORD`, `_URI`'}) |`,
      ...(githubRelease ? [`| \`${githubRelease.jobId}\` | release tags, after ${githubRelease.needs.map((id) => `\`${id}\``).join(' and ')} | creates the GitHub release of the tag: the image reference and digest, the commits since the previous release tag, GitHub's generated notes; pre-release for \`X.Y.Z-*\` tags; the only job with \`contents: write\` |`] : []),
      '',
      ...(submodules ? [submodules.trim(), ''] : []),
      '| Git ref | Jobs | Image tags pushed |',
      '|---|---|---|',
      ...ReleasePolicy.EXAMPLE_REFS.map((example) => {
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
  private releaseInstructions(): string {
    const pinned = this.options.containerPolicy === ContainerPolicy.EXACT_PIN;
    return [
      `Release with \`npx projen release X.Y.Z\`: it sets \`version\` in Cargo.toml and Cargo.lock${pinned ? ' and the `container` tag in operator.json' : ''},`,
      'commits those files and tags the commit `X.Y.Z`; then `git push origin HEAD X.Y.Z`. The image job refuses a',
      `tag that disagrees with Cargo.toml${pinned ? ' or operator.json' : ''}.`,
    ].join('\n');
  }

  /** The seed's troubleshooting table, for this configuration. */
  private troubleshooting(plan: ResolvedPlan): string[] {
    const lines = [
      '## Troubleshooting',
      '',
      '| Symptom | Fix |',
      '|---|---|',
      '| `error: linking with cc failed` | a native library is missing in the builder: add its `-dev` package to `builderPackages` |',
      `| \`failed to compile\` / \`requires rustc 1.xx\` | a dependency needs a newer Rust than ${plan.toolchain.channel}: ${plan.builder!.followsToolchain ? 'raise `rustToolchain` (the builder image and CI follow)' : 'raise the Rust version of `builderImage` (rust-toolchain.toml and CI follow)'} |`,
      '| `proto file not found`, `include_str!` fails | the file is not copied into the builder: add it to `compileTimeFiles` |',
      '| `GLIBC_2.xx not found` at start-up | builder and runtime are on different Debian releases: use the same release for both |',
      '| `cannot open shared object file` at start-up | a runtime library is missing: add the package to `runtimePackages` |',
      '| `denied: permission_denied` when pushing | the image and publish jobs need `packages: write` (they have it) and the package must allow this repository to write it (package settings > Manage Actions access) |',
      '| image build does not reuse the cache | commit Cargo.lock: the dependency layer is keyed on Cargo.toml and Cargo.lock |',
    ];
    if (this.options.scanJob.uploadsToCodeScanning) {
      lines.push('| the scan job fails at "Upload to code scanning" (`Advanced Security must be enabled`, `Resource not accessible by integration`) | a private repository without GitHub Code Security cannot take SARIF: set `scanDestination: ScanDestination.ARTIFACT` |');
    }
    if (plan.gitToken) {
      lines.push('| `unknown flag: --secret`, `the --mount option requires BuildKit` | build with BuildKit: install the Docker buildx plugin (`docker buildx version`) |');
      lines.push('| `failed to authenticate when downloading repository` | set the repository secret with the git token; forks build without it, so private dependencies fail there |');
    }
    return [...lines, ''];
  }
}

/** How to get a shell in the runtime image, as the base allows. */
function shellLines(plan: ResolvedPlan): string[] {
  const runtime = plan.runtime!;
  const local = plan.localImageTag;
  if (!runtime.distroless || runtime.shell) {
    return ['# A shell in the runtime image', `docker run --rm -it --entrypoint ${runtime.distroless ? runtime.shell : '/bin/bash'} ${local}`];
  }
  return ['# The runtime image has no shell (distroless); for one, build with RuntimeBase.distroless({ debug: true })',
    '# (busybox at /busybox/sh), or look at its files from outside:',
    `docker create --name ${plan.binary.name}-files ${local} && docker export ${plan.binary.name}-files | tar -t | less; docker rm ${plan.binary.name}-files`];
}

/** What a distroless runtime changes for the user and the libraries. */
function distrolessNotes(plan: ResolvedPlan): string[] {
  const runtime = plan.runtime!;
  if (!runtime.distroless) {
    return [];
  }
  return [
    `The runtime is distroless (\`${runtime.image}\`): no \`apt-get\`${runtime.shell ? '' : ', no shell'}, no \`useradd\`.`,
    runtime.user
      ? `It runs as the numeric \`USER ${runtime.user.uid}:${runtime.user.uid}\`, which needs no \`/etc/passwd\` entry (the base has only root, nobody and nonroot 65532), so \`$HOME\` is \`/\` and not writable: write to \`/tmp\`.`
      : 'It has no `USER`: the platform chooses the user (`--user`).',
    `Runtime packages are installed in a \`${runtime.librariesImage}\` stage; only their shared libraries, and those the binary`,
    'needs that the base lacks, are copied in (no data files such as fonts or configuration). A library that no package',
    'provides fails the image build with its name instead of failing at start-up.',
    ...(plan.allocator.preloaded ? ['The preloaded libjemalloc2 is Debian\'s package of that release, copied in the same way.'] : []),
    '',
  ];
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
