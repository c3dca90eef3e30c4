import { Component, JsonPatch, Project, YamlFile } from 'projen';
import { GitHub, GithubWorkflow, workflows } from 'projen/lib/github';
import { ActionPins, PinnedAction } from './pinned-actions';
import { checkOptionNames } from '../core/option-names';
import { aptPackageList } from '../docker/apt-packages';
import { ImageReference } from '../docker/image-reference';
import { JemallocDockerfile } from '../docker/jemalloc-dockerfile';
import { OptionError } from '../errors';
import { ContainerPolicy } from '../tercen/operator-json';
import { OperatorManifest } from '../tercen/operator-manifest';

/** Options for `GhcrReleaseWorkflow`. */
export interface GhcrReleaseWorkflowOptions {
  /**
   * The image to push, without tag, lowercase, on ghcr.io (e.g.
   * `ghcr.io/tercen/ggrs_plot_operator`): the job's `GITHUB_TOKEN` logs in to GHCR only. The
   * same value names the tags, the scan and the attestation.
   */
  readonly imageName: string;

  /**
   * Debian packages the test job installs before running cargo.
   * @default - the builder packages of the project's `JemallocDockerfile`, else none
   */
  readonly systemPackages?: string[];

  /**
   * Rust toolchain of the test job.
   * @default - the Rust version of the Dockerfile's builder image (so CI tests what the image
   * builds), else "stable"
   */
  readonly rustToolchain?: string;

  /**
   * Branch whose pushes publish the image under its own name as tag.
   * @default "main"
   */
  readonly mainBranch?: string;

  /**
   * Runner labels of every job.
   * @default ["ubuntu-latest"]
   */
  readonly runsOn?: string[];

  /**
   * Git tag patterns (GitHub filter syntax) that trigger a release build. Release tags carry no
   * `v` prefix: the tag is the image tag and the operator version.
   * @default GhcrReleaseWorkflow.RELEASE_TAG_PATTERNS
   */
  readonly tagPatterns?: string[];

  /**
   * GitHub secret holding a token for private git dependencies. The test job hands it to cargo,
   * the image job passes it as a BuildKit secret; both still work when it is absent (forks).
   * @default - no private git dependencies
   */
  readonly gitTokenSecret?: string;

  /**
   * BuildKit secret id the Dockerfile mounts the git token under.
   * @default - the Dockerfile's `gitTokenSecret`, else "git_token"
   */
  readonly gitTokenBuildSecretId?: string;

  /**
   * Replacements for entries of the pinned-action table, by key (`checkout`, `trivy`, ...).
   * @default - the package's table
   */
  readonly actionPins?: { [key: string]: PinnedAction };

  /**
   * Let release (tag) builds restore the GitHub Actions build cache. Off by default: a job that
   * publishes a release should not build from a cache that other refs could have written.
   * @default false
   */
  readonly cacheOnReleaseBuilds?: boolean;

  /**
   * Check first, in the test job, that every owned file is what `.projenrc.ts` says
   * (`npx projen drift`).
   * @default true
   */
  readonly driftCheck?: boolean;

  /**
   * On release tags, fail before building when the tag is not the Cargo package version (and,
   * when `releaseContainerCheck`, when operator.json's `container` is not `<image>:<tag>`).
   * @default true
   */
  readonly releaseVersionCheck?: boolean;

  /**
   * Also check operator.json's `container` on release tags.
   * @default - true when the project's operator.json pins exact versions (`ContainerPolicy.EXACT_PIN`)
   */
  readonly releaseContainerCheck?: boolean;

  /**
   * Attest build provenance of the pushed image (`actions/attest`). Artifact attestations
   * need a public repository, or GitHub Enterprise Cloud for private ones: turn this off for a
   * private repository on another plan, or the image job fails after the push.
   * @default true
   */
  readonly provenanceAttestation?: boolean;

  /**
   * Workflow file name under `.github/workflows/`.
   * @default "ci.yml"
   */
  readonly fileName?: string;
}

/**
 * The operator's CI workflow (`.github/workflows/ci.yml`): test and lint on every push and pull
 * request; build, push and attest the image for the main branch and release tags only.
 *
 * Every step has a stable id (see `GhcrReleaseWorkflow.STEP_IDS`, `TrivyScanJob.STEP_IDS`,
 * `OperatorInstallTestJob.STEP_IDS`). Customise through the projen workflow in `.workflow`:
 * `release.workflow.insertStepAfter('test', 'clippy', {...})`, `insertStepBefore`,
 * `replaceStep`, `patchStep`, `removeStep` (by job id and step id) and `addJob`. Give an added
 * job `permissions` of its own: nothing is granted at workflow level.
 */
