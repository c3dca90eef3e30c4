import * as path from 'path';
import { Project } from 'projen';
import { aptPackageList } from './apt-packages';
import { Dockerfile, DockerfileStage } from './dockerfile';
import { DockerInstruction } from './dockerfile-instruction';
import { OperatorDockerignore } from './dockerignore';
import { compareDebianReleases, ImageReference } from './image-reference';
import { Allocator } from '../allocator';
import { CargoManifest } from '../cargo/cargo-manifest';
import { CargoTargetKind } from '../cargo/cargo-target';
import { OptionError } from '../errors';

/** Options for `JemallocDockerfile`. */
export interface JemallocDockerfileOptions {
  /**
   * Name of the binary the image runs (a `[[bin]]` of the crate).
   * @default - the Cargo package name, else the project name
   */
  readonly binaryName?: string;

  /**
   * Image of the builder stage. Keep it on the same Debian release as `runtimeImage`.
   * @default JemallocDockerfile.DEFAULT_BUILDER_IMAGE ("rust:1.75-slim-bookworm")
   */
  readonly builderImage?: string;

  /**
   * Image of the runtime stage.
   * @default JemallocDockerfile.DEFAULT_RUNTIME_IMAGE ("debian:bookworm-slim")
   */
  readonly runtimeImage?: string;

  /**
   * The allocator; its packages and environment are added to the stages.
   * @default - `new Allocator()` (tikv-jemallocator linked AND libjemalloc2 preloaded)
   */
  readonly allocator?: Allocator;

  /**
   * Extra Debian packages for the builder stage (e.g. "libcairo2-dev"). The CI workflow's
   * system-dependencies step installs the same list.
   * @default []
   */
  readonly builderPackages?: string[];

  /**
   * Extra Debian packages for the runtime stage (e.g. "libcairo2").
   * @default []
   */
  readonly runtimePackages?: string[];

  /**
   * Files or folders the compiler reads besides `src/` (`include_str!`, `build.rs`, `protos/`).
   * `operator.json` and the crate's build script are always copied.
   * @default []
   */
  readonly compileTimeFiles?: string[];

  /**
   * Cargo profile to build.
   * @default - the `CargoManifest`'s build profile, else "release"
   */
  readonly buildProfile?: string;

  /**
   * Extra Cargo features to enable for the image build (default features are always on).
   * @default []
   */
  readonly buildFeatures?: string[];

  /**
   * BuildKit secret id holding a token for private git dependencies. When set, both cargo
   * steps mount it and hand it to git through a credential helper that lives only for that
   * step; an absent or empty secret changes nothing.
   * @default - no secret
   */
  readonly gitTokenSecret?: string;

  /**
   * Name of the non-root runtime user.
   * @default "operator"
   */
  readonly runtimeUser?: string;

  /**
   * uid (and gid) of the runtime user.
   * @default 1000
   */
  readonly runtimeUid?: number;

  /**
   * Build dependencies in their own layer from the manifest alone (cargo-chef style), so a
   * change in `src/` does not recompile them, also with `cache-to: type=gha`.
   * @default true
   */
  readonly dependencyLayer?: boolean;

  /**
   * Allow a builder on a newer Debian release than the runtime (the binary would need a newer
   * glibc than the runtime has and fail with "GLIBC_2.xx not found").
   * @default false
   */
  readonly allowNewerBuilderRelease?: boolean;
}

/**
 * The operator image of the seed: a builder stage with the Rust toolchain and build packages,
 * and a slim runtime stage with only runtime libraries, the binary in `/usr/local/bin`, a
 * non-root user (uid 1000), the allocator's environment and an exec-form entrypoint.
 *
 * Subclass it and override the protected methods to swap base images or packages.
 */
