import * as fs from 'fs';
import * as path from 'path';
import { CargoTarget, CargoTargetKind } from './cargo-target';
import { lineOfKey, managedKeyPaths, readToml } from './managed-toml';
import { OptionError } from '../core/errors';

/** Where the package stands in a Cargo workspace. */
export enum CargoWorkspaceRole {
  /** No workspace: the package is its own root. */
  STANDALONE = 'standalone',
  /** Cargo.toml has both `[package]` and `[workspace]`: the package is the workspace root. */
  ROOT_PACKAGE = 'root-package',
  /** The package is a member of a workspace whose root is another Cargo.toml (`workspaceRoot`). */
  MEMBER = 'member',
  /**
   * The project's Cargo.toml is a virtual workspace root (`[workspace]` without `[package]`);
   * the package is the member chosen by `cargoPackage` or the only member with a binary.
   */
  VIRTUAL_MEMBER = 'virtual-member',
}

/** Options for `CargoPackage`. */
export interface CargoPackageOptions {
  /** Absolute path of the directory holding the project's Cargo.toml. */
  readonly directory: string;

  /**
   * The member package the operator is, by package name, when the project's Cargo.toml is a
   * virtual workspace root; also accepted for a root package with `[workspace]` to pick another
   * member.
   * @default - the package of the project's Cargo.toml; for a virtual root, its only member with a binary
   */
  readonly cargoPackage?: string;
}

/** One place the user's Cargo.toml depends on tikv-jemallocator. */
export interface CargoJemallocEntry {
  /** The dependency key as written (differs from the crate name when renamed with `package =`). */
  readonly key: string;
  /**
   * Dotted path of the dependency table, e.g. `dependencies`,
   * `target.cfg(unix).dependencies` or `dev-dependencies`.
   */
  readonly table: string;
  /** The table as path segments, e.g. `["target", "cfg(unix)", "dependencies"]`. */
  readonly tablePath: string[];
  /**
   * Version requirement (resolved from `[workspace.dependencies]` for `workspace = true`).
   * @default - none written
   */
  readonly version?: string;
  /** Whether the dependency is optional. */
  readonly optional: boolean;
  /** Features the entry enables. */
  readonly features: string[];
  /** The manifest holding the entry, relative to the project directory, e.g. `Cargo.toml`. */
  readonly file: string;
  /** 1-based line of the entry in `file`. */
  readonly line: number;
  /** Whether this is a normal dependency table (`[dependencies]` or a target's): linked into the binary. */
  readonly normal: boolean;
  /** Whether the table applies only to some targets (`[target.'cfg(...)'.dependencies]`). */
  readonly targetSpecific: boolean;
}

/** A target file the dependency layer of the image must stub before the sources are copied. */
export interface CargoStubFile {
  /** Path relative to the workspace root (the project directory unless `workspaceRole` is MEMBER). */
  readonly path: string;
  /** The target kind: a `LIB` stub is an empty file, every other kind `fn main() {}`. */
  readonly kind: CargoTargetKind;
}

/** What was read from one Cargo.toml. */
interface ManifestRead {
  readonly file: string;
  readonly text: string;
  readonly value: { [key: string]: any };
  /** Paths of keys a marker of ours lists: not the user's, even when present. */
  readonly managed: string[][];
}

const INHERITABLE_PACKAGE_KEYS = ['version', 'authors', 'description', 'documentation', 'edition', 'exclude', 'homepage',
  'include', 'keywords', 'categories', 'license', 'license-file', 'publish', 'readme', 'repository', 'rust-version'];
const JEMALLOC_CRATE = 'tikv-jemallocator';
const FILE_NAME = 'Cargo.toml';

/**
 * The user's Cargo package as cargo sees it, read-only: read from Cargo.toml, the file tree and the
 * workspace root. Package keys inherited with `workspace = true` are resolved from the root; the
 * targets follow cargo's own discovery rules (`src/main.rs`, `src/bin/<name>.rs`, `src/bin/<name>/main.rs`,
 * `autobins = false`, `[[bin]]` with or without `path`, the library, the build script, examples,
 * tests and benches).
 *
 * Read once when constructed; construct a new one to see later edits.
 */
