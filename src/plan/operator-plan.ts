import * as path from 'path';
import { Component, Project } from 'projen';
import { BuilderBase, RuntimeBase } from './base-image';
import { PlatformBuild } from './image-platforms';
import { ReleasePolicy } from './release-policy';
import { compareVersions, DEFAULT_RUST_CHANNEL, RUST_TOOLCHAIN_COMPONENTS, RUST_TOOLCHAIN_PROFILE } from './rust-toolchain';
import { CargoManifest } from '../cargo/cargo-manifest';
import { CargoTarget, CargoTargetKind } from '../cargo/cargo-target';
import { profileDirectory } from '../cargo/profile-rules';
import { Allocator, READERS, RuntimeVariable } from '../core/allocator';
import { aptPackageList } from '../core/apt-packages';
import { OptionError } from '../core/errors';
import { GitToken, gitToken } from '../core/git-token';
import { compareDebianReleases, ImageReference } from '../core/image-reference';
import { GitSubmodules, submodulePaths } from '../core/submodules';

/**
 * What the image build (the Dockerfile construct) brings to the plan: its options, and the base
 * images, asked for only when the plan is resolved so that a subclass's choice counts.
 */
export interface ImageBuildInput {
  readonly binaryName?: string;
  readonly buildProfile?: string;
  readonly builderPackages: string[];
  readonly runtimePackages: string[];
  readonly compileTimeFiles: string[];
  readonly buildFeatures: string[];
  readonly gitTokenBuildSecretId?: string;
  readonly runtimeUser: string;
  /** Whether `runtimeUser` was given (a distroless runtime has no named user to create). */
  readonly runtimeUserGiven?: boolean;
  readonly runtimeUid: number;
  /** No `USER`: the platform runs the container with a user of its choosing. */
  readonly platformUser: boolean;
  /** Extra runtime environment, name to value. */
  readonly runtimeEnvironment: { [name: string]: string };
  readonly dependencyLayer: boolean;
  readonly allowNewerBuilderRelease: boolean;
  readonly allocator?: Allocator;
  builderBase(): BuilderBase;
  runtimeBase(): RuntimeBase;
}

/** What the CI workflow brings to the plan. */
export interface WorkflowInput {
  readonly image: ImageReference;
  readonly gitTokenSecret?: string;
  readonly gitTokenBuildSecretId?: string;
  readonly systemPackages?: string[];
  readonly policy: ReleasePolicy;
  readonly submodules?: GitSubmodules;
  /** The platforms the image is built for, each on its own runner. */
  readonly platforms: PlatformBuild[];
}

/** What rust-toolchain.toml (the one source of the Rust toolchain) brings to the plan. */
export interface ToolchainInput {
  /** The channel asked for (the project's `rustToolchain`), if any. */
  readonly channel?: string;
  /** The option that named it, for errors. */
  readonly subject: string;
}

/** What the operator manifest brings to the plan. */
export interface ManifestInput {
  /** Whether operator.json pins `<image>:X.Y.Z` (checked on release tags). */
  readonly pinsVersion: boolean;
}

/** The Cargo package as the plan sees it (cargo's own target rules, from `CargoPackage`). */
export interface CargoFacts {
  readonly packageName: string;
  readonly version?: string;
  /** The targets declared in Cargo.toml (COPY roots, final-build stubs). */
  readonly targets: CargoTarget[];
  readonly buildScript?: string;
  /** Whether the crate has a binary of its own (else the sample `src/main.rs` is written). */
  readonly hasBinary: boolean;
  /** The binary the image runs. */
  readonly binary: string;
  /** Files the dependency layer stubs, with whether each is a library (an empty stub). */
  readonly stubs: { readonly path: string; readonly library: boolean }[];
  /** Manifests the dependency layer copies besides `Cargo.toml` and `Cargo.lock`, for a workspace. */
  readonly workspaceManifests: string[];
  /** `cargo build -p <package>`, in a workspace. */
  readonly packageArgument?: string;
  /**
   * Workspace member directories besides the root's own package (relative, e.g. `crates/op`):
   * the final build copies each whole, as it copies `src/`.
   */
  readonly memberDirectories: string[];
  /** Whether the project root has sources of its own in `src/` (not so for a virtual workspace root). */
  readonly rootSources: boolean;
}

