import * as fs from 'fs';
import * as path from 'path';
import { Project, ProjectOptions, SampleFile } from 'projen';
import { EndOfLine } from 'projen/lib/gitattributes';
import { GitHub } from 'projen/lib/github';
import { NodePackageManager } from 'projen/lib/javascript';
import { ProjenrcTs, TypeScriptRunner } from 'projen/lib/typescript';
import { refuseNewOverHandKeptFiles } from './new-project-guard';
import { RenderedSampleFile } from './rendered-sample-file';
import { SubprojectProjenrc } from './subproject-projenrc';
import { CargoManifest } from '../cargo/cargo-manifest';
import { Allocator, AllocatorMode } from '../core/allocator';
import { OptionError } from '../core/errors';
import { resolveImageName } from '../core/image-owner';
import { CARGO_FEATURE_NAME, DEFAULT_DESCRIPTION } from '../core/names';
import { checkOptionNames } from '../core/option-names';
import { GitSubmodules } from '../core/submodules';
import { BUILDKIT_CHECK, dockerBuildCommand, JemallocDockerfile, JemallocDockerfileOptions } from '../docker/jemalloc-dockerfile';
import { OperatorDocs } from '../docs/operator-docs';
import { DriftTask } from '../drift/drift-task';
import { CargoDependabot } from '../github/cargo-dependabot';
import { annotatePins, GhcrReleaseWorkflow } from '../github/ghcr-release-workflow';
import { GithubReleaseJob } from '../github/github-release-job';
import { OperatorInstallTestJob } from '../github/operator-install-test-job';
import { OperatorUpgradeWorkflow } from '../github/operator-upgrade-workflow';
import { OperatorWorkflow, OperatorWorkflowOptions } from '../github/operator-workflow';
import { PinnedAction } from '../github/pinned-actions';
import { ScanDestination, TrivyScanJob } from '../github/trivy-scan-job';
import { RuntimeBase } from '../plan/base-image';
import { OperatorPlan } from '../plan/operator-plan';
import { ImageTagPolicy } from '../plan/release-policy';
import { ContainerPolicy } from '../tercen/operator-json';
import { OperatorManifest } from '../tercen/operator-manifest';
import { renderDevRs, renderMainRs, renderOperatorTestJson, renderReadme } from '../tercen/operator-sources';
import { OperatorNodePackage } from '../toolchain/operator-node-package';
import { RustToolchainFile } from '../toolchain/rust-toolchain-file';

/** Options for `RustOperatorProject`. */
export interface RustOperatorProjectOptions extends ProjectOptions {
  /**
   * URL of the operator's GitHub repository. Its owner names the image
   * (`ghcr.io/<owner>/<name>`, lowercased) unless `registryOwner` or `imageName` is set; it is
   * also written to operator.json's `urls`.
   * @default $GIT_REMOTE
   */
  readonly repositoryUrl: string;

  /**
   * GitHub owner (user or organisation) whose GHCR namespace receives the image; lowercased.
   * @default - the owner in `repositoryUrl`
   */
  readonly registryOwner?: string;

  /**
   * The full image name without tag, lowercase (e.g. `ghcr.io/tercen/ggrs_plot_operator`).
   * @default - `ghcr.io/<registryOwner>/<name>`
   */
  readonly imageName?: string;

  /**
   * One sentence saying what the operator does (operator.json, README).
   * @default "A Tercen operator written in Rust."
   */
  readonly description?: string;

  /**
   * Rust version of the project: rust-toolchain.toml's channel (rustup installs it, in CI too),
   * the default builder image `rust:<version>-slim-bookworm`, and a new crate's `rust-version`.
   * @default - the Rust version of `builderImage` when set, else "1.92"
   */
  readonly rustToolchain?: string;

  /**
   * Image of the Dockerfile's builder stage. The Rust version in its tag becomes the
   * toolchain's; with `rustToolchain` set as well, both must name the same version.
   * @default - `rust:<rustToolchain>-slim-bookworm` ("rust:1.92-slim-bookworm")
   */
  readonly builderImage?: string;