export class CargoPackage {
  /** The project directory (absolute). */
  public readonly directory: string;
  /** Whether the project has a Cargo.toml yet (a new operator has none until the first synth). */
  public readonly exists: boolean;
  /** How the package relates to a workspace. */
  public readonly workspaceRole: CargoWorkspaceRole;
  /**
   * The workspace root directory relative to the project directory: `.` unless the package is
   * a MEMBER of a workspace above the project (then e.g. `..`).
   */
  public readonly workspaceRoot: string;
  /** The package's directory relative to the workspace root (`.` for the root's own package). */
  public readonly packageDirectory: string;
  /** The package's Cargo.toml relative to the project directory. */
  public readonly manifestFile: string;
  /** The Cargo.toml holding `[workspace]` and the `[profile.*]` cargo reads, relative to the project directory. */
  public readonly profileManifestFile: string;
  /** Every workspace member directory relative to the workspace root, sorted (`.` for a root package); `["."]` when standalone. */
  public readonly memberDirectories: string[];

  private readonly pkg: ManifestRead;
  private readonly root?: ManifestRead;
  private readonly rootDir: string;
  private readonly packageDir: string;
  private readonly cachedTargets = new Map<string, CargoTarget[]>();

  constructor(options: CargoPackageOptions) {
    this.directory = path.resolve(options.directory);
    const own = readManifest(path.join(this.directory, FILE_NAME), FILE_NAME);
    this.exists = own !== undefined;
    if (!own) {
      // Not scaffolded yet: it may still be listed by a workspace above.
      this.pkg = { file: FILE_NAME, text: '', value: {}, managed: [] };
      this.packageDir = this.directory;
      const rootFile = findEnclosingWorkspace(this.directory, {});
      this.root = rootFile ? readManifest(rootFile, toPosix(path.relative(this.directory, rootFile))) : undefined;
      this.rootDir = rootFile ? path.dirname(rootFile) : this.directory;
      this.workspaceRole = rootFile ? CargoWorkspaceRole.MEMBER : CargoWorkspaceRole.STANDALONE;
      this.memberDirectories = this.root ? expandMembers(this.rootDir, this.root.value) : ['.'];
    } else if (isTable(own.value.workspace)) {
      this.rootDir = this.directory;
      this.root = own;
      this.memberDirectories = expandMembers(this.directory, own.value);
      const chosen = this.chooseMember(own, options.cargoPackage);
      this.packageDir = path.join(this.directory, chosen);
      this.pkg = chosen === '.' ? own : readManifest(path.join(this.packageDir, FILE_NAME), path.posix.join(chosen, FILE_NAME))!;
      this.workspaceRole = isTable(own.value.package) ? (chosen === '.' ? CargoWorkspaceRole.ROOT_PACKAGE : CargoWorkspaceRole.VIRTUAL_MEMBER) : CargoWorkspaceRole.VIRTUAL_MEMBER;
    } else {
      this.pkg = own;
      this.packageDir = this.directory;
      const rootFile = findEnclosingWorkspace(this.directory, own.value);
      if (rootFile) {
        this.rootDir = path.dirname(rootFile);
        this.root = readManifest(rootFile, toPosix(path.relative(this.directory, rootFile)))!;
        this.workspaceRole = CargoWorkspaceRole.MEMBER;
        this.memberDirectories = expandMembers(this.rootDir, this.root.value);
      } else {
        this.rootDir = this.directory;
        this.workspaceRole = CargoWorkspaceRole.STANDALONE;
        this.memberDirectories = ['.'];
      }
      if (options.cargoPackage !== undefined && options.cargoPackage !== str(own.value.package?.name)) {
        throw new OptionError('cargoPackage', `"${options.cargoPackage}" is not the package of ${FILE_NAME} ("${str(own.value.package?.name)}"), and ${FILE_NAME} is no workspace root.`,
          'Remove cargoPackage; it only picks a member of a workspace root.');
      }
    }
    this.workspaceRoot = toPosix(path.relative(this.directory, this.rootDir)) || '.';
    this.packageDirectory = toPosix(path.relative(this.rootDir, this.packageDir)) || '.';
    this.manifestFile = this.pkg.file;
    this.profileManifestFile = this.root ? this.root.file : this.pkg.file;
    if (this.exists && !isTable(this.pkg.value.package)) {
      throw new OptionError(this.pkg.file, 'has no [package] table.', 'Add [package] with name, version and edition, or delete the file so it is scaffolded.');
    }
  }

  /** The package name, or undefined before Cargo.toml exists. */
  public get name(): string | undefined {
    return str(this.pkg.value.package?.name);
  }

  /** The package version, `version.workspace = true` resolved from the workspace root; undefined when absent (cargo's 0.0.0). */
  public get version(): string | undefined {
    return str(this.packageKey('version'));
  }

  /** `package.description`, resolved from the workspace root when inherited. */
  public get description(): string | undefined {
    return str(this.packageKey('description'));
  }

