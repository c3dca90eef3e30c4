import { DockerfileFacts } from './dockerfile-facts';
import { RepositoryFacts } from './repository-facts';
import { imageTagKind } from './workflow-facts';
import { CargoDebugInfo, CargoLto, CargoOptLevel, CargoPanicStrategy, CargoProfileOptions, CargoStrip } from '../cargo/cargo-profile';
import { AllocatorMode } from '../core/allocator';
import { OptionError } from '../core/errors';
import { GitSubmodules } from '../core/submodules';
import { ImageTagPolicy } from '../plan/release-policy';
import { RustOperatorProject, RustOperatorProjectOptions } from '../project/rust-operator-project';
import { ContainerPolicy } from '../tercen/operator-json';

/** One option of the written `.projenrc.ts`: its value for the trial synth and its source text. */
export interface AdoptedOption {
  readonly name: keyof RustOperatorProjectOptions & string;
  readonly value: unknown;
  readonly code: string;
  /** Why it is set (or, for a kept default, why it is left out). */
  readonly comment?: string;
}

/** A statement after the constructor (an escape hatch), applied the same way in the trial synth. */
export interface AdoptedStatement {
  readonly code: string;
  readonly comment?: string;
  readonly apply: (project: RustOperatorProject) => void;
}

/** What the generated Dockerfile and Cargo.toml already do, from a trial synth (round two). */
export interface TrialOutput {
  readonly dockerfile: DockerfileFacts;
  /** `[profile.*]` of the synthesized Cargo.toml. */
  readonly profiles: { [name: string]: { [key: string]: unknown } };
}

/** Inputs from the command line. */
export interface AdoptInput {
  /** `--repository-url`, when the repository has no `origin` remote. */
  readonly repositoryUrl?: string;
  /** The spec of this package for package.json (`--package-spec`), when not the registry's. */
  readonly packageSpec?: string;
}

/** The settings that reproduce a repository's behaviour, and what cannot be carried over. */
export class AdoptionSettings {
  public readonly options: AdoptedOption[] = [];
  /** Options left at their default on purpose, with why that keeps today's behaviour. */
  public readonly keptDefaults: string[] = [];
  public readonly statements: AdoptedStatement[] = [];
  /** What the repository does that no option reproduces. */
  public readonly notCarried: string[] = [];
  /** operator.json's container rewritten (a moving tag such as `:main` that no policy keeps). */
  public operatorJsonEdit?: { readonly from: string; readonly to: string };
  /** Imports of the written `.projenrc.ts` from projen-rust-operator. */
  public readonly imports = new Set<string>(['RustOperatorProject']);

  constructor(private readonly facts: RepositoryFacts, private readonly input: AdoptInput, trial?: TrialOutput) {
    this.derive(trial);
  }

  /** The options object for the trial synth (outdir added by the caller). */
  public projectOptions(): RustOperatorProjectOptions {
    return Object.fromEntries(this.options.map((o) => [o.name, o.value])) as unknown as RustOperatorProjectOptions;
  }

  private set(name: AdoptedOption['name'], value: unknown, comment?: string, code?: string): void {
    this.options.push({ name, value, code: code ?? renderValue(value), comment });
  }

  private derive(trial?: TrialOutput): void {
    const { facts } = this;
    const name = facts.cargo.name!;
    this.set('name', name, 'the crate name in Cargo.toml (also the image name)');
    const repositoryUrl = this.input.repositoryUrl ?? facts.remoteUrl;
    if (!repositoryUrl) {
      throw new OptionError('--repository-url', 'is needed: the repository has no `origin` remote.', 'Pass --repository-url https://github.com/<owner>/<repository>.');
    }
    this.set('repositoryUrl', repositoryUrl);
    const container = facts.operatorJson?.container;
    const image = container ? container.replace(/@.*$/, '').replace(/:[^/:]*$/, '') : undefined;
    if (image && /^ghcr\.io\//.test(image)) {
      this.set('imageName', image.toLowerCase(), 'as operator.json\'s container names it');
    }
    const description = facts.cargo.description ?? facts.operatorJson?.description;
    if (description) this.set('description', description);
    if (facts.operatorJson) {
      if (container && !/[:@][^/]*$/.test(container)) {
        this.imports.add('ContainerPolicy');
        this.set('containerPolicy', ContainerPolicy.UNTAGGED, 'operator.json names the image without a tag', 'ContainerPolicy.UNTAGGED');
      } else {
        const version = facts.cargo.version;
        const tag = container ? /:([^/:@]+)$/.exec(container)?.[1] : undefined;
        if (container && image && version && tag !== version) {
          // A moving tag (`:main`, `:latest`) reproduces no install; no policy keeps it.
          this.operatorJsonEdit = { from: container, to: `${image}:${version}` };
          this.notCarried.push(`operator.json: container \`${container}\` (a moving tag; it becomes \`${image}:${version}\`, the exact pin, or set containerPolicy: ContainerPolicy.UNTAGGED)`);
        }
        this.keptDefaults.push('containerPolicy: EXACT_PIN (operator.json pins `<image>:X.Y.Z`)');
      }
    }
    this.deriveDocker(trial);
    this.deriveWorkflows();
    this.deriveCargo(trial);
    this.deriveIgnores();
    if (this.input.packageSpec) this.set('devDeps', [this.input.packageSpec], 'where this package was installed from');
  }