  /**
   * Image of the Dockerfile's runtime stage.
   * @default "debian:bookworm-slim"
   */
  readonly runtimeImage?: string;

  /**
   * The runtime base as a strategy instead of `runtimeImage`, e.g. `RuntimeBase.distroless()`
   * (gcr.io/distroless/cc-debian12: no shell, no apt). Give either this or `runtimeImage`.
   * @default - `runtimeImage`
   */
  readonly runtimeBase?: RuntimeBase;

  /**
   * Memory allocator.
   * @default AllocatorMode.LINKED_AND_PRELOADED
   */
  readonly allocator?: AllocatorMode;

  /**
   * jemalloc tuning for both jemallocs.
   * @default Allocator.SEED_MALLOC_CONF
   */
  readonly mallocConf?: string;

  /**
   * Features of the linked tikv-jemallocator (e.g. "profiling" for heap profiles of Rust
   * allocations).
   * @default []
   */
  readonly allocatorCrateFeatures?: string[];

  /**
   * Version requirement of the linked tikv-jemallocator. Left unset, a requirement already in
   * Cargo.toml is kept (cargo refuses two that both link jemalloc).
   * @default - the one in Cargo.toml, else "0.6"
   */
  readonly allocatorCrateVersion?: string;

  /**
   * Extra Cargo features owned by `.projenrc.ts`, each `name` (an empty feature) or
   * `name=item1,item2` (e.g. `gpu=dep:wgpu`).
   * @default []
   */
  readonly features?: string[];

  /**
   * Cargo's default features.
   * @default - the allocator feature ("jemalloc") when tikv-jemallocator is linked
   */
  readonly defaultFeatures?: string[];

  /**
   * Add the `dev-release` profile (opt-level 2, no LTO, 16 codegen units): the real ggrs
   * operator cut its image build from 12 to 5 minutes with it.
   * @default false
   */
  readonly devReleaseProfile?: boolean;

  /**
   * Cargo profile the image is built with ("release", "maxperf", "dev-release", ...).
   * @default "release"
   */
  readonly buildProfile?: string;

  /**
   * The operator's package when Cargo.toml is a workspace root (a virtual one, or a root package
   * with other members), by its `[package] name`: its features and allocator dependency are
   * managed in its own Cargo.toml, the `[profile.*]` tables in the root's (the only place cargo
   * reads them), and the image builds it with `-p`.
   * @default - the only workspace member with a binary
   */
  readonly cargoPackage?: string;

  /**
   * Extra Debian packages for the builder and the CI test job (e.g. "libcairo2-dev").
   * @default []
   */
  readonly builderPackages?: string[];

  /**
   * Extra Debian packages for the runtime image (e.g. "libcairo2").
   * @default []
   */
  readonly runtimePackages?: string[];

  /**
   * Leave the runtime user to the platform (no `USER` in the image), as Tercen, which starts
   * operators with `--user` itself, expects. Off, the image runs as uid 1000 (the seed's).
   * @default false
   */
  readonly platformUser?: boolean;

  /**
   * Extra environment of the runtime image, e.g. `{ RUST_BACKTRACE: '1' }`.
   * @default {}
   */
  readonly runtimeEnvironment?: { [name: string]: string };

  /**
   * Files the compiler reads besides `src/` and operator.json (e.g. "palettes.json", "protos").
   * @default []
   */
  readonly compileTimeFiles?: string[];

  /**
   * GitHub secret with a token for private git dependencies. Everything else about the token
   * derives from it: CI hands it to cargo, the Dockerfile mounts it as the BuildKit secret
   * `gitTokenBuildSecretId`, and `npx projen docker:build` reads it from `GIT_TOKEN`.
   * @default - no private git dependencies
   */
  readonly gitTokenSecret?: string;

  /**
   * BuildKit secret id the Dockerfile mounts the git token under (set it to keep the id of an
   * existing Dockerfile, e.g. "gh_pat"). Used only with `gitTokenSecret`.
   * @default "git_token"
   */
  readonly gitTokenBuildSecretId?: string;

  /**
   * How operator.json's `container` names the image.
   * @default ContainerPolicy.EXACT_PIN
   */
  readonly containerPolicy?: ContainerPolicy;

