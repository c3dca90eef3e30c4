/** `opt-level` of a Cargo profile. */
export enum CargoOptLevel {
  /** `opt-level = 0`: no optimizations (cargo's `dev` default). */
  O0 = '0',
  /** `opt-level = 1`: basic optimizations. */
  O1 = '1',
  /** `opt-level = 2`: some optimizations; much faster to build than 3 with fat LTO. */
  O2 = '2',
  /** `opt-level = 3`: all optimizations (cargo's `release` default). */
  O3 = '3',
  /** `opt-level = "s"`: optimize for binary size. */
  SIZE = 's',
  /** `opt-level = "z"`: optimize for size, also turning off loop vectorization (the seed's release). */
  MIN_SIZE = 'z',
}

/** `lto` of a Cargo profile. */
export enum CargoLto {
  /** `lto = true`: "fat" LTO across the whole dependency graph. */
  TRUE = 'true',
  /** `lto = false`: thin LTO local to each crate's codegen units only (cargo's default). */
  FALSE = 'false',
  /** `lto = "fat"`: same as `true`. */
  FAT = 'fat',
  /** `lto = "thin"`: thin LTO across the dependency graph. */
  THIN = 'thin',
  /** `lto = "off"`: no LTO at all. */
  OFF = 'off',
}

/** `strip` of a Cargo profile. */
export enum CargoStrip {
  /** `strip = true`: same as `"symbols"`. */
  TRUE = 'true',
  /** `strip = false`: same as `"none"`. */
  FALSE = 'false',
  /** `strip = "none"`: keep everything. */
  NONE = 'none',
  /** `strip = "debuginfo"`: strip debug info, keep symbols (readable backtraces). */
  DEBUGINFO = 'debuginfo',
  /** `strip = "symbols"`: strip debug info and symbols. */
  SYMBOLS = 'symbols',
}

/** `debug` (debug info level) of a Cargo profile. */
export enum CargoDebugInfo {
  /** `debug = "none"`: no debug info (cargo's `release` default). */
  NONE = 'none',
  /** `debug = "line-directives-only"`: line info directives only. */
  LINE_DIRECTIVES_ONLY = 'line-directives-only',
  /** `debug = "line-tables-only"`: enough for backtraces with file names and lines. */
  LINE_TABLES_ONLY = 'line-tables-only',
  /** `debug = "limited"`: debug info without type or variable information. */
  LIMITED = 'limited',
  /** `debug = "full"`: full debug info (cargo's `dev` default). */
  FULL = 'full',
}

/** `panic` strategy of a Cargo profile. */
export enum CargoPanicStrategy {
  /** `panic = "unwind"`: unwind the stack (cargo's default). */
  UNWIND = 'unwind',
  /** `panic = "abort"`: abort the process on panic; smaller binary, no unwinding. */
  ABORT = 'abort',
}

/**
 * Settings of one managed `[profile.<name>]` table. An unset setting is not written, so cargo
 * uses the inherited profile's value.
 */
export interface CargoProfileOptions {
  /**
   * The profile this one starts from. Required for every profile except cargo's built-in
   * `dev`, `release` and `bench`, which must not set it.
   * @default - none (only valid for built-in profiles)
   */
  readonly inherits?: string;

  /**
   * Optimization level (`opt-level`).
   * @default - inherited
   */
  readonly optLevel?: CargoOptLevel;

  /**
   * Link-time optimization (`lto`).
   * @default - inherited
   */
  readonly lto?: CargoLto;

  /**
   * Number of code generation units (`codegen-units`), at least 1. 1 gives the best code,
   * 16 builds much faster.
   * @default - inherited
   */
  readonly codegenUnits?: number;

  /**
   * What to strip from the binary (`strip`).
   * @default - inherited
   */
  readonly strip?: CargoStrip;

  /**
   * Debug info level (`debug`).
   * @default - inherited
   */
  readonly debug?: CargoDebugInfo;

  /**
   * Panic strategy (`panic`).
   * @default - inherited
   */
  readonly panicStrategy?: CargoPanicStrategy;

  /**
   * Incremental compilation (`incremental`).
   * @default - inherited
   */
  readonly incremental?: boolean;
}
