/** The kind of a Cargo build target. */
export enum CargoTargetKind {
  /** The `[lib]` target. */
  LIB = 'lib',
  /** A `[[bin]]` target. */
  BIN = 'bin',
  /** The build script (`package.build`). */
  BUILD_SCRIPT = 'build-script',
  /** An `[[example]]` target. */
  EXAMPLE = 'example',
  /** A `[[test]]` target. */
  TEST = 'test',
  /** A `[[bench]]` target. */
  BENCH = 'bench',
}

/**
 * A build target of a Cargo package (declared in Cargo.toml or discovered by cargo), e.g. for a
 * Dockerfile that stubs every target to build the dependencies in their own layer.
 */
export interface CargoTarget {
  /** What kind of target this is. */
  readonly kind: CargoTargetKind;

  /**
   * The target's name (`[[bin]] name`, or the crate name of the library).
   * @default - none for the build script
   */
  readonly name?: string;

  /**
   * Path of the target's root source file, relative to the package root: the declared `path`,
   * else cargo's default for the kind (`src/lib.rs`, `src/main.rs` for a binary named like the
   * package, `src/bin/<name>.rs`, `build.rs`, ...).
   */
  readonly path: string;

  /**
   * Whether Cargo.toml declares the target (`[lib]`, `[[bin]]`, `package.build`, ...); false for
   * a target cargo discovers on disk by itself (`src/main.rs`, `src/bin/x.rs`, `build.rs`, ...).
   * @default false
   */
  readonly declared?: boolean;
}
