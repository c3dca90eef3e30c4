import { DEFAULT_RUST_CHANNEL } from './rust-toolchain';
import { OptionError } from '../core/errors';
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

/** Options for `RuntimeBase.distroless`. */
export interface DistrolessRuntimeBaseOptions {
  /**
   * The `:debug` variant, which adds a busybox shell at `/busybox/sh` (for `docker run
   * --entrypoint /busybox/sh`); without it the image has no shell at all.
   * @default false
   */
  readonly debug?: boolean;

  /**
   * The distroless image, without tag (the tag is `debug` with `debug`, else none, i.e. `latest`);
   * a tag or digest given here is used as is.
   * @default RuntimeBase.DISTROLESS_IMAGE ("gcr.io/distroless/cc-debian12")
   */
  readonly image?: string;

  /**
   * Debian release the image is built from, for the builder/runtime glibc check and the Debian
   * stage that runtime libraries are copied from.
   * @default - read from the image name (`cc-debian12` is bookworm)
   */
  readonly debianRelease?: string;
}

/**
 * The base image of the Dockerfile's runtime stage. Pick one with the static methods: a
 * Debian-based image with `apt-get`, `groupadd` and `useradd` (`debianSlim`, `fromImage`,
 * `custom`), or a distroless one (`distroless`): no shell, no package manager, no `useradd`.
 */
export class RuntimeBase {
  /** The seed's runtime image. */
  public static readonly DEFAULT_IMAGE = 'debian:bookworm-slim';

  /** Google's distroless image for glibc programs (glibc, libgcc, libstdc++, libssl, CA certificates, tzdata). */
  public static readonly DISTROLESS_IMAGE = 'gcr.io/distroless/cc-debian12';

  /**
   * Debian packages every distroless `cc` image already has (distroless's `base` and `cc`
   * package sets): they are never copied in again.
   */
  public static readonly DISTROLESS_PACKAGES: string[] = ['base-files', 'ca-certificates', 'libc6', 'libgcc-s1', 'libgomp1',
    'libssl3', 'libstdc++6', 'netbase', 'tzdata'];

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

  /**
   * A distroless runtime (default `gcr.io/distroless/cc-debian12`): glibc, libgcc, libssl, CA
   * certificates and tzdata, no shell (unless `debug`), no package manager. The image runs as
   * the numeric `runtimeUid:runtimeUid`; runtime packages (and the preloaded libjemalloc2) are
   * installed in a Debian stage of the same release and only their shared libraries copied in.
   */
  public static distroless(options: DistrolessRuntimeBaseOptions = {}): RuntimeBase {
    const subject = options.image !== undefined ? 'RuntimeBase.distroless.image' : 'runtimeBase';
    const given = ImageReference.parse(options.image ?? RuntimeBase.DISTROLESS_IMAGE, subject);
    const tagged = given.tag !== undefined || given.digest !== undefined;
    const debug = options.debug ?? (given.tag?.startsWith('debug') ?? false);
    if (tagged && options.debug !== undefined && debug !== (given.tag?.startsWith('debug') ?? false)) {
      throw new OptionError('RuntimeBase.distroless.debug', `disagrees with the tag of "${given}".`,
        'Give the image without a tag and choose the variant with debug, or leave debug unset.');
    }
    const image = tagged ? given : debug ? given.withTag('debug') : given;
    const release = options.debianRelease ?? given.debianRelease;
    if (release === undefined || !/^[a-z]+$/.test(release)) {
      throw new OptionError('RuntimeBase.distroless.debianRelease', release === undefined
        ? `is needed: the name "${given}" does not say which Debian release the image is built from.`
        : `"${release}" is not a Debian release name.`,
      'Declare it, e.g. RuntimeBase.distroless({ image, debianRelease: \'bookworm\' }) for a *-debian12 image.');
    }
    return new RuntimeBase(image.toString(), release, {
      distroless: true,
      shell: debug ? '/busybox/sh' : undefined,
      librariesImage: `debian:${release}-slim`,
      providedPackages: [...RuntimeBase.DISTROLESS_PACKAGES],
    });
  }

  /** Whether the image is distroless: no package manager, no `useradd`. */
  public readonly isDistroless: boolean;
  /** The shell of the image (`/bin/bash`, `/busybox/sh`), or undefined when it has none. */
  public readonly shell?: string;
  /**
   * For a distroless base: the Debian image of the same release in which runtime packages are
   * installed and from which their shared libraries are copied.
   */
  public readonly librariesImage?: string;
  /** Debian packages the image already has (they are never installed or copied again). */
  public readonly providedPackages: string[];

  private constructor(
    /** The image reference of the `FROM` line. */
    public readonly image: string,
    /** Its Debian release, when known. */
    public readonly debianRelease: string | undefined,
    kind: { distroless: boolean; shell?: string; librariesImage?: string; providedPackages: string[] } = { distroless: false, shell: '/bin/bash', providedPackages: [] },
  ) {
    this.isDistroless = kind.distroless;
    this.shell = kind.shell;
    this.librariesImage = kind.librariesImage;
    this.providedPackages = kind.providedPackages;
  }
}
