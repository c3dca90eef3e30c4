import { FileBase, IResolver, Project } from 'projen';
import { checkOptionNames } from '../core/option-names';
import { OperatorPlan } from '../plan/operator-plan';
import { checkRustChannel } from '../plan/rust-toolchain';

/** Options for `RustToolchainFile`. */
export interface RustToolchainFileOptions {
  /**
   * Rust version the project builds with: rust-toolchain.toml's channel, which rustup installs
   * in CI, and the version of the default builder image (`rust:<version>-slim-bookworm`).
   * @default - the Rust version of the builder image when it names one, else "1.92"
   */
  readonly channel?: string;

  /**
   * How errors name the channel option.
   * @default "rustToolchain"
   */
  readonly subject?: string;
}

/**
 * `rust-toolchain.toml`: the one source of the Rust toolchain. rustup reads it (locally and in
 * CI, where the hosted runners have rustup), the builder image carries the same version, and
 * the docs and the scaffolded `rust-version` state it. Rendered at synth time from the
 * operator plan.
 */
export class RustToolchainFile extends FileBase {
  private readonly plan: OperatorPlan;

  constructor(project: Project, options: RustToolchainFileOptions = {}) {
    checkOptionNames(options, 'RustToolchainFileOptions', 'RustToolchainFile');
    super(project, 'rust-toolchain.toml', { marker: true, readonly: true, committed: true });
    const subject = options.subject ?? 'rustToolchain';
    this.plan = OperatorPlan.of(project);
    this.plan.setToolchain({ channel: options.channel === undefined ? undefined : checkRustChannel(options.channel, subject), subject });
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    const { channel, components, profile } = this.plan.beginSynthesis().toolchain;
    return [
      `# ${this.marker}`,
      '# rustup installs this toolchain (CI too); the builder image carries the same version.',
      '[toolchain]',
      `channel = ${JSON.stringify(channel)}`,
      `components = [${components.map((c) => JSON.stringify(c)).join(', ')}]`,
      `profile = ${JSON.stringify(profile)}`,
      '',
    ].join('\n');
  }
}
