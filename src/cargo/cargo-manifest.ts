import * as fs from 'fs';
import * as path from 'path';
import { Component, Project } from 'projen';
import { CargoJemallocEntry, CargoPackage } from './cargo-package';
import { CargoDebugInfo, CargoLto, CargoOptLevel, CargoPanicStrategy, CargoProfileOptions, CargoStrip } from './cargo-profile';
import { CargoTarget } from './cargo-target';
import { applyManagedTables, lineOfKey, managedKeyPaths, ManagedTable, renderValue, TomlValue } from './managed-toml';
import { BUILT_IN_PROFILES, profileDirectory, renderProfile, validateProfile, validateProfileName } from './profile-rules';
import { Allocator } from '../core/allocator';
import { OptionError } from '../core/errors';
import { SCAFFOLD_VERSION, CARGO_FEATURE_NAME } from '../core/names';
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

  /**
   * The operator's package when Cargo.toml is a virtual workspace root (`[workspace]` without
   * `[package]`), by its `[package] name`. Its features and allocator dependency are managed in
   * its own Cargo.toml; the `[profile.*]` tables in the root's, the only place cargo reads them.
   * @default - the only workspace member with a binary
   */
  readonly cargoPackage?: string;
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

/** How the allocator's tikv-jemallocator is wired into the user's manifest. */
interface JemallocPlan {
  /** Our own optional entry in `[dependencies]`, when the user's entries cannot serve. */
  readonly ownEntry?: { [key: string]: TomlValue };
  /** Items of the allocator feature. */
  readonly featureItems: string[];
  /** The requirement cargo resolves. */
  readonly version: string;
}

const DEPENDENCY_NAME = /^[A-Za-z0-9_-]+$/;
const PACKAGE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const DEPENDENCY_TABLES = ['dependencies', 'build-dependencies'];