  /**
   * Fail the workflow when the image scan finds CRITICAL vulnerabilities (with a fixed
   * version). The scan always reports to code scanning.
   * @default false
   */
  readonly failOnCriticalVulnerabilities?: boolean;

  /**
   * Where the image scan's SARIF report goes: GitHub code scanning, a workflow artifact, or
   * both. A private repository without GitHub Code Security cannot upload to code scanning (the
   * scan job would fail on every build): use `ScanDestination.ARTIFACT` there. The
   * vulnerability gate (`failOnCriticalVulnerabilities`) works with each.
   * @default ScanDestination.CODE_SCANNING
   */
  readonly scanDestination?: ScanDestination;

  /**
   * Create a GitHub release for each release tag, after the image is pushed: notes with the
   * image reference and digest, the commits since the previous release tag and GitHub's
   * generated notes. Its job is the only one that holds `contents: write`. Off by default, as
   * in the seed, which publishes images only.
   * @default false
   */
  readonly githubRelease?: boolean;

  /**
   * Git submodules the checkouts that build fetch (test and image jobs, the upgrade workflow's
   * checks, jobs added with `addBuildJob`), with the git token (`gitTokenSecret`) when set, for
   * private submodules. Their paths (`.gitmodules`) are copied into the image's builder.
   * @default GitSubmodules.NONE
   */
  readonly submodules?: GitSubmodules;

  /**
   * Run the Tercen installation test for release tags (needs the `TERCEN_TEST_OPERATOR_*`
   * secrets); when off the job is present with `if: false`. Also scaffolds `tests/test.json`.
   * @default false
   */
  readonly operatorInstallTest?: boolean;

  /**
   * Add the Tercen Rust SDK: the `tercen-rs` git dependency (managed in Cargo.toml; its build
   * script needs protobuf-compiler and git, added to the builder and CI) and a `src/bin/dev.rs`
   * for local runs against a workflow step.
   * @default false
   */
  readonly tercenSdk?: boolean;

  /**
   * Branch of tercen-rs to follow (ignored unless `tercenSdk`). Pin a revision with
   * `project.cargo.addDependency('tercen-rs', { git, rev })` instead.
   * @default "main"
   */
  readonly tercenSdkBranch?: string;

  /**
   * Which refs publish the image and under which tags: `ImageTagPolicy.SEED` (`main` and
   * `X.Y.Z`) or `ImageTagPolicy.TERCEN` (every branch as `:<branch>`, `:<sha>` and
   * `:<short sha>`, which Tercen installs by), or `ImageTagPolicy.custom(...)`.
   * @default ImageTagPolicy.SEED
   */
  readonly imageTagPolicy?: ImageTagPolicy;

  /**
   * The branch whose pushes publish the `main`-style image tag.
   * @default "main"
   */
  readonly mainBranch?: string;

  /**
   * Runner labels of the CI jobs (the linux/amd64 image build's too, unless `platformRunners`
   * names it).
   * @default ["ubuntu-latest"]
   */
  readonly runsOn?: string[];

  /**
   * Platforms the image is built for: `linux/amd64`, `linux/arm64`. Each is built natively on a
   * runner of its own architecture; the tags name one multi-platform image.
   * @default ["linux/amd64"]
   */
  readonly platforms?: string[];

  /**
   * Runner labels of a platform's image build, by platform (e.g.
   * `{ "linux/arm64": ["self-hosted", "arm64"] }`).
   * @default - `runsOn` for linux/amd64, ["ubuntu-24.04-arm"] for linux/arm64
   */
  readonly platformRunners?: { [platform: string]: string[] };

  /**
   * Attach an SBOM attestation to the pushed image (BuildKit's `sbom: true`).
   * @default true
   */
  readonly sbom?: boolean;

  /**
   * Attest build provenance of pushed images. Needs a public repository or GitHub Enterprise
   * Cloud; turn off for private repositories on other plans.
   * @default true
   */
  readonly provenanceAttestation?: boolean;

