import * as fs from 'fs';
import * as path from 'path';
import { Component, Project } from 'projen';
import { Allocator, CARGO_FEATURE_NAME } from '../allocator';
import { OptionError } from '../errors';
import { CargoLto, CargoOptLevel, CargoProfileOptions, CargoStrip } from './cargo-profile';
import { CargoTarget, CargoTargetKind } from './cargo-target';
import { applyManagedTables, ManagedTable, readToml, TomlValue } from './managed-toml';
import { BUILT_IN_PROFILES, renderProfile, validateProfile, validateProfileName } from './profile-rules';
import { checkOptionNames } from '../core/option-names';

/** Rust edition written into a scaffolded `[package]`. */
export enum RustEdition {
  /** Rust 2015. */
  EDITION_2015 = '2015',
  /** Rust 2018. */
  EDITION_2018 = '2018',
  /** Rust 2021. */
  EDITION_2021 = '2021',
  /** Rust 2024 (needs Rust 1.85+). */
  EDITION_2024 = '2024',
}

/** Options for `CargoManifest`. */
export interface CargoManifestOptions {
  /**
   * The allocator; when it links tikv-jemallocator, its feature and optional dependency are
   * managed here.
   * @default new Allocator() (jemalloc linked behind the default "jemalloc" feature, and preloaded)
   */
  readonly allocator?: Allocator;

  /**
   * Package name written when Cargo.toml is scaffolded. Ignored once Cargo.toml exists: the
   * name is then read from its `[package]`.
   * @default project.name
   */
  readonly packageName?: string;

  /**
   * Edition written when Cargo.toml is scaffolded.
   * @default RustEdition.EDITION_2021
   */
  readonly edition?: RustEdition;

  /**
   * `rust-version` (minimum supported Rust) written when Cargo.toml is scaffolded.
   * @default - not written
   */
  readonly rustVersion?: string;

  /**
   * Managed features besides the allocator's, name to items (`"dep:x"`, `"x/feature"`,
   * `"x?/feature"` or another feature). Features of the same name written by hand are taken over.
   * @default {}
   */
  readonly features?: { [name: string]: string[] };

  /**
   * The `default` feature list. Set it to manage `default` even without a linked allocator
   * (an empty list writes `default = []`). Once managed, a `default` written by hand in
   * Cargo.toml is replaced: list its features here to keep them.
   * @default - the allocator's feature when it links jemalloc; otherwise `default` is left to you
   */
  readonly defaultFeatures?: string[];

  /**
   * Whether to manage the seed's `[profile.maxperf]` (`CargoManifest.MAXPERF_PROFILE`).
   * @default true
   */
  readonly maxperf?: boolean;

  /**
   * Whether to manage a `[profile.dev-release]` (`CargoManifest.DEV_RELEASE_PROFILE`): release
   * semantics with opt-level 2, no LTO and 16 codegen units, for fast CI builds.
   * @default false
   */
  readonly devRelease?: boolean;

  /**
   * Further managed profiles, or replacements of `release`, `maxperf` or `dev-release`.
   * A custom profile needs `inherits`.
   * @default - release (CargoManifest.RELEASE_PROFILE) and maxperf only
   */
  readonly profiles?: { [name: string]: CargoProfileOptions };

  /**
   * The profile the image is built with (`cargo build --profile <name>`): "release", "dev" or
   * a managed profile.
   * @default "release"
   */
  readonly buildProfile?: string;
}

/** A dependency managed in `[dependencies]` (rendered as an inline table). */
export interface CargoDependencyOptions {
  /**
   * Version requirement, e.g. "1.40".
   * @default - none (a git or path dependency)
   */
  readonly version?: string;
  /**
   * Git repository URL.
   * @default - from crates.io
   */
  readonly git?: string;
  /**
   * Git branch.
   * @default - the repository's default branch
   */
  readonly branch?: string;
  /**
   * Git tag.
   * @default - none
   */
  readonly tag?: string;
  /**
   * Git revision (commit).
   * @default - none
   */
  readonly rev?: string;
  /**
   * The package's name when it differs from the dependency key.
   * @default - the key
   */
  readonly package?: string;
  /**
   * Features to enable.
   * @default []
   */
  readonly features?: string[];
  /**
   * Whether the dependency is optional (enabled by a feature).
   * @default false
   */
  readonly optional?: boolean;
}

