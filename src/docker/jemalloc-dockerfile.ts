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
import { validateProfileName } from '../cargo/profile-rules';
import { checkOptionNames } from '../core/option-names';
import { OptionError } from '../errors';

/** Options for `JemallocDockerfile.dockerBuildCommand`. */
export interface DockerBuildCommandOptions {
  /**
   * Tag of the built image.
   * @default - `localImageTag` (`<binary>:local`)
   */
  readonly tag?: string;
  /**
   * Build without the layer cache.
   * @default false
   */
  readonly noCache?: boolean;
}

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
   * Always copied as well: `operator.json`, the crate's build script, and the top-level file or
   * folder of a `[lib]` or `[[bin]]` path outside `src/`. Each is also kept out of `.dockerignore`
   * exclusions.
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
   * Name of the non-root runtime user (at most 26 characters: its group is `<name>-group`; not a
   * Debian system account such as "nobody").
   * @default "operator"
   */
  readonly runtimeUser?: string;

  /**
   * uid (and gid) of the runtime user. Not 0 (root), and not one Debian reserves for system
   * accounts (1-100, 65534).
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
  /** Environment variable that `dockerBuildCommand` reads the git token secret from. */
  public static readonly LOCAL_GIT_TOKEN_VARIABLE = 'GIT_TOKEN';

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
    checkOptionNames(options, 'JemallocDockerfileOptions', 'JemallocDockerfile');
    super(project);
    this.options = options;
    this.allocator = options.allocator ?? new Allocator();
    this.dockerignore = new OperatorDockerignore(project);
    // Validate the options now, while .projenrc.ts runs and before anything is written. What
    // overridable methods return is checked in preSynthesize, once a subclass is initialised.
    if (options.builderImage !== undefined) ImageReference.parse(options.builderImage, 'builderImage');
    if (options.runtimeImage !== undefined) ImageReference.parse(options.runtimeImage, 'runtimeImage');
    aptPackageList(options.builderPackages ?? [], 'builderPackages');
    aptPackageList(options.runtimePackages ?? [], 'runtimePackages');
    checkCompileTimeFiles(options.compileTimeFiles ?? [], 'compileTimeFiles');
    if (options.gitTokenSecret !== undefined && (typeof options.gitTokenSecret !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(options.gitTokenSecret))) {
      throw new OptionError('gitTokenSecret', `${JSON.stringify(options.gitTokenSecret)} is not a valid BuildKit secret id.`,
        'Use letters, digits, "_", "-" or ".", e.g. "git_token".');
    }
    checkRuntimeUid(options.runtimeUid ?? 1000);
    if (options.runtimeUser !== undefined) checkRuntimeUser(options.runtimeUser);
    if (options.binaryName !== undefined) checkBinaryName(options.binaryName, 'binaryName');
    if (options.buildProfile !== undefined) validateProfileName(options.buildProfile, 'buildProfile');
    for (const feature of options.buildFeatures ?? []) {
      if (typeof feature !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_+./-]*$/.test(feature)) {
        throw new OptionError('buildFeatures', `${JSON.stringify(feature)} is not a Cargo feature name.`, 'Use names as `cargo build --features` takes them.');
      }
    }
  }

  /**
   * Checks what the (possibly overridden) methods return, registers the compile-time files
   * with the `.dockerignore` and defines the stages: all before projen writes any file.
   */
  public preSynthesize(): void {
    ImageReference.parse(this.builderImage(), 'builderImage');
    ImageReference.parse(this.runtimeImage(), 'runtimeImage');
    checkRuntimeUser(this.runtimeUserName());
    checkBinaryName(this.binaryName(), this.options.binaryName !== undefined ? 'binaryName' : 'Cargo.toml package.name');
    validateProfileName(this.buildProfile(), this.options.buildProfile !== undefined ? 'buildProfile' : 'cargo.buildProfile');
    this.checkTargetPaths();
    const files = this.compileTimeFiles();
    checkCompileTimeFiles(files, 'compileTimeFiles');
    this.checkDebianReleases();
    for (const file of files) {
      this.dockerignore.addRequiredPath(file);
    }
    super.preSynthesize();
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

  /** Tag of a locally built image (`<binary>:local`). */
  public get localImageTag(): string {
    return `${this.binary}:local`;
  }

  /**
   * The `docker build` command of this image, as the `docker:build` task and the docs run it.
   * With a git token secret, the secret comes from the `GIT_TOKEN` environment variable; with
   * `env=` docker builds on when the variable is unset (the mount is optional).
   */
  public dockerBuildCommand(options: DockerBuildCommandOptions = {}): string {
    const flags = [
      ...(options.noCache ? ['--no-cache'] : []),
      ...(this.gitTokenSecretId ? [`--secret id=${this.gitTokenSecretId},env=${JemallocDockerfile.LOCAL_GIT_TOKEN_VARIABLE}`] : []),
    ];
    return ['docker build', ...flags, `-t ${options.tag ?? this.localImageTag} .`].join(' ');
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

  /**
   * The binary name: the `[[bin]]` built from `src/main.rs` when Cargo.toml declares one, else
   * the package name (cargo's name for `src/main.rs`), else the project name.
   */
  protected binaryName(): string {
    if (this.options.binaryName !== undefined) {
      return this.options.binaryName;
    }
    const cargo = this.cargo();
    if (!cargo) {
      return this.project.name;
    }
    const main = cargo.targets.find((target) => target.kind === CargoTargetKind.BIN && normalizePath(target.path) === 'src/main.rs' && target.name);
    return main?.name ?? cargo.packageName;
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
   * The Debian release of the builder image (`bookworm`), or undefined when unknown. Read from
   * the image reference by default; override it in a subclass with a custom image (e.g. a
   * `:latest` tag) to declare the release, so the builder/runtime check covers it too.
   */
  protected builderDebianRelease(): string | undefined {
    return ImageReference.parse(this.builderImage(), 'builderImage').debianRelease;
  }

  /** The Debian release of the runtime image; see `builderDebianRelease`. */
  protected runtimeDebianRelease(): string | undefined {
    return ImageReference.parse(this.runtimeImage(), 'runtimeImage').debianRelease;
  }

  /**
   * Paths copied into the builder besides the manifest and `src/`: operator.json, the build
   * script, and `compileTimeFiles`.
   */
  protected compileTimeFiles(): string[] {
    return uniqueRoots(['operator.json', ...(this.options.compileTimeFiles ?? []), ...this.targetRootsOutsideSrc()]);
  }

  /**
   * What `cargo build` compiles from outside `src/`: the top-level file or folder of the build
   * script and of `[lib]` / `[[bin]]` paths elsewhere (`build.rs`, `build/` for
   * `build/main.rs`), so the modules next to them come along.
   */
  protected targetRootsOutsideSrc(): string[] {
    const cargo = this.cargo();
    if (!cargo) {
      return [];
    }
    const built = cargo.targets
      .filter((target) => target.kind === CargoTargetKind.LIB || target.kind === CargoTargetKind.BIN)
      .map((target) => target.path);
    const buildScript = cargo.buildScript;
    return [...(buildScript ? [buildScript] : []), ...built]
      .map((file) => normalizePath(file))
      .filter((file) => file.split('/')[0] !== 'src')
      .map((file) => (file.includes('/') ? file.split('/')[0] : file));
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
    if (this.builderPackageList.length > 0) {
      stage.addInstruction('packages', this.aptInstall(this.builderPackageList)
        .withComment('Build packages, from the same list as the CI workflow\'s system-dependencies step.'));
    }
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
    const files = this.compileTimeFiles().map(normalizePath).filter((file) => !isUnder(file, 'src'));
    files.forEach((file, index) => {
      stage.addInstruction(`compile-time-file-${index + 1}`, DockerInstruction.copy([file], `./${file}`));
    });
    stage.addInstruction('sources', DockerInstruction.copy(['src'], './src'));
    // Sources keep their checkout mtimes, which can be older than the stub build: touch them so
    // cargo rebuilds the crate instead of reusing the stub.
    const touched = uniqueRoots(['src', ...files]).sort();
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
    if (this.runtimePackageList.length > 0) {
      stage.addInstruction('packages', this.aptInstall(this.runtimePackageList));
    }
    stage.addInstruction('user', DockerInstruction.run(this.createRuntimeUserCommands(user, uid))
      .withComment(`Non-root user ${user} (uid ${uid}) in its own group ${user}-group: useradd's default group,\nnamed like the user, fails for "operator" on Debian, which already has that group.`));
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
      lines.push('LD_PRELOAD by soname works on every architecture; MALLOC_CONF tunes the preloaded libjemalloc2.');
    }
    if (this.allocator.linkedConfVariable === '_RJEM_MALLOC_CONF') {
      lines.push('_RJEM_MALLOC_CONF tunes the tikv-jemallocator linked into the binary (it ignores MALLOC_CONF).');
    } else if (this.allocator.linked) {
      lines.push('MALLOC_CONF tunes the tikv-jemallocator linked into the binary (built unprefixed, it is the process\'s malloc).');
    }
    return lines.join('\n');
  }

  /** `cargo build` of the configured profile, `--locked` when Cargo.lock exists. */
  protected cargoBuildCommand(): string {
    const features = this.options.buildFeatures?.length ? ` --features ${[...this.options.buildFeatures].sort().join(',')}` : '';
    return `cargo build --profile ${this.buildProfile()}${features} $(test -f Cargo.lock && echo --locked)`;
  }

  /**
   * Files stubbed for the dependency layer: `src/main.rs`, every explicit target of the
   * manifest, and the build script (also one cargo finds by itself), so build-dependencies are
   * compiled in that layer too.
   */
  protected dependencyStubPaths(): string[] {
    const cargo = this.cargo();
    const buildScript = cargo?.buildScript;
    const paths = new Set<string>(['src/main.rs', ...(cargo?.targetPaths ?? []), ...(buildScript ? [buildScript] : [])].map(normalizePath));
    return [...paths].sort();
  }

  /** Explicit target files the final build needs but no COPY brings (e.g. `[[bench]]` paths). */
  protected finalStubPaths(): string[] {
    const copied = ['src', ...this.compileTimeFiles().map(normalizePath)];
    return [...new Set((this.cargo()?.targetPaths ?? []).map(normalizePath))]
      .filter((file) => !copied.some((root) => isUnder(file, root)))
      .sort();
  }

  /** A shell command writing a stub for a target file: empty for a library, `fn main() {}` otherwise. */
  protected stubCommand(file: string): string {
    const dir = path.posix.dirname(file);
    const isLibrary = this.cargo()?.targets.some((target) => target.kind === CargoTargetKind.LIB && normalizePath(target.path) === file) ?? false;
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
    const setup = `if [ -s ${file} ]; then export CARGO_NET_GIT_FETCH_WITH_CLI=true GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=credential.https://github.com.helper GIT_CONFIG_VALUE_0='${helper}'; fi`;
    return DockerInstruction.run([setup, ...commands], { mounts: [`type=secret,id=${secret},required=false`] });
  }

  /** `apt-get install` of the packages; override to change how packages are installed. */
  protected aptInstall(packages: string[]): DockerInstruction {
    return DockerInstruction.run([
      'apt-get update',
      `apt-get install -y --no-install-recommends ${packages.join(' ')}`,
      'rm -rf /var/lib/apt/lists/*',
    ]);
  }

  /** Target paths of Cargo.toml end up in shell commands and COPY lines: they must be plain and inside the context. */
  private checkTargetPaths(): void {
    const cargo = this.cargo();
    const buildScript = cargo?.buildScript;
    const declared = [...(cargo?.targets ?? []).map((target) => ({ kind: target.kind, file: target.path })),
      ...(buildScript ? [{ kind: CargoTargetKind.BUILD_SCRIPT, file: buildScript }] : [])];
    for (const { kind, file } of declared) {
      try {
        checkCompileTimeFiles([file], 'path');
      } catch {
        throw new OptionError(CargoManifest.FILE_NAME, `the ${kind} target path ${JSON.stringify(file)} is not a plain path inside the project, which the Docker build context and the generated shell commands need.`,
          'Use a relative path inside the crate without "..", spaces or shell characters, e.g. "src/bin/dev.rs".');
      }
    }
  }

  private checkDebianReleases(): void {
    const builder = this.builderImage();
    const runtime = this.runtimeImage();
    const builderRelease = this.builderDebianRelease();
    const runtimeRelease = this.runtimeDebianRelease();
    const order = builderRelease && runtimeRelease ? compareDebianReleases(builderRelease, runtimeRelease) : undefined;
    if (order === undefined) {
      this.project.logger.warn(`Cannot tell whether builderImage "${builder}" (Debian ${builderRelease ?? 'release unknown'}) and runtimeImage "${runtime}" (Debian ${runtimeRelease ?? 'release unknown'}) share a Debian release; a builder newer than the runtime fails at start-up with "GLIBC_2.xx not found". A subclass can declare them by overriding builderDebianRelease() and runtimeDebianRelease().`);
    } else if (order > 0 && !this.options.allowNewerBuilderRelease) {
      throw new OptionError('builderImage', `"${builder}" is Debian ${builderRelease} but the runtime "${runtime}" is the older ${runtimeRelease}: the binary would need a newer glibc and fail at start-up with "GLIBC_2.xx not found".`,
        `Use a ${runtimeRelease} builder (e.g. "rust:1.75-slim-${runtimeRelease}") or a ${builderRelease} runtime (e.g. "debian:${builderRelease}-slim"), or set allowNewerBuilderRelease if the binary is known not to need the newer glibc.`);
    } else if (order < 0) {
      this.project.logger.warn(`builderImage "${builder}" (Debian ${builderRelease}) is older than runtimeImage "${runtime}" (${runtimeRelease}); this works, but the same release is the tested setup.`);
    }
  }

  private cargo(): CargoManifest | undefined {
    return CargoManifest.of(this.project);
  }
}

function defaultProfileDirectory(profile: string): string {
  return profile === 'dev' || profile === 'test' ? 'debug' : profile === 'bench' ? 'release' : profile;
}

/** Debian's base-passwd users: `useradd` of one of these names fails, the user already exists. */
const DEBIAN_SYSTEM_USERS = ['root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp',
  'proxy', 'www-data', 'backup', 'list', 'irc', 'gnats', 'nobody', '_apt'];

function checkRuntimeUid(uid: number): void {
  if (typeof uid !== 'number' || !Number.isInteger(uid) || uid < 1 || uid > 2147483647) {
    throw new OptionError('runtimeUid', `${JSON.stringify(uid)} is not a non-root uid (0 is root).`, 'Use a positive integer such as 1000.');
  }
  if (uid <= 100 || uid === 65534) {
    throw new OptionError('runtimeUid', `${uid} is a uid/gid Debian reserves for system accounts (1-100, 65534), so groupadd/useradd would fail or share an identity with a system account.`,
      'Use 1000 (the default) or another uid of 1000 and up.');
  }
}

function checkRuntimeUser(user: string): void {
  // The group is named `<user>-group`, and group names are limited to 32 characters.
  if (typeof user !== 'string' || !/^[a-z_][a-z0-9_-]{0,25}$/.test(user)) {
    throw new OptionError('runtimeUser', `${JSON.stringify(user)} is not a valid Linux user name here.`,
      'Use at most 26 lowercase letters, digits, "_" or "-", starting with a letter or "_", e.g. "operator".');
  }
  if (DEBIAN_SYSTEM_USERS.includes(user)) {
    throw new OptionError('runtimeUser', `"${user}" is a Debian system account; useradd would fail (and it must not be root).`, 'Use a name of your own, e.g. "operator".');
  }
}

function checkBinaryName(name: string, option: string): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(name)) {
    throw new OptionError(option, `${JSON.stringify(name)} is not a Cargo binary name.`, 'Use letters, digits, "_" and "-", e.g. "my_operator".');
  }
}

function checkCompileTimeFiles(files: readonly string[], option: string): void {
  for (const file of files) {
    if (typeof file !== 'string' || file === '' || path.posix.isAbsolute(file) || path.win32.isAbsolute(file)
      || file.split(/[\\/]/).includes('..') || /[\s*?[\]$`'"\\!#;&|<>(){}]/.test(file) || normalizePath(file) === '.') {
      throw new OptionError(option, `${JSON.stringify(file)} is not a plain path inside the project.`,
        'List paths relative to the project root without spaces, wildcards or "..", e.g. "palettes.json" or "protos".');
    }
  }
}

/** A relative path without `./`, duplicate or trailing slashes. */
function normalizePath(file: string): string {
  return path.posix.normalize(file).replace(/\/+$/, '');
}

function isUnder(file: string, root: string): boolean {
  return file === root || file.startsWith(`${root}/`);
}

/** Paths in first-seen order, normalized, without duplicates or paths inside another one. */
function uniqueRoots(files: string[]): string[] {
  const normalized = [...new Set(files.map(normalizePath))];
  return normalized.filter((file) => !normalized.some((other) => other !== file && isUnder(file, other)));
}