  /**
   * Let release (tag) builds restore the GitHub Actions build cache (faster releases, but a
   * release built from cached layers).
   * @default false
   */
  readonly cacheOnReleaseBuilds?: boolean;

  /**
   * Library tags of operator.json.
   * @default []
   */
  readonly tags?: string[];

  /**
   * Authors of operator.json.
   * @default []
   */
  readonly authors?: string[];

  /**
   * Replacements for the pinned GitHub Actions, by key (`checkout`, `trivy`, ...).
   * @default - the package's table
   */
  readonly actionPins?: { [key: string]: PinnedAction };

  /**
   * Dev dependencies of the operator's package.json besides projen and tsx. `projen new --from`
   * fills in this package (a registry version or a tarball path).
   * @default - this package at the version that synthesized the project
   */
  readonly devDeps?: string[];

  /**
   * Generate `.github/workflows/upgrade.yml`: weekly (and on dispatch) moves the operator to the
   * newest projen-rust-operator release, re-synthesizes, checks, and opens one pull request
   * with the release notes. Only for a root project (it needs the operator's package.json).
   * @default true
   */
  readonly upgradeWorkflow?: boolean;

  /**
   * Advanced settings of the Dockerfile.
   * @default - from the options above
   */
  readonly dockerfileOptions?: JemallocDockerfileOptions;
}

/**
 * A Rust container operator: Cargo.toml tables, Dockerfile, CI workflow and the scaffolded
 * sources, all derived from one `.projenrc.ts`.
 *
 * @pjid rust-operator
 */
export class RustOperatorProject extends Project {
  /** The Tercen Rust SDK crate. */
  public static readonly TERCEN_SDK_CRATE = 'tercen-rs';
  /** Where the Tercen Rust SDK lives (it is not on crates.io). */
  public static readonly TERCEN_SDK_REPOSITORY = 'https://github.com/tercen/tercen-rs';

  /** The allocator every file derives from. */
  public readonly allocator: Allocator;
  /** The lowercase image name, without tag. */
  public readonly imageName: string;
  /** The repository URL. */
  public readonly repositoryUrl: string;
  /** The managed Cargo.toml tables. */
  public readonly cargo: CargoManifest;
  /** The Dockerfile. */
  public readonly dockerfile: JemallocDockerfile;
  /** The CI workflow. */
  public readonly workflow: GhcrReleaseWorkflow;
  /** operator.json. */
  public readonly operatorManifest: OperatorManifest;
  /** The image scan job. */
  public readonly scanJob: TrivyScanJob;
  /** The Tercen installation test job. */
  public readonly installTestJob: OperatorInstallTestJob;
  /** The GitHub release job, when `githubRelease` is on. */
  public readonly githubReleaseJob?: GithubReleaseJob;
  /** The generated operator documentation. */
  public readonly docs: OperatorDocs;
  /**
   * projen's GitHub component, which owns every workflow of the project: the CI and upgrade
   * workflows and those added with `addWorkflow`. Every workflow it renders uses the pin table.
   */
  public readonly github: GitHub;
  /** The one-sentence description. */
  public readonly description: string;

  private readonly plan: OperatorPlan;

