/**
 * Example for the README: an operator image built on Tercen's own base images instead of the
 * official `rust` and `debian` ones. In a real `.projenrc.ts` import from 'projen-rust-operator'.
 */
import { JemallocDockerfile, JemallocDockerfileOptions } from '../../src/docker/jemalloc-dockerfile';
import { BuilderBase, RuntimeBase } from '../../src/plan/base-image';
import { RustOperatorProject } from '../../src/project/rust-operator-project';

/**
 * `JemallocDockerfile` with Tercen's base images. Everything else (packages, dependency layer,
 * allocator environment, non-root user, entrypoint) is inherited unchanged.
 *
 * The tags (`:latest`) do not say which Debian release and Rust the images are on, so the class
 * declares them: the builder/runtime release check then works for these images too (a builder on
 * a newer release than the runtime fails at start-up with "GLIBC_2.xx not found"), and
 * rust-toolchain.toml pins the builder's Rust for CI.
 */
export class TercenBaseDockerfile extends JemallocDockerfile {
  /** Rust toolchain on Debian bookworm. */
  public static readonly BUILDER_IMAGE = 'tercen/rust-operator-base:latest';
  /** The Rust it carries: rust-toolchain.toml (CI) pins the same. */
  public static readonly RUST_VERSION = '1.92';
  /** Debian bookworm slim with Tercen's runtime libraries. */
  public static readonly RUNTIME_IMAGE = 'tercen/runtime-base:latest';

  protected builderBase(): BuilderBase {
    return BuilderBase.custom(TercenBaseDockerfile.BUILDER_IMAGE, { debianRelease: 'bookworm', rustVersion: TercenBaseDockerfile.RUST_VERSION });
  }

  protected runtimeBase(): RuntimeBase {
    return RuntimeBase.custom(TercenBaseDockerfile.RUNTIME_IMAGE, { debianRelease: 'bookworm' });
  }
}

/**
 * A `RustOperatorProject` whose Dockerfile is a `TercenBaseDockerfile`. `createDockerfile` runs
 * inside the constructor, before the subclass's own fields are set: read options or static
 * values there, not instance fields.
 */
export class TercenOperatorProject extends RustOperatorProject {
  protected createDockerfile(options: JemallocDockerfileOptions): JemallocDockerfile {
    return new TercenBaseDockerfile(this, options);
  }
}

// In .projenrc.ts:
//
//   const project = new TercenOperatorProject({
//     name: 'my_operator',
//     repositoryUrl: 'https://github.com/tercen/my_operator.git',
//   });
//   project.synth();