/** The binary the image runs. */
export interface BinaryPlan {
  readonly name: string;
  /** Where cargo writes it, relative to the crate (`target/<dir>/<name>`). */
  readonly targetPath: string;
  /** Where the image has it. */
  readonly installPath: string;
}

/** The builder stage. */
export interface BuilderPlan {
  readonly image: string;
  readonly debianRelease?: string;
  readonly rustVersion?: string;
  /** Whether the image follows the Rust toolchain's channel (the default builder). */
  readonly followsToolchain: boolean;
  /** Debian packages, sorted and deduplicated. */
  readonly packages: string[];
}

/** The Rust toolchain. */
export interface ToolchainPlan {
  /** The channel (`1.92`). */
  readonly channel: string;
  /** rustup components, sorted. */
  readonly components: string[];
  /** rustup profile. */
  readonly profile: string;
  /** Whether the project writes rust-toolchain.toml. */
  readonly file: boolean;
}

/** The runtime stage. */
export interface RuntimePlan {
  readonly image: string;
  readonly debianRelease?: string;
  /** Debian packages, sorted and deduplicated. */
  readonly packages: string[];
  /** The non-root user the image runs as; undefined when the platform chooses (no `USER`). */
  readonly user?: { readonly name: string; readonly uid: number };
  /** Whether the base is distroless: no apt, no `useradd`, a numeric `USER`. */
  readonly distroless: boolean;
  /** The image's shell, or undefined when it has none (distroless without `debug`). */
  readonly shell?: string;
  /**
   * Distroless only: the Debian image of the same release where `packages` are installed and
   * from which the shared libraries they provide and the binary needs are copied.
   */
  readonly librariesImage?: string;
  /** Environment of the image, sorted by name, each with what reads it. */
  readonly variables: RuntimeVariable[];
}

/** The resolved model of the operator: every generated file takes its values from here. */
export interface ResolvedPlan {
  /** The image to push, without tag (undefined on a project without a release workflow). */
  readonly image?: ImageReference;
  readonly cargo: CargoFacts;
  readonly binary: BinaryPlan;
  readonly buildProfile: string;
  readonly buildFeatures: string[];
  readonly allocator: Allocator;
  /** Undefined on a project without a Dockerfile. */
  readonly builder?: BuilderPlan;
  readonly runtime?: RuntimePlan;
  /** Files and folders COPYed into the builder besides the manifest and `src/`. */
  readonly compileTimeFiles: string[];
  readonly dependencyLayer: boolean;
  readonly gitToken?: GitToken;
  /**
   * Which submodules the checkouts that build fetch, and their paths (`.gitmodules`); with
   * submodules on, those paths are part of the image's build context (`compileTimeFiles`).
   */
  readonly submodules: { readonly fetch: GitSubmodules; readonly paths: string[] };
  /**
   * The Rust toolchain of rust-toolchain.toml, which rustup installs in CI and whose version
   * the builder image carries.
   */
  readonly toolchain: ToolchainPlan;
  /** The CI test job's Debian packages. */
  readonly ci: { readonly packages: string[] };
  readonly release: ReleasePolicy;
  /** The platforms the image is built for (empty on a project without a release workflow). */
  readonly platforms: PlatformBuild[];
  /** Whether release tags also check operator.json's `container` tag. */
  readonly pinsContainerVersion: boolean;
  /** Tag of a locally built image. */
  readonly localImageTag: string;
}

/**
 * The one resolved model of an operator. Constructs register what they contribute; the plan is
 * resolved at synth time, after `.projenrc.ts` has created and customised everything, so the
 * order in which constructs are created never changes a byte. During synthesis it is computed
 * once; before it (a getter read while `.projenrc.ts` runs) it is computed afresh each time.
 */
export class OperatorPlan extends Component {
  /** The plan of a project, created on first use. */
  public static of(project: Project): OperatorPlan {
    return project.components.find((c): c is OperatorPlan => c instanceof OperatorPlan) ?? new OperatorPlan(project);
  }

  private imageBuild?: ImageBuildInput;
  private workflow?: WorkflowInput;
  private manifest?: ManifestInput;
  private toolchainInput?: ToolchainInput;
  private resolved?: ResolvedPlan;
  private synthesizing = false;

  private constructor(project: Project) {
    super(project);
  }