/** What was read from Cargo.toml on disk (`undefined` text: the file does not exist). */
interface DiskManifest {
  readonly text?: string;
  readonly value: { [key: string]: any };
}

const DEPENDENCY_NAME = /^[A-Za-z0-9_-]+$/;
const PACKAGE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const DEPENDENCY_TABLES = ['dependencies', 'build-dependencies'];
const SCAFFOLD_VERSION = '0.1.0';

/**
 * Owns the feature and profile tables of the project's Cargo.toml, never the user's text.
 *
 * Managed: `[features]` (the allocator's feature, `default`, features from options),
 * the optional tikv-jemallocator entry of `[dependencies]`, and `[profile.release]`,
 * `[profile.maxperf]` and further profiles from options. Each managed key is rewritten on every
 * synth; every other byte of Cargo.toml (comments, ordering, dependencies, line endings) is kept.
 * Cargo.toml is scaffolded once when it does not exist, stays writable (so `cargo add` and
 * Dependabot keep working), is written only when its bytes change, and is never deleted.
 *
 * The allocator's feature uses the `dep:` form, `jemalloc = ["dep:tikv-jemallocator"]`: the seed's
 * `["tikv-jemallocator"]` also creates an implicit `tikv-jemallocator` feature, which links the
 * crate without turning on the `cfg(feature = "jemalloc")` global allocator.
 */
export class CargoManifest extends Component {
  /** The file this component edits, relative to the project root. */
  public static readonly FILE_NAME = 'Cargo.toml';

  /** The seed's release profile: smallest binary. */
  public static readonly RELEASE_PROFILE: CargoProfileOptions = {
    optLevel: CargoOptLevel.MIN_SIZE, lto: CargoLto.TRUE, codegenUnits: 1, strip: CargoStrip.TRUE,
  };

  /** The seed's maxperf profile: fastest code, larger binary. */
  public static readonly MAXPERF_PROFILE: CargoProfileOptions = {
    inherits: 'release', optLevel: CargoOptLevel.O3, lto: CargoLto.FAT,
  };

  /** A profile for CI images: release semantics, about half the build time. */
  public static readonly DEV_RELEASE_PROFILE: CargoProfileOptions = {
    inherits: 'release', optLevel: CargoOptLevel.O2, lto: CargoLto.FALSE, codegenUnits: 16,
  };

  /** The CargoManifest of a project, if it has one. */
  public static of(project: Project): CargoManifest | undefined {
    return project.components.find((c): c is CargoManifest => c instanceof CargoManifest);
  }

  /** The allocator whose feature and dependency are managed. */
  public readonly allocator: Allocator;

  /** The profile the image is built with. */
  public readonly buildProfile: string;

  private readonly options: CargoManifestOptions;
  private readonly features = new Map<string, string[]>();
  private readonly dependencies = new Map<string, CargoDependencyOptions>();
  private readonly profiles = new Map<string, CargoProfileOptions>();
  private disk?: DiskManifest;
  private pending?: string;