/**
 * Owns the feature and profile tables of the project's Cargo.toml, never the user's text. What
 * the user's package is (name, version, targets, binaries, workspace, jemalloc wiring) is read by
 * `CargoPackage` (`CargoManifest.package`); this class edits.
 *
 * Managed: `[features]` (the allocator's feature, `default`, features from options), the optional
 * tikv-jemallocator entry of `[dependencies]` when the user has none that serves, and
 * `[profile.release]`, `[profile.maxperf]` and further profiles from options. Each managed key is
 * rewritten on every synth; every other byte of Cargo.toml (comments, ordering, dependencies, line
 * endings) is kept, and the comment at the end of a managed key's line stays with the key.
 *
 * Meaning is kept too: the allocator feature is appended to the user's `default` list (their
 * entries stay, in order); a tikv-jemallocator the user already depends on is adopted (one
 * requirement, so cargo never sees two `links = "jemalloc"` packages) and the implicit feature is
 * kept when the user's features name it; in a workspace, `[profile.*]` go to the root manifest
 * (the only one cargo reads them from) and features and the dependency to the operator's member.
 * Every managed value that differs from the user's is reported once through `project.logger`.
 *
 * Cargo.toml is scaffolded once when it does not exist, stays writable (so `cargo add` and
 * Dependabot keep working), is written only when its bytes change, and is never deleted.
 *
 * The allocator's feature uses the `dep:` form, `jemalloc = ["dep:tikv-jemallocator"]`, unless a
 * user feature names the implicit `tikv-jemallocator` feature: `dep:` removes that feature, and
 * the implicit one alone links the crate without turning on `cfg(feature = "jemalloc")`.
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

  /** The build profile given in the options, else "release" (the operator plan decides the one the image uses). */
  public readonly buildProfile: string;

  /**
   * `rust-version` written when Cargo.toml is scaffolded; set at synth time by the project from
   * the Rust toolchain (rust-toolchain.toml's channel, which the builder image carries).
   */
  public scaffoldRustVersion?: string;

  private readonly options: CargoManifestOptions;
  private readonly features = new Map<string, string[]>();
  private readonly dependencies = new Map<string, CargoDependencyOptions>();
  private readonly profiles = new Map<string, CargoProfileOptions>();
  private view?: CargoPackage;
  private jemalloc?: JemallocPlan;
  /** Absolute file to new text, computed in preSynthesize. */
  private pending = new Map<string, string>();

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
      throw new OptionError(option, `"${name}" is managed from the allocator options.`, `Use ${this.allocator.optionNames.crateVersion} instead.`);
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
        `Choose another feature name, or change ${this.allocator.optionNames.featureName}.`);
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
    const onDisk = Object.keys(this.package.features).filter(n => n !== 'default' && !managed.includes(n));
    return [...managed, ...onDisk];
  }

  /** The `default` feature list the package builds with. */
  public get defaultFeatures(): string[] {
    return [...(this.managedDefaultFeatures() ?? this.package.defaultFeatures)];
  }

  /**
   * The user's package as read from disk (Cargo.toml, the file tree and the workspace root), read
   * once per synth.
   */
  public get package(): CargoPackage {
    if (!this.view) {
      this.view = new CargoPackage({ directory: this.project.outdir, cargoPackage: this.options.cargoPackage });
    }
    return this.view;
  }

  /** The package name: from Cargo.toml when it exists, else the one it will be scaffolded with. */
  public get packageName(): string {
    return this.package.name ?? this.scaffoldPackageName();
  }

  /**
   * The package version: from Cargo.toml when it exists (`version.workspace = true` resolved from
   * the workspace root), "0.1.0" (the scaffolded one) when it does not; undefined when the package
   * gives none.
   */
  public get packageVersion(): string | undefined {
    return this.package.exists ? this.package.version : SCAFFOLD_VERSION;
  }

  /**
   * The targets declared in Cargo.toml (`[lib]`, `[[bin]]`, `package.build`, `[[example]]`,
   * `[[test]]`, `[[bench]]`), each with the path cargo uses. `package.targets` also lists the
   * targets cargo discovers by itself.
   */
  public get targets(): CargoTarget[] {
    return this.package.targets.filter(t => t.declared);
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
    return this.package.buildScript;
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
    return profileDirectory(name);
  }

  /** Absolute path of the package's Cargo.toml (the member's in a virtual workspace). */
  public get absolutePath(): string {
    return path.join(this.project.outdir, this.package.manifestFile);
  }

  /**
   * Reads Cargo.toml, validates everything against it and computes the new text(s). Runs before
   * projen deletes or writes any file, so bad input leaves the project untouched. Logs one line
   * per managed value that changes a value the file had.
   */
  public preSynthesize(): void {
    this.view = undefined;
    this.jemalloc = undefined;
    this.pending.clear();
    const pkg = this.package;
    this.validateManifest(pkg._manifest);
    const tables = this.managedTables();
    const profiles = tables.filter(t => t.path[0] === 'profile');
    const others = tables.filter(t => t.path[0] !== 'profile');
    const packageFile = this.absolutePath;
    const rootFile = path.join(this.project.outdir, pkg.profileManifestFile);
    const packageText = pkg.exists ? pkg._text : this.scaffoldText();
    const changes: string[] = [];
    if (rootFile === packageFile) {
      this.plan(packageFile, pkg.manifestFile, packageText, pkg._manifest, tables, changes);
    } else {
      // Profiles in a member are ignored by cargo (with a warning): they belong to the root.
      this.plan(packageFile, pkg.manifestFile, packageText, pkg._manifest, [...others, ...profiles.map(t => ({ path: t.path, keys: [] }))], changes);
      this.plan(rootFile, pkg.profileManifestFile, pkg._rootText ?? '', pkg._rootManifest ?? {}, profiles, changes);
    }
    for (const line of changes) {
      this.project.logger.info(line);
    }
  }

  /** Writes the Cargo.toml files whose bytes change. */
  public synthesize(): void {
    for (const [file, text] of this.pending) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (fs.existsSync(file)) {
        // A projen-owned file is read-only; this one must stay editable by cargo add and people.
        makeOwnerWritable(file);
      }
      fs.writeFileSync(file, text);
    }
    this.pending.clear();
  }

  /** The Cargo.toml written when none exists: `[package]` and an empty `[dependencies]`. */
  protected scaffoldText(): string {
    const lines = [
      '[package]',
      `name = ${JSON.stringify(this.scaffoldPackageName())}`,
      `version = "${SCAFFOLD_VERSION}"`,
      `edition = "${this.options.edition ?? RustEdition.EDITION_2021}"`,
    ];
    const rustVersion = this.options.rustVersion ?? this.scaffoldRustVersion;
    if (rustVersion !== undefined) {
      lines.push(`rust-version = ${JSON.stringify(rustVersion)}`);
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
      features[this.allocator.cargoFeature!] = [...this.jemallocPlan().featureItems];
    }
    for (const [name, items] of this.features) {
      features[name] = [...items];
    }
    return features;
  }

  /**
   * The managed `[dependencies]` keys: the optional tikv-jemallocator when it is linked and the
   * user has no entry that serves, and the dependencies added with `addDependency`.
   */
  protected managedDependencies(): { [name: string]: any } {
    const managed: { [name: string]: any } = {};
    const own = this.allocator.linked ? this.jemallocPlan().ownEntry : undefined;
    if (own) {
      managed[Allocator.CRATE_NAME] = own;
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
   * dependencies named by features, profiles named by `inherits` and `buildProfile`.
   */
  protected validateManifest(manifest: { [key: string]: any }): void {
    const dependencies = this.dependenciesOf(manifest);
    const managed = this.managedFeatures();
    const fileFeatures = isTable(manifest.features) ? Object.keys(manifest.features) : [];
    const features = new Set([...Object.keys(managed), ...fileFeatures]);
    for (const [name, items] of Object.entries(managed)) {
      const option = name === 'default' ? 'cargo.defaultFeatures' : `cargo.features.${name}`;
      items.forEach((item, i) => this.checkFeatureReference(item, `${option}[${i}]`, features, dependencies));
    }
    const root = this.package._rootManifest ?? manifest;
    const fileProfiles = isTable(root.profile) ? Object.keys(root.profile) : [];
    const known = new Set([...BUILT_IN_PROFILES, ...this.profiles.keys(), ...fileProfiles]);
    for (const [name, profile] of this.profiles) {
      if (profile.inherits !== undefined && !known.has(profile.inherits)) {
        throw new OptionError(`cargo.profiles.${name}.inherits`, `profile "${profile.inherits}" is not defined.`,
          `Inherit from "release" or "dev", or add profile "${profile.inherits}".`);
      }
      this.checkInheritanceCycle(name);
    }
    if (this.options.buildProfile !== undefined) {
      this.checkBuildProfile(this.options.buildProfile, 'cargo.buildProfile');
    }
  }

  /** The build profile given in the options, if any (the operator plan decides the one used). */
  public get buildProfileOption(): string | undefined {
    return this.options.buildProfile;
  }

  /**
   * Throws unless cargo can build `profile` from this Cargo.toml: "release", "dev", a managed
   * profile or one of the file's own.
   * @param profile the profile name
   * @param subject the option that chose it, for the error
   */
  public checkBuildProfile(profile: string, subject: string): void {
    validateProfileName(profile, subject);
    const root = this.package._rootManifest ?? this.package._manifest;
    const fileProfiles = isTable(root.profile) ? Object.keys(root.profile) : [];
    if (!['release', 'dev', ...this.profiles.keys(), ...fileProfiles].includes(profile)) {
      throw new OptionError(subject, `profile "${profile}" is not managed here.`,
        `Use "release", "dev" or one of: ${this.profileNames.join(', ')}; or add it with cargo.profiles.`);
    }
  }

  /**
   * How tikv-jemallocator is wired, from the user's entries (see `CargoPackage.jemallocEntries`):
   * - none: our optional entry in `[dependencies]`;
   * - one in `[dependencies]`, or in a `[target.'cfg(...)'.dependencies]` that applies to the
   *   image's Linux targets: adopted where it is (the feature enables it; allocator crate features
   *   it lacks are added as `tikv-jemallocator/<feature>` items);
   * - only elsewhere (another platform, dev- or build-dependencies): our entry beside it, with the
   *   same requirement.
   * The feature enables the dependency as `"tikv-jemallocator"` when some feature (the user's
   * `jemalloc` too) names it so and none uses `dep:`, which would remove that implicit feature.
   * Every requirement must be semver-compatible with the others and with the allocator's (cargo
   * refuses two `links = "jemalloc"` packages). A default `allocator.crateVersion` follows the
   * user's requirement; one set explicitly that conflicts is an error.
   */
  private jemallocPlan(): JemallocPlan {
    if (this.jemalloc) {
      return this.jemalloc;
    }
    const pkg = this.package;
    const entries = pkg.jemallocEntries;
    const ours = this.allocator.crateVersion!;
    const explicitVersion = this.allocator.crateVersionGiven;
    const versioned = entries.filter(e => e.version !== undefined);
    let version = ours;
    if (versioned.length > 0) {
      const first = versioned[0];
      const conflict = versioned.find(e => !semverCompatible(e.version!, first.version!));
      if (conflict) {
        throw new OptionError(`${conflict.file}:${conflict.line}`,
          `requires tikv-jemallocator "${conflict.version}" in [${conflict.table}], but line ${first.line} requires "${first.version}" in [${first.table}]: two tikv-jemallocator versions link the native library jemalloc twice (links = "jemalloc"), which cargo refuses.`,
          `Give both the same requirement (e.g. "${first.version}"), then run npx projen again.`);
      }
      if (!semverCompatible(first.version!, ours)) {
        if (explicitVersion) {
          throw new OptionError(`${first.file}:${first.line}`,
            `requires tikv-jemallocator "${first.version}" in [${first.table}], and ${this.allocator.optionNames.crateVersion} is "${ours}": two tikv-jemallocator versions link the native library jemalloc twice (links = "jemalloc"), which cargo refuses.`,
            `Set ${this.allocator.optionNames.crateVersion} to "${first.version}" (or remove it, so the requirement in ${first.file} is used), or change line ${first.line} to "${ours}".`);
        }
        version = first.version!;
      } else {
        version = explicitVersion ? ours : first.version!;
      }
    }
    const crateFeatures = this.allocator.crateFeatures;
    const applies = (e: CargoJemallocEntry) => e.normal && (!e.targetSpecific || cfgAppliesToImage(e.tablePath[1]));
    const adopted = entries.find(e => applies(e) && !e.targetSpecific) ?? entries.find(applies);
    if (adopted) {
      const enable = !adopted.optional ? [] : pkg.usesImplicitFeature(adopted.key) ? [adopted.key] : [`dep:${adopted.key}`];
      const extra = crateFeatures.filter(f => !adopted.features.includes(f)).map(f => `${adopted.key}/${f}`);
      this.jemalloc = { featureItems: [...enable, ...extra], version: adopted.version ?? version };
    } else {
      const key = Allocator.CRATE_NAME;
      const implicit = pkg.usesImplicitFeature(key);
      this.jemalloc = {
        ownEntry: { version, ...(crateFeatures.length > 0 ? { features: [...crateFeatures] } : {}), optional: true },
        featureItems: [implicit ? key : `dep:${key}`],
        version,
      };
    }
    return this.jemalloc;
  }

  /**
   * Computes the new text of one manifest and the change lines for managed keys whose value in
   * the file differs.
   */
  private plan(file: string, shown: string, text: string, value: { [key: string]: any }, tables: ManagedTable[], changes: string[]): void {
    const next = applyManagedTables(text, tables, { fileName: shown });
    if (next !== text || !fs.existsSync(file)) {
      this.pending.set(file, next);
    }
    for (const table of tables) {
      for (const { key, value: wanted } of table.keys) {
        const old = [...table.path, key].reduce((v: any, k) => (isTable(v) ? v[k] : undefined), value);
        if (old !== undefined && JSON.stringify(old) !== JSON.stringify(wanted)) {
          const line = lineOfKey(text.replace(/^\uFEFF/, ''), table.path.join('.'), key);
          changes.push(`${shown}${line > 0 ? `:${line}` : ''} [${table.path.join('.')}] ${key}: ${renderInline(old)} -> ${renderInline(wanted)}`
            + ` (to keep ${renderInline(old)}: ${this.keepHint(table.path, key, old)})`);
        }
      }
    }
  }

  /** The option that keeps a user's value of a managed key. */
  private keepHint(tablePath: readonly string[], key: string, old: unknown): string {
    if (tablePath[0] === 'profile') {
      const name = tablePath[1];
      const base = name === 'release' ? 'CargoManifest.RELEASE_PROFILE' : name === 'maxperf' ? 'CargoManifest.MAXPERF_PROFILE'
        : name === 'dev-release' ? 'CargoManifest.DEV_RELEASE_PROFILE' : `cargo.tryFindProfile('${name}')`;
      return `cargo.addProfile('${name}', { ...${base}, ${profileSetting(key, old)} }) in .projenrc.ts`;
    }
    if (tablePath[0] === 'features') {
      if (key === 'default') {
        return `defaultFeatures: ${renderJs(old)} in .projenrc.ts`;
      }
      if (key === this.allocator.cargoFeature) {
        return 'another allocator featureName, or allocator mode "preloaded" or "system" (nothing linked)';
      }
      return `remove "${key}" from the features option`;
    }
    if (key === Allocator.CRATE_NAME) {
      return `${this.allocator.optionNames.crateVersion} and ${this.allocator.optionNames.crateFeatures}`;
    }
    return `cargo.addDependency('${key}', ...) in .projenrc.ts`;
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

  /**
   * The managed `default` list: the option when given (the whole list); else, when jemalloc is
   * linked, the user's `default` list with the allocator feature appended (entries naming a
   * feature that is no longer managed are dropped, so switching the allocator off leaves none
   * dangling); else undefined (left to the user).
   */
  private managedDefaultFeatures(): string[] | undefined {
    if (this.options.defaultFeatures !== undefined) {
      return this.options.defaultFeatures;
    }
    if (!this.allocator.linked) {
      return undefined;
    }
    const feature = this.allocator.cargoFeature!;
    const previouslyManaged = this.previouslyManagedFeatures();
    const kept = this.package.defaultFeatures.filter(f => f === feature || !previouslyManaged.includes(f) || this.features.has(f));
    return kept.includes(feature) ? kept : [...kept, feature];
  }

  /** Feature names a previous synth wrote (listed by the marker of `[features]`). */
  private previouslyManagedFeatures(): string[] {
    return managedKeyPaths(this.package._text).filter(p => p.length === 2 && p[0] === 'features').map(p => p[1]);
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


/** Whether two version requirements select the same semver-compatible series (`0.6` and `^0.6.1`; not `0.6` and `0.7`). */
function semverCompatible(a: string, b: string): boolean {
  const series = (req: string) => {
    const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(req);
    if (!m) return undefined;
    const [major, minor, patch] = [m[1], m[2] ?? '0', m[3] ?? '0'].map(Number);
    return major > 0 ? `${major}` : minor > 0 ? `0.${minor}` : `0.0.${patch}`;
  };
  const x = series(a);
  const y = series(b);
  return x === undefined || y === undefined || x === y;
}

/** The image's targets: Linux with glibc on x86_64 and aarch64. */
const IMAGE_TARGETS: { [key: string]: string }[] = ['x86_64', 'aarch64'].map(arch => ({
  target_arch: arch,
  target_os: 'linux',
  target_family: 'unix',
  target_env: 'gnu',
  target_vendor: 'unknown',
  target_pointer_width: '64',
  target_endian: 'little',
  unix: 'true',
}));

/**
 * Whether a `[target.<spec>]` table applies to every image target: a target triple, or a
 * `cfg(...)` of `all`, `any`, `not`, `unix`, `windows` and `key = "value"` predicates. Anything
 * else (e.g. `cfg(feature = ...)`, unknown keys) counts as not applying.
 */
function cfgAppliesToImage(spec: string): boolean {
  const triple = /^[a-z0-9_]+-[a-z0-9_]+-[a-z0-9_]+(-[a-z0-9_]+)?$/.test(spec);
  if (triple) {
    return false; // a single triple never covers both image architectures
  }
  const m = /^cfg\((.*)\)$/s.exec(spec.trim());
  if (!m) {
    return false;
  }
  const tokens = m[1].match(/"[^"]*"|[A-Za-z_][A-Za-z0-9_]*|[(),=]/g) ?? [];
  return IMAGE_TARGETS.every(target => {
    let i = 0;
    const expr = (): boolean | undefined => {
      const name = tokens[i++];
      if (name === 'all' || name === 'any' || name === 'not') {
        if (tokens[i++] !== '(') return undefined;
        const values: (boolean | undefined)[] = [];
        while (tokens[i] !== ')' && i < tokens.length) {
          values.push(expr());
          if (tokens[i] === ',') i++;
        }
        i++;
        if (values.includes(undefined)) return undefined;
        if (name === 'not') return values.length === 1 ? !values[0] : undefined;
        return name === 'all' ? values.every(Boolean) : values.some(Boolean);
      }
      if (tokens[i] === '=') {
        i++;
        const value = tokens[i++];
        const known = ['target_arch', 'target_os', 'target_family', 'target_env', 'target_vendor', 'target_pointer_width', 'target_endian'];
        return known.includes(name) ? target[name] === value.slice(1, -1) : undefined;
      }
      if (name === 'unix') return true;
      if (name === 'windows') return false;
      return undefined;
    };
    const result = expr();
    return result === true && i === tokens.length;
  });
}

/** A value as TOML (for change lines); dates and floats as JSON. */
function renderInline(value: unknown): string {
  try {
    return renderValue(value as TomlValue);
  } catch {
    return JSON.stringify(value);
  }
}

function renderJs(value: unknown): string {
  return JSON.stringify(value).replace(/,/g, ', ');
}

/** The `CargoProfileOptions` setting that writes a profile key's value, e.g. `optLevel: CargoOptLevel.O3`. */
function profileSetting(key: string, value: unknown): string {
  const enums: { [key: string]: [string, string, { [k: string]: string }] } = {
    'opt-level': ['optLevel', 'CargoOptLevel', CargoOptLevel],
    'lto': ['lto', 'CargoLto', CargoLto],
    'strip': ['strip', 'CargoStrip', CargoStrip],
    'debug': ['debug', 'CargoDebugInfo', CargoDebugInfo],
    'panic': ['panicStrategy', 'CargoPanicStrategy', CargoPanicStrategy],
  };
  const e = enums[key];
  if (e) {
    const member = Object.entries(e[2]).find(([, v]) => v === String(value))?.[0];
    return member ? `${e[0]}: ${e[1]}.${member}` : `${e[0]}: ${JSON.stringify(value)} (not settable from the options; remove ${e[0]} to leave the key to cargo's default)`;
  }
  if (key === 'codegen-units') return `codegenUnits: ${value}`;
  if (key === 'incremental') return `incremental: ${value}`;
  if (key === 'inherits') return `inherits: ${JSON.stringify(value)}`;
  return `${key}: ${JSON.stringify(value)}`;
}