  /** `package.rust-version`, resolved from the workspace root when inherited. */
  public get rustVersion(): string | undefined {
    return str(this.packageKey('rust-version'));
  }

  /** `package.edition`, resolved from the workspace root when inherited (cargo's default is 2015). */
  public get edition(): string | undefined {
    return str(this.packageKey('edition'));
  }

  /** `package.default-run`, the binary `cargo run` picks. */
  public get defaultRun(): string | undefined {
    return str(this.pkg.value.package?.['default-run']);
  }

  /** 1-based line of `version` in `[package]` of `manifestFile` (0 when not found), for error subjects. */
  public get versionLine(): number {
    return lineOfKey(this.pkg.text, 'package', 'version');
  }

  /**
   * The format version of Cargo.lock at the workspace root (`version = N` at its top);
   * undefined when there is no Cargo.lock or it has no `version` (formats 1 and 2).
   */
  public get lockfileVersion(): number | undefined {
    const file = path.join(this.rootDir, 'Cargo.lock');
    if (!fs.existsSync(file)) {
      return undefined;
    }
    const head = fs.readFileSync(file, 'utf8').split(/\[\[package\]\]/)[0];
    const match = /^version\s*=\s*(\d+)\s*$/m.exec(head);
    return match ? Number(match[1]) : undefined;
  }

  /** Whether Cargo.lock exists at the workspace root. */
  public get hasLockfile(): boolean {
    return fs.existsSync(path.join(this.rootDir, 'Cargo.lock'));
  }

  /** Every target of the package as cargo sees it: declared ones and the ones cargo discovers on disk. */
  public get targets(): CargoTarget[] {
    return this.targetsOf(this.packageDirectory);
  }

  /** Names of the package's binaries, in cargo's order (declared first, then discovered). */
  public get binaries(): string[] {
    return this.targets.filter(t => t.kind === CargoTargetKind.BIN).map(t => t.name!);
  }

  /** Whether the package has at least one binary. A new operator's sample `src/main.rs` is written only when it has none. */
  public get hasBinary(): boolean {
    return this.binaries.length > 0;
  }

  /** The build script cargo runs (path relative to the package), if any. */
  public get buildScript(): string | undefined {
    return this.targets.find(t => t.kind === CargoTargetKind.BUILD_SCRIPT)?.path;
  }

  /** The `default` feature list as written by the user (empty when absent). */
  public get defaultFeatures(): string[] {
    const list = this.pkg.value.features?.default;
    return Array.isArray(list) ? list.filter((f: unknown): f is string => typeof f === 'string') : [];
  }

  /** Whether the user's Cargo.toml defines a `default` feature list. */
  public get hasDefaultFeatures(): boolean {
    return Array.isArray(this.pkg.value.features?.default);
  }

  /** The features of the package as written (name to items). */
  public get features(): { [name: string]: string[] } {
    const out: { [name: string]: string[] } = {};
    for (const [name, items] of Object.entries(isTable(this.pkg.value.features) ? this.pkg.value.features : {})) {
      if (Array.isArray(items)) out[name] = items.filter((i: unknown): i is string => typeof i === 'string');
    }
    return out;
  }

  /**
   * Every place the package depends on tikv-jemallocator (any dependency table, dotted, renamed
   * with `package =`, inherited with `workspace = true`), except the entry a previous synth wrote.
   */
  public get jemallocEntries(): CargoJemallocEntry[] {
    const entries: CargoJemallocEntry[] = [];
    for (const { tablePath, deps } of dependencyTables(this.pkg.value)) {
      for (const [key, spec] of Object.entries(deps)) {
        const resolved = this.resolveDependency(key, spec);
        if (resolved.package !== JEMALLOC_CRATE || this.pkg.managed.some(m => pathEquals(m, [...tablePath, key]))) {
          continue;
        }
        const kind = tablePath[tablePath.length - 1];
        entries.push({
          key,
          table: tablePath.join('.'),
          tablePath,
          version: resolved.version,
          optional: resolved.optional,
          features: resolved.features,
          file: this.pkg.file,
          line: lineOfDependency(this.pkg.text, tablePath, key),
          normal: kind === 'dependencies',
          targetSpecific: tablePath[0] === 'target',
        });
      }
    }
    return entries;
  }

  /**
   * The user's features (not `default`) that enable a dependency key, by any spelling
   * (`"key"`, `"dep:key"`, `"key/feature"`, `"key?/feature"`).
   */
  public featuresEnabling(key: string): string[] {
    return Object.entries(this.features)
      .filter(([name, items]) => name !== 'default' && items.some(i => i === key || i === `dep:${key}` || i.startsWith(`${key}/`) || i.startsWith(`${key}?/`)))
      .map(([name]) => name);
  }

