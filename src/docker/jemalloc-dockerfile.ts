import { Project } from 'projen';
import { buildContext, checkContextPaths, stubCommand } from './build-context';
import { Dockerfile, DockerfileStage } from './dockerfile';
import { DockerInstruction } from './dockerfile-instruction';
import { OperatorDockerignore } from './dockerignore';
import { validateProfileName } from '../cargo/profile-rules';
import { Allocator, READERS } from '../core/allocator';
import { aptPackageList } from '../core/apt-packages';
import { OptionError } from '../core/errors';
import { credentialEnvironment } from '../core/git-token';
import { ImageReference } from '../core/image-reference';
import { checkBuildSecretId } from '../core/names';
import { checkOptionNames } from '../core/option-names';
import { BuilderBase, RuntimeBase } from '../plan/base-image';
import { OperatorPlan, ResolvedPlan, SEED_BUILDER_PACKAGES, SEED_RUNTIME_PACKAGES } from '../plan/operator-plan';

/** Options for `JemallocDockerfile.dockerBuildCommand`. */
export interface DockerBuildCommandOptions {
  /**
   * Tag of the built image.
   * @default - `<binary>:local`
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
   * Image of the builder stage (its tag gives the Rust version and the Debian release). Keep it
   * on the same Debian release as `runtimeImage`. For an image whose tag does not say, override
   * `builderBase()` in a subclass and return `BuilderBase.custom(...)`. The Rust version it
   * carries becomes rust-toolchain.toml's channel; a different `rustToolchain` is refused.
   * @default - `rust:<rustToolchain>-slim-bookworm` (`BuilderBase.rustToolchain()`):
   * "rust:1.92-slim-bookworm" by default
   */
  readonly builderImage?: string;

  /**
   * Image of the runtime stage.
   * @default RuntimeBase.DEFAULT_IMAGE ("debian:bookworm-slim")
   */
  readonly runtimeImage?: string;

  /**
   * The runtime base as a strategy, e.g. `RuntimeBase.distroless()` (no shell, no apt; runtime
   * packages' shared libraries are copied in from a Debian stage of the same release). Give
   * either this or `runtimeImage`.
   * @default - `RuntimeBase.fromImage(runtimeImage)`
   */
  readonly runtimeBase?: RuntimeBase;

  /**
   * The allocator; its packages and environment are added to the stages.
   * @default - `new Allocator()` (tikv-jemallocator linked AND libjemalloc2 preloaded)
   */
  readonly allocator?: Allocator;

  /**
   * Extra Debian packages for the builder stage (e.g. "libcairo2-dev"). The CI workflow's
   * system-packages step installs the same list.
   * @default []
   */
  readonly builderPackages?: string[];

  /**
   * Extra Debian packages for the runtime stage (e.g. "libcairo2"). On a distroless runtime they
   * are installed in a Debian stage of its release and only their shared libraries (and those
   * they and the binary need that the base lacks) are copied in; data files are not.
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
   * BuildKit secret id of the token for private git dependencies. When set, both cargo steps
   * mount it and hand it to git through a credential helper that lives only for that step; an
   * absent or empty secret changes nothing. With a `GhcrReleaseWorkflow` whose `gitTokenSecret`
   * is set, the token is mounted under "git_token" without this option.
   * @default - no token, unless the workflow has one
   */
  readonly gitTokenBuildSecretId?: string;

  /**
   * Name of the non-root runtime user (at most 26 characters: its group is `<name>-group`; not a
   * Debian system account such as "nobody"). Refused with a distroless runtime, which has no
   * `useradd`: it runs as the numeric `runtimeUid`.
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
   * Leave the user to the platform: no `USER` instruction, so the image runs as root unless the
   * platform starts it with `--user` (Tercen does). Off, the image runs as the non-root
   * `runtimeUser` whatever starts it, which is the safer default for any other platform.
   * @default false
   */
  readonly platformUser?: boolean;