  private deriveDocker(trial?: TrialOutput): void {
    const docker = this.facts.dockerfile;
    if (!docker || docker.stages.length === 0) {
      this.keptDefaults.push('builderImage, runtimeImage: the defaults (the repository has no Dockerfile)');
      return;
    }
    const builder = docker.stages.find((s) => /cargo\s+build/.test(s.instructions.join('\n'))) ?? docker.stages[0];
    const runtime = docker.stages[docker.stages.length - 1];
    this.set('builderImage', builder.image, 'the old builder stage');
    if (runtime !== builder) this.set('runtimeImage', runtime.image, 'the old runtime stage');
    if (docker.buildProfile && docker.buildProfile !== 'release') {
      this.set('buildProfile', docker.buildProfile, 'the profile the old image was built with');
    } else {
      this.keptDefaults.push('buildProfile: "release" (the old image was built with --release)');
    }
    // Runs as root today (no USER, or USER root/0): leave the user to the platform.
    const user = runtime.user;
    if (user === undefined || user === 'root' || user === '0' || user.startsWith('0:')) {
      this.set('platformUser', true, 'the old image set no user (it ran as root unless the platform chose one)');
    } else {
      const uid = /^(\d+)(:\d+)?$/.exec(user);
      if (uid) {
        this.set('dockerfileOptions', { runtimeUid: Number(uid[1]) }, `the old image ran as uid ${uid[1]}`);
      } else if (/^[a-z_][a-z0-9_-]{0,25}$/.test(user)) {
        this.set('dockerfileOptions', { runtimeUser: user }, `the old image ran as ${user}`);
      } else {
        this.notCarried.push(`Dockerfile: USER ${user} (the generated image runs as uid 1000; set dockerfileOptions.runtimeUser/runtimeUid)`);
      }
    }
    const hasTikv = this.facts.cargo.jemallocEntries.length > 0;
    const preloads = Object.keys(runtime.env).includes('LD_PRELOAD') && /jemalloc/.test(runtime.env.LD_PRELOAD);
    if (!hasTikv || !preloads) {
      const mode = hasTikv ? AllocatorMode.LINKED : preloads ? AllocatorMode.PRELOADED : AllocatorMode.SYSTEM;
      this.imports.add('AllocatorMode');
      this.set('allocator', mode, hasTikv ? 'tikv-jemallocator linked, no LD_PRELOAD' : preloads ? 'jemalloc preloaded, not linked' : 'no jemalloc today',
        `AllocatorMode.${Object.entries(AllocatorMode).find(([, v]) => v === mode)![0]}`);
    } else {
      this.keptDefaults.push('allocator: LINKED_AND_PRELOADED (tikv-jemallocator linked and libjemalloc preloaded, as today)');
    }
    if (!trial) return;
    const genBuilder = trial.dockerfile.stages.find((s) => /cargo\s+build/.test(s.instructions.join('\n'))) ?? trial.dockerfile.stages[0];
    const genRuntime = trial.dockerfile.stages[trial.dockerfile.stages.length - 1];
    const extra = (old: string[], generated: string[]) => old.filter((p) => !generated.includes(p));
    const builderPackages = extra(builder.packages, genBuilder.packages);
    if (builderPackages.length > 0) this.set('builderPackages', builderPackages, 'installed by the old builder stage');
    if (runtime !== builder) {
      const runtimePackages = extra(runtime.packages, genRuntime.packages);
      if (runtimePackages.length > 0) this.set('runtimePackages', runtimePackages, 'installed by the old runtime stage');
    }
    const copied = extra(builder.copied, genBuilder.copied).filter((f) => !['.', 'Cargo.toml', 'Cargo.lock', 'src', 'operator.json', 'build.rs'].includes(f));
    if (copied.length > 0) this.set('compileTimeFiles', copied, 'COPYed into the old builder stage');
    const env: { [name: string]: string } = {};
    for (const [key, value] of Object.entries(runtime.env)) {
      if (key === 'MALLOC_CONF' && genRuntime.env.MALLOC_CONF !== undefined && value !== genRuntime.env.MALLOC_CONF) {
        this.set('mallocConf', value, 'the old MALLOC_CONF');
      } else if (key === 'LD_PRELOAD' && genRuntime.env.LD_PRELOAD !== undefined) {
        continue;
      } else if (genRuntime.env[key] !== value) {
        env[key] = value;
      }
    }
    if (Object.keys(env).length > 0) this.set('runtimeEnvironment', env, 'ENV of the old runtime stage');
    for (const instruction of runtime.instructions) {
      if (/^(EXPOSE|HEALTHCHECK|CMD|VOLUME|LABEL|STOPSIGNAL)\b/.test(instruction)) {
        this.notCarried.push(`Dockerfile: \`${instruction}\` (add it with project.dockerfile.tryFindStage('runtime')?.insertBefore(...))`);
      }
    }
    if (docker.stages.length > 2) this.notCarried.push(`Dockerfile: ${docker.stages.length} stages; the generated one has builder and runtime stages only`);
  }