  /**
   * Whether a user feature names the dependency key as a plain item, which needs its implicit
   * feature (and no feature uses `dep:<key>`, which would remove it).
   * @param exceptFeatures features not to look at (the managed ones)
   */
  public usesImplicitFeature(key: string, exceptFeatures: string[] = []): boolean {
    const items = Object.entries(this.features).filter(([name]) => !exceptFeatures.includes(name)).flatMap(([, i]) => i);
    return !items.includes(`dep:${key}`) && items.includes(key);
  }

  /**
   * The binary the image runs. An explicit name wins (it must be one of the binaries); else
   * `default-run`; else the only binary; else the one named like the package; else an
   * `OptionError` listing them. Without any binary: the package name (the binary the sample
   * `src/main.rs` creates).
   * @param explicit the binary named by an option
   * @param option the option's name, for the error subject
   */
  public chooseBinary(explicit?: string, option: string = 'binaryName'): string {
    const binaries = this.binaries;
    const list = binaries.map(b => `"${b}"`).join(', ');
    if (explicit !== undefined) {
      if (binaries.length > 0 && !binaries.includes(explicit)) {
        throw new OptionError(option, `"${explicit}" is not a binary of package "${this.name}" (${this.manifestFile}); cargo builds: ${list}.`,
          `Use one of ${list}.`);
      }
      return explicit;
    }
    if (binaries.length === 0) {
      return this.name ?? '';
    }
    const defaultRun = this.defaultRun;
    if (defaultRun !== undefined && binaries.includes(defaultRun)) {
      return defaultRun;
    }
    if (binaries.length === 1) {
      return binaries[0];
    }
    if (this.name !== undefined && binaries.includes(this.name)) {
      return this.name;
    }
    throw new OptionError(option, `is not set, and package "${this.name}" (${this.manifestFile}) has ${binaries.length} binaries: ${list}, none named like the package and no package.default-run.`,
      `Set ${option} to the one the image runs (e.g. "${binaries[0]}"), or set default-run in ${this.manifestFile}.`);
  }

  /**
   * The package name to give `cargo build -p` so a workspace builds only the operator; undefined
   * when the workspace has just this package.
   */
  public get buildPackageArgument(): string | undefined {
    return this.memberDirectories.length > 1 || this.workspaceRole === CargoWorkspaceRole.VIRTUAL_MEMBER ? this.name : undefined;
  }

  /**
   * The manifests the image's dependency layer copies before the sources, relative to the
   * workspace root: the root Cargo.toml, every member's Cargo.toml, and Cargo.lock when it exists.
   */
  public get manifestFilesToCopy(): string[] {
    const files = this.memberDirectories.map(dir => path.posix.join(dir, FILE_NAME));
    if (this.root && !files.includes(FILE_NAME)) {
      files.unshift(FILE_NAME);
    }
    if (this.hasLockfile) {
      files.push('Cargo.lock');
    }
    return [...new Set(files)].sort((a, b) => (a === FILE_NAME ? -1 : b === FILE_NAME ? 1 : a.localeCompare(b)));
  }

  /**
   * The files the dependency layer stubs so that cargo accepts the copied manifests: for every
   * workspace member, the library, the binaries, the build script and the declared examples,
   * tests and benches (cargo refuses a manifest whose declared target has no file). Paths are
   * relative to the workspace root, sorted, each once.
   */
  public get dependencyStubs(): CargoStubFile[] {
    const stubs = new Map<string, CargoTargetKind>();
    for (const member of this.memberDirectories) {
      const declared = this.declaredTargetNames(member);
      for (const target of this.targetsOf(member)) {
        const needed = [CargoTargetKind.LIB, CargoTargetKind.BIN, CargoTargetKind.BUILD_SCRIPT].includes(target.kind)
          || declared.has(`${target.kind}:${target.name}`);
        if (needed) {
          const file = path.posix.normalize(path.posix.join(member, target.path));
          if (!stubs.has(file) || target.kind === CargoTargetKind.LIB) stubs.set(file, target.kind);
        }
      }
    }
    return [...stubs].map(([file, kind]) => ({ path: file, kind })).sort((a, b) => a.path.localeCompare(b.path));
  }

  /** The parsed manifest of the package (internal to this library). @internal */
  public get _manifest(): { [key: string]: any } {
    return this.pkg.value;
  }

  /** The parsed manifest of the workspace root, if any (internal to this library). @internal */
  public get _rootManifest(): { [key: string]: any } | undefined {
    return this.root?.value;
  }