  /**
   * Extra environment of the runtime image (e.g. `{ RUST_BACKTRACE: '1' }`), rendered into its
   * `ENV` and the docs. The allocator's variables cannot be set here (use `mallocConf`).
   * @default {}
   */
  readonly runtimeEnvironment?: { [name: string]: string };

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
 * Every value comes from the project's `OperatorPlan`, resolved at synth time. To use other
 * base images, override `builderBase()` / `runtimeBase()` in a subclass; to change single
 * instructions, use the stages' methods (`tryFindStage('runtime')?.insertBefore(...)`).
 */
export class JemallocDockerfile extends Dockerfile {
  /** The default builder image (the default Rust channel's official image). */
  public static readonly DEFAULT_BUILDER_IMAGE = BuilderBase.DEFAULT_IMAGE;
  /** The seed's runtime image. */
  public static readonly DEFAULT_RUNTIME_IMAGE = RuntimeBase.DEFAULT_IMAGE;
  /** The seed's build packages (the allocator adds its own). */
  public static readonly SEED_BUILDER_PACKAGES = SEED_BUILDER_PACKAGES;
  /** The seed's runtime packages (the allocator adds its own). */
  public static readonly SEED_RUNTIME_PACKAGES = SEED_RUNTIME_PACKAGES;
  /** Alias of the builder stage. */
  public static readonly BUILDER_STAGE = 'builder';
  /** Alias of the runtime stage. */
  public static readonly RUNTIME_STAGE = 'runtime';
  /** Alias of the Debian stage that gathers a distroless runtime's shared libraries. */
  public static readonly LIBRARIES_STAGE = 'runtime-libraries';
  /** Where that stage gathers them (copied to `/` of the runtime). */
  public static readonly LIBRARIES_DIR = '/runtime-libraries';
  /** Where the builder keeps the crate. */
  public static readonly BUILD_DIR = '/build';

  /** Returns the `JemallocDockerfile` of a project, or undefined. */
  public static of(project: Project): JemallocDockerfile | undefined {
    return project.components.find((c): c is JemallocDockerfile => c instanceof JemallocDockerfile);
  }

  /** The `.dockerignore` that goes with this Dockerfile. */
  public readonly dockerignore: OperatorDockerignore;

  private readonly options: JemallocDockerfileOptions;
  private readonly plan: OperatorPlan;

  constructor(project: Project, options: JemallocDockerfileOptions = {}) {
    checkOptionNames(options, 'JemallocDockerfileOptions', 'JemallocDockerfile');
    super(project);
    this.options = options;
    // Validate the options now, while .projenrc.ts runs and before anything is written.
    if (options.builderImage !== undefined) ImageReference.parse(options.builderImage, 'builderImage');
    if (options.runtimeImage !== undefined) ImageReference.parse(options.runtimeImage, 'runtimeImage');
    if (options.runtimeImage !== undefined && options.runtimeBase !== undefined) {
      throw new OptionError('runtimeBase', `and runtimeImage ("${options.runtimeImage}") both choose the runtime image.`,
        'Give one: runtimeImage for a Debian image, runtimeBase for a strategy such as RuntimeBase.distroless().');
    }
    if (options.runtimeBase !== undefined && !(options.runtimeBase instanceof RuntimeBase)) {
      throw new OptionError('runtimeBase', 'is not a RuntimeBase.', 'Use RuntimeBase.distroless(), RuntimeBase.debianSlim() or RuntimeBase.custom(...).');
    }
    aptPackageList(options.builderPackages ?? [], 'builderPackages');
    aptPackageList(options.runtimePackages ?? [], 'runtimePackages');
    checkContextPaths(options.compileTimeFiles ?? [], 'compileTimeFiles');
    if (options.gitTokenBuildSecretId !== undefined) checkBuildSecretId(options.gitTokenBuildSecretId, 'gitTokenBuildSecretId');
    checkRuntimeUid(options.runtimeUid ?? 1000);
    checkRuntimeUser(options.runtimeUser ?? 'operator');
    if (options.binaryName !== undefined) checkBinaryName(options.binaryName, 'binaryName');
    checkRuntimeEnvironment(options.runtimeEnvironment ?? {});
    if (options.buildProfile !== undefined) validateProfileName(options.buildProfile, 'buildProfile');
    for (const feature of options.buildFeatures ?? []) {
      if (typeof feature !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_+./-]*$/.test(feature)) {
        throw new OptionError('buildFeatures', `${JSON.stringify(feature)} is not a Cargo feature name.`, 'Use names as `cargo build --features` takes them.');
      }
    }