export class JemallocDockerfile extends Dockerfile {
  /** The seed's builder image. */
  public static readonly DEFAULT_BUILDER_IMAGE = 'rust:1.75-slim-bookworm';
  /** The seed's runtime image. */
  public static readonly DEFAULT_RUNTIME_IMAGE = 'debian:bookworm-slim';
  /** The seed's build packages (the allocator adds its own). */
  public static readonly SEED_BUILDER_PACKAGES = ['pkg-config', 'libssl-dev', 'protobuf-compiler'];
  /** The seed's runtime packages (the allocator adds its own). */
  public static readonly SEED_RUNTIME_PACKAGES = ['ca-certificates', 'libssl3'];
  /** Alias of the builder stage. */
  public static readonly BUILDER_STAGE = 'builder';
  /** Alias of the runtime stage. */
  public static readonly RUNTIME_STAGE = 'runtime';
  /** Where the builder keeps the crate. */
  public static readonly BUILD_DIR = '/build';

  /** Returns the `JemallocDockerfile` of a project, or undefined. */
  public static of(project: Project): JemallocDockerfile | undefined {
    return project.components.find((c): c is JemallocDockerfile => c instanceof JemallocDockerfile);
  }

  /** The allocator whose packages and environment the image carries. */
  public readonly allocator: Allocator;
  /** The `.dockerignore` that goes with this Dockerfile. */
  public readonly dockerignore: OperatorDockerignore;

  private readonly options: JemallocDockerfileOptions;