  /** The raw text of the package's Cargo.toml ('' before it exists) (internal). @internal */
  public get _text(): string {
    return this.pkg.text;
  }

  /** The raw text of the root's Cargo.toml (internal). @internal */
  public get _rootText(): string | undefined {
    return this.root?.text;
  }

  /** Absolute path of the package directory (internal). @internal */
  public get _packageDir(): string {
    return this.packageDir;
  }

  /** Absolute path of the workspace root (internal). @internal */
  public get _rootDir(): string {
    return this.rootDir;
  }

  /** A dependency spec with `workspace = true` resolved: crate name, version, optional, features. */
  private resolveDependency(key: string, spec: unknown): { package: string; version?: string; optional: boolean; features: string[] } {
    const own = isTable(spec) ? spec : { version: spec };
    let base: { [key: string]: any } = own;
    if (own.workspace === true) {
      const inherited = this.root?.value.workspace?.dependencies?.[key];
      base = isTable(inherited) ? inherited : { version: inherited };
    }
    const features = [...(Array.isArray(base.features) ? base.features : []), ...(own !== base && Array.isArray(own.features) ? own.features : [])];
    return {
      package: str(base.package) ?? key,
      version: str(base.version),
      optional: own.optional === true,
      features: features.filter((f): f is string => typeof f === 'string'),
    };
  }

  private packageKey(key: string): unknown {
    const value = this.pkg.value.package?.[key];
    if (isTable(value) && value.workspace === true && INHERITABLE_PACKAGE_KEYS.includes(key)) {
      const inherited = this.root?.value.workspace?.package?.[key];
      if (inherited === undefined) {
        const line = lineOfKey(this.pkg.text, 'package', key);
        throw new OptionError(line > 0 ? `${this.pkg.file}:${line}` : this.pkg.file,
          `package.${key} is inherited from the workspace, but ${this.root ? `${this.root.file} has no workspace.package.${key}` : 'no enclosing workspace root was found'}.`,
          `Add ${key} to [workspace.package] of the workspace root, or write the value in ${this.pkg.file}.`);
      }
      return inherited;
    }
    return value;
  }

  private chooseMember(root: ManifestRead, cargoPackage: string | undefined): string {
    const members = this.memberDirectories.map(dir => {
      const file = path.posix.join(dir, FILE_NAME);
      const read = dir === '.' ? root : readManifest(path.join(this.directory, dir, FILE_NAME), file);
      return { dir, name: str(read?.value.package?.name) };
    });
    if (cargoPackage !== undefined) {
      const found = members.find(m => m.name === cargoPackage);
      if (!found) {
        throw new OptionError('cargoPackage', `"${cargoPackage}" is not a package of the workspace in ${root.file} (members: ${members.map(m => m.name ?? m.dir).join(', ') || 'none found'}).`,
          'Use the [package] name of one of the members.');
      }
      return found.dir;
    }
    if (isTable(root.value.package)) {
      return '.';
    }
    const withBinary = members.filter(m => this.targetsOf(m.dir).some(t => t.kind === CargoTargetKind.BIN));
    if (withBinary.length === 1) {
      return withBinary[0].dir;
    }
    const listed = (withBinary.length > 0 ? withBinary : members).map(m => `"${m.name ?? m.dir}"`);
    const names = listed.length > 6 ? `${listed.slice(0, 5).join(', ')} and ${listed.length - 5} more` : listed.join(', ');
    throw new OptionError(root.file, withBinary.length === 0
      ? `is a virtual workspace root ([workspace] without [package]) and none of its members (${names || 'none found'}) has a binary to run in the image.`
      : `is a virtual workspace root ([workspace] without [package]) with ${withBinary.length} members that have binaries: ${names}.`,
    withBinary.length === 0
      ? 'Add the operator package to workspace.members (with a src/main.rs), or set cargoPackage to its name.'
      : `Set cargoPackage to the operator's package name (one of ${names}).`);
  }

  /** Keys `kind:name` of targets declared in a member's manifest. */
  private declaredTargetNames(member: string): Set<string> {
    const value = this.manifestOf(member)?.value ?? {};
    const out = new Set<string>();
    for (const [key, kind] of [['example', CargoTargetKind.EXAMPLE], ['test', CargoTargetKind.TEST], ['bench', CargoTargetKind.BENCH]] as const) {
      for (const t of Array.isArray(value[key]) ? value[key] : []) {
        if (typeof t?.name === 'string') out.add(`${kind}:${t.name}`);
      }
    }
    return out;
  }

