import { OptionError } from './errors';
import { CARGO_FEATURE_NAME } from './names';
import { checkOptionNames } from './option-names';

/**
 * How the operator allocates memory. One choice from which the Cargo feature, the scaffolded
 * global allocator and the runtime environment of the image are all derived.
 */
export enum AllocatorMode {
  /**
   * The seed's setup, done right: tikv-jemallocator linked into the binary behind the default
   * `jemalloc` Cargo feature (serves Rust allocations, tuned by `_RJEM_MALLOC_CONF`) AND the
   * system libjemalloc2 preloaded by soname (serves C libraries such as openssl or cairo,
   * tuned by `MALLOC_CONF`).
   */
  LINKED_AND_PRELOADED = 'linked-and-preloaded',
  /** tikv-jemallocator linked behind the `jemalloc` feature; no preload. */
  LINKED = 'linked',
  /** Only the system libjemalloc2, preloaded for the whole process; no Cargo feature. */
  PRELOADED = 'preloaded',
  /** glibc malloc; no jemalloc anywhere. */
  SYSTEM = 'system',
}

/** An environment variable of the runtime image, and what reads it. */
export interface RuntimeVariable {
  /** The variable's name. */
  readonly name: string;
  /** Its value. */
  readonly value: string;
  /** Who reads it, in words (e.g. "the linked tikv-jemallocator"). */
  readonly readBy: string;
}

/** Who reads each allocator variable, in the words the Dockerfile comment and the docs use. */
export const READERS = {
  loader: 'the dynamic loader (by soname, on every architecture)',
  preloaded: 'the preloaded libjemalloc2',
  linked: 'the linked tikv-jemallocator',
  operator: 'the operator (runtimeEnvironment)',
};

/**
 * How errors name the allocator's settings: as `AllocatorOptions` fields (`allocator.crateVersion`)
 * or as the options of the construct that made the `Allocator` (a project's
 * `allocatorCrateVersion`), so every message names what the user can actually set.
 */
export interface AllocatorOptionNames {
  /** @default "allocator.mode" */
  readonly mode?: string;
  /** @default "allocator.mallocConf" */
  readonly mallocConf?: string;
  /** @default "allocator.featureName" */
  readonly featureName?: string;
  /** @default "allocator.crateVersion" */
  readonly crateVersion?: string;
  /** @default "allocator.crateFeatures" */
  readonly crateFeatures?: string;
}

/** Options for `Allocator`. */
export interface AllocatorOptions {
  /**
   * The allocator mode.
   * @default AllocatorMode.LINKED_AND_PRELOADED
   */
  readonly mode?: AllocatorMode;

  /**
   * jemalloc tuning, written to the variable each jemalloc actually reads
   * (`_RJEM_MALLOC_CONF` for the linked one, `MALLOC_CONF` for the preloaded one).
   * @default Allocator.SEED_MALLOC_CONF
   */
  readonly mallocConf?: string;

  /**
   * Name of the Cargo feature that links tikv-jemallocator.
   * @default "jemalloc"
   */
  readonly featureName?: string;

  /**
   * Version requirement of the optional tikv-jemallocator dependency.
   * @default "0.6"
   */
  readonly crateVersion?: string;

  /**
   * Features of the linked tikv-jemallocator, e.g. "profiling" for heap profiles of Rust
   * allocations (`_RJEM_MALLOC_CONF=prof:true`).
   * @default []
   */
  readonly crateFeatures?: string[];

  /**
   * How errors name these settings.
   * @default - the `AllocatorOptions` field names, prefixed with "allocator."
   */
  readonly optionNames?: AllocatorOptionNames;
}

/**
 * The allocator facts shared by Cargo.toml, the Dockerfile, `src/main.rs` and the docs.
 * Computed once from `AllocatorOptions`; every file reads them from here.
 */
export class Allocator {
  /** The seed's jemalloc tuning. */
  public static readonly SEED_MALLOC_CONF = 'background_thread:true,metadata_thp:auto,dirty_decay_ms:30000,muzzy_decay_ms:30000';

  /** The crate that links jemalloc into the binary. */
  public static readonly CRATE_NAME = 'tikv-jemallocator';

  /**
   * The soname of Debian's libjemalloc2. The dynamic loader resolves a bare soname in
   * `LD_PRELOAD` through its search path on every architecture (amd64, arm64, ...), where an
   * absolute `/usr/lib/x86_64-linux-gnu/...` path silently does nothing on arm64.
   */
  public static readonly PRELOAD_SONAME = 'libjemalloc.so.2';

