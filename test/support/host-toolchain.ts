/**
 * Jest global setup: cargo run by the tests (on generated projects, in their folder) uses the
 * host's default toolchain, not the one the project's rust-toolchain.toml pins. The tests check
 * what cargo does with the generated files; rustup would otherwise try to install the pinned
 * channel (1.92) on a machine that may be offline. The image tier's builder has its own compiler
 * (see test/support/image/README.md). Set RUSTUP_TOOLCHAIN to choose another.
 *
 * A global setup, not a setup file: it runs in jest's own process before the workers start, so
 * the variable reaches every child process (a setup file's `process.env` is the test sandbox's).
 */
import { spawnSync } from 'child_process';

export default function hostToolchain(): void {
  if (process.env.RUSTUP_TOOLCHAIN !== undefined) return;
  // `rustup default` prints e.g. "stable-x86_64-unknown-linux-gnu (default)"; no rustup: nothing to do.
  const result = spawnSync('rustup', ['default'], { encoding: 'utf-8', cwd: '/' });
  const toolchain = result.status === 0 ? /^(\S+)/.exec(result.stdout.trim())?.[1] : undefined;
  if (toolchain) process.env.RUSTUP_TOOLCHAIN = toolchain;
}
