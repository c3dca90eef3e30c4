import { DEFAULT_RUST_CHANNEL } from './rust-toolchain';
import { ImageReference } from '../core/image-reference';

/** What a custom builder image is made of, where its tag does not say. */
export interface CustomBuilderBaseOptions {
  /**
   * Debian release of the image (`bookworm`), for the builder/runtime glibc check.
   * @default - read from the tag, else unknown (the check then only warns)
   */
  readonly debianRelease?: string;

  /**
   * Rust version the image carries (`1.92`): the channel of rust-toolchain.toml (CI and the
   * docs) follows it.
   * @default - read from the tag, else unknown (rust-toolchain.toml then pins the project's
   * `rustToolchain`, and synth warns that it cannot check the image has it)
   */
  readonly rustVersion?: string;
}

/**
 * The base image of the Dockerfile's builder stage: a Rust toolchain on Debian, with `apt-get`.
 * Pick one with the static methods, as AWS CDK's runtime classes do; a new kind of builder is a
 * new static method, not a change of the stage renderer.
 */
export class BuilderBase {
  /**
   * The default builder image: the official image of the default Rust channel
   * (`rust:1.92-slim-bookworm`; the seed's `rust:1.75` cannot build tonic 0.14 or read
   * version-4 lock files).
   */
  public static readonly DEFAULT_IMAGE = `rust:${DEFAULT_RUST_CHANNEL}-slim-bookworm`;

  /** The official `rust:<version>-slim-<release>` image. */
  public static rust(version: string, debianRelease: string = 'bookworm'): BuilderBase {
    return BuilderBase.fromImage(`rust:${version}-slim-${debianRelease}`, 'builderImage');
  }

  /**
   * The official `rust:<channel>-slim-<release>` image of the project's Rust toolchain (the
   * channel of rust-toolchain.toml): the default builder. Until the plan resolves it, it
   * describes the image of the default channel.
   */
  public static rustToolchain(debianRelease: string = 'bookworm'): BuilderBase {
    const base = BuilderBase.rust(DEFAULT_RUST_CHANNEL, debianRelease);
    return new BuilderBase(base.image, base.debianRelease, base.rustVersion, debianRelease);
  }

  /** The seed's builder on the default Rust channel: `BuilderBase.DEFAULT_IMAGE`. */
  public static seed(): BuilderBase {
    return BuilderBase.fromImage(BuilderBase.DEFAULT_IMAGE, 'builderImage');
  }

  /**
   * Any image reference; its Debian release and Rust version are read from the tag
   * (`rust:1.92-slim-bookworm`).
   * @param image the image reference
   * @param subject the option that named it, for errors
   */
  public static fromImage(image: string, subject: string = 'builderImage'): BuilderBase {
    const reference = ImageReference.parse(image, subject);
    return new BuilderBase(reference.toString(), reference.debianRelease, reference.rustVersion);
  }

  /**
   * A custom image whose tag does not say what it is made of (e.g. `:latest`): declare it, so
   * the glibc check and the CI toolchain keep working.
   */
  public static custom(image: string, options: CustomBuilderBaseOptions = {}): BuilderBase {
    const reference = ImageReference.parse(image, 'builderImage');
    return new BuilderBase(reference.toString(), options.debianRelease ?? reference.debianRelease, options.rustVersion ?? reference.rustVersion);
  }

  private constructor(
    /** The image reference of the `FROM` line. */
    public readonly image: string,
    /** Its Debian release, when known. */
    public readonly debianRelease: string | undefined,
    /** Its Rust version, when known. */
    public readonly rustVersion: string | undefined,
    /** For `rustToolchain()`: the Debian release of the official image that follows the channel. */
    private readonly toolchainRelease?: string,
  ) {}

  /** Whether the image follows the project's Rust toolchain (`BuilderBase.rustToolchain()`). */
  public get followsToolchain(): boolean {
    return this.toolchainRelease !== undefined;
  }

  /**
   * This builder for a Rust channel: the official image of that channel when the builder
   * follows the toolchain, else this builder unchanged.
   */
  public forChannel(channel: string): BuilderBase {
    return this.toolchainRelease === undefined ? this : BuilderBase.rust(channel, this.toolchainRelease);
  }
}

/** What a custom runtime image is made of, where its tag does not say. */
export interface CustomRuntimeBaseOptions {
  /**
   * Debian release of the image (`bookworm`), for the builder/runtime glibc check.
   * @default - read from the tag, else unknown (the check then only warns)
   */
  readonly debianRelease?: string;
}

/**
 * The base image of the Dockerfile's runtime stage: a Debian-based image with `apt-get`,
 * `groupadd` and `useradd`. Pick one with the static methods; a new kind of runtime (e.g.
 * distroless) is a new static method.
 */
export class RuntimeBase {
  /** The seed's runtime image. */
  public static readonly DEFAULT_IMAGE = 'debian:bookworm-slim';

  /** The official `debian:<release>-slim` image. */
  public static debianSlim(release: string = 'bookworm'): RuntimeBase {
    return RuntimeBase.fromImage(`debian:${release}-slim`, 'runtimeImage');
  }

  /**
   * Any image reference; its Debian release is read from the tag.
   * @param image the image reference
   * @param subject the option that named it, for errors
   */
  public static fromImage(image: string, subject: string = 'runtimeImage'): RuntimeBase {
    const reference = ImageReference.parse(image, subject);
    return new RuntimeBase(reference.toString(), reference.debianRelease);
  }

  /** A custom Debian-based image whose tag does not say its release: declare it. */
  public static custom(image: string, options: CustomRuntimeBaseOptions = {}): RuntimeBase {
    const reference = ImageReference.parse(image, 'runtimeImage');
    return new RuntimeBase(reference.toString(), options.debianRelease ?? reference.debianRelease);
  }

  private constructor(
    /** The image reference of the `FROM` line. */
    public readonly image: string,
    /** Its Debian release, when known. */
    public readonly debianRelease: string | undefined,
  ) {}
}