    this.plan = OperatorPlan.of(project);
    this.plan.setImageBuild({
      binaryName: options.binaryName,
      buildProfile: options.buildProfile,
      builderPackages: options.builderPackages ?? [],
      runtimePackages: options.runtimePackages ?? [],
      compileTimeFiles: options.compileTimeFiles ?? [],
      buildFeatures: options.buildFeatures ?? [],
      gitTokenBuildSecretId: options.gitTokenBuildSecretId,
      runtimeUser: options.runtimeUser ?? 'operator',
      runtimeUserGiven: options.runtimeUser !== undefined,
      runtimeUid: options.runtimeUid ?? 1000,
      platformUser: options.platformUser ?? false,
      runtimeEnvironment: options.runtimeEnvironment ?? {},
      dependencyLayer: options.dependencyLayer ?? true,
      allowNewerBuilderRelease: options.allowNewerBuilderRelease ?? false,
      allocator: options.allocator,
      // Asked at synth time, so a subclass's override counts.
      builderBase: () => this.builderBase(),
      runtimeBase: () => this.runtimeBase(),
    });
    this.dockerignore = new OperatorDockerignore(project);
  }

  /** Resolves the plan (once per synth), then defines the stages from it. */
  public preSynthesize(): void {
    const plan = this.plan.beginSynthesis();
    checkBinaryName(plan.binary.name, this.options.binaryName !== undefined ? 'binaryName' : 'Cargo.toml package.name');
    // What the builder COPYs must not be excluded from the build context.
    for (const file of buildContext(plan).copied) {
      this.dockerignore.addRequiredPath(file);
    }
    super.preSynthesize();
  }

  /**
   * The `docker build` command of this image, as the `docker:build` task and the docs run it.
   * With a git token, the secret comes from the `GIT_TOKEN` environment variable (`env=`: the
   * build goes on without it, the mount being optional).
   */
  public dockerBuildCommand(options: DockerBuildCommandOptions = {}): string {
    return dockerBuildCommand(this.plan.resolve(), options);
  }

  /**
   * The builder's base image. Override to use a custom image, e.g.
   * `BuilderBase.custom('tercen/rust-operator-base:latest', { debianRelease: 'bookworm', rustVersion: '1.92' })`.
   */
  protected builderBase(): BuilderBase {
    return this.options.builderImage === undefined ? BuilderBase.rustToolchain() : BuilderBase.fromImage(this.options.builderImage, 'builderImage');
  }

  /**
   * The runtime's base image. Override to use a custom image, e.g.
   * `RuntimeBase.custom('tercen/runtime-base:latest', { debianRelease: 'bookworm' })`.
   */
  protected runtimeBase(): RuntimeBase {
    if (this.options.runtimeBase) return this.options.runtimeBase;
    return RuntimeBase.fromImage(this.options.runtimeImage ?? JemallocDockerfile.DEFAULT_RUNTIME_IMAGE, 'runtimeImage');
  }

  protected defineStages(): void {
    const plan = this.plan.resolve();
    this.defineBuilderStage(this.addStage(JemallocDockerfile.BUILDER_STAGE, {
      from: plan.builder!.image,
      comment: 'Builder: the Rust toolchain and build packages; discarded after the build.',
    }), plan);
    const runtime = plan.runtime!;
    if (runtime.distroless) {
      this.defineLibrariesStage(this.addStage(JemallocDockerfile.LIBRARIES_STAGE, {
        from: runtime.librariesImage!,
        comment: 'Runtime libraries: the distroless base has no apt, so runtime packages are installed here, on its Debian release,\nand only the shared libraries they provide and the binary needs (and the base lacks) are copied into it.',
      }), plan);
    }
    this.defineRuntimeStage(this.addStage(JemallocDockerfile.RUNTIME_STAGE, {
      from: runtime.image,
      comment: runtime.distroless
        ? `Runtime: distroless (no package manager${runtime.shell ? `; busybox shell at ${runtime.shell}` : ', no shell'}); runtime libraries and the binary only.`
        : 'Runtime: runtime libraries and the binary only; no toolchain.',
    }), plan);
  }