export class GhcrReleaseWorkflow extends Component {
  /** Release tags: `1.2.3` and pre-releases such as `1.2.3-rc.1`; no `v` prefix. */
  public static readonly RELEASE_TAG_PATTERNS = ['[0-9]+.[0-9]+.[0-9]+', '[0-9]+.[0-9]+.[0-9]+-*'];
  /** Id of the test and lint job. */
  public static readonly TEST_JOB = 'test';
  /** Id of the image job. */
  public static readonly IMAGE_JOB = 'image';
  /** Refs the docs' release table describes. */
  public static readonly EXAMPLE_REFS = ['refs/heads/main', 'refs/heads/feature/x', 'refs/tags/1.2.3', 'refs/tags/v1.2.3', 'refs/tags/1.2.3-rc.1', 'pull_request'];
  /**
   * Stable step ids, by job, in order. `node-dependencies` and `drift` are left out when
   * `driftCheck` is off, `system-packages` when there are no system packages.
   */
  public static readonly STEP_IDS: { [jobId: string]: string[] } = {
    test: ['checkout', 'node-dependencies', 'drift', 'toolchain', 'cargo-cache', 'system-packages', 'fmt', 'clippy', 'test', 'doctest'],
    image: ['checkout', 'version-check', 'buildx', 'login', 'metadata', 'build', 'attest'],
  };

  /** Returns the `GhcrReleaseWorkflow` of a project, or undefined. */
  public static of(project: Project): GhcrReleaseWorkflow | undefined {
    return project.components.find((c): c is GhcrReleaseWorkflow => c instanceof GhcrReleaseWorkflow);
  }

  /** The underlying projen workflow: use its step and job methods to customise. */
  public readonly workflow: GithubWorkflow;
  /** The lowercase image name, without tag. */
  public readonly imageName: string;
  /** The pinned actions used by every job. */
  public readonly actions: ActionPins;
  /** Runner labels. */
  public readonly runsOn: string[];
  /** The main branch. */
  public readonly mainBranch: string;
  /** GitHub secret with the git token, if any. */
  public readonly gitTokenSecret?: string;
  /** Whether the test job runs `npx projen drift` first. */
  public readonly driftCheck: boolean;
  /** Release tag patterns (GitHub filter syntax). */
  public readonly tagPatterns: string[];

  private readonly options: GhcrReleaseWorkflowOptions;

