import { workflows } from 'projen/lib/github';
import { OptionError } from '../core/errors';

/** When a job of the operator's workflow runs, as part of the release policy. */
export enum JobTrigger {
  /** Every push, pull request and manual run (tests). */
  ALWAYS = 'always',
  /** When the image is published: pushes to the main branch and release tags. */
  PUBLISH = 'publish',
  /** Release tags only. */
  RELEASE_TAG = 'release-tag',
  /** Never (the job is kept, with `if: false`, to be switched on later). */
  NEVER = 'never',
}

/** An image tag pushed for a ref. */
export enum ImageTag {
  /** The branch name (`feature/x` becomes `feature-x`), on branch pushes. */
  BRANCH = 'branch',
  /** The version of a release tag (`X.Y.Z`, `X.Y.Z-rc.1`), on release tags. */
  VERSION = 'version',
  /** The full commit SHA, on every published push. */
  SHA = 'sha',
  /** The first 7 characters of the commit SHA, on every published push. */
  SHORT_SHA = 'short-sha',
}

/** Which branch pushes publish the image. */
export enum PublishedBranches {
  /** Only the main branch. */
  MAIN = 'main',
  /** Every branch. */
  ALL = 'all',
}

/** Options for `ImageTagPolicy.custom`. */
export interface ImageTagPolicyOptions {
  /**
   * Which branch pushes publish the image (release tags always do).
   * @default PublishedBranches.MAIN
   */
  readonly branches?: PublishedBranches;
  /**
   * The tags pushed, in this order.
   * @default [ImageTag.BRANCH, ImageTag.VERSION]
   */
  readonly tags?: ImageTag[];
}

/**
 * Which refs publish the image and under which tags: a strategy of the release policy. Never
 * `latest`: an operator is installed by an exact reference.
 */
export class ImageTagPolicy {
  /** The seed's: the main branch pushes `:main`, release tags push `:X.Y.Z`; no SHA tags. */
  public static readonly SEED = new ImageTagPolicy({ branches: PublishedBranches.MAIN, tags: [ImageTag.BRANCH, ImageTag.VERSION] });

  /**
   * Tercen's: every branch push publishes `:<branch>`, `:<sha>` and `:<short sha>` (Tercen
   * installs an operator by commit, branch or release tag); release tags push `:X.Y.Z` and the
   * SHA tags.
   */
  public static readonly TERCEN = new ImageTagPolicy({
    branches: PublishedBranches.ALL,
    tags: [ImageTag.BRANCH, ImageTag.SHA, ImageTag.SHORT_SHA, ImageTag.VERSION],
  });

  /** A policy of your own. */
  public static custom(options: ImageTagPolicyOptions): ImageTagPolicy {
    return new ImageTagPolicy(options);
  }

  /** Which branch pushes publish. */
  public readonly branches: PublishedBranches;
  /** The tags pushed. */
  public readonly tags: ImageTag[];

  private constructor(options: ImageTagPolicyOptions) {
    this.branches = options.branches ?? PublishedBranches.MAIN;
    this.tags = [...(options.tags ?? [ImageTag.BRANCH, ImageTag.VERSION])];
    if (this.tags.length === 0 || new Set(this.tags).size !== this.tags.length || !this.tags.every((tag) => Object.values(ImageTag).includes(tag))) {
      throw new OptionError('imageTagPolicy.tags', `${JSON.stringify(this.tags)} is not a list of distinct image tags.`, `Use some of: ${Object.values(ImageTag).join(', ')}.`);
    }
    if (!this.tags.includes(ImageTag.VERSION)) {
      throw new OptionError('imageTagPolicy.tags', 'has no version tag, so a release would push no `X.Y.Z` image.', 'Include ImageTag.VERSION.');
    }
  }
}

/** Options for `ReleasePolicy`. */
export interface ReleasePolicyOptions {
  /**
   * The branch whose pushes publish the image under the branch name.
   * @default "main"
   */
  readonly mainBranch?: string;

  /**
   * Git tag patterns (GitHub filter syntax) that are release tags. Release tags carry no `v`
   * prefix: the tag is the image tag and the operator version.
   * @default ReleasePolicy.RELEASE_TAG_PATTERNS
   */
  readonly tagPatterns?: string[];