  private manifestOf(member: string): ManifestRead | undefined {
    const dir = path.join(this.rootDir, member);
    if (this.packageDir !== undefined && path.resolve(dir) === path.resolve(this.packageDir)) return this.pkg;
    if (this.root && path.resolve(dir) === path.resolve(this.rootDir)) return this.root;
    return readManifest(path.join(dir, FILE_NAME), toPosix(path.relative(this.directory, path.join(dir, FILE_NAME))));
  }

  /** Targets of a member (directory relative to the workspace root), memoized. */
  private targetsOf(member: string): CargoTarget[] {
    let targets = this.cachedTargets.get(member);
    if (!targets) {
      const manifest = this.manifestOf(member);
      targets = manifest && isTable(manifest.value.package) ? discoverTargets(path.join(this.rootDir, member), manifest.value, manifest.file) : [];
      this.cachedTargets.set(member, targets);
    }
    return targets;
  }
}

// ---------------------------------------------------------------------------------------------
// Cargo's target discovery (cargo/src/cargo/util/toml/targets.rs), for edition 2018 and later
// (2015's legacy paths are not followed).

/**
 * The targets cargo builds from a manifest and its directory: declared targets (their path given,
 * else cargo's inferred file for the name) and, unless `auto*` is false, the discovered ones whose
 * name and path no declared target takes.
 */
function discoverTargets(dir: string, manifest: { [key: string]: any }, file: string = FILE_NAME): CargoTarget[] {
  const pkg = manifest.package ?? {};
  const packageName = str(pkg.name) ?? '';
  const exists = (p: string) => fs.existsSync(path.join(dir, p));
  const targets: CargoTarget[] = [];

  const lib = manifest.lib;
  const libPath = isTable(lib) && typeof lib.path === 'string' ? lib.path : 'src/lib.rs';
  if (isTable(lib) || (pkg.autolib !== false && exists('src/lib.rs'))) {
    targets.push({ kind: CargoTargetKind.LIB, name: str(lib?.name) ?? packageName.replace(/-/g, '_'), path: toPosix(libPath), declared: isTable(lib) });
  }

  const kinds: [string, CargoTargetKind, string, string][] = [
    ['bin', CargoTargetKind.BIN, 'autobins', 'src/bin'],
    ['example', CargoTargetKind.EXAMPLE, 'autoexamples', 'examples'],
    ['test', CargoTargetKind.TEST, 'autotests', 'tests'],
    ['bench', CargoTargetKind.BENCH, 'autobenches', 'benches'],
  ];
  for (const [key, kind, auto, folder] of kinds) {
    const inferred = inferTargets(dir, folder);
    if (kind === CargoTargetKind.BIN && exists('src/main.rs')) {
      inferred.unshift({ name: packageName, path: 'src/main.rs' });
    }
    const declared: CargoTarget[] = [];
    for (const [i, t] of (Array.isArray(manifest[key]) ? manifest[key] : []).entries()) {
      const name = str(t?.name);
      if (name === undefined) {
        throw new OptionError(file, `[[${key}]] number ${i + 1} has no name, which cargo requires.`, 'Add name = "..." to it.');
      }
      const given = str(t.path);
      const found = given ?? inferred.find(x => x.name === name)?.path
        ?? (kind === CargoTargetKind.BIN && name === packageName && exists('src/main.rs') ? 'src/main.rs' : undefined);
      // cargo refuses a declared target without a file; report the path cargo would look at.
      declared.push({ kind, name, path: toPosix(found ?? (kind === CargoTargetKind.BIN && name === packageName ? 'src/main.rs' : `${folder}/${name}.rs`)), declared: true });
    }
    targets.push(...declared);
    if (pkg[auto] !== false) {
      for (const x of inferred) {
        if (!declared.some(d => d.name === x.name || path.posix.normalize(d.path) === x.path)) {
          targets.push({ kind, name: x.name, path: x.path });
        }
      }
    }
  }

  const build = pkg.build;
  if (typeof build === 'string') {
    targets.push({ kind: CargoTargetKind.BUILD_SCRIPT, path: toPosix(build), declared: true });
  } else if (build === true || (build === undefined && exists('build.rs'))) {
    targets.push({ kind: CargoTargetKind.BUILD_SCRIPT, path: 'build.rs', declared: build === true });
  }
  return targets;
}