  private deriveWorkflows(): void {
    const workflows = this.facts.workflows;
    const pushing = workflows.filter((w) => w.pushesImage);
    const shaTags = pushing.some((w) => w.imageTags.some((t) => [':<sha>', ':<short sha>'].includes(imageTagKind(t))));
    const everyBranch = pushing.some((w) => w.pushBranches.some((b) => b === '*' || b === '**'));
    if (shaTags || everyBranch) {
      this.imports.add('ImageTagPolicy');
      this.set('imageTagPolicy', ImageTagPolicy.TERCEN, 'the old workflows push `:<sha>`/`:<branch>` images for every branch', 'ImageTagPolicy.TERCEN');
    } else {
      this.keptDefaults.push('imageTagPolicy: SEED (`main` and `X.Y.Z` image tags)');
    }
    const dockerIds = this.facts.dockerfile?.secretIds ?? [];
    const handedOver = workflows.flatMap((w) => w.buildSecrets);
    const handed = handedOver.find((s) => s.secret && dockerIds.includes(s.id)) ?? handedOver.find((s) => s.secret);
    if (handed?.secret) {
      this.set('gitTokenSecret', handed.secret, 'handed to the old image build as a BuildKit secret');
      if (handed.id !== 'git_token') this.set('gitTokenBuildSecretId', handed.id, 'the BuildKit secret id the old Dockerfile mounts');
    } else if (dockerIds.length > 0) {
      this.notCarried.push(`Dockerfile: BuildKit secret ${dockerIds.map((i) => `\`${i}\``).join(', ')} (no workflow hands it over; set gitTokenSecret if it is a git token)`);
    }
    // Only the workflow the generated ci.yml replaces: the others stay and keep doing what they do.
    const ci = workflows.find((f) => f.file === '.github/workflows/ci.yml');
    if (ci?.submodules) {
      this.imports.add('GitSubmodules');
      const recursive = ci.recursiveSubmodules;
      this.set('submodules', recursive ? GitSubmodules.RECURSIVE : GitSubmodules.TOP_LEVEL,
        `the old ci.yml checks out git submodules${recursive ? ' recursively' : ''}`, `GitSubmodules.${recursive ? 'RECURSIVE' : 'TOP_LEVEL'}`);
    } else if (this.facts.submodules.length > 0) {
      this.notCarried.push(`.gitmodules: submodules ${this.facts.submodules.join(', ')} (no old ci.yml checkout fetched them; set submodules: GitSubmodules.RECURSIVE if the build needs them)`);
    }
    for (const t of ci?.toolchains ?? []) {
      this.notCarried.push(`${ci!.file}: Rust toolchain \`${t}\` on the runner (the generated ci.yml installs rust-toolchain.toml's channel, which follows builderImage; set rustToolchain to choose another)`);
    }
    // A GitHub release on the release tags: the generated ci.yml's github-release job makes it.
    const releasing = workflows.filter((w) => w.createsRelease && w.pushTags.length > 0);
    if (releasing.length > 0) {
      this.set('githubRelease', true, `${releasing.map((w) => w.file).join(', ')} creates a GitHub release on tags`);
    }
  }

  private deriveCargo(trial?: TrialOutput): void {
    if (!trial) return;
    const buildProfile = this.options.find((o) => o.name === 'buildProfile')?.value ?? 'release';
    for (const [profile, generated] of Object.entries(trial.profiles)) {
      const old = this.facts.profiles[profile];
      if (!old) {
        if (profile === buildProfile && profile !== 'release') continue;
        // Cargo.toml has no such table today: cargo's defaults (or none) stay, as before.
        this.statements.push({
          code: `project.cargo.removeProfile(${JSON.stringify(profile)});`,
          comment: `Cargo.toml has no [profile.${profile}] today: leave it so`,
          apply: (p) => p.cargo.removeProfile(profile),
        });
        continue;
      }
      const differs = Object.keys(generated).some((key) => key in old && JSON.stringify(old[key]) !== JSON.stringify(generated[key]))
        || MANAGED_KEYS.some((key) => !(key in old) && key in generated);
      if (!differs) continue;
      const settings = profileOptions(old);
      this.statements.push({
        code: `project.cargo.addProfile(${JSON.stringify(profile)}, ${renderProfile(settings.options)});`,
        comment: `[profile.${profile}] as Cargo.toml has it today`,
        apply: (p) => p.cargo.addProfile(profile, settings.options),
      });
      for (const key of settings.unmanaged) this.notCarried.push(`Cargo.toml [profile.${profile}] ${key} stays yours (no option manages it)`);
    }
  }

  private deriveIgnores(): void {
    const patterns = (lines?: string[]) => (lines ?? []).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const git = patterns(this.facts.gitignore);
    if (git.length > 0) {
      this.statements.push({
        code: `project.gitignore.addPatterns(${git.map((p) => JSON.stringify(p)).join(', ')});`,
        comment: 'every entry of the old .gitignore, so whatever it ignored stays ignored',
        apply: (p) => p.gitignore.addPatterns(...git),
      });
    }
    const docker = patterns(this.facts.dockerignore);
    if (docker.length > 0) {
      this.statements.push({
        code: `for (const pattern of [${docker.map((p) => JSON.stringify(p)).join(', ')}]) {\n  project.dockerfile.dockerignore.addExclusion(pattern);\n}`,
        comment: 'every entry of the old .dockerignore (paths the build reads still get an exception)',
        apply: (p) => docker.forEach((pattern) => p.dockerfile.dockerignore.addExclusion(pattern)),
      });
    }
  }
}

