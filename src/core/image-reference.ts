import { OptionError } from './errors';

// The grammar of github.com/distribution/reference, split so that an error can say which part is wrong.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** Debian releases in age order; the index compares glibc generations. */
const DEBIAN_RELEASES = ['buster', 'bullseye', 'bookworm', 'trixie', 'forky'];
/** Debian's version number of the first entry of DEBIAN_RELEASES (buster is Debian 10). */
const DEBIAN_FIRST_VERSION = 10;

/**
 * A container image reference (`[registry/]repository[:tag][@digest]`), validated once so
 * no generated file can carry an invalid or shell-unsafe image name.
 */
export class ImageReference {
  /**
   * Parses and validates a reference.
   * @param reference the image reference, e.g. `rust:1.75-slim-bookworm` or `ghcr.io/tercen/op`
   * @param optionName the option it came from, named in errors
   */
  public static parse(reference: string, optionName: string): ImageReference {
    if (typeof reference !== 'string' || reference.trim() === '') {
      throw new OptionError(optionName, 'is empty.', 'Give an image reference such as "debian:bookworm-slim".');
    }
    if (/[\s;&|$`'"\\<>(){}*?!#]/.test(reference)) {
      throw new OptionError(optionName, `"${reference}" contains whitespace or shell metacharacters, which no image reference can hold.`,
        'Use only letters, digits and . _ - / : @ (e.g. "ghcr.io/acme/my_operator").');
    }
    const match = REFERENCE.exec(reference);
    if (!match) {
      const lower = reference.toLowerCase();
      if (lower !== reference && REFERENCE.test(lowercaseRepository(reference))) {
        throw new OptionError(optionName, `"${reference}" has uppercase letters in the repository part; registries reject them.`,
          `Use "${lowercaseRepository(reference)}".`);
      }
      throw new OptionError(optionName, `"${reference}" is not a valid image reference.`,
        'Write it as [registry/]name[:tag][@sha256:digest], lowercase, e.g. "ghcr.io/acme/my_operator:1.2.3".');
    }
    let [, registry, repository] = match;
    const tag = match[3];
    const digest = match[4];
    // "foo/bar" has no registry: a first component is a registry only if it looks like a host.
    if (registry !== undefined && !/[.:]/.test(registry) && registry !== 'localhost') {
      repository = `${registry}/${repository}`;
      registry = undefined as unknown as string;
    }
    return new ImageReference(registry, repository, tag, digest);
  }

  /**
   * The GHCR image of a GitHub repository: `ghcr.io/<owner>/<name>`, lowercased, because GHCR
   * rejects uppercase and GitHub owners are often mixed-case (`AcmeCorp`).
   */
  public static forGitHubOwner(owner: string, name: string, optionName: string): ImageReference {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(owner)) {
      throw new OptionError(optionName, `"${owner}" is not a GitHub user or organisation name.`,
        'Use the owner as it appears in github.com/<owner>/<repository>.');
    }
    return ImageReference.parse(`ghcr.io/${owner.toLowerCase()}/${name.toLowerCase()}`, optionName);
  }

  private constructor(
    /** Registry host, e.g. `ghcr.io`; undefined for Docker Hub short names. */
    public readonly registry: string | undefined,
    /** Repository path, e.g. `tercen/ggrs_plot_operator` or `debian`. */
    public readonly repository: string,
    /** Tag, e.g. `1.75-slim-bookworm`. */
    public readonly tag: string | undefined,
    /** Digest, e.g. `sha256:...`. */
    public readonly digest: string | undefined,
  ) {}

  /** The reference without tag and digest (`ghcr.io/tercen/ggrs_plot_operator`). */
  public get name(): string {
    return this.registry ? `${this.registry}/${this.repository}` : this.repository;
  }

  /** The last path component (`ggrs_plot_operator`). */
  public get shortName(): string {
    return this.repository.split('/').pop()!;
  }

  /** The same image with another tag (digest dropped). */
  public withTag(tag: string): ImageReference {
    return ImageReference.parse(`${this.name}:${tag}`, 'tag');
  }

  /**
   * The Debian release named in the tag (`bookworm` in `rust:1.75-slim-bookworm`,
   * `debian:bookworm-slim`), or undefined when the tag does not say (e.g. `latest`).
   */
  public get debianRelease(): string | undefined {
    const words = (this.tag ?? '').split(/[-_.]/);
    const named = DEBIAN_RELEASES.find((release) => words.includes(release));
    if (named) {
      return named;
    }
    // By version: `debian12` in a tag or name (`gcr.io/distroless/cc-debian12`), or the
    // official `debian` image's numeric tags (`debian:12-slim`, `debian:12.5`).
    const nameWords = this.shortName.split(/[-_.]/);
    for (const word of [...words, ...nameWords]) {
      const version = /^debian(\d+)$/.exec(word)?.[1];
      if (version !== undefined) {
        return DEBIAN_RELEASES[Number(version) - DEBIAN_FIRST_VERSION];
      }
    }
    if (this.repository === 'debian' || this.repository === 'library/debian') {
      const version = /^(\d+)(?:[-.]|$)/.exec(this.tag ?? '')?.[1];
      if (version !== undefined) {
        return DEBIAN_RELEASES[Number(version) - DEBIAN_FIRST_VERSION];
      }
    }
    return undefined;
  }

  /** The Rust version in an official `rust:<version>-...` tag, or undefined. */
  public get rustVersion(): string | undefined {
    if (this.shortName !== 'rust' || !this.tag) {
      return undefined;
    }
    return /^(\d+\.\d+(?:\.\d+)?)(?:-|$)/.exec(this.tag)?.[1];
  }

  public toString(): string {
    return `${this.name}${this.tag ? `:${this.tag}` : ''}${this.digest ? `@${this.digest}` : ''}`;
  }
}

/** Compares Debian releases by age: negative when `a` is older than `b`; undefined if unknown. */
export function compareDebianReleases(a: string, b: string): number | undefined {
  const ia = DEBIAN_RELEASES.indexOf(a);
  const ib = DEBIAN_RELEASES.indexOf(b);
  return ia < 0 || ib < 0 ? undefined : ia - ib;
}

function lowercaseRepository(reference: string): string {
  // Lowercase everything before a tag/digest separator that follows the last '/'.
  const at = reference.indexOf('@');
  const beforeDigest = at < 0 ? reference : reference.slice(0, at);
  const lastSlash = beforeDigest.lastIndexOf('/');
  const colon = beforeDigest.indexOf(':', lastSlash + 1);
  const end = colon < 0 ? beforeDigest.length : colon;
  return reference.slice(0, end).toLowerCase() + reference.slice(end);
}
