import { OptionError } from '../core/errors';

/**
 * The default Rust channel of rust-toolchain.toml, the builder image and CI: a current stable
 * Rust that builds the Tercen SDK stack (tonic 0.14, polars 0.51, tokio 1.49), as the reference
 * operator does. Cargo reads version-4 lock files from 1.78 on.
 */
export const DEFAULT_RUST_CHANNEL = '1.92';

/** Components every toolchain carries: the CI test job runs `cargo fmt` and `cargo clippy`. */
export const RUST_TOOLCHAIN_COMPONENTS = ['clippy', 'rustfmt'];

/** rustup's smallest profile (rustc, cargo, rust-std); the components are added by name. */
export const RUST_TOOLCHAIN_PROFILE = 'minimal';

/**
 * Checks a Rust channel given as an option. Only versions: the builder image is the official
 * `rust:<version>-slim-<release>` image of the same version, and there is no such image of
 * "stable" or a nightly that stays put.
 */
export function checkRustChannel(channel: string, subject: string): string {
  if (!/^\d+\.\d+(\.\d+)?$/.test(channel)) {
    throw new OptionError(subject, `${JSON.stringify(channel)} is not a Rust version.`,
      `Use a version such as "${DEFAULT_RUST_CHANNEL}" or "${DEFAULT_RUST_CHANNEL}.0": the builder image and CI install the same one, so it must not move.`);
  }
  return channel;
}

/** Compares dotted versions numerically (`1.9` < `1.78`). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