  constructor(project: Project, options: GhcrReleaseWorkflowOptions) {
    checkOptionNames(options, 'GhcrReleaseWorkflowOptions', 'GhcrReleaseWorkflow');
    super(project);
    this.options = options;
    const image = ImageReference.parse(options.imageName, 'imageName');
    if (image.tag || image.digest) {
      throw new OptionError('imageName', `"${options.imageName}" has a tag or digest; the workflow derives tags from the git ref.`,
        `Use "${image.name}".`);
    }
    if (image.registry !== 'ghcr.io') {
      throw new OptionError('imageName', `"${options.imageName}" is not on ghcr.io; the workflow logs in and attests with the job's GITHUB_TOKEN, which only GHCR accepts.`,
        `Use "ghcr.io/<owner>/${image.shortName}".`);
    }
    this.imageName = image.name;
    this.actions = new ActionPins(options.actionPins);
    this.runsOn = options.runsOn ?? ['ubuntu-latest'];
    for (const label of this.runsOn) {
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(label)) {
        throw new OptionError('runsOn', `"${label}" is not a runner label.`, 'Use labels such as "ubuntu-latest", "ubuntu-24.04" or a self-hosted label made of letters, digits, "-", "_", ".".');
      }
    }
    if (this.runsOn.length === 0) {
      throw new OptionError('runsOn', 'is empty.', 'Give at least one runner label, e.g. ["ubuntu-latest"].');
    }
    this.mainBranch = options.mainBranch ?? 'main';
    if (!/^[A-Za-z0-9._\/-]+$/.test(this.mainBranch) || this.mainBranch.includes('..')) {
      throw new OptionError('mainBranch', `"${this.mainBranch}" is not a branch name.`, 'Use the name of the default branch, e.g. "main".');
    }
    if (options.tagPatterns !== undefined && options.tagPatterns.length === 0) {
      throw new OptionError('tagPatterns', 'is empty, so no tag would ever build a release.', 'Give at least one pattern, e.g. ["[0-9]+.[0-9]+.[0-9]+"].');
    }
    for (const pattern of options.tagPatterns ?? []) {
      if (!/^[A-Za-z0-9.+*?\[\]_\/-]+$/.test(pattern) || pattern.startsWith('v')) {
        throw new OptionError('tagPatterns', `"${pattern}" is not a release tag pattern this workflow supports.`,
          'Use GitHub filter patterns over digits and dots without a "v" prefix, e.g. "[0-9]+.[0-9]+.[0-9]+".');
      }
    }
    if (options.gitTokenSecret !== undefined) {
      validateSecretName(options.gitTokenSecret, 'gitTokenSecret');
    }
    this.gitTokenSecret = options.gitTokenSecret;
    if (options.gitTokenBuildSecretId !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(options.gitTokenBuildSecretId)) {
      throw new OptionError('gitTokenBuildSecretId', `${JSON.stringify(options.gitTokenBuildSecretId)} is not a BuildKit secret id.`,
        'Use letters, digits, "_", "-" or "." as in the Dockerfile\'s `--mount=type=secret,id=...`, e.g. "git_token".');
    }
    if (options.fileName !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*\.ya?ml$/.test(options.fileName)) {
      throw new OptionError('fileName', `${JSON.stringify(options.fileName)} is not a workflow file name.`, 'Use a name ending in .yml, e.g. "ci.yml".');
    }
    this.driftCheck = options.driftCheck ?? true;
    this.tagPatterns = options.tagPatterns ?? GhcrReleaseWorkflow.RELEASE_TAG_PATTERNS;
    if (options.systemPackages) {
      aptPackageList(options.systemPackages, 'systemPackages');
    }
    if (options.rustToolchain !== undefined && !/^(stable|beta|nightly(-\d{4}-\d{2}-\d{2})?|\d+\.\d+(\.\d+)?)$/.test(options.rustToolchain)) {
      throw new OptionError('rustToolchain', `"${options.rustToolchain}" is not a Rust toolchain.`, 'Use "stable", "nightly" or a version such as "1.75".');
    }