/** A JSON-like value as TypeScript source, spaced as a person writes it. */
function renderValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(renderValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k)}: ${renderValue(v)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(value);
}

const MANAGED_KEYS = ['opt-level', 'lto', 'codegen-units', 'strip', 'debug', 'panic', 'incremental', 'inherits'];

function profileOptions(old: { [key: string]: unknown }): { options: CargoProfileOptions; unmanaged: string[] } {
  const options: { [key: string]: unknown } = {};
  const unmanaged: string[] = [];
  for (const [key, value] of Object.entries(old)) {
    switch (key) {
      case 'inherits': options.inherits = value; break;
      case 'opt-level': options.optLevel = String(value); break;
      case 'lto': options.lto = String(value); break;
      case 'codegen-units': options.codegenUnits = value; break;
      case 'strip': options.strip = String(value); break;
      case 'debug': options.debug = value === true ? 'full' : value === false ? 'none' : String(value); break;
      case 'panic': options.panicStrategy = value; break;
      case 'incremental': options.incremental = value; break;
      default: unmanaged.push(key);
    }
  }
  return { options: options as CargoProfileOptions, unmanaged };
}

const ENUMS: { [key: string]: [string, { [member: string]: string }] } = {
  optLevel: ['CargoOptLevel', CargoOptLevel],
  lto: ['CargoLto', CargoLto],
  strip: ['CargoStrip', CargoStrip],
  debug: ['CargoDebugInfo', CargoDebugInfo],
  panicStrategy: ['CargoPanicStrategy', CargoPanicStrategy],
};

/** Profile options as source text, enum values by member name. */
function renderProfile(options: CargoProfileOptions): string {
  const parts = Object.entries(options).map(([key, value]) => {
    const enumeration = ENUMS[key];
    const member = enumeration && Object.entries(enumeration[1]).find(([, v]) => v === value)?.[0];
    return member ? `${key}: ${enumeration[0]}.${member}` : `${key}: ${JSON.stringify(value)}`;
  });
  return `{ ${parts.join(', ')} }`;
}

/** The enum type names a rendered profile may use. */
export const PROFILE_ENUMS = Object.values(ENUMS).map(([name]) => name);