  /**
   * Which refs publish the image and under which tags.
   * @default ImageTagPolicy.SEED
   */
  readonly imageTags?: ImageTagPolicy;
}

/** What the policy says of one git ref. */
export interface RefEvent {
  /** Whether the workflow runs at all. */
  readonly triggered: boolean;
  /** Whether the image is built and pushed. */
  readonly publishes: boolean;
  /** Whether the ref is a release tag. */
  readonly releaseTag: boolean;
  /** The image tags pushed (empty when nothing is published). */
  readonly tags: string[];
}

/**
 * The release policy as data: which refs trigger the workflow, which of them publish the image
 * and under which tags. The workflow's triggers and `if:` conditions, the metadata-action tag
 * rules and the docs' ref table are all rendered from it (a test evaluates the rendered
 * workflow with GitHub's own expression engine, so the policy and GitHub cannot disagree).
 *
 * The seed's policy: every push and pull request is tested; pushes to the main branch publish
 * `:<branch>`, release tags `X.Y.Z` (and pre-releases `X.Y.Z-rc.1`) publish `:X.Y.Z`; never
 * `latest`, never a SHA.
 */
export class ReleasePolicy {
  /** Release tags: `1.2.3` and pre-releases such as `1.2.3-rc.1`; no `v` prefix. */
  public static readonly RELEASE_TAG_PATTERNS = ['[0-9]+.[0-9]+.[0-9]+', '[0-9]+.[0-9]+.[0-9]+-*'];

  /** The refs the docs' ref table describes (`pull_request` stands for any pull request). */
  public static readonly EXAMPLE_REFS = ['refs/heads/main', 'refs/heads/feature/x', 'refs/tags/1.2.3', 'refs/tags/v1.2.3', 'refs/tags/1.2.3-rc.1', 'pull_request'];

  /** The main branch. */
  public readonly mainBranch: string;
  /** Release tag patterns (GitHub filter syntax). */
  public readonly tagPatterns: string[];
  /** Which refs publish the image and under which tags. */
  public readonly imageTags: ImageTagPolicy;

  constructor(options: ReleasePolicyOptions = {}) {
    this.imageTags = options.imageTags ?? ImageTagPolicy.SEED;
    this.mainBranch = options.mainBranch ?? 'main';
    if (typeof this.mainBranch !== 'string' || !/^[A-Za-z0-9._\/-]+$/.test(this.mainBranch) || this.mainBranch.includes('..')) {
      throw new OptionError('mainBranch', `${JSON.stringify(this.mainBranch)} is not a branch name.`, 'Use the name of the default branch, e.g. "main".');
    }
    if (options.tagPatterns !== undefined && options.tagPatterns.length === 0) {
      throw new OptionError('tagPatterns', 'is empty, so no tag would ever build a release.', 'Give at least one pattern, e.g. ["[0-9]+.[0-9]+.[0-9]+"].');
    }
    for (const pattern of options.tagPatterns ?? []) {
      if (typeof pattern !== 'string' || !/^[A-Za-z0-9.+*?\[\]_\/-]+$/.test(pattern) || pattern.startsWith('v')) {
        throw new OptionError('tagPatterns', `${JSON.stringify(pattern)} is not a release tag pattern this workflow supports.`,
          'Use GitHub filter patterns over digits and dots without a "v" prefix, e.g. "[0-9]+.[0-9]+.[0-9]+".');
      }
    }
    this.tagPatterns = [...(options.tagPatterns ?? ReleasePolicy.RELEASE_TAG_PATTERNS)];
  }

  /** The workflow's `on:` triggers. */
  public get triggers(): workflows.Triggers {
    return { push: { branches: ['**'], tags: [...this.tagPatterns] }, pullRequest: {}, workflowDispatch: {} };
  }

  /** The `if:` of a job with this trigger (undefined: no condition). */
  public condition(trigger: JobTrigger): string | undefined {
    switch (trigger) {
      case JobTrigger.ALWAYS:
        return undefined;
      case JobTrigger.PUBLISH:
        return this.imageTags.branches === PublishedBranches.ALL
          ? "github.event_name == 'push'"
          : `github.event_name == 'push' && (github.ref == 'refs/heads/${this.mainBranch}' || startsWith(github.ref, 'refs/tags/'))`;
      case JobTrigger.RELEASE_TAG:
        return "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')";
      case JobTrigger.NEVER:
        return 'false';
    }
  }