    const github = GitHub.of(project) ?? new GitHub(project, { mergify: false, pullRequestLint: false });
    this.workflow = new GithubWorkflow(github, 'ci', { fileName: options.fileName ?? 'ci.yml' });
    this.workflow.on({
      push: { branches: ['**'], tags: this.tagPatterns },
      pullRequest: {},
      workflowDispatch: {},
    });
    const file = this.workflow.file!;
    // Nothing is granted at workflow level; each job asks for what it uses.
    // (A JSON patch, because an override with an empty object is dropped.)
    file.patch(JsonPatch.add('/permissions', {}));
    file.addOverride('concurrency', {
      'group': '${{ github.workflow }}-${{ github.ref }}',
      // Superseded pull request runs are cancelled; main and release builds always finish.
      'cancel-in-progress': '${{ github.event_name == \'pull_request\' }}',
    });
    annotatePins(file, this.actions);
    this.workflow.addJob(GhcrReleaseWorkflow.TEST_JOB, this.testJob());
    this.workflow.addJob(GhcrReleaseWorkflow.IMAGE_JOB, this.imageJob());
  }

  /**
   * Which jobs run and which image tags are pushed for a git ref (`refs/heads/x`, `refs/tags/x`)
   * pushed, or for `pull_request`: the release table of the docs, derived from this workflow's
   * triggers and conditions (tests check it against GitHub's own evaluation of the YAML).
   *
   * A job runs when every job it `needs` runs and its `if:` holds. The conditions this package
   * writes (`publishCondition`, `releaseTagCondition`, `"false"`, none) are evaluated exactly;
   * a job added with any other condition is assumed to run when the image is published.
   */
  public refOutcome(ref: string): RefOutcome {
    const pullRequest = ref === 'pull_request';
    const tag = /^refs\/tags\/(.+)$/.exec(ref)?.[1];
    const branch = /^refs\/heads\/(.+)$/.exec(ref)?.[1];
    if (!pullRequest && tag === undefined && branch === undefined) {
      throw new Error(`refOutcome: "${ref}" is neither refs/heads/<branch>, refs/tags/<tag> nor pull_request`);
    }
    // Branch pushes always trigger (`branches: ["**"]`); tag pushes only for a release pattern.
    if (tag !== undefined && !this.tagPatterns.some((pattern) => matchesFilterPattern(pattern, tag))) {
      return { jobs: [], tags: [] };
    }
    const publishes = !pullRequest && (branch === this.mainBranch || tag !== undefined);
    const releaseTag = !pullRequest && tag !== undefined;
    const jobs = this.workflow.jobs as { [id: string]: workflows.Job };
    const decided = new Map<string, boolean>();
    const runs = (id: string, path: string[] = []): boolean => {
      const known = decided.get(id);
      if (known !== undefined) return known;
      const job = jobs[id];
      if (job === undefined || path.includes(id)) return false;
      // GitHub wraps a job's `if:` in `success() && (...)`: a skipped dependency skips the job.
      const result = (job.needs ?? []).every((need) => runs(need, [...path, id])) && this.conditionHolds(job.if, publishes, releaseTag);
      decided.set(id, result);
      return result;
    };
    const running = Object.keys(jobs).filter((id) => runs(id));
    const tags = !running.includes(GhcrReleaseWorkflow.IMAGE_JOB) ? [] : branch !== undefined ? [metadataTag(branch)] : semverTag(tag ?? '');
    return { jobs: running, tags };
  }

  /** The `if:` condition of jobs that publish: a push to the main branch or a release tag. */
  public get publishCondition(): string {
    return `github.event_name == 'push' && (github.ref == 'refs/heads/${this.mainBranch}' || startsWith(github.ref, 'refs/tags/'))`;
  }

  /** The `if:` condition of jobs that run for release tags only. */
  public get releaseTagCondition(): string {
    return "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')";
  }

  /** A checkout step that leaves no credentials behind. */
  public checkoutStep(): workflows.JobStep {
    return { id: 'checkout', name: 'Check out', uses: this.actions.uses('checkout'), with: { 'persist-credentials': false } };
  }

  /** A GHCR login step (the job needs `packages: read` or `write`). */
  public loginStep(): workflows.JobStep {
    return {
      id: 'login',
      name: 'Log in to ghcr.io',
      uses: this.actions.uses('login'),
      with: { registry: this.registry(), username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' },
    };
  }

  /** The Debian packages the test job installs. */
  public get systemPackages(): string[] {
    return aptPackageList(this.options.systemPackages ?? JemallocDockerfile.of(this.project)?.builderPackageList ?? [], 'systemPackages');
  }

  /** The Rust toolchain of the test job. */
  public get rustToolchain(): string {
    return this.options.rustToolchain ?? JemallocDockerfile.of(this.project)?.rustVersion ?? 'stable';
  }

  /** The test and lint job. */
  protected testJob(): workflows.Job {
    const steps: workflows.JobStep[] = [this.checkoutStep()];
    if (this.driftCheck) {
      steps.push(
        { id: 'node-dependencies', name: 'Install projen', run: 'npm ci --ignore-scripts --no-audit --no-fund' },
        { id: 'drift', name: 'Check generated files match .projenrc.ts', run: 'npx projen drift' },
      );
    }
    steps.push(
      {
        id: 'toolchain',
        name: 'Install Rust toolchain',
        uses: this.actions.uses('rust-toolchain'),
        with: { toolchain: this.rustToolchain, components: 'rustfmt, clippy' },
      },
      {
        id: 'cargo-cache',
        name: 'Cache cargo registry and target',
        uses: this.actions.uses('rust-cache'),
        // Keyed on Cargo.lock and the toolchain by the action; saved from the main branch only.
        with: { 'save-if': `\${{ github.ref == 'refs/heads/${this.mainBranch}' }}` },
      },
    );
    const packages = this.systemPackages;
    if (packages.length > 0) {
      steps.push({
        id: 'system-packages',
        name: 'Install system packages',
        run: `sudo apt-get update\nsudo apt-get install -y --no-install-recommends ${packages.join(' ')}`,
      });
    }
    const cargoEnv = this.cargoGitEnvironment();
    steps.push(
      { id: 'fmt', name: 'Check formatting', run: 'cargo fmt --all -- --check' },
      { id: 'clippy', name: 'Lint', run: 'cargo clippy --all-targets --all-features -- -D warnings', env: cargoEnv },
      { id: 'test', name: 'Test', run: 'cargo test --all-features --verbose', env: cargoEnv },
      {
        id: 'doctest',
        name: 'Doc tests',
        // `cargo test --doc` fails on a crate without a library target; say so instead.
        run: [
          'if cargo metadata --no-deps --format-version 1 | jq -e \'[.packages[].targets[].kind[]] | index("lib")\' > /dev/null; then',
          '  cargo test --doc --all-features',
          'else',
          '  echo "No library target: no doc tests to run."',
          'fi',
        ].join('\n'),
        env: cargoEnv,
      },
    );
    return {
      name: 'Test and lint',
      runsOn: this.runsOn,
      permissions: { contents: workflows.JobPermission.READ },
      steps,
    };
  }

  /** The image job: build, push and attest; only for the main branch and release tags. */
  protected imageJob(): workflows.Job {
    const buildSecretId = this.options.gitTokenBuildSecretId ?? JemallocDockerfile.of(this.project)?.gitTokenSecretId ?? 'git_token';
    const cacheFrom = this.options.cacheOnReleaseBuilds
      ? 'type=gha'
      : "${{ github.ref_type == 'branch' && 'type=gha' || '' }}";
    const build: { [key: string]: unknown } = {
      'context': '.',
      'push': true,
      'tags': '${{ steps.metadata.outputs.tags }}',
      'labels': '${{ steps.metadata.outputs.labels }}',
      'cache-from': cacheFrom,
      'cache-to': 'type=gha,mode=max',
    };
    if (this.gitTokenSecret) {
      build.secrets = `${buildSecretId}=\${{ secrets.${this.gitTokenSecret} }}`;
    }
    return {
      name: 'Build and push image',
      needs: [GhcrReleaseWorkflow.TEST_JOB],
      if: this.publishCondition,
      runsOn: this.runsOn,
      permissions: {
        contents: workflows.JobPermission.READ,
        packages: workflows.JobPermission.WRITE,
        // Signing (OIDC) and storing the attestation.
        ...(this.provenanceAttestation ? { idToken: workflows.JobPermission.WRITE, attestations: workflows.JobPermission.WRITE } : {}),
      },
      outputs: { digest: { stepId: 'build', outputName: 'digest' } },
      steps: [
        this.checkoutStep(),
        ...this.versionCheckSteps(),
        { id: 'buildx', name: 'Set up Docker Buildx', uses: this.actions.uses('setup-buildx') },
        this.loginStep(),
        {
          id: 'metadata',
          name: 'Image tags and labels',
          uses: this.actions.uses('metadata'),
          with: {
            images: this.imageName,
            // `main` for the main branch, `X.Y.Z` for a release tag; never `latest`, never a sha.
            tags: 'type=ref,event=branch\ntype=semver,pattern={{version}}',
            flavor: 'latest=false',
          },
        },
        { id: 'build', name: 'Build and push', uses: this.actions.uses('build-push'), with: build },
        ...this.attestationSteps(),
      ],
    };
  }

  /**
   * On release tags: the tag must be the Cargo package version (and operator.json's container
   * `<image>:<tag>` when it pins versions), so a release can never ship mismatched versions.
   */
  protected versionCheckSteps(): workflows.JobStep[] {
    if (!(this.options.releaseVersionCheck ?? true)) {
      return [];
    }
    const lines = [
      'version="$(cargo metadata --no-deps --format-version 1 | jq -r \'.packages[0].version\')"',
      'if [ "$version" != "$GITHUB_REF_NAME" ]; then',
      '  echo "::error file=Cargo.toml::The tag is $GITHUB_REF_NAME but Cargo.toml has version $version. Run \'npx projen release $GITHUB_REF_NAME\' (it sets every version and tags), or tag $version."',
      '  exit 1',
      'fi',
    ];
    const env: { [name: string]: string } = {};
    if (this.releaseContainerCheck) {
      env.IMAGE = this.imageName;
      lines.push(
        'container="$(jq -r .container operator.json)"',
        'if [ "$container" != "$IMAGE:$GITHUB_REF_NAME" ]; then',
        '  echo "::error file=operator.json::operator.json has container $container, but this release pushes $IMAGE:$GITHUB_REF_NAME. Run \'npx projen release $GITHUB_REF_NAME\'."',
        '  exit 1',
        'fi',
      );
    }
    return [{
      id: 'version-check',
      name: 'Check the release tag matches the versions in the repository',
      if: this.releaseTagCondition,
      run: lines.join('\n'),
      ...(Object.keys(env).length > 0 ? { env } : {}),
    }];
  }

  /** Provenance attestation of the pushed digest, pushed to the registry beside the image. */
  protected attestationSteps(): workflows.JobStep[] {
    if (!this.provenanceAttestation) {
      return [];
    }
    return [{
      id: 'attest',
      name: 'Attest build provenance',
      uses: this.actions.uses('attest'),
      with: {
        'subject-name': this.imageName,
        'subject-digest': '${{ steps.build.outputs.digest }}',
        'push-to-registry': true,
        // A storage record needs the `artifact-metadata` permission; the attestation does not.
        'create-storage-record': false,
      },
    }];
  }

  /** Whether release tags also check operator.json's container. */
  public get releaseContainerCheck(): boolean {
    return this.options.releaseContainerCheck
      ?? (OperatorManifest.of(this.project)?.containerPolicy === ContainerPolicy.EXACT_PIN);
  }

  /** Whether the image job attests build provenance. */
  public get provenanceAttestation(): boolean {
    return this.options.provenanceAttestation ?? true;
  }

  /** Whether a job condition holds, for the conditions `refOutcome` knows. */
  private conditionHolds(condition: string | undefined, publishes: boolean, releaseTag: boolean): boolean {
    switch (condition) {
      case undefined:
      case 'true':
        return true;
      case 'false':
        return false;
      case this.publishCondition:
        return publishes;
      case this.releaseTagCondition:
        return releaseTag;
      default:
        return publishes;
    }
  }

  /** The registry host of the image. */
  protected registry(): string {
    return ImageReference.parse(this.imageName, 'imageName').registry ?? 'docker.io';
  }

  /**
   * Environment that lets cargo fetch private git dependencies with the token, through a git
   * credential helper for `https://github.com` only; without the secret (forks) the helper
   * answers nothing and git carries on as without a helper.
   */
  private cargoGitEnvironment(): { [name: string]: string } | undefined {
    if (!this.gitTokenSecret) {
      return undefined;
    }
    return {
      GIT_TOKEN: `\${{ secrets.${this.gitTokenSecret} }}`,
      CARGO_NET_GIT_FETCH_WITH_CLI: 'true',
      GIT_CONFIG_COUNT: '1',
      // Scoped to github.com: a git dependency hosted elsewhere never receives the token.
      GIT_CONFIG_KEY_0: 'credential.https://github.com.helper',
      GIT_CONFIG_VALUE_0: '!f() { test "$1" = get && test -n "$GIT_TOKEN" && echo username=x-access-token && echo "password=$GIT_TOKEN"; }; f',
    };
  }
}