  /**
   * The distroless runtime's Debian stage: the runtime packages, then every shared library that
   * they provide or that the binary or they need, and that the base does not have, gathered in
   * LIBRARIES_DIR with canonical paths. A library that nothing provides fails the build here,
   * naming it, instead of failing at start-up.
   */
  private defineLibrariesStage(stage: DockerfileStage, plan: ResolvedPlan): void {
    const runtime = plan.runtime!;
    if (runtime.packages.length > 0) {
      stage.addInstruction('packages', aptInstall(runtime.packages));
    }
    stage.addInstruction('base', DockerInstruction.copy(['/'], BASE_DIR, { from: runtime.image })
      .withComment('The distroless base itself, to see which libraries it already has.'));
    stage.addInstruction('binary', DockerInstruction.copy(
      [`${JemallocDockerfile.BUILD_DIR}/${plan.binary.targetPath}`], plan.binary.installPath,
      { from: JemallocDockerfile.BUILDER_STAGE }));
    stage.addInstruction('libraries', DockerInstruction.run(librariesScript(plan.binary.installPath, runtime.packages)));
  }

  /** Adds the builder stage's instructions. */
  private defineBuilderStage(stage: DockerfileStage, plan: ResolvedPlan): void {
    const builder = plan.builder!;
    const context = buildContext(plan);
    if (builder.packages.length > 0) {
      stage.addInstruction('packages', aptInstall(builder.packages)
        .withComment('Build packages, from the same list as the CI workflow\'s system-dependencies step.'));
    }
    stage.addInstruction('workdir', DockerInstruction.workdir(JemallocDockerfile.BUILD_DIR));
    const build = cargoBuildCommand(plan);
    if (plan.dependencyLayer) {
      stage.addInstruction('manifest', DockerInstruction.copy(['Cargo.toml', 'Cargo.lock*'], './')
        .withComment('Dependency layer: compiled from the manifest alone, so a change in src/ reuses it.'));
      // A workspace's member manifests, each to its own folder, so cargo sees the whole workspace.
      plan.cargo.workspaceManifests.forEach((file, index) => {
        stage.addInstruction(`workspace-manifest-${index + 1}`, DockerInstruction.copy([file], `./${file}`));
      });
      const stubs = context.dependencyStubs;
      stage.addInstruction('dependencies', cargoRun(plan, [
        ...stubs.map((file) => stubCommand(context, file)),
        build,
        `rm -rf ${[...new Set(stubs.map((file) => file.split('/')[0]))].sort().join(' ')}`,
      ]));
    } else {
      stage.addInstruction('manifest', DockerInstruction.copy(['Cargo.toml', 'Cargo.lock*'], './'));
    }
    context.copied.forEach((file, index) => {
      stage.addInstruction(`compile-time-file-${index + 1}`, DockerInstruction.copy([file], `./${file}`));
    });
    if (context.sources) {
      stage.addInstruction('sources', DockerInstruction.copy(['src'], './src'));
    }
    // Sources keep their checkout mtimes, which can be older than the stub build: touch them so
    // cargo rebuilds the crate instead of reusing the stub.
    stage.addInstruction('build', cargoRun(plan, [
      ...context.finalStubs.map((file) => `{ [ -e ${file} ] || { ${stubCommand(context, file)}; }; }`),
      `find ${context.touched.join(' ')} -type f -exec touch {} +`,
      build,
    ]));
  }

  /** Adds the runtime stage's instructions. */
  private defineRuntimeStage(stage: DockerfileStage, plan: ResolvedPlan): void {
    const runtime = plan.runtime!;
    const user = runtime.user;
    if (runtime.distroless) {
      stage.addInstruction('libraries', DockerInstruction.copy([`${JemallocDockerfile.LIBRARIES_DIR}/`], '/', { from: JemallocDockerfile.LIBRARIES_STAGE }));
    } else if (runtime.packages.length > 0) {
      stage.addInstruction('packages', aptInstall(runtime.packages));
    }
    if (user && !runtime.distroless) {
      stage.addInstruction('user', DockerInstruction.run([
        `groupadd --gid ${user.uid} ${user.name}-group`,
        `useradd --uid ${user.uid} --gid ${user.uid} --create-home --shell /usr/sbin/nologin ${user.name}`,
      ]).withComment(`Non-root user ${user.name} (uid ${user.uid}) in its own group ${user.name}-group: useradd's default group,\nnamed like the user, fails for "operator" on Debian, which already has that group.`));
    }
    stage.addInstruction('binary', DockerInstruction.copy(
      [`${JemallocDockerfile.BUILD_DIR}/${plan.binary.targetPath}`], plan.binary.installPath,
      { from: JemallocDockerfile.BUILDER_STAGE }));
    if (runtime.variables.length > 0) {
      stage.addInstruction('environment', DockerInstruction.env(Object.fromEntries(runtime.variables.map((v) => [v.name, v.value])))
        .withComment(environmentComment(plan)));
    }
    if (user && runtime.distroless) {
      // Numeric, so no /etc/passwd entry is needed (distroless has none to add one with).
      stage.addInstruction('run-as', DockerInstruction.user(`${user.uid}:${user.uid}`)
        .withComment(`Non-root uid:gid ${user.uid}:${user.uid}, numeric: distroless has no useradd, and the process needs no /etc/passwd entry.`));
    } else if (user) {
      stage.addInstruction('run-as', DockerInstruction.user(`${user.uid}:${user.uid}`));
      stage.addInstruction('home', DockerInstruction.workdir(`/home/${user.name}`));
    }
    stage.addInstruction('entrypoint', DockerInstruction.entrypoint([plan.binary.installPath]));
  }
}