  /** Registers the image build (one per project). */
  public setImageBuild(input: ImageBuildInput): void {
    if (this.imageBuild) {
      throw new OptionError('JemallocDockerfile', `project "${this.project.name}" already has an operator Dockerfile.`, 'Create one JemallocDockerfile per project.');
    }
    this.imageBuild = input;
  }

  /** Registers the release workflow (one per project). */
  public setWorkflow(input: WorkflowInput): void {
    if (this.workflow) {
      throw new OptionError('GhcrReleaseWorkflow', `project "${this.project.name}" already has a release workflow.`, 'Create one GhcrReleaseWorkflow per project.');
    }
    this.workflow = input;
  }

  /** Registers rust-toolchain.toml (one per project). */
  public setToolchain(input: ToolchainInput): void {
    if (this.toolchainInput) {
      throw new OptionError('RustToolchainFile', `project "${this.project.name}" already has a rust-toolchain.toml.`, 'Create one RustToolchainFile per project.');
    }
    this.toolchainInput = input;
  }

  /** Registers the operator manifest. */
  public setManifest(input: ManifestInput): void {
    this.manifest = input;
  }

  /** Whether the project has an image build. */
  public get hasImageBuild(): boolean {
    return this.imageBuild !== undefined;
  }

  /** The resolved plan. */
  public resolve(): ResolvedPlan {
    if (this.resolved) {
      return this.resolved;
    }
    const plan = this.compute();
    if (this.synthesizing) {
      this.resolved = plan;
    }
    return plan;
  }

  /**
   * Called by every renderer's `preSynthesize` (whichever runs first): from here on, until the
   * files are written, every renderer reads the same plan.
   */
  public beginSynthesis(): ResolvedPlan {
    if (!this.synthesizing) {
      this.synthesizing = true;
      this.resolved = undefined;
      const plan = this.resolve();
      for (const warning of this.validate(plan)) {
        this.project.logger.warn(warning);
      }
    }
    return this.resolve();
  }

  public preSynthesize(): void {
    this.beginSynthesis();
  }

  /** A later synth (tests, drift) resolves again. */
  public postSynthesize(): void {
    this.synthesizing = false;
    this.resolved = undefined;
  }

  /**
   * The checks across constructs, run once at synth time (before anything is written), when
   * everything they read is final. Returns the warnings.
   */
  private validate(plan: ResolvedPlan): string[] {
    const build = this.imageBuild;
    const manifest = CargoManifest.of(this.project);
    if (build?.allocator && manifest && manifest.allocator.mode !== build.allocator.mode) {
      throw new OptionError('allocator', `the Dockerfile uses mode "${build.allocator.mode}" but Cargo.toml is managed for "${manifest.allocator.mode}".`,
        'Pass the same Allocator to JemallocDockerfile and CargoManifest.');
    }
    const fromImage = build?.buildProfile;
    const fromCargo = manifest?.buildProfileOption;
    if (fromImage !== undefined && fromCargo !== undefined && fromImage !== fromCargo) {
      throw new OptionError('buildProfile', `the Dockerfile builds "${fromImage}" but Cargo.toml's build profile is "${fromCargo}".`,
        'Set the build profile once (the project\'s buildProfile option).');
    }
    manifest?.checkBuildProfile(plan.buildProfile, fromImage !== undefined ? 'dockerfileOptions.buildProfile' : 'buildProfile');
    const ids = [build?.gitTokenBuildSecretId, this.workflow?.gitTokenBuildSecretId];
    if (ids[0] !== undefined && ids[1] !== undefined && ids[0] !== ids[1]) {
      throw new OptionError('gitTokenBuildSecretId', `the Dockerfile mounts "${ids[0]}" but the workflow passes "${ids[1]}".`,
        'Name the BuildKit secret once.');
    }
    const channel = plan.toolchain.channel;
    const asked = this.toolchainInput?.channel;
    const carried = plan.builder?.rustVersion;
    // One toolchain: the builder image must carry the channel CI installs from rust-toolchain.toml.
    if (asked !== undefined && carried !== undefined && !sameRelease(asked, carried)) {
      throw new OptionError(this.toolchainInput!.subject, `is "${asked}" but builderImage "${plan.builder!.image}" carries Rust ${carried}; CI (rust-toolchain.toml) and the image would build with different compilers.`,
        `Set one of them: leave builderImage unset (it then follows ${this.toolchainInput!.subject}: "rust:${asked}-slim-${plan.builder!.debianRelease ?? 'bookworm'}"), or leave ${this.toolchainInput!.subject} unset (it then follows builderImage: "${carried}").`);
    }
    const warnings: string[] = [];
    if (plan.builder && carried === undefined) {
      warnings.push(`Cannot tell which Rust builderImage "${plan.builder.image}" carries; rust-toolchain.toml (CI) pins ${channel}. Declare it with BuilderBase.custom(image, { rustVersion }) so both are checked to agree.`);
    }
    // cargo 1.78+ writes lock file version 4, which older cargo cannot read: the image build
    // and CI (same toolchain) would fail on the first `cargo build --locked`.
    const lockVersion = manifest?.package.exists ? manifest.package.lockfileVersion : undefined;
    if (lockVersion !== undefined && lockVersion >= 4 && compareVersions(channel, '1.78') < 0) {
      const option = this.toolchainInput?.subject ?? 'rustToolchain';
      const fromBuilder = asked === undefined && carried !== undefined;
      throw new OptionError('Cargo.lock', `is lock file version ${lockVersion}, which cargo of the Rust toolchain ${channel} (rust-toolchain.toml${fromBuilder ? `, from builderImage "${plan.builder!.image}"` : ''}) cannot read; cargo reads version 4 from 1.78 on.`,
        fromBuilder
          ? `Set builderImage to a newer Rust (e.g. "rust:${DEFAULT_RUST_CHANNEL}-slim-bookworm"), or leave it unset and set ${option} (default ${DEFAULT_RUST_CHANNEL}); or regenerate Cargo.lock with cargo ${channel}.`
          : `Set ${option} to ${DEFAULT_RUST_CHANNEL} or newer (the builder image follows it), or regenerate Cargo.lock with cargo ${channel}.`);
    }
    const releases = plan.builder && plan.runtime && build ? checkDebianReleases(plan.builder, plan.runtime, build.allowNewerBuilderRelease) : [];
    return [...warnings, ...releases];
  }