  /**
   * The tikv-jemallocator feature that drops the `_rjem_` symbol prefix: the linked jemalloc
   * then becomes the process's `malloc` and reads `MALLOC_CONF`.
   */
  public static readonly UNPREFIXED_FEATURE = 'unprefixed_malloc_on_supported_platforms';

  /** Parses a mode given as a string (for example from a `projen new` flag). */
  public static parseMode(value: string, optionName: string = 'allocator'): AllocatorMode {
    const modes = Object.values(AllocatorMode) as string[];
    if (!modes.includes(value)) {
      throw new OptionError(optionName, `unknown allocator mode "${value}".`, `Use one of: ${modes.join(', ')}.`);
    }
    return value as AllocatorMode;
  }

  /** The allocator mode. */
  public readonly mode: AllocatorMode;
  /** jemalloc tuning string (empty for `SYSTEM`). */
  public readonly mallocConf: string;
  /** The Cargo feature linking tikv-jemallocator, or undefined when nothing is linked. */
  public readonly cargoFeature?: string;
  /** Version requirement of tikv-jemallocator, or undefined when nothing is linked. */
  public readonly crateVersion?: string;
  /**
   * Whether `crateVersion` was given rather than defaulted: a default gives way to a requirement
   * already in Cargo.toml, a given one must agree with it.
   */
  public readonly crateVersionGiven: boolean;
  /** Features of the linked tikv-jemallocator (empty when nothing is linked). */
  public readonly crateFeatures: string[];
  /** How errors name the settings (every field set). */
  public readonly optionNames: AllocatorOptionNames;

  constructor(options: AllocatorOptions = {}) {
    checkOptionNames(options, 'AllocatorOptions', 'Allocator');
    const names = {
      mode: 'allocator.mode',
      mallocConf: 'allocator.mallocConf',
      featureName: 'allocator.featureName',
      crateVersion: 'allocator.crateVersion',
      crateFeatures: 'allocator.crateFeatures',
      ...options.optionNames,
    };
    this.optionNames = names;
    this.crateVersionGiven = options.crateVersion !== undefined;
    this.mode = Allocator.parseMode(options.mode ?? AllocatorMode.LINKED_AND_PRELOADED, names.mode);
    const usesJemalloc = this.mode !== AllocatorMode.SYSTEM;
    if (!usesJemalloc && options.mallocConf !== undefined) {
      throw new OptionError(names.mallocConf, 'has no effect with the system allocator.',
        `Remove ${names.mallocConf}, or choose a jemalloc allocator mode.`);
    }
    this.crateFeatures = [...(options.crateFeatures ?? [])].sort();
    if (!this.linked && this.crateFeatures.length > 0) {
      throw new OptionError(names.crateFeatures, `are only used when tikv-jemallocator is linked, and mode "${this.mode}" links nothing.`,
        `Remove them, or use mode "${AllocatorMode.LINKED}" or "${AllocatorMode.LINKED_AND_PRELOADED}".`);
    }
    for (const feature of this.crateFeatures) {
      if (!CARGO_FEATURE_NAME.test(feature)) {
        throw new OptionError(names.crateFeatures, `"${feature}" is not a Cargo feature name.`, 'Use a tikv-jemallocator feature such as "profiling".');
      }
    }
    if (this.preloaded && this.crateFeatures.includes(Allocator.UNPREFIXED_FEATURE)) {
      throw new OptionError(names.crateFeatures, `"${Allocator.UNPREFIXED_FEATURE}" makes the linked jemalloc the process's malloc, and mode "${this.mode}" also preloads libjemalloc2 as malloc: two allocators behind the same symbols.`,
        `Use mode "${AllocatorMode.LINKED}" with this feature, or drop the feature.`);
    }
    if (!this.linked && (options.featureName !== undefined || options.crateVersion !== undefined)) {
      throw new OptionError(options.featureName !== undefined ? names.featureName : names.crateVersion,
        `is only used when tikv-jemallocator is linked, and mode "${this.mode}" links nothing.`,
        `Remove it, or use mode "${AllocatorMode.LINKED}" or "${AllocatorMode.LINKED_AND_PRELOADED}".`);
    }
    const mallocConf = usesJemalloc ? (options.mallocConf ?? Allocator.SEED_MALLOC_CONF) : '';
    if (usesJemalloc && !/^[a-z_]+:[A-Za-z0-9_.:-]+(,[a-z_]+:[A-Za-z0-9_.:-]+)*$/.test(mallocConf)) {
      throw new OptionError(names.mallocConf, `"${mallocConf}" is not a jemalloc option string.`,
        'Write comma-separated key:value pairs, e.g. "background_thread:true,dirty_decay_ms:30000".');
    }
    this.mallocConf = mallocConf;
    if (this.linked) {
      const feature = options.featureName ?? 'jemalloc';
      if (!CARGO_FEATURE_NAME.test(feature)) {
        throw new OptionError(names.featureName, `"${feature}" is not a valid Cargo feature name.`,
          'Use letters, digits, "_", "-", "+" or "." (e.g. "jemalloc").');
      }
      const version = options.crateVersion ?? '0.6';
      if (!/^[\^~=]?\d+(\.\d+){0,2}$/.test(version)) {
        throw new OptionError(names.crateVersion, `"${version}" is not a Cargo version requirement.`,
          'Use a requirement such as "0.6" or "^0.6.1".');
      }
      this.cargoFeature = feature;
      this.crateVersion = version;
    }
  }