  constructor(options: RustOperatorProjectOptions) {
    checkOptionNames(options, 'RustOperatorProjectOptions', '');
    refuseNewOverHandKeptFiles(options);
    super({ ...validateName(options), gitOptions: { endOfLine: EndOfLine.NONE, ...options.gitOptions } });
    this.repositoryUrl = options.repositoryUrl;
    this.allocator = new Allocator({
      // Named as the project's option in errors.
      mode: options.allocator === undefined ? undefined : Allocator.parseMode(options.allocator, 'allocator'),
      mallocConf: options.mallocConf,
      crateFeatures: options.allocatorCrateFeatures,
      crateVersion: options.allocatorCrateVersion,
      optionNames: {
        mode: 'allocator',
        mallocConf: 'mallocConf',
        crateFeatures: 'allocatorCrateFeatures',
        crateVersion: 'allocatorCrateVersion',
      },
    });
    this.imageName = resolveImageName(options);
    this.description = options.description ?? DEFAULT_DESCRIPTION;

    // The plan first, so it resolves before any renderer reads it at synth time.
    this.plan = OperatorPlan.of(this);
    new RustToolchainFile(this, { channel: options.rustToolchain });
    this.dockerfile = this.createDockerfile({
      builderImage: options.builderImage,
      runtimeImage: options.runtimeImage,
      runtimeBase: options.runtimeBase,
      // tercen-rs compiles protobufs in its build script and is fetched with git.
      builderPackages: [...(options.builderPackages ?? []), ...(options.tercenSdk ? ['git', 'protobuf-compiler'] : [])],
      runtimePackages: options.runtimePackages,
      compileTimeFiles: options.compileTimeFiles,
      platformUser: options.platformUser,
      runtimeEnvironment: options.runtimeEnvironment,
      ...options.dockerfileOptions,
      allocator: this.allocator,
    });
    this.cargo = new CargoManifest(this, {
      allocator: this.allocator,
      features: parseFeatures(options.features ?? []),
      defaultFeatures: options.defaultFeatures,
      buildProfile: options.buildProfile,
      devRelease: options.devReleaseProfile,
      cargoPackage: options.cargoPackage,
    });
    if (options.tercenSdk) {
      this.cargo.addDependency(RustOperatorProject.TERCEN_SDK_CRATE, {
        git: RustOperatorProject.TERCEN_SDK_REPOSITORY,
        branch: options.tercenSdkBranch ?? 'main',
      });
    }
    this.operatorManifest = new OperatorManifest(this, {
      imageName: this.imageName,
      displayName: this.name,
      description: this.description,
      repositoryUrl: this.repositoryUrl,
      tags: options.tags,
      authors: options.authors,
      containerPolicy: options.containerPolicy,
    });
    this.github = GitHub.of(this) ?? new GitHub(this, { mergify: false, pullRequestLint: false });
    this.workflow = new GhcrReleaseWorkflow(this, {
      imageName: this.imageName,
      gitTokenSecret: options.gitTokenSecret,
      gitTokenBuildSecretId: options.gitTokenBuildSecretId,
      actionPins: options.actionPins,
      driftCheck: !this.parent,
      mainBranch: options.mainBranch,
      imageTagPolicy: options.imageTagPolicy,
      runsOn: options.runsOn,
      platforms: options.platforms,
      platformRunners: options.platformRunners,
      sbom: options.sbom,
      provenanceAttestation: options.provenanceAttestation,
      cacheOnReleaseBuilds: options.cacheOnReleaseBuilds,
      submodules: options.submodules,
    });
    // The pin table for every workflow of the project: an action of the table written with a
    // tag (`actions/checkout@v4`) is rendered with its pinned SHA.
    for (const pin of this.workflow.actions.all()) {
      this.github.actions.set(pin.action, `${pin.action}@${pin.sha}`);
    }
    this.scanJob = new TrivyScanJob(this.workflow, { failOnFindings: options.failOnCriticalVulnerabilities, destination: options.scanDestination });
    this.installTestJob = new OperatorInstallTestJob(this.workflow, { enabled: options.operatorInstallTest });
    // No release for an image that fails the vulnerability gate.
    if (options.githubRelease) this.githubReleaseJob = new GithubReleaseJob(this.workflow, { after: this.scanJob.gates ? [this.scanJob.jobId] : [] });
    new CargoDependabot(this);
    if ((options.upgradeWorkflow ?? true) && !this.parent) new OperatorUpgradeWorkflow(this);

    if (this.parent) {
      new SubprojectProjenrc(this);
    } else {
      this.addToolchain(options.devDeps ?? []);
      new DriftTask(this);
    }
    this.addRustTasks();
    this.docs = new OperatorDocs(this, {
      name: this.name,
      description: this.description,
      containerPolicy: this.operatorManifest.containerPolicy,
      cargo: this.cargo,
      workflow: this.workflow,
      scanJob: this.scanJob,
      installTestJob: this.installTestJob,
      githubReleaseJob: this.githubReleaseJob,
    });
    this.addSamples(options);
    this.gitignore.exclude('/target/', 'node_modules/');
  }