  private compute(): ResolvedPlan {
    const build = this.imageBuild;
    const workflow = this.workflow;
    const manifest = CargoManifest.of(this.project);
    const allocator = build?.allocator ?? manifest?.allocator ?? new Allocator();
    const cargo = cargoFacts(this.project, manifest, build?.binaryName);
    // One build profile for the Dockerfile, the compile task and the docs.
    const buildProfile = build?.buildProfile ?? manifest?.buildProfileOption ?? 'release';
    const binaryName = cargo.binary;
    const targetDirectory = profileDirectory(buildProfile);
    const binary: BinaryPlan = {
      name: binaryName,
      targetPath: `target/${targetDirectory}/${binaryName}`,
      installPath: `/usr/local/bin/${binaryName}`,
    };

    const token = this.gitToken(build, workflow);
    const fetchSubmodules = workflow?.submodules ?? GitSubmodules.NONE;
    const submodules = { fetch: fetchSubmodules, paths: fetchSubmodules === GitSubmodules.NONE ? [] : submodulePaths(this.project.outdir) };
    let builder: BuilderPlan | undefined;
    let runtime: RuntimePlan | undefined;
    if (build) {
      // The default builder follows the channel asked for; any other carries its own version.
      const builderBase = build.builderBase().forChannel(this.toolchainInput?.channel ?? DEFAULT_RUST_CHANNEL);
      const runtimeBase = build.runtimeBase();
      builder = {
        image: builderBase.image,
        debianRelease: builderBase.debianRelease,
        rustVersion: builderBase.rustVersion,
        followsToolchain: builderBase.followsToolchain,
        packages: aptPackageList([
          ...SEED_BUILDER_PACKAGES,
          ...allocator.builderPackages,
          ...(token ? ['git'] : []),
          ...build.builderPackages,
        ], 'builderPackages'),
      };
      if (runtimeBase.isDistroless && build.runtimeUserGiven && !build.platformUser) {
        throw new OptionError('runtimeUser', `names a user for useradd, and the distroless runtime "${runtimeBase.image}" has no useradd: the image runs as the numeric runtimeUid (${build.runtimeUid}:${build.runtimeUid}).`,
          'Remove runtimeUser and set runtimeUid (65532 is distroless\'s own "nonroot" user), or use a Debian runtime.');
      }
      const provided = new Set(runtimeBase.providedPackages);
      runtime = {
        image: runtimeBase.image,
        debianRelease: runtimeBase.debianRelease,
        // A base that has a package (distroless: CA certificates, libssl3) never gets it again.
        packages: aptPackageList([...SEED_RUNTIME_PACKAGES, ...allocator.runtimePackages, ...build.runtimePackages], 'runtimePackages')
          .filter((name) => !provided.has(name.replace(/[:=].*$/, ''))),
        user: build.platformUser ? undefined : { name: build.runtimeUser, uid: build.runtimeUid },
        distroless: runtimeBase.isDistroless,
        shell: runtimeBase.shell,
        librariesImage: runtimeBase.librariesImage,
        variables: [...allocator.runtimeVariables,
          ...Object.entries(build.runtimeEnvironment).map(([name, value]) => ({ name, value, readBy: READERS.operator }))]
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      };
    }

    return {
      image: workflow?.image,
      cargo,
      binary,
      buildProfile,
      buildFeatures: [...(build?.buildFeatures ?? [])].sort(),
      allocator,
      builder,
      runtime,
      compileTimeFiles: uniqueRoots(['operator.json', ...(build?.compileTimeFiles ?? []), ...targetRootsOutsideSrc(cargo), ...cargo.memberDirectories, ...submodules.paths]),
      dependencyLayer: build?.dependencyLayer ?? true,
      gitToken: token,
      submodules,
      toolchain: {
        channel: toolchainChannel(this.toolchainInput?.channel, builder?.rustVersion),
        components: [...RUST_TOOLCHAIN_COMPONENTS].sort(),
        profile: RUST_TOOLCHAIN_PROFILE,
        file: this.toolchainInput !== undefined,
      },
      ci: {
        packages: aptPackageList(workflow?.systemPackages ?? builder?.packages ?? [], 'systemPackages'),
      },
      release: workflow?.policy ?? new ReleasePolicy(),
      platforms: [...(workflow?.platforms ?? [])],
      pinsContainerVersion: this.manifest?.pinsVersion ?? false,
      localImageTag: `${binaryName}:local`,
    };
  }