/**
 * The `docker build` command of a plan's image. With a git token, the secret comes from the
 * token's environment variable; with `env=` docker builds on when it is unset.
 */
/**
 * The `docker:build` task's first step: the Dockerfile mounts secrets with `RUN --mount`, which
 * only BuildKit builds (the legacy builder fails with `unknown flag: --secret` or a parse error),
 * so say what to install instead. POSIX sh, as projen runs task steps.
 */
export const BUILDKIT_CHECK = [
  'if ! docker buildx version > /dev/null 2>&1; then',
  '  echo "docker:build needs Docker BuildKit (the buildx plugin), which \'docker buildx version\' did not find. Install docker-buildx-plugin (from Docker\'s apt or rpm repository), docker-buildx (Debian, Ubuntu), or Docker Desktop; see https://docs.docker.com/go/buildx/" >&2',
  '  exit 1',
  'fi',
  'if [ "${DOCKER_BUILDKIT:-1}" = "0" ]; then',
  '  echo "docker:build needs BuildKit, but DOCKER_BUILDKIT=0 selects the legacy builder: unset DOCKER_BUILDKIT." >&2',
  '  exit 1',
  'fi',
].join('\n');

export function dockerBuildCommand(plan: ResolvedPlan, options: DockerBuildCommandOptions = {}): string {
  const token = plan.gitToken;
  const flags = [
    ...(options.noCache ? ['--no-cache'] : []),
    ...(token ? [`--secret id=${token.buildSecretId},env=${token.variable}`] : []),
  ];
  return ['docker build', ...flags, `-t ${options.tag ?? plan.localImageTag} .`].join(' ');
}

/** The Dockerfile's comment on the runtime environment: who reads each variable, from the plan. */
function environmentComment(plan: ResolvedPlan): string {
  const readers = new Map(plan.runtime!.variables.map((v) => [v.name, v.readBy]));
  const lines: string[] = [];
  if (readers.has('LD_PRELOAD')) {
    lines.push(`LD_PRELOAD by soname works on every architecture; MALLOC_CONF tunes ${readers.get('MALLOC_CONF')}.`);
  }
  if (readers.get('_RJEM_MALLOC_CONF') === READERS.linked) {
    lines.push('_RJEM_MALLOC_CONF tunes the tikv-jemallocator linked into the binary (it ignores MALLOC_CONF).');
  } else if (readers.get('MALLOC_CONF') === READERS.linked) {
    lines.push('MALLOC_CONF tunes the tikv-jemallocator linked into the binary (built unprefixed, it is the process\'s malloc).');
  }
  return lines.join('\n');
}

/** `cargo build` of the plan's profile, `--locked` when Cargo.lock exists. */
function cargoBuildCommand(plan: ResolvedPlan): string {
  const features = plan.buildFeatures.length ? ` --features ${plan.buildFeatures.join(',')}` : '';
  const member = plan.cargo.packageArgument ? ` -p ${plan.cargo.packageArgument}` : '';
  return `cargo build --profile ${plan.buildProfile}${member}${features} $(test -f Cargo.lock && echo --locked)`;
}