/** Jobs run and image tags pushed for one git ref. */
export interface RefOutcome {
  /** Ids of the jobs that run. */
  readonly jobs: string[];
  /** Image tags pushed. */
  readonly tags: string[];
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
function metadataTag(name: string): string {
  return name.replace(/[^a-zA-Z0-9._-]+/g, '-');
}

/**
 * docker/metadata-action's `type=semver,pattern={{version}}`: the version of a semver tag (a
 * leading `v` dropped, build metadata dropped), nothing for a tag that is not semver.
 */
function semverTag(tag: string): string[] {
  const identifier = '(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)';
  const match = new RegExp(`^v?((?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)(?:-${identifier}(?:\\.${identifier})*)?)(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`).exec(tag);
  return match ? [metadataTag(match[1])] : [];
}

/** Validates a GitHub Actions secret name. */
export function validateSecretName(name: string, optionName: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /^GITHUB_/i.test(name)) {
    throw new OptionError(optionName, `"${name}" is not a valid GitHub secret name.`,
      'Use letters, digits and "_", not starting with a digit or "GITHUB_", e.g. "GIT_TOKEN".');
  }
}

/**
 * Adds the release of each pinned SHA as a comment (`uses: owner/repo@<sha> # v1.2.3`): YAML
 * objects cannot carry comments, so the rendered text is annotated.
 */
export function annotatePins(file: YamlFile, pins: ActionPins): void {
  const render = (file as any).synthesizeContent.bind(file);
  (file as any).synthesizeContent = (resolver: unknown) => {
    const text: string | undefined = render(resolver);
    if (text === undefined) {
      return text;
    }
    let annotated = text;
    for (const pin of pins.all()) {
      annotated = annotated.split(`uses: ${pin.action}@${pin.sha}\n`).join(`uses: ${pin.action}@${pin.sha} # ${pin.version}\n`);
    }
    return annotated;
  };
}