/** `<folder>/*.rs` and `<folder>/<name>/main.rs`, sorted by name. */
function inferTargets(dir: string, folder: string): { name: string; path: string }[] {
  const full = path.join(dir, folder);
  if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) {
    return [];
  }
  const found: { name: string; path: string }[] = [];
  for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.rs')) {
      found.push({ name: entry.name.slice(0, -3), path: `${folder}/${entry.name}` });
    } else if (entry.isDirectory() && fs.existsSync(path.join(full, entry.name, 'main.rs'))) {
      found.push({ name: entry.name, path: `${folder}/${entry.name}/main.rs` });
    }
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

// ---------------------------------------------------------------------------------------------

function readManifest(file: string, shown: string): ManifestRead | undefined {
  if (!fs.existsSync(file)) {
    return undefined;
  }
  const bytes = fs.readFileSync(file);
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new OptionError(shown, 'is not valid UTF-8, which TOML requires.', 'Re-save it as UTF-8.');
  }
  return { file: shown, text, value: readToml(text, shown), managed: managedKeyPaths(text) };
}

/** Every dependency table of a manifest with its path: top-level and per target. */
function dependencyTables(manifest: { [key: string]: any }): { tablePath: string[]; deps: { [key: string]: unknown } }[] {
  const out: { tablePath: string[]; deps: { [key: string]: unknown } }[] = [];
  for (const kind of ['dependencies', 'dev-dependencies', 'build-dependencies']) {
    if (isTable(manifest[kind])) out.push({ tablePath: [kind], deps: manifest[kind] });
  }
  for (const [cfg, table] of Object.entries(isTable(manifest.target) ? manifest.target : {})) {
    for (const kind of ['dependencies', 'dev-dependencies', 'build-dependencies']) {
      if (isTable(table) && isTable(table[kind])) out.push({ tablePath: ['target', cfg, kind], deps: table[kind] });
    }
  }
  return out;
}

/**
 * Workspace member directories (relative, posix, sorted): `workspace.members` globs with a
 * Cargo.toml, minus `exclude`, plus (cargo's rule) every path dependency of a member that lies
 * inside the workspace directory.
 */
function expandMembers(rootDir: string, root: { [key: string]: any }): string[] {
  const workspace = root.workspace;
  const listed = listedMembers(rootDir, workspace, isTable(root.package));
  const excluded: string[] = (Array.isArray(workspace.exclude) ? workspace.exclude : []).filter((p: unknown): p is string => typeof p === 'string').map(normalizeMember);
  const found = new Set(listed);
  const queue = [...listed];
  while (queue.length > 0) {
    const member = queue.shift()!;
    let value: { [key: string]: any };
    try {
      value = member === '.' ? root : readToml(fs.readFileSync(path.join(rootDir, member, FILE_NAME), 'utf8'), FILE_NAME);
    } catch {
      continue; // reported when that manifest is read for real
    }
    for (const { deps } of dependencyTables(value)) {
      for (const [key, spec] of Object.entries(deps)) {
        const own = isTable(spec) ? spec : {};
        const inherited = own.workspace === true ? workspace.dependencies?.[key] : undefined;
        const depPath = str(own.path) ?? (isTable(inherited) ? str(inherited.path) : undefined);
        if (depPath === undefined) continue;
        const base = own.workspace === true ? rootDir : path.join(rootDir, member);
        const dir = toPosix(path.relative(rootDir, path.resolve(base, depPath))) || '.';
        if (dir.startsWith('..') || found.has(dir) || !fs.existsSync(path.join(rootDir, dir, FILE_NAME))
          || excluded.some(e => dir === e || dir.startsWith(`${e}/`))) continue;
        found.add(dir);
        queue.push(dir);
      }
    }
  }
  return [...found].sort();
}

/** The directories `workspace.members` lists (globs expanded) that hold a Cargo.toml, minus `exclude`. */
function listedMembers(rootDir: string, workspace: { [key: string]: any }, rootIsPackage: boolean): string[] {
  const patterns: string[] = (Array.isArray(workspace.members) ? workspace.members : []).filter((p: unknown): p is string => typeof p === 'string');
  const excluded: string[] = (Array.isArray(workspace.exclude) ? workspace.exclude : []).filter((p: unknown): p is string => typeof p === 'string').map(normalizeMember);
  const found = new Set<string>(rootIsPackage ? ['.'] : []);
  for (const pattern of patterns) {
    for (const dir of expandGlob(rootDir, normalizeMember(pattern).split('/'))) {
      if (fs.existsSync(path.join(rootDir, dir, FILE_NAME)) && !excluded.some(e => dir === e || dir.startsWith(`${e}/`))) {
        found.add(dir);
      }
    }
  }
  return [...found].sort();
}

function normalizeMember(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '') || '.';
}