  constructor(project: Project, options: CargoManifestOptions = {}) {
    checkOptionNames(options, 'CargoManifestOptions', 'CargoManifest');
    if (CargoManifest.of(project)) {
      throw new OptionError('cargo', `project "${project.name}" already has a CargoManifest.`, 'Use CargoManifest.of(project) to reach it.');
    }
    super(project, 'CargoManifest');
    this.options = options;
    this.allocator = options.allocator ?? new Allocator();
    this.checkScaffoldOptions();

    for (const [name, items] of Object.entries(options.features ?? {})) {
      this.addFeature(name, items);
    }
    if (options.defaultFeatures !== undefined) {
      options.defaultFeatures.forEach((item, i) => this.checkFeatureItem(item, `cargo.defaultFeatures[${i}]`));
    }

    this.addProfile('release', CargoManifest.RELEASE_PROFILE);
    if (options.maxperf ?? true) {
      this.addProfile('maxperf', CargoManifest.MAXPERF_PROFILE);
    } else if (options.profiles?.maxperf) {
      throw new OptionError('cargo.profiles.maxperf', 'is set while cargo.maxperf is false.', 'Remove one of the two.');
    }
    if (options.devRelease) {
      this.addProfile('dev-release', CargoManifest.DEV_RELEASE_PROFILE);
    }
    for (const [name, profile] of Object.entries(options.profiles ?? {})) {
      this.addProfile(name, profile);
    }

    this.buildProfile = options.buildProfile ?? 'release';
    validateProfileName(this.buildProfile, 'cargo.buildProfile');

    // Never a projen-owned file: keep it out of any cleanup, even the legacy marker-based one.
    project.addExcludeFromCleanup(CargoManifest.FILE_NAME);
  }