  private gitToken(build: ImageBuildInput | undefined, workflow: WorkflowInput | undefined): GitToken | undefined {
    const secretName = workflow?.gitTokenSecret;
    const buildSecretId = build?.gitTokenBuildSecretId ?? workflow?.gitTokenBuildSecretId;
    if (secretName === undefined && build?.gitTokenBuildSecretId === undefined) {
      return undefined;
    }
    return gitToken({ secretName, buildSecretId }, { secretName: 'gitTokenSecret', buildSecretId: 'gitTokenBuildSecretId' });
  }

}

/** Warnings (or an error) when the builder and runtime may not share a glibc. */
function checkDebianReleases(builder: BuilderPlan, runtime: RuntimePlan, allowNewer: boolean): string[] {
  const order = builder.debianRelease && runtime.debianRelease ? compareDebianReleases(builder.debianRelease, runtime.debianRelease) : undefined;
  if (order === undefined) {
    return [`Cannot tell whether builderImage "${builder.image}" (Debian ${builder.debianRelease ?? 'release unknown'}) and runtimeImage "${runtime.image}" (Debian ${runtime.debianRelease ?? 'release unknown'}) share a Debian release; a builder newer than the runtime fails at start-up with "GLIBC_2.xx not found". Declare them with BuilderBase.custom(image, { debianRelease }) and RuntimeBase.custom(image, { debianRelease }).`];
  } else if (order > 0 && !allowNewer) {
    throw new OptionError('builderImage', `"${builder.image}" is Debian ${builder.debianRelease} but the runtime "${runtime.image}" is the older ${runtime.debianRelease}: the binary would need a newer glibc and fail at start-up with "GLIBC_2.xx not found".`,
      `Use a ${runtime.debianRelease} builder (e.g. "rust:${builder.rustVersion ?? DEFAULT_RUST_CHANNEL}-slim-${runtime.debianRelease}") or a ${builder.debianRelease} runtime (e.g. "debian:${builder.debianRelease}-slim"), or set allowNewerBuilderRelease if the binary is known not to need the newer glibc.`);
  } else if (order < 0) {
    return [`builderImage "${builder.image}" (Debian ${builder.debianRelease}) is older than runtimeImage "${runtime.image}" (${runtime.debianRelease}); this works, but the same release is the tested setup.`];
  }
  return [];
}