/** Directories matching glob segments (`*`, `?` inside a segment; `**` for any depth). */
function expandGlob(base: string, segments: string[], prefix: string = ''): string[] {
  if (segments.length === 0) {
    return [prefix || '.'];
  }
  const [head, ...rest] = segments;
  const dirAt = path.join(base, prefix);
  if (!/[*?[]/.test(head)) {
    return fs.existsSync(path.join(dirAt, head)) ? expandGlob(base, rest, prefix ? `${prefix}/${head}` : head) : [];
  }
  const children = fs.existsSync(dirAt) ? fs.readdirSync(dirAt, { withFileTypes: true }).filter(e => e.isDirectory() && !e.name.startsWith('.')) : [];
  if (head === '**') {
    return [...expandGlob(base, rest, prefix), ...children.flatMap(c => expandGlob(base, segments, prefix ? `${prefix}/${c.name}` : c.name))];
  }
  const re = globSegment(head);
  return children.filter(c => re.test(c.name)).flatMap(c => expandGlob(base, rest, prefix ? `${prefix}/${c.name}` : c.name));
}

function globSegment(glob: string): RegExp {
  return new RegExp(`^${glob.split('').map(c => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|\\]/g, '\\$&'))).join('')}$`);
}

/** A cargo member glob (`crates/*`, `tools/**`) as a regular expression over `/` paths. */
function memberGlob(glob: string): RegExp {
  const normalized = normalizeMember(glob);
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

/**
 * The Cargo.toml of the workspace this package belongs to, if any: `package.workspace` when set,
 * else the first `[workspace]` above that lists the package as a member and does not exclude it.
 */
function findEnclosingWorkspace(dir: string, manifest: { [key: string]: any }): string | undefined {
  const explicit = manifest.package?.workspace;
  if (typeof explicit === 'string') {
    const file = path.resolve(dir, explicit, FILE_NAME);
    if (!fs.existsSync(file)) {
      throw new OptionError(FILE_NAME, `package.workspace = ${JSON.stringify(explicit)} names no Cargo.toml (${file}).`, 'Correct package.workspace or remove it.');
    }
    return file;
  }
  let parent = path.dirname(dir);
  while (true) {
    const candidate = path.join(parent, FILE_NAME);
    if (fs.existsSync(candidate)) {
      let value: { [key: string]: any } | undefined;
      try {
        value = readToml(fs.readFileSync(candidate, 'utf8'), candidate);
      } catch {
        value = undefined; // not ours to judge; cargo will complain about it
      }
      if (value && isTable(value.workspace)) {
        const relative = toPosix(path.relative(parent, dir));
        const members: unknown[] = Array.isArray(value.workspace.members) ? value.workspace.members : [];
        const excluded: unknown[] = Array.isArray(value.workspace.exclude) ? value.workspace.exclude : [];
        const matches = (patterns: unknown[]) => patterns.some(p => typeof p === 'string' && memberGlob(p).test(relative));
        const isExcluded = excluded.some(e => typeof e === 'string' && (relative === normalizeMember(e) || relative.startsWith(`${normalizeMember(e)}/`)));
        return matches(members) && !isExcluded ? candidate : undefined;
      }
    }
    const up = path.dirname(parent);
    if (up === parent) {
      return undefined;
    }
    parent = up;
  }
}

/** 1-based line where a dependency key is defined (`key = ...`, `[table.key]`), 0 when not found. */
function lineOfDependency(text: string, tablePath: string[], key: string): number {
  const lines = text.split('\n');
  const quoted = `(?:${escapeRe(key)}|"${escapeRe(key)}"|'${escapeRe(key)}')`;
  const sub = new RegExp(`^\\s*\\[[^\\]]*${escapeRe(tablePath[tablePath.length - 1])}\\s*\\.\\s*${quoted}\\s*\\]`);
  let inTable = false;
  for (let i = 0; i < lines.length; i++) {
    if (sub.test(lines[i])) return i + 1;
    const header = /^\s*\[([^\[\]]+)\]/.exec(lines[i]);
    if (header) {
      inTable = header[1].includes(tablePath[tablePath.length - 1]) && (tablePath[0] !== 'target' || header[1].includes('target'));
      continue;
    }
    if (inTable && new RegExp(`^\\s*${quoted}\\s*[=.]`).test(lines[i])) return i + 1;
    if (!inTable && new RegExp(`^\\s*${escapeRe(tablePath[tablePath.length - 1])}\\s*\\.\\s*${quoted}\\s*[=.]`).test(lines[i])) return i + 1;
  }
  return 0;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function isTable(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function pathEquals(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