  /**
   * Resolves the operator plan before any component renders, and renders from it what lives
   * outside the components: the tasks' commands and the scaffolded `rust-version`.
   */
  public preSynthesize(): void {
    super.preSynthesize();
    // Version comments on the pinned SHAs of every workflow, including those added by hand.
    for (const workflow of this.github.workflows) {
      if (workflow.file) annotatePins(workflow.file, this.workflow.actions);
    }
    const plan = this.plan.beginSynthesis();
    this.compileTask.reset(`cargo build --profile ${plan.buildProfile}`);
    const dockerBuild = this.tasks.tryFind('docker:build');
    if (plan.gitToken) {
      // The Dockerfile mounts the token with `RUN --mount`, which only BuildKit builds.
      dockerBuild?.reset(BUILDKIT_CHECK, { name: 'Check that Docker builds with BuildKit' });
      dockerBuild?.exec(dockerBuildCommand(plan));
    } else {
      dockerBuild?.reset(dockerBuildCommand(plan));
    }
    // A new crate declares the Rust version that really builds it (rust-toolchain.toml's).
    this.cargo.scaffoldRustVersion = plan.toolchain.channel;
  }

  /**
   * Adds a workflow (`.github/workflows/<name>.yml`) that shares the CI workflow's pin table,
   * runners, checkout and build setup: add jobs with `addBuildJob` (checkout with submodules and
   * git token, Rust toolchain, cargo cache, system packages, then your steps) or `addJob`. It is
   * owned like every generated file: `npx projen drift` checks it.
   */
  public addWorkflow(name: string, options: OperatorWorkflowOptions): OperatorWorkflow {
    return new OperatorWorkflow(this.workflow, name, options);
  }

  /**
   * Marks an owned file as generated (collapsed in GitHub diffs) and keeps it LF on every
   * checkout, so synth output and the working tree compare byte for byte.
   */
  public annotateGenerated(glob: string): void {
    this.gitattributes.addAttributes(glob, 'linguist-generated', 'eol=lf');
  }

  /**
   * Creates the Dockerfile. Override to use a subclass of `JemallocDockerfile`, e.g. one that
   * swaps base images.
   */
  protected createDockerfile(options: JemallocDockerfileOptions): JemallocDockerfile {
    return new JemallocDockerfile(this, options);
  }

  /** package.json pinning projen, tsx and this package; `.projenrc.ts` run by tsx; a tsconfig for editors. */
  protected addToolchain(devDeps: string[]): void {
    const nodePackage = new OperatorNodePackage(this, {
      packageName: this.name,
      packageManager: NodePackageManager.NPM,
      licensed: false,
      entrypoint: '',
      devDeps: ['projen@^' + projenVersion(), 'tsx@^4', 'constructs@^10.5.0', ...selfDependency(devDeps), ...otherDependencies(devDeps)],
      description: `Build and delivery setup of ${this.name}, generated by projen-rust-operator.`,
    });
    // This package.json only carries the projen toolchain: it is never published.
    nodePackage.addField('private', true);
    nodePackage.file.addDeletionOverride('publishConfig');
    nodePackage.file.addDeletionOverride('version');
    const projenrc = new ProjenrcTs(this, { runner: TypeScriptRunner.tsx(), tsconfigFileName: 'tsconfig.json' });
    // tsx is a dev dependency: run it from node_modules rather than through projen's
    // `npx -y -p tsx -c` (half a second of every synth, twice in each upgrade run).
    this.defaultTask?.reset(`${OperatorNodePackage.BIN_DIR}/tsx .projenrc.ts`);
    // For editors only (tsx does not type-check): strict checks of .projenrc.ts against projen's types.
    projenrc.tsconfig.file.addOverride('compilerOptions', {
      target: 'ES2022',
      module: 'commonjs',
      moduleResolution: 'node',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
    });
  }