  /** docker/metadata-action's `tags` input, one rule per tag of the image tag policy. */
  public get metadataTags(): string {
    const rules: { [tag in ImageTag]: string } = {
      [ImageTag.BRANCH]: 'type=ref,event=branch',
      [ImageTag.VERSION]: 'type=semver,pattern={{version}}',
      [ImageTag.SHA]: 'type=sha,format=long,prefix=',
      [ImageTag.SHORT_SHA]: 'type=sha,prefix=',
    };
    return this.imageTags.tags.map((tag) => rules[tag]).join('\n');
  }

  /** docker/metadata-action's `flavor` input: never `latest`. */
  public get metadataFlavor(): string {
    return 'latest=false';
  }

  /**
   * What happens for a pushed ref (`refs/heads/x`, `refs/tags/x`) or `pull_request`, by this
   * policy's own rules.
   * @param ref the ref
   * @param sha the commit (SHA tags are shown as `<sha>` and `<short sha>` without it)
   */
  public refEvent(ref: string, sha?: string): RefEvent {
    const pullRequest = ref === 'pull_request';
    const tag = /^refs\/tags\/(.+)$/.exec(ref)?.[1];
    const branch = /^refs\/heads\/(.+)$/.exec(ref)?.[1];
    if (!pullRequest && tag === undefined && branch === undefined) {
      throw new Error(`ReleasePolicy.refEvent: "${ref}" is neither refs/heads/<branch>, refs/tags/<tag> nor pull_request`);
    }
    // Branch pushes always trigger (`branches: ["**"]`); tag pushes only for a release pattern.
    const triggered = tag === undefined || this.tagPatterns.some((pattern) => matchesFilterPattern(pattern, tag));
    const releaseTag = triggered && tag !== undefined;
    const everyBranch = this.imageTags.branches === PublishedBranches.ALL;
    const publishes = triggered && !pullRequest && (branch === this.mainBranch || (everyBranch && branch !== undefined) || releaseTag);
    const tags: string[] = [];
    for (const kind of publishes ? this.imageTags.tags : []) {
      if (kind === ImageTag.BRANCH && branch !== undefined) tags.push(sanitizeTag(branch));
      if (kind === ImageTag.VERSION && tag !== undefined) tags.push(...semverVersion(tag));
      if (kind === ImageTag.SHA) tags.push(sha ?? '<sha>');
      if (kind === ImageTag.SHORT_SHA) tags.push(sha ? sha.slice(0, 7) : '<short sha>');
    }
    return { triggered, publishes, releaseTag, tags: [...new Set(tags)] };
  }

  /** Whether a job with this trigger runs for the ref (its `needs` aside). */
  public runs(trigger: JobTrigger, event: RefEvent): boolean {
    if (!event.triggered) return false;
    switch (trigger) {
      case JobTrigger.ALWAYS: return true;
      case JobTrigger.PUBLISH: return event.publishes;
      case JobTrigger.RELEASE_TAG: return event.releaseTag;
      case JobTrigger.NEVER: return false;
    }
  }
}

/**
 * GitHub's filter pattern syntax for branches and tags: `*` (no `/`), `**`, `?` and `+`
 * (zero-or-one / one-or-more of the previous character), `[...]` classes.
 */
export function matchesFilterPattern(pattern: string, name: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        regex += '.*';
        i++;
      } else {
        regex += '[^/]*';
      }
    } else if (c === '?' || c === '+') {
      regex += c;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i);
      regex += pattern.slice(i, end + 1);
      i = end;
    } else {
      regex += c.replace(/[.^$|(){}\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${regex}$`).test(name);
}

/** docker/metadata-action's tag sanitising (`feature/x` becomes `feature-x`). */
function sanitizeTag(name: string): string {
  return name.replace(/[^a-zA-Z0-9._-]+/g, '-');
}

/**
 * docker/metadata-action's `type=semver,pattern={{version}}`: the version of a semver tag (a
 * leading `v` dropped, build metadata dropped), nothing for a tag that is not semver.
 */
function semverVersion(tag: string): string[] {
  const identifier = '(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)';
  const match = new RegExp(`^v?((?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)(?:-${identifier}(?:\\.${identifier})*)?)(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`).exec(tag);
  return match ? [sanitizeTag(match[1])] : [];
}