/**
 * Asked for, else what the builder image carries, else the default; of an asked `1.88` and a
 * builder's `1.88.0` (the same release, checked at synth), the builder's exact one.
 */
function toolchainChannel(asked: string | undefined, carried: string | undefined): string {
  if (asked !== undefined && carried !== undefined && sameRelease(asked, carried)) {
    return carried.split('.').length > asked.split('.').length ? carried : asked;
  }
  return asked ?? carried ?? DEFAULT_RUST_CHANNEL;
}

/** Whether two Rust versions name the same release as far as both say (`1.92` and `1.92.1` do). */
function sameRelease(a: string, b: string): boolean {
  const left = a.split('.');
  const right = b.split('.');
  return left.slice(0, Math.min(left.length, right.length)).every((part, i) => Number(part) === Number(right[i]));
}

/** The seed's build packages (the allocator adds its own). */
export const SEED_BUILDER_PACKAGES = ['pkg-config', 'libssl-dev', 'protobuf-compiler'];
/** The seed's runtime packages (the allocator adds its own). */
export const SEED_RUNTIME_PACKAGES = ['ca-certificates', 'libssl3'];

function cargoFacts(project: Project, manifest: CargoManifest | undefined, binaryOption: string | undefined): CargoFacts {
  if (!manifest) {
    const name = binaryOption ?? project.name;
    return { packageName: project.name, targets: [], hasBinary: false, binary: name, stubs: [{ path: 'src/main.rs', library: false }], workspaceManifests: [], memberDirectories: [], rootSources: true };
  }
  const pkg = manifest.package;
  const hasBinary = pkg.exists && pkg.hasBinary;
  const stubs = pkg.exists ? pkg.dependencyStubs.map((stub) => ({ path: stub.path, library: stub.kind === CargoTargetKind.LIB })) : [];
  // Without a binary of its own the crate gets the sample src/main.rs, written by this synth.
  if (!hasBinary && !stubs.some((stub) => stub.path === 'src/main.rs')) {
    stubs.push({ path: 'src/main.rs', library: false });
  }
  return {
    packageName: manifest.packageName,
    version: manifest.packageVersion,
    targets: manifest.targets,
    buildScript: manifest.buildScript,
    hasBinary,
    binary: hasBinary ? pkg.chooseBinary(binaryOption) : binaryOption ?? manifest.packageName,
    stubs: stubs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    workspaceManifests: pkg.exists ? pkg.manifestFilesToCopy.filter((file) => file !== 'Cargo.toml' && file !== 'Cargo.lock') : [],
    packageArgument: pkg.exists ? pkg.buildPackageArgument : undefined,
    memberDirectories: pkg.exists && pkg.workspaceRoot === '.' ? pkg.memberDirectories.filter((dir) => dir !== '.') : [],
    // A member project's own src/ is its root's; a workspace root has one when it is a package too.
    rootSources: !pkg.exists || pkg.workspaceRoot !== '.' || pkg.memberDirectories.includes('.'),
  };
}

/**
 * What `cargo build` compiles from outside `src/`: the top-level file or folder of the build
 * script and of `[lib]` / `[[bin]]` paths elsewhere (`build.rs`, `build/` for `build/main.rs`),
 * so the modules next to them come along.
 */
function targetRootsOutsideSrc(cargo: CargoFacts): string[] {
  const built = cargo.targets
    .filter((target) => target.kind === CargoTargetKind.LIB || target.kind === CargoTargetKind.BIN)
    .map((target) => target.path);
  return [...(cargo.buildScript ? [cargo.buildScript] : []), ...built]
    .map(normalizePath)
    .filter((file) => file.split('/')[0] !== 'src')
    .map((file) => (file.includes('/') ? file.split('/')[0] : file));
}

/** A relative path without `./`, duplicate or trailing slashes. */
export function normalizePath(file: string): string {
  return path.posix.normalize(file).replace(/\/+$/, '');
}

/** Whether `file` is `root` or inside it. */
export function isUnder(file: string, root: string): boolean {
  return file === root || file.startsWith(`${root}/`);
}

/** Paths in first-seen order, normalized, without duplicates or paths inside another one. */
export function uniqueRoots(files: string[]): string[] {
  const normalized = [...new Set(files.map(normalizePath))];
  return normalized.filter((file) => !normalized.some((other) => other !== file && isUnder(file, other)));
}