  /** Whether tikv-jemallocator is linked into the binary (behind `cargoFeature`). */
  public get linked(): boolean {
    return this.mode === AllocatorMode.LINKED || this.mode === AllocatorMode.LINKED_AND_PRELOADED;
  }

  /** Whether the system libjemalloc2 is preloaded in the runtime image. */
  public get preloaded(): boolean {
    return this.mode === AllocatorMode.PRELOADED || this.mode === AllocatorMode.LINKED_AND_PRELOADED;
  }

  /**
   * Debian packages the builder needs: libjemalloc-dev (headers and jeprof) for every jemalloc
   * mode, and `make` when tikv-jemallocator is linked: tikv-jemalloc-sys builds its bundled
   * jemalloc with `make`, which the official `rust:*-slim` images do not have
   * (github.com/tikv/jemallocator/issues/79).
   */
  public get builderPackages(): string[] {
    if (this.mode === AllocatorMode.SYSTEM) {
      return [];
    }
    return this.linked ? ['libjemalloc-dev', 'make'] : ['libjemalloc-dev'];
  }

  /**
   * The variable the linked jemalloc reads its tuning from: `_RJEM_MALLOC_CONF` (tikv-jemalloc-sys
   * prefixes its symbols with `_rjem_` on Linux), or `MALLOC_CONF` with the
   * `unprefixed_malloc_on_supported_platforms` crate feature; undefined when nothing is linked.
   */
  public get linkedConfVariable(): string | undefined {
    if (!this.linked) {
      return undefined;
    }
    return this.crateFeatures.includes(Allocator.UNPREFIXED_FEATURE) ? 'MALLOC_CONF' : '_RJEM_MALLOC_CONF';
  }

  /** Debian packages the runtime image needs. */
  public get runtimePackages(): string[] {
    return this.preloaded ? ['libjemalloc2'] : [];
  }

  /**
   * The runtime image's allocator variables, each jemalloc configured by the variable it reads,
   * with the reader named: the single source of the Dockerfile's ENV, its comment and the docs.
   * Sorted by name so the output never depends on insertion order.
   */
  public get runtimeVariables(): RuntimeVariable[] {
    const variables: RuntimeVariable[] = [];
    if (this.preloaded) {
      variables.push({ name: 'LD_PRELOAD', value: Allocator.PRELOAD_SONAME, readBy: READERS.loader });
      variables.push({ name: 'MALLOC_CONF', value: this.mallocConf, readBy: READERS.preloaded });
    }
    const linkedVariable = this.linkedConfVariable;
    if (linkedVariable) {
      // The prefixed linked copy reads `_RJEM_MALLOC_CONF` and never sees `MALLOC_CONF`; built
      // unprefixed (never together with a preload), it reads `MALLOC_CONF`.
      variables.push({ name: linkedVariable, value: this.mallocConf, readBy: READERS.linked });
    }
    return variables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Environment of the runtime image, name to value (see `runtimeVariables`). */
  public get runtimeEnvironment(): { [name: string]: string } {
    return Object.fromEntries(this.runtimeVariables.map((variable) => [variable.name, variable.value]));
  }

  /** The Rust lines that install the linked jemalloc as the global allocator (empty if none). */
  public get globalAllocatorSource(): string {
    if (!this.linked) {
      return '';
    }
    return [
      `#[cfg(feature = "${this.cargoFeature}")]`,
      '#[global_allocator]',
      'static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;',
      '',
    ].join('\n');
  }
}