/**
 * A RUN of cargo commands; with a git token, the secret is mounted and handed to git through
 * the shared credential helper. The token never enters an ENV, ARG, layer, image history or
 * the build cache key.
 */
function cargoRun(plan: ResolvedPlan, commands: string[]): DockerInstruction {
  const token = plan.gitToken;
  if (!token) {
    return DockerInstruction.run(commands);
  }
  const file = `/run/secrets/${token.buildSecretId}`;
  const exports = Object.entries(credentialEnvironment(`$(cat ${file})`))
    .map(([name, value]) => `${name}=${/^[A-Za-z0-9_.:\/-]+$/.test(value) ? value : `'${value}'`}`).join(' ');
  const setup = `if [ -s ${file} ]; then export ${exports}; fi`;
  return DockerInstruction.run([setup, ...commands], { mounts: [`type=secret,id=${token.buildSecretId},required=false`] });
}

/** Where the libraries stage puts the distroless base, to compare against. */
const BASE_DIR = '/distroless-base';

/**
 * The libraries stage's script (POSIX sh, Debian's dash): the runtime packages' shared objects,
 * plus every library `ldd` resolves for them and the binary; each one the base lacks (by file
 * name) is copied, as link and target, to LIBRARIES_DIR under its canonical directory. A
 * `not found` fails the build with the library's name. No architecture is named: paths come
 * from dpkg and ldd.
 */
function librariesScript(binary: string, packages: string[]): string[] {
  const out = JemallocDockerfile.LIBRARIES_DIR;
  const provided = packages.length > 0
    ? `dpkg -L ${packages.map((name) => name.replace(/=.*$/, '')).join(' ')} | grep -E '/lib/.+\\.so(\\.[0-9]+)*$' | while read -r f; do [ ! -f "$f" ] || echo "$f"; done > /tmp/provided`
    : ': > /tmp/provided';
  return [
    provided,
    `{ { echo ${binary}; cat /tmp/provided; } | xargs ldd > /tmp/ldd 2>/dev/null || true; }`,
    'if grep "not found" /tmp/ldd; then echo "No Debian package provides the libraries above. Add the packages that do to runtimePackages." >&2; exit 1; fi',
    `mkdir -p ${out}`,
    `awk '$2 == "=>" && $3 ~ /^\\// { print $3 }' /tmp/ldd | sort -u | cat /tmp/provided - | while read -r f; do if [ -z "$(find ${BASE_DIR} -name "\${f##*/}" -print -quit)" ]; then for g in "$f" "$(readlink -f "$f")"; do d="$(cd "\${g%/*}" && pwd -P)"; mkdir -p "${out}$d"; cp -P "$g" "${out}$d/"; done; fi; done`,
    `find ${out} -mindepth 1 ! -type d | sort`,
  ];
}

/** `apt-get install` of the packages, leaving no package lists in the layer. */
function aptInstall(packages: string[]): DockerInstruction {
  return DockerInstruction.run([
    'apt-get update',
    `apt-get install -y --no-install-recommends ${packages.join(' ')}`,
    'rm -rf /var/lib/apt/lists/*',
  ]);
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

/** Extra environment: valid names, single-line values, none of the allocator's variables. */
function checkRuntimeEnvironment(environment: { [name: string]: string }): void {
  const reserved = ['LD_PRELOAD', 'MALLOC_CONF', '_RJEM_MALLOC_CONF'];
  for (const [name, value] of Object.entries(environment)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new OptionError(`runtimeEnvironment.${name}`, `${JSON.stringify(name)} is not an environment variable name.`, 'Use letters, digits and "_", not starting with a digit, e.g. "RUST_BACKTRACE".');
    }
    if (reserved.includes(name)) {
      throw new OptionError(`runtimeEnvironment.${name}`, 'is an allocator variable (the allocator mode decides it).', 'Set mallocConf, or choose the allocator mode, instead.');
    }
    if (typeof value !== 'string' || /[\r\n]/.test(value)) {
      throw new OptionError(`runtimeEnvironment.${name}`, `${JSON.stringify(value)} is not a single-line string.`, 'Give a one-line value, e.g. "1".');
    }
  }
}

function checkBinaryName(name: string, option: string): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(name)) {
    throw new OptionError(option, `${JSON.stringify(name)} is not a Cargo binary name.`, 'Use letters, digits, "_" and "-", e.g. "my_operator".');
  }
}