  /**
   * Adds (or replaces) a managed dependency in `[dependencies]`, e.g. an SDK every operator of a
   * team shares. The rest of `[dependencies]` stays the user's.
   */
  public addDependency(name: string, spec: CargoDependencyOptions): void {
    const option = `cargo.dependencies.${name}`;
    if (typeof name !== 'string' || !DEPENDENCY_NAME.test(name)) {
      throw new OptionError(option, `${JSON.stringify(name)} is not a valid dependency name.`, 'Use letters, digits, "_" and "-".');
    }
    if (name === Allocator.CRATE_NAME) {
      throw new OptionError(option, `"${name}" is managed from the allocator options.`, 'Use allocator.crateVersion instead.');
    }
    if (spec.version === undefined && spec.git === undefined) {
      throw new OptionError(option, 'has neither a version nor a git URL.', 'Give version (e.g. "1.40") or git (e.g. "https://github.com/tercen/tercen-rs").');
    }
    const revisions = [spec.branch, spec.tag, spec.rev].filter((ref) => ref !== undefined);
    if (revisions.length > 1 || (spec.git === undefined && revisions.length > 0)) {
      throw new OptionError(option, 'branch, tag and rev select a git revision: give at most one, and only with git.', 'Keep one of branch, tag or rev.');
    }
    for (const [key, value] of Object.entries(spec)) {
      if (typeof value === 'string' && /[\u0000-\u001f"\\]/.test(value)) {
        throw new OptionError(`${option}.${key}`, `${JSON.stringify(value)} contains quotes or control characters.`, 'Use a plain value.');
      }
    }
    this.dependencies.set(name, { ...spec });
  }

  /**
   * Adds (or replaces) a managed feature.
   * @param name the feature name
   * @param items what it enables: `"dep:x"`, `"x/feature"`, `"x?/feature"` or another feature
   */
  public addFeature(name: string, items: string[]): void {
    const option = `cargo.features.${name}`;
    if (typeof name !== 'string' || !CARGO_FEATURE_NAME.test(name)) {
      throw new OptionError(option, `${JSON.stringify(name)} is not a valid Cargo feature name.`,
        'Use letters, digits, "_", "-", "+" or "." (e.g. "webgpu").');
    }
    if (name === 'default') {
      throw new OptionError(option, 'the default feature list has its own option.', 'Set cargo.defaultFeatures instead.');
    }
    if (name === this.allocator.cargoFeature) {
      throw new OptionError(option, `"${name}" is the allocator's feature and is managed from the allocator options.`,
        'Choose another feature name, or change allocator.featureName.');
    }
    if (!Array.isArray(items)) {
      throw new OptionError(option, 'must be a list of feature items.', 'Write e.g. ["dep:wgpu"].');
    }
    items.forEach((item, i) => this.checkFeatureItem(item, `${option}[${i}]`));
    this.features.set(name, [...items]);
  }

  /**
   * Adds (or replaces) a managed `[profile.<name>]` table.
   * @param name the profile name, e.g. "dev-release"
   * @param profile its settings; a custom profile needs `inherits`
   */
  public addProfile(name: string, profile: CargoProfileOptions): void {
    validateProfile(name, profile, `cargo.profiles.${name}`);
    this.profiles.set(name, { ...profile });
  }

  /**
   * Stops managing a profile. Its keys are removed from Cargo.toml at the next synth (the table
   * too, when nothing of yours is left in it).
   */
  public removeProfile(name: string): void {
    this.profiles.delete(name);
  }

  /** The settings of a managed profile, or undefined. */
  public tryFindProfile(name: string): CargoProfileOptions | undefined {
    const profile = this.profiles.get(name);
    return profile ? { ...profile } : undefined;
  }

  /** Names of the managed profiles. */
  public get profileNames(): string[] {
    return [...this.profiles.keys()];
  }

  /** Every feature the package has: the managed ones, then the others in Cargo.toml (not `default`). */
  public get featureNames(): string[] {
    const managed = Object.keys(this.managedFeatures()).filter(n => n !== 'default');
    const onDisk = Object.keys(this.readDisk().value.features ?? {}).filter(n => n !== 'default' && !managed.includes(n));
    return [...managed, ...onDisk];
  }

  /** The `default` feature list the package builds with. */
  public get defaultFeatures(): string[] {
    const managed = this.managedDefaultFeatures();
    if (managed) {
      return [...managed];
    }
    const onDisk = this.readDisk().value.features?.default;
    return Array.isArray(onDisk) ? onDisk.filter((f: unknown): f is string => typeof f === 'string') : [];
  }

  /** The package name: from Cargo.toml when it exists, else the one it will be scaffolded with. */
  public get packageName(): string {
    const name = this.readDisk().value.package?.name;
    return typeof name === 'string' ? name : this.scaffoldPackageName();
  }

  /**
   * The package version: from Cargo.toml when it exists ("0.1.0", the scaffolded one, when it
   * does not); undefined when the file does not give it as a string (e.g. `version.workspace = true`).
   */
  public get packageVersion(): string | undefined {
    const disk = this.readDisk();
    if (disk.text === undefined) {
      return SCAFFOLD_VERSION;
    }
    return str(disk.value.package?.version);
  }

  /**
   * The targets declared in Cargo.toml (`[lib]`, `[[bin]]`, `package.build`, `[[example]]`,
   * `[[test]]`, `[[bench]]`). Targets cargo discovers by itself (an undeclared `src/main.rs`,
   * `src/lib.rs`, `build.rs`) are not listed.
   */
  public get targets(): CargoTarget[] {
    const manifest = this.readDisk().value;
    const pkg = this.packageName;
    const targets: CargoTarget[] = [];
    const lib = manifest.lib;
    if (isTable(lib)) {
      targets.push({ kind: CargoTargetKind.LIB, name: str(lib.name) ?? pkg.replace(/-/g, '_'), path: str(lib.path) ?? 'src/lib.rs' });
    }
    const build = manifest.package?.build;
    if (typeof build === 'string' || build === true) {
      targets.push({ kind: CargoTargetKind.BUILD_SCRIPT, path: build === true ? 'build.rs' : build });
    }
    const arrays: [string, CargoTargetKind, (name: string) => string][] = [
      ['bin', CargoTargetKind.BIN, n => (n === pkg ? 'src/main.rs' : `src/bin/${n}.rs`)],
      ['example', CargoTargetKind.EXAMPLE, n => `examples/${n}.rs`],
      ['test', CargoTargetKind.TEST, n => `tests/${n}.rs`],
      ['bench', CargoTargetKind.BENCH, n => `benches/${n}.rs`],
    ];
    for (const [key, kind, defaultPath] of arrays) {
      for (const target of Array.isArray(manifest[key]) ? manifest[key] : []) {
        const name = str(target?.name);
        if (name !== undefined) {
          targets.push({ kind, name, path: str(target.path) ?? defaultPath(name) });
        }
      }
    }
    return targets;
  }

  /** The root source files of the declared `targets`, each once, sorted. */
  public get targetPaths(): string[] {
    return [...new Set(this.targets.map(t => t.path))].sort();
  }

  /**
   * Path of the build script cargo runs: `package.build` when set (`true` meaning `build.rs`),
   * else `build.rs` when that file exists (cargo finds it by itself); undefined when there is
   * none or `package.build = false`.
   */
  public get buildScript(): string | undefined {
    const declared = this.targets.find(t => t.kind === CargoTargetKind.BUILD_SCRIPT);
    if (declared) {
      return declared.path;
    }
    const build = this.readDisk().value.package?.build;
    return build !== false && fs.existsSync(path.join(this.project.outdir, 'build.rs')) ? 'build.rs' : undefined;
  }

  /** Cargo's output directory under `target/` for the build profile. */
  public get buildProfileDirectory(): string {
    return this.profileDirectory(this.buildProfile);
  }

  /**
   * Cargo's output directory under `target/` for a profile: `debug` for dev and test,
   * `release` for release and bench, otherwise the profile's name.
   */
  public profileDirectory(name: string): string {
    if (name === 'dev' || name === 'test') {
      return 'debug';
    }
    if (name === 'release' || name === 'bench') {
      return 'release';
    }
    return name;
  }

  /** Absolute path of Cargo.toml. */
  public get absolutePath(): string {
    return path.join(this.project.outdir, CargoManifest.FILE_NAME);
  }

  /**
   * Reads Cargo.toml, validates everything against it and computes the new text. Runs before
   * projen deletes or writes any file, so bad input leaves the project untouched.
   */
  public preSynthesize(): void {
    this.disk = undefined;
    const disk = this.readDisk();
    this.validateManifest(disk.value);
    const text = disk.text ?? this.scaffoldText();
    const next = applyManagedTables(text, this.managedTables(), { fileName: CargoManifest.FILE_NAME });
    this.pending = next === disk.text ? undefined : next;
  }

  /** Writes Cargo.toml when its bytes change. */
  public synthesize(): void {
    if (this.pending === undefined) {
      return;
    }
    const file = this.absolutePath;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (fs.existsSync(file)) {
      // A projen-owned file is read-only; this one must stay editable by cargo add and people.
      makeOwnerWritable(file);
    }
    fs.writeFileSync(file, this.pending);
    this.pending = undefined;
  }

  /** The Cargo.toml written when none exists: `[package]` and an empty `[dependencies]`. */
  protected scaffoldText(): string {
    const lines = [
      '[package]',
      `name = ${JSON.stringify(this.scaffoldPackageName())}`,
      `version = "${SCAFFOLD_VERSION}"`,
      `edition = "${this.options.edition ?? RustEdition.EDITION_2021}"`,
    ];
    if (this.options.rustVersion !== undefined) {
      lines.push(`rust-version = ${JSON.stringify(this.options.rustVersion)}`);
    }
    lines.push('', '[dependencies]', '');
    return lines.join('\n');
  }

  /** The managed `[features]` keys in the order written: `default` first. */
  protected managedFeatures(): { [name: string]: string[] } {
    const features: { [name: string]: string[] } = {};
    const defaults = this.managedDefaultFeatures();
    if (defaults) {
      features.default = [...defaults];
    }
    if (this.allocator.linked) {
      features[this.allocator.cargoFeature!] = [`dep:${Allocator.CRATE_NAME}`];
    }
    for (const [name, items] of this.features) {
      features[name] = [...items];
    }
    return features;
  }

  /** The managed `[dependencies]` keys: the optional tikv-jemallocator when it is linked. */
  protected managedDependencies(): { [name: string]: any } {
    const managed: { [name: string]: any } = {};
    if (this.allocator.linked) {
      managed[Allocator.CRATE_NAME] = {
        version: this.allocator.crateVersion!,
        ...(this.allocator.crateFeatures.length > 0 ? { features: [...this.allocator.crateFeatures] } : {}),
        optional: true,
      };
    }
    for (const name of [...this.dependencies.keys()].sort()) {
      const spec = this.dependencies.get(name)!;
      const entry: { [key: string]: TomlValue } = {};
      // Cargo's documentation order.
      for (const key of ['version', 'git', 'branch', 'tag', 'rev', 'package'] as const) {
        if (spec[key] !== undefined) entry[key] = spec[key]!;
      }
      if (spec.features?.length) entry.features = [...spec.features];
      if (spec.optional) entry.optional = true;
      managed[name] = entry;
    }
    return managed;
  }

  /**
   * Checks the options against Cargo.toml as read from disk (empty when it does not exist):
   * workspace layout, dependencies named by features, profiles named by `inherits` and
   * `buildProfile`.
   */
  protected validateManifest(manifest: { [key: string]: any }): void {
    this.checkWorkspace(manifest);
    const dependencies = this.dependenciesOf(manifest);
    const managed = this.managedFeatures();
    const fileFeatures = isTable(manifest.features) ? Object.keys(manifest.features) : [];
    const features = new Set([...Object.keys(managed), ...fileFeatures]);
    for (const [name, items] of Object.entries(managed)) {
      const option = name === 'default' ? 'cargo.defaultFeatures' : `cargo.features.${name}`;
      items.forEach((item, i) => this.checkFeatureReference(item, `${option}[${i}]`, features, dependencies));
    }
    const fileProfiles = isTable(manifest.profile) ? Object.keys(manifest.profile) : [];
    const known = new Set([...BUILT_IN_PROFILES, ...this.profiles.keys(), ...fileProfiles]);
    for (const [name, profile] of this.profiles) {
      if (profile.inherits !== undefined && !known.has(profile.inherits)) {
        throw new OptionError(`cargo.profiles.${name}.inherits`, `profile "${profile.inherits}" is not defined.`,
          `Inherit from "release" or "dev", or add profile "${profile.inherits}".`);
      }
      this.checkInheritanceCycle(name);
    }
    if (!['release', 'dev', ...this.profiles.keys()].includes(this.buildProfile)) {
      throw new OptionError('cargo.buildProfile', `profile "${this.buildProfile}" is not managed here.`,
        `Use "release", "dev" or one of: ${this.profileNames.join(', ')}; or add it with cargo.profiles.`);
    }
  }

  /**
   * The Cargo.toml of an enclosing workspace that lists this package as a member, if any
   * (cargo stops at the first `[workspace]` found walking up, and so does this).
   */
  protected findEnclosingWorkspace(): string | undefined {
    const here = path.resolve(this.project.outdir);
    let dir = path.dirname(here);
    while (true) {
      const candidate = path.join(dir, CargoManifest.FILE_NAME);
      if (fs.existsSync(candidate)) {
        let value: { [key: string]: any } | undefined;
        try {
          value = readToml(fs.readFileSync(candidate, 'utf8'), candidate);
        } catch {
          value = undefined; // not ours to judge; cargo will complain about it
        }
        if (value && isTable(value.workspace)) {
          const relative = path.relative(dir, here).split(path.sep).join('/');
          const members: unknown[] = Array.isArray(value.workspace.members) ? value.workspace.members : [];
          const excluded: unknown[] = Array.isArray(value.workspace.exclude) ? value.workspace.exclude : [];
          const matches = (patterns: unknown[]) => patterns.some(p => typeof p === 'string' && globToRegExp(p).test(relative));
          return matches(members) && !matches(excluded) ? candidate : undefined;
        }
      }
      const parent = path.dirname(dir);
      if (parent === dir) {
        return undefined;
      }
      dir = parent;
    }
  }

  private managedTables(): ManagedTable[] {
    const table = (tablePath: string[], entries: { [key: string]: any }): ManagedTable => ({
      path: tablePath,
      keys: Object.entries(entries).map(([key, value]) => ({ key, value: value as TomlValue })),
    });
    return [
      table(['features'], this.managedFeatures()),
      table(['dependencies'], this.managedDependencies()),
      ...[...this.profiles].map(([name, profile]) => ({ path: ['profile', name], keys: renderProfile(profile) })),
    ];
  }

  private managedDefaultFeatures(): string[] | undefined {
    if (this.options.defaultFeatures !== undefined) {
      return this.options.defaultFeatures;
    }
    return this.allocator.linked ? [this.allocator.cargoFeature!] : undefined;
  }

  private readDisk(): DiskManifest {
    if (!this.disk) {
      const file = this.absolutePath;
      if (!fs.existsSync(file)) {
        this.disk = { value: {} };
      } else {
        const bytes = fs.readFileSync(file);
        const text = bytes.toString('utf8');
        if (!Buffer.from(text, 'utf8').equals(bytes)) {
          throw new OptionError(CargoManifest.FILE_NAME, 'is not valid UTF-8, which TOML requires.', 'Re-save it as UTF-8.');
        }
        this.disk = { text, value: readToml(text, CargoManifest.FILE_NAME) };
      }
    }
    return this.disk;
  }

  private checkWorkspace(manifest: { [key: string]: any }): void {
    const file = CargoManifest.FILE_NAME;
    const isNew = this.disk?.text === undefined;
    if (isTable(manifest.workspace) && !isTable(manifest.package)) {
      throw new OptionError(file, 'is a virtual workspace manifest ([workspace] without [package]); it has no package to give features to.',
        'Use CargoManifest in the project of a member package, with its profiles moved to this root by hand, or add a [package] here.');
    }
    if (!isNew && !isTable(manifest.package)) {
      throw new OptionError(file, 'has no [package] table.', 'Add [package] with name, version and edition, or delete the file so it is scaffolded.');
    }
    if (isTable(manifest.package) && manifest.package.workspace !== undefined) {
      const line = (this.disk?.text ?? '').split('\n').findIndex(l => /^\s*workspace\s*=/.test(l)) + 1;
      throw new OptionError(line > 0 ? `${file}:${line}` : file, 'package.workspace makes this package a workspace member, and cargo ignores [profile.*] in members.',
        'Manage Cargo.toml from the workspace root project instead.');
    }
    const root = this.findEnclosingWorkspace();
    if (root) {
      throw new OptionError(file, `belongs to the workspace at ${root}, and cargo reads [profile.*] only from the workspace root (members' profiles are ignored with a warning).`,
        'Use CargoManifest in the project at the workspace root, or add this directory to workspace.exclude there.');
    }
  }

  /** Dependency names to whether they are optional, from every table a feature can reach. */
  private dependenciesOf(manifest: { [key: string]: any }): Map<string, boolean> {
    const deps = new Map<string, boolean>();
    const collect = (table: unknown) => {
      for (const key of DEPENDENCY_TABLES) {
        const entries = isTable(table) ? (table as any)[key] : undefined;
        for (const [name, spec] of Object.entries(isTable(entries) ? entries : {})) {
          deps.set(name, deps.get(name) === true || (isTable(spec) && (spec as any).optional === true));
        }
      }
    };
    collect(manifest);
    for (const target of Object.values(isTable(manifest.target) ? manifest.target : {})) {
      collect(target);
    }
    for (const [name, spec] of Object.entries(this.managedDependencies())) {
      deps.set(name, spec.optional === true);
    }
    return deps;
  }

  private checkFeatureItem(item: string, option: string): void {
    const match = typeof item === 'string' ? /^(?:dep:([^/?]+)|([^/?:]+)\??\/([^/?:]+)|([^/?:]+))$/.exec(item) : null;
    const ok = match && [match[1], match[2]].every(d => d === undefined || DEPENDENCY_NAME.test(d))
      && [match[3], match[4]].every(f => f === undefined || CARGO_FEATURE_NAME.test(f));
    if (!ok) {
      throw new OptionError(option, `${JSON.stringify(item)} is not a feature item.`,
        'Write "dep:<dependency>", "<dependency>/<feature>", "<dependency>?/<feature>" or "<feature>".');
    }
  }

  private checkFeatureReference(item: string, option: string, features: Set<string>, deps: Map<string, boolean>): void {
    const fix = `Add the dependency to ${CargoManifest.FILE_NAME} first, or correct the name.`;
    if (item.startsWith('dep:')) {
      const dep = item.slice(4);
      if (!deps.has(dep)) {
        throw new OptionError(option, `"${item}" names "${dep}", which is not a dependency in ${CargoManifest.FILE_NAME}.`, fix);
      }
      if (!deps.get(dep)) {
        throw new OptionError(option, `"${item}" names "${dep}", which is not an optional dependency.`, `Add optional = true to "${dep}" in ${CargoManifest.FILE_NAME}.`);
      }
    } else if (item.includes('/')) {
      const dep = item.split('/')[0].replace(/\?$/, '');
      if (!deps.has(dep)) {
        throw new OptionError(option, `"${item}" names "${dep}", which is not a dependency in ${CargoManifest.FILE_NAME}.`, fix);
      }
    } else if (!features.has(item) && !deps.get(item)) {
      throw new OptionError(option, `"${item}" is neither a feature nor an optional dependency in ${CargoManifest.FILE_NAME}.`,
        'Define the feature (cargo.features or Cargo.toml), or add the optional dependency first.');
    }
  }

  private checkInheritanceCycle(start: string): void {
    const seen = [start];
    let current = this.profiles.get(start)?.inherits;
    while (current !== undefined && this.profiles.has(current)) {
      if (seen.includes(current)) {
        throw new OptionError(`cargo.profiles.${start}.inherits`, `profiles inherit in a cycle: ${[...seen, current].join(' -> ')}.`,
          'Make one of them inherit from "release" or "dev".');
      }
      seen.push(current);
      current = this.profiles.get(current)?.inherits;
    }
  }

  private checkScaffoldOptions(): void {
    const { packageName, rustVersion, edition } = this.options;
    if (packageName !== undefined && !PACKAGE_NAME.test(packageName)) {
      throw new OptionError('cargo.packageName', `${JSON.stringify(packageName)} is not a valid Cargo package name.`,
        'Use letters, digits, "-" and "_", starting with a letter or "_" (at most 64 characters).');
    }
    if (rustVersion !== undefined && !/^\d+(\.\d+){1,2}$/.test(rustVersion)) {
      throw new OptionError('cargo.rustVersion', `${JSON.stringify(rustVersion)} is not a Rust version.`, 'Use e.g. "1.85" or "1.85.1".');
    }
    if (edition !== undefined && !Object.values(RustEdition).includes(edition)) {
      throw new OptionError('cargo.edition', `${JSON.stringify(edition)} is not a Rust edition.`, `Use one of: ${Object.values(RustEdition).join(', ')}.`);
    }
  }

  private scaffoldPackageName(): string {
    const name = this.options.packageName ?? this.project.name;
    if (!PACKAGE_NAME.test(name)) {
      throw new OptionError('cargo.packageName', `the project name ${JSON.stringify(name)} is not a valid Cargo package name.`,
        'Set cargo.packageName (letters, digits, "-" and "_", starting with a letter or "_").');
    }
    return name;
  }
}

function makeOwnerWritable(file: string): void {
  const mode = fs.statSync(file).mode;
  /* eslint-disable no-bitwise */
  if ((mode & 0o200) === 0) {
    fs.chmodSync(file, (mode & 0o7777) | 0o200);
  }
  /* eslint-enable no-bitwise */
}

function isTable(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A cargo workspace member glob (`crates/*`, `tools/**`) as a regular expression over `/` paths. */
function globToRegExp(glob: string): RegExp {
  const normalized = glob.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  let source = '';
  for (let i = 0; i < normalized.length; i++) {
    const c = normalized[i];
    if (c === '*' && normalized[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') {
      source += '[^/]*';
    } else if (c === '?') {
      source += '[^/]';
    } else {
      source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