  constructor(project: Project, options: JemallocDockerfileOptions = {}) {
    super(project);
    this.options = options;
    this.allocator = options.allocator ?? new Allocator();
    this.dockerignore = new OperatorDockerignore(project);
    // Validate everything now, while .projenrc.ts runs and before anything is written.
    ImageReference.parse(options.builderImage ?? JemallocDockerfile.DEFAULT_BUILDER_IMAGE, 'builderImage');
    ImageReference.parse(options.runtimeImage ?? JemallocDockerfile.DEFAULT_RUNTIME_IMAGE, 'runtimeImage');
    aptPackageList(options.builderPackages ?? [], 'builderPackages');
    aptPackageList(options.runtimePackages ?? [], 'runtimePackages');
    for (const file of options.compileTimeFiles ?? []) {
      if (path.isAbsolute(file) || file.split(/[\\/]/).includes('..') || /[\s*?$`'"\\]/.test(file) || file === '') {
        throw new OptionError('compileTimeFiles', `"${file}" is not a plain path inside the project.`,
          'List paths relative to the project root without spaces, wildcards or "..", e.g. "palettes.json" or "protos".');
      }
    }
    if (options.gitTokenSecret !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(options.gitTokenSecret)) {
      throw new OptionError('gitTokenSecret', `"${options.gitTokenSecret}" is not a valid BuildKit secret id.`,
        'Use letters, digits, "_", "-" or ".", e.g. "git_token".');
    }
    const uid = options.runtimeUid ?? 1000;
    if (!Number.isInteger(uid) || uid < 1 || uid > 2147483647) {
      throw new OptionError('runtimeUid', `${uid} is not a non-root uid.`, 'Use a positive integer such as 1000.');
    }
    if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(this.runtimeUserName())) {
      throw new OptionError('runtimeUser', `"${this.runtimeUserName()}" is not a valid Linux user name.`,
        'Use lowercase letters, digits, "_" or "-", starting with a letter, e.g. "operator".');
    }
    for (const features of [options.buildFeatures ?? []]) {
      for (const feature of features) {
        if (!/^[A-Za-z0-9_][A-Za-z0-9_+.\/-]*$/.test(feature)) {
          throw new OptionError('buildFeatures', `"${feature}" is not a Cargo feature name.`, 'Use names as `cargo build --features` takes them.');
        }
      }
    }
    this.checkDebianReleases();
    for (const file of this.compileTimeFiles()) {
      this.dockerignore.addRequiredPath(file);
    }
  }

  /** Debian packages installed in the builder stage (sorted, deduplicated). */
  public get builderPackageList(): string[] {
    return aptPackageList(this.builderPackages(), 'builderPackages');
  }

  /** Debian packages installed in the runtime stage (sorted, deduplicated). */
  public get runtimePackageList(): string[] {
    return aptPackageList(this.runtimePackages(), 'runtimePackages');
  }

  /** The builder stage's image. */
  public get builderImageName(): string {
    return this.builderImage();
  }

  /** The runtime stage's image. */
  public get runtimeImageName(): string {
    return this.runtimeImage();
  }

  /** The Rust version of the builder image (`1.75` for `rust:1.75-slim-bookworm`), if its tag says. */
  public get rustVersion(): string | undefined {
    return ImageReference.parse(this.builderImage(), 'builderImage').rustVersion;
  }

  /** The binary the image runs. */
  public get binary(): string {
    return this.binaryName();
  }

  /** The binary's path in the runtime image. */
  public get binaryPath(): string {
    return `/usr/local/bin/${this.binaryName()}`;
  }

  /** The Cargo profile the image is built with. */
  public get profile(): string {
    return this.buildProfile();
  }

  /** Environment variables of the runtime image. */
  public get runtimeEnvironmentVariables(): { [name: string]: string } {
    return this.runtimeEnvironment();
  }

  /** The BuildKit secret id for private git dependencies, if configured. */
  public get gitTokenSecretId(): string | undefined {
    return this.options.gitTokenSecret;
  }

  /** The runtime user's uid. */
  public get runtimeUid(): number {
    return this.options.runtimeUid ?? 1000;
  }

  /** The builder image. Override to use a custom base image. */
  protected builderImage(): string {
    return this.options.builderImage ?? JemallocDockerfile.DEFAULT_BUILDER_IMAGE;
  }

  /** The runtime image. Override to use a custom base image. */
  protected runtimeImage(): string {
    return this.options.runtimeImage ?? JemallocDockerfile.DEFAULT_RUNTIME_IMAGE;
  }

  /** Build packages: the seed's, the allocator's, git for private dependencies, and extras. */
  protected builderPackages(): string[] {
    return [
      ...JemallocDockerfile.SEED_BUILDER_PACKAGES,
      ...this.allocator.builderPackages,
      ...(this.options.gitTokenSecret ? ['git'] : []),
      ...(this.options.builderPackages ?? []),
    ];
  }

  /** Runtime packages: the seed's, the allocator's, and extras. */
  protected runtimePackages(): string[] {
    return [
      ...JemallocDockerfile.SEED_RUNTIME_PACKAGES,
      ...this.allocator.runtimePackages,
      ...(this.options.runtimePackages ?? []),
    ];
  }

  /** The runtime environment: the allocator's variables. */
  protected runtimeEnvironment(): { [name: string]: string } {
    return this.allocator.runtimeEnvironment;
  }

  /** The binary name. */
  protected binaryName(): string {
    return this.options.binaryName ?? this.cargo()?.packageName ?? this.project.name;
  }

  /** The Cargo profile to build. */
  protected buildProfile(): string {
    return this.options.buildProfile ?? this.cargo()?.buildProfile ?? 'release';
  }

  /** The runtime user name. */
  protected runtimeUserName(): string {
    return this.options.runtimeUser ?? 'operator';
  }

  /**
   * Paths copied into the builder besides the manifest and `src/`: operator.json, the build
   * script, and `compileTimeFiles`.
   */
  protected compileTimeFiles(): string[] {
    const files = ['operator.json', ...(this.options.compileTimeFiles ?? [])];
    const buildScript = this.cargo()?.buildScript;
    if (buildScript && !files.includes(buildScript)) {
      files.push(buildScript);
    }
    return files;
  }

  protected defineStages(): void {
    this.defineBuilderStage(this.addStage(JemallocDockerfile.BUILDER_STAGE, {
      from: this.builderImage(),
      comment: 'Builder: the Rust toolchain and build packages; discarded after the build.',
    }));
    this.defineRuntimeStage(this.addStage(JemallocDockerfile.RUNTIME_STAGE, {
      from: this.runtimeImage(),
      comment: 'Runtime: runtime libraries and the binary only; no toolchain.',
    }));
  }

  /** Adds the builder stage's instructions. */
  protected defineBuilderStage(stage: DockerfileStage): void {
    stage.addInstruction('packages', this.aptInstall(this.builderPackageList)
      .withComment('Build packages, from the same list as the CI workflow\'s system-dependencies step.'));
    stage.addInstruction('workdir', DockerInstruction.workdir(JemallocDockerfile.BUILD_DIR));
    if (this.options.dependencyLayer ?? true) {
      stage.addInstruction('manifest', DockerInstruction.copy(['Cargo.toml', 'Cargo.lock*'], './')
        .withComment('Dependency layer: compiled from the manifest alone, so a change in src/ reuses it.'));
      const stubs = this.dependencyStubPaths();
      stage.addInstruction('dependencies', this.cargoRun([
        ...stubs.map((file) => this.stubCommand(file)),
        this.cargoBuildCommand(),
        `rm -rf ${[...new Set(stubs.map((file) => file.split('/')[0]))].sort().join(' ')}`,
      ]));
    } else {
      stage.addInstruction('manifest', DockerInstruction.copy(['Cargo.toml', 'Cargo.lock*'], './'));
    }
    const files = this.compileTimeFiles();
    files.forEach((file, index) => {
      stage.addInstruction(`compile-time-file-${index + 1}`, DockerInstruction.copy([file], `./${file}`));
    });
    stage.addInstruction('sources', DockerInstruction.copy(['src'], './src'));
    // Sources keep their checkout mtimes, which can be older than the stub build: touch them so
    // cargo rebuilds the crate instead of reusing the stub.
    const touched = ['src', ...files].sort();
    stage.addInstruction('build', this.cargoRun([
      ...this.finalStubPaths().map((file) => `{ [ -e ${file} ] || { ${this.stubCommand(file)}; }; }`),
      `find ${touched.join(' ')} -type f -exec touch {} +`,
      this.cargoBuildCommand(),
    ]));
  }

  /** Adds the runtime stage's instructions. */
  protected defineRuntimeStage(stage: DockerfileStage): void {
    const uid = this.runtimeUid;
    const user = this.runtimeUserName();
    stage.addInstruction('packages', this.aptInstall(this.runtimePackageList));
    stage.addInstruction('user', DockerInstruction.run(this.createRuntimeUserCommands(user, uid))
      .withComment(`Non-root user ${user} (uid ${uid}). Debian already has a group named "operator", so the\ngroup gets its own name instead of useradd's default.`));
    const profileDir = this.cargo()?.profileDirectory(this.buildProfile()) ?? defaultProfileDirectory(this.buildProfile());
    stage.addInstruction('binary', DockerInstruction.copy(
      [`${JemallocDockerfile.BUILD_DIR}/target/${profileDir}/${this.binaryName()}`], this.binaryPath,
      { from: JemallocDockerfile.BUILDER_STAGE }));
    const env = this.runtimeEnvironment();
    if (Object.keys(env).length > 0) {
      stage.addInstruction('environment', DockerInstruction.env(env).withComment(this.environmentComment()));
    }
    stage.addInstruction('run-as', DockerInstruction.user(`${uid}:${uid}`));
    stage.addInstruction('home', DockerInstruction.workdir(`/home/${user}`));
    stage.addInstruction('entrypoint', DockerInstruction.entrypoint([this.binaryPath]));
  }

  /** Shell commands creating the runtime user and its group. */
  protected createRuntimeUserCommands(user: string, uid: number): string[] {
    return [
      `groupadd --gid ${uid} ${user}-group`,
      `useradd --uid ${uid} --gid ${uid} --create-home --shell /usr/sbin/nologin ${user}`,
    ];
  }

  /** Explains the environment in the Dockerfile. */
  protected environmentComment(): string {
    const lines: string[] = [];
    if (this.allocator.preloaded) {
      lines.push(`LD_PRELOAD by soname works on every architecture; MALLOC_CONF tunes the preloaded libjemalloc2.`);
    }
    if (this.allocator.linked) {
      lines.push('_RJEM_MALLOC_CONF tunes the tikv-jemallocator linked into the binary (it ignores MALLOC_CONF).');
    }
    return lines.join('\n');
  }

  /** `cargo build` of the configured profile, `--locked` when Cargo.lock exists. */
  protected cargoBuildCommand(): string {
    const features = this.options.buildFeatures?.length ? ` --features ${[...this.options.buildFeatures].sort().join(',')}` : '';
    return `cargo build --profile ${this.buildProfile()}${features} $(test -f Cargo.lock && echo --locked)`;
  }

  /** Files stubbed for the dependency layer: `src/main.rs` plus every explicit target of the manifest. */
  protected dependencyStubPaths(): string[] {
    const cargo = this.cargo();
    const paths = new Set<string>(['src/main.rs', ...(cargo?.targetPaths ?? [])]);
    return [...paths].sort();
  }

  /** Explicit target files the final build needs but no COPY brings (e.g. `[[bench]]` paths). */
  protected finalStubPaths(): string[] {
    const copied = ['src', ...this.compileTimeFiles()];
    return (this.cargo()?.targetPaths ?? [])
      .filter((file) => !copied.some((root) => file === root || file.startsWith(`${root}/`)))
      .sort();
  }

  /** A shell command writing a stub for a target file: empty for a library, `fn main() {}` otherwise. */
  protected stubCommand(file: string): string {
    const dir = path.posix.dirname(file);
    const isLibrary = this.cargo()?.targets.some((target) => target.kind === CargoTargetKind.LIB && target.path === file) ?? false;
    return `${dir === '.' ? '' : `mkdir -p ${dir} && `}echo '${isLibrary ? '' : 'fn main() {}'}' > ${file}`;
  }

  private cargoRun(commands: string[]): DockerInstruction {
    const secret = this.options.gitTokenSecret;
    if (!secret) {
      return DockerInstruction.run(commands);
    }
    const file = `/run/secrets/${secret}`;
    // The token reaches git only through a credential helper that reads the secret file; it
    // never enters an ENV, ARG, layer, image history or the build cache key.
    const helper = `!f() { test "$1" = get && echo username=x-access-token && echo "password=$(cat ${file})"; }; f`;
    const setup = `if [ -s ${file} ]; then export CARGO_NET_GIT_FETCH_WITH_CLI=true GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=credential.helper GIT_CONFIG_VALUE_0='${helper}'; fi`;
    return DockerInstruction.run([setup, ...commands], { mounts: [`type=secret,id=${secret},required=false`] });
  }

  private aptInstall(packages: string[]): DockerInstruction {
    return DockerInstruction.run([
      'apt-get update',
      `apt-get install -y --no-install-recommends ${packages.join(' ')}`,
      'rm -rf /var/lib/apt/lists/*',
    ]);
  }

  private checkDebianReleases(): void {
    const builder = ImageReference.parse(this.builderImage(), 'builderImage');
    const runtime = ImageReference.parse(this.runtimeImage(), 'runtimeImage');
    const builderRelease = builder.debianRelease;
    const runtimeRelease = runtime.debianRelease;
    if (builderRelease && runtimeRelease) {
      const order = compareDebianReleases(builderRelease, runtimeRelease)!;
      if (order > 0 && !this.options.allowNewerBuilderRelease) {
        throw new OptionError('builderImage', `"${builder}" is Debian ${builderRelease} but the runtime "${runtime}" is the older ${runtimeRelease}: the binary would need a newer glibc and fail at start-up with "GLIBC_2.xx not found".`,
          `Use a ${runtimeRelease} builder (e.g. "rust:1.75-slim-${runtimeRelease}") or a ${builderRelease} runtime (e.g. "debian:${builderRelease}-slim").`);
      }
      if (order < 0) {
        this.project.logger.warn(`builderImage "${builder}" (Debian ${builderRelease}) is older than runtimeImage "${runtime}" (${runtimeRelease}); this works, but the same release is the tested setup.`);
      }
    } else if (builderRelease !== runtimeRelease) {
      this.project.logger.warn(`Cannot tell whether builderImage "${builder}" and runtimeImage "${runtime}" share a Debian release; a builder newer than the runtime fails at start-up with "GLIBC_2.xx not found".`);
    }
  }

  private cargo(): CargoManifest | undefined {
    return CargoManifest.of(this.project);
  }
}

function defaultProfileDirectory(profile: string): string {
  return profile === 'dev' || profile === 'test' ? 'debug' : profile === 'bench' ? 'release' : profile;
}