  /** The Rust workflow as projen tasks. */
  protected addRustTasks(): void {
    // The compile and docker:build commands come from the plan at synth time (preSynthesize).
    this.testTask.exec('cargo test --all-features');
    this.addTask('lint', { description: 'cargo clippy with warnings as errors', exec: 'cargo clippy --all-targets --all-features -- -D warnings' });
    this.addTask('fmt', { description: 'Format the Rust sources', exec: 'cargo fmt --all' });
    this.addTask('docker:build', { description: 'Build the operator image locally' });
  }

  /** Files written once and then owned by the user (operator.json is the manifest's). */
  protected addSamples(options: RustOperatorProjectOptions): void {
    // Only a crate without a binary of its own gets the sample (cargo's target rules decide).
    new RenderedSampleFile(this, 'src/main.rs', () => renderMainRs({ binaryName: this.plan.resolve().binary.name, allocator: this.allocator }),
      () => !this.plan.resolve().cargo.hasBinary);
    new RenderedSampleFile(this, 'README.md', () => renderReadme({
      name: this.name,
      description: this.description,
      imageName: this.imageName,
      docsPath: this.docs.path,
      localImageTag: this.plan.resolve().localImageTag,
    }));
    if (options.tercenSdk) {
      new SampleFile(this, 'src/bin/dev.rs', { contents: renderDevRs(this.name) });
    }
    if (options.operatorInstallTest) {
      new SampleFile(this, 'tests/test.json', { contents: renderOperatorTestJson(this.name) });
    }
  }
}

function validateName(options: RustOperatorProjectOptions): RustOperatorProjectOptions {
  const name = options.name;
  if (typeof name !== 'string' || name === '') {
    throw new OptionError('name', 'is empty.', 'Give the operator a crate name such as "hello_operator".');
  }
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name)) {
    throw new OptionError('name', `"${name}" is not a valid Cargo crate name.`,
      'Use letters, digits, "_" and "-", starting with a letter, at most 64 characters (e.g. "hello_operator").');
  }
  return options;
}

/** Parses `name` / `name=item1,item2` feature flags. */
function parseFeatures(entries: string[]): { [name: string]: string[] } {
  const features: { [name: string]: string[] } = {};
  for (const entry of entries) {
    const [name, items] = entry.split('=', 2);
    if (!CARGO_FEATURE_NAME.test(name)) {
      throw new OptionError('features', `"${entry}" does not start with a feature name.`, 'Write "name" or "name=item1,item2", e.g. "gpu=dep:wgpu".');
    }
    if (name in features) {
      throw new OptionError('features', `declares "${name}" twice.`, 'Declare each feature once.');
    }
    features[name] = items === undefined || items === '' ? [] : items.split(',').map((item) => item.trim());
  }
  return features;
}

const SELF = 'projen-rust-operator';

function isSelfSpec(spec: string): boolean {
  return spec === SELF || spec.startsWith(`${SELF}@`) || /(^|[\\/])projen-rust-operator-[^\\/]*\.tgz$/.test(spec) || spec.startsWith('file:');
}

/** This package as a dev dependency: the spec `projen new` used, or the running version. */
function selfDependency(devDeps: string[]): string[] {
  const spec = devDeps.find(isSelfSpec);
  if (spec === undefined || spec === SELF) {
    return [`${SELF}@^${ownVersion()}`];
  }
  // An exact version is what `projen new --from projen-rust-operator@X` wrote: it must not pin the
  // project below the version now running (the upgrade workflow installs a newer one).
  if (spec.startsWith(`${SELF}@`) && !/^\d+\.\d+\.\d+$/.test(spec.slice(SELF.length + 1))) {
    return [spec];
  }
  if (spec.startsWith(`${SELF}@`)) {
    return [`${SELF}@^${ownVersion()}`];
  }
  // A tarball or folder: a path relative to package.json, never absolute, so output is portable.
  const relative = spec.replace(/^file:/, '');
  return [`${SELF}@file:${path.isAbsolute(relative) ? relative : relative.replace(/^\.\//, '')}`];
}

function otherDependencies(devDeps: string[]): string[] {
  return devDeps.filter((spec) => !isSelfSpec(spec));
}

function ownVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8')).version;
}

function projenVersion(): string {
  return JSON.parse(fs.readFileSync(require.resolve('projen/package.json'), 'utf-8')).version;
}
