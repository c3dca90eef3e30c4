import { Component, JsonPatch, Project, YamlFile } from 'projen';
import { GitHub, GithubWorkflow, workflows } from 'projen/lib/github';
import { ActionPins, PinnedAction } from './pinned-actions';
import { RebuildableWorkflow } from './rebuildable-workflow';
import { aptPackageList } from '../core/apt-packages';
import { OptionError } from '../core/errors';
import { credentialEnvironment } from '../core/git-token';
import { ImageReference } from '../core/image-reference';
import { checkBuildSecretId, checkSecretName } from '../core/names';
import { checkOptionNames } from '../core/option-names';
import { OperatorPlan, ResolvedPlan, ToolchainPlan } from '../plan/operator-plan';
import { ImageTagPolicy, JobTrigger, ReleasePolicy } from '../plan/release-policy';

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
   * @default - the builder packages of the project's Dockerfile (the operator plan's), else none
   */
  readonly systemPackages?: string[];

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
   * @default - the Dockerfile's `gitTokenBuildSecretId`, else "git_token"
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
   * Which refs publish the image and under which tags.
   * @default ImageTagPolicy.SEED (`main` and `X.Y.Z`)
   */
  readonly imageTagPolicy?: ImageTagPolicy;

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
/** Options for `GhcrReleaseWorkflow.addJob`. */
export interface ReleaseJobOptions {
  /**
   * When the job runs; its `if:` is rendered from the release policy.
   * @default JobTrigger.PUBLISH
   */
  readonly trigger?: JobTrigger;
}

/**
 * The operator's CI workflow (`.github/workflows/ci.yml`): test and lint on every push and pull
 * request; build, push and attest the image for the main branch and release tags only.
 *
 * The jobs are rendered at synth time from the project's `OperatorPlan` (toolchain, packages,
 * git token, image) and its release policy (triggers, conditions, tags), so the order in which
 * constructs are created never changes the file. Every step has a stable id (see
 * `GhcrReleaseWorkflow.STEP_IDS`, `TrivyScanJob.STEP_IDS`, `OperatorInstallTestJob.STEP_IDS`).
 * Customise through the projen workflow in `.workflow` (`insertStepAfter('test', 'clippy',
 * {...})`, `insertStepBefore`, `replaceStep`, `patchStep`, `removeStep`): changes are replayed
 * on the jobs at every synth. Add a job with `addJob(id, job, { trigger })` so that its `if:`
 * follows the release policy and the docs' ref table lists it; give it `permissions` of its
 * own: nothing is granted at workflow level.
 */
export class GhcrReleaseWorkflow extends Component {
  /** Release tags: `1.2.3` and pre-releases such as `1.2.3-rc.1`; no `v` prefix. */
  public static readonly RELEASE_TAG_PATTERNS = ReleasePolicy.RELEASE_TAG_PATTERNS;
  /** Id of the test and lint job. */
  public static readonly TEST_JOB = 'test';
  /** Id of the image job. */
  public static readonly IMAGE_JOB = 'image';
  /** Refs the docs' release table describes. */
  public static readonly EXAMPLE_REFS = ReleasePolicy.EXAMPLE_REFS;
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
  /** Whether the image job attests build provenance. */
  public readonly provenanceAttestation: boolean;

  private readonly options: GhcrReleaseWorkflowOptions;
  private readonly plan: OperatorPlan;
  private readonly policy: ReleasePolicy;
  private readonly rebuildable: RebuildableWorkflow;
  private readonly jobTriggers = new Map<string, JobTrigger>();

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
    this.policy = new ReleasePolicy({ mainBranch: options.mainBranch, tagPatterns: options.tagPatterns, imageTags: options.imageTagPolicy });
    this.mainBranch = this.policy.mainBranch;
    this.tagPatterns = this.policy.tagPatterns;
    this.gitTokenSecret = options.gitTokenSecret === undefined ? undefined : checkSecretName(options.gitTokenSecret, 'gitTokenSecret');
    if (options.gitTokenBuildSecretId !== undefined) checkBuildSecretId(options.gitTokenBuildSecretId, 'gitTokenBuildSecretId');
    if (options.fileName !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*\.ya?ml$/.test(options.fileName)) {
      throw new OptionError('fileName', `${JSON.stringify(options.fileName)} is not a workflow file name.`, 'Use a name ending in .yml, e.g. "ci.yml".');
    }
    this.driftCheck = options.driftCheck ?? true;
    this.provenanceAttestation = options.provenanceAttestation ?? true;
    if (options.systemPackages) {
      aptPackageList(options.systemPackages, 'systemPackages');
    }

    this.plan = OperatorPlan.of(project);
    this.plan.setWorkflow({
      image,
      gitTokenSecret: this.gitTokenSecret,
      gitTokenBuildSecretId: options.gitTokenBuildSecretId,
      systemPackages: options.systemPackages,
      policy: this.policy,
    });

    const github = GitHub.of(project) ?? new GitHub(project, { mergify: false, pullRequestLint: false });
    this.rebuildable = new RebuildableWorkflow(github, 'ci', { fileName: options.fileName ?? 'ci.yml' });
    this.workflow = this.rebuildable;
    this.workflow.on(this.policy.triggers);
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
    this._addGeneratedJob(GhcrReleaseWorkflow.TEST_JOB, (plan) => this.testJob(plan), { trigger: JobTrigger.ALWAYS });
    this._addGeneratedJob(GhcrReleaseWorkflow.IMAGE_JOB, (plan) => this.imageJob(plan), { trigger: JobTrigger.PUBLISH });
  }

  /**
   * Adds a job whose `if:` is the release policy's condition for its trigger (a job that
   * `needs` another runs only when that one does); the docs' ref table lists it. Give it
   * `permissions` of its own.
   */
  public addJob(id: string, job: workflows.Job, options: ReleaseJobOptions = {}): void {
    this._addGeneratedJob(id, () => job, options);
  }

  /**
   * Adds a job rendered from the operator plan, now and again at every synth.
   * @internal
   */
  public _addGeneratedJob(id: string, render: (plan: ResolvedPlan) => workflows.Job, options: ReleaseJobOptions = {}): void {
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(id) || this.jobTriggers.has(id) || id in this.workflow.jobs) {
      throw new OptionError('jobId', `"${id}" is not a free job id.`, 'Use letters, digits, "_" and "-", starting with a letter, and not the id of another job.');
    }
    const trigger = options.trigger ?? JobTrigger.PUBLISH;
    this.jobTriggers.set(id, trigger);
    this.rebuildable.addGenerator(() => {
      const job = render(this.plan.resolve());
      const condition = this.policy.condition(trigger);
      this.workflow.addJob(id, { ...job, ...(condition !== undefined ? { if: condition } : {}) });
    });
  }

  /** Defines the jobs again from the resolved plan, with the changes from `.projenrc.ts` replayed. */
  public preSynthesize(): void {
    this.plan.beginSynthesis();
    this.rebuildable.rebuild();
  }

  /**
   * Which jobs run and which image tags are pushed for a git ref (`refs/heads/x`, `refs/tags/x`)
   * pushed, or for `pull_request`, by the release policy (tests check it against GitHub's own
   * evaluation of the YAML). Covers the jobs added with `addJob`.
   * @param ref the ref
   * @param sha the commit, for SHA tags (shown as `<sha>` and `<short sha>` without it)
   */
  public refOutcome(ref: string, sha?: string): RefOutcome {
    const event = this.policy.refEvent(ref, sha);
    const jobs = this.workflow.jobs as { [id: string]: workflows.Job };
    const runs = (id: string, seen: string[] = []): boolean => {
      const trigger = this.jobTriggers.get(id);
      if (trigger === undefined || seen.includes(id) || !(id in jobs)) return false;
      return this.policy.runs(trigger, event) && (jobs[id].needs ?? []).every((need) => runs(need, [...seen, id]));
    };
    const running = Object.keys(jobs).filter((id) => runs(id));
    return { jobs: running, tags: running.includes(GhcrReleaseWorkflow.IMAGE_JOB) ? event.tags : [] };
  }

  /** The `if:` condition of jobs that publish: a push to the main branch or a release tag. */
  public get publishCondition(): string {
    return this.policy.condition(JobTrigger.PUBLISH)!;
  }

  /** The `if:` condition of jobs that run for release tags only. */
  public get releaseTagCondition(): string {
    return this.policy.condition(JobTrigger.RELEASE_TAG)!;
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
      with: { registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' },
    };
  }

  /** The test and lint job. */
  private testJob(plan: ResolvedPlan): workflows.Job {
    const steps: workflows.JobStep[] = [this.checkoutStep()];
    if (this.driftCheck) {
      steps.push(
        { id: 'node-dependencies', name: 'Install projen', run: 'npm ci --ignore-scripts --no-audit --no-fund' },
        { id: 'drift', name: 'Check generated files match .projenrc.ts', run: 'npx projen drift' },
      );
    }
    steps.push(
      rustToolchainStep(plan.toolchain),
      {
        id: 'cargo-cache',
        name: 'Cache cargo registry and target',
        uses: this.actions.uses('rust-cache'),
        // Release builds use no cache (neither restored nor saved): nothing another ref wrote
        // reaches a release. Keyed on Cargo.lock and the toolchain by the action; saved from
        // the main branch only.
        if: "github.ref_type != 'tag'",
        with: { 'save-if': `\${{ github.ref == 'refs/heads/${this.mainBranch}' }}` },
      },
    );
    if (plan.ci.packages.length > 0) {
      steps.push({
        id: 'system-packages',
        name: 'Install system packages',
        run: `sudo apt-get update\nsudo apt-get install -y --no-install-recommends ${plan.ci.packages.join(' ')}`,
      });
    }
    const cargoEnv = this.cargoGitEnvironment(plan);
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
  private imageJob(plan: ResolvedPlan): workflows.Job {
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
    if (plan.gitToken?.secretName) {
      build.secrets = `${plan.gitToken.buildSecretId}=\${{ secrets.${plan.gitToken.secretName} }}`;
    }
    return {
      name: 'Build and push image',
      needs: [GhcrReleaseWorkflow.TEST_JOB],
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
        ...this.versionCheckSteps(plan),
        { id: 'buildx', name: 'Set up Docker Buildx', uses: this.actions.uses('setup-buildx') },
        this.loginStep(),
        {
          id: 'metadata',
          name: 'Image tags and labels',
          uses: this.actions.uses('metadata'),
          with: {
            images: this.imageName,
            // From the image tag policy; never `latest`.
            tags: this.policy.metadataTags,
            flavor: this.policy.metadataFlavor,
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
  private versionCheckSteps(plan: ResolvedPlan): workflows.JobStep[] {
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
    if (this.options.releaseContainerCheck ?? plan.pinsContainerVersion) {
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
  private attestationSteps(): workflows.JobStep[] {
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

  /**
   * Environment that lets cargo fetch private git dependencies with the token, through the
   * shared git credential helper for `https://github.com` only; without the secret (forks) the
   * helper answers nothing and git carries on as without a helper.
   */
  private cargoGitEnvironment(plan: ResolvedPlan): { [name: string]: string } | undefined {
    const token = plan.gitToken;
    if (!token?.secretName) {
      return undefined;
    }
    return {
      [token.variable]: `\${{ secrets.${token.secretName} }}`,
      ...credentialEnvironment(`$${token.variable}`),
    };
  }
}

/**
 * Installs the toolchain of rust-toolchain.toml (channel, components, profile) with the rustup
 * of GitHub's hosted runners: no third-party action, and the file stays the one source. On a
 * project without the file (a workflow used alone), the plan's channel is installed and set for
 * the checkout, so CI still tests with the Rust the image builds with.
 */
export function rustToolchainStep(toolchain: ToolchainPlan): workflows.JobStep {
  if (toolchain.file) {
    return {
      id: 'toolchain',
      name: 'Install the Rust toolchain of rust-toolchain.toml',
      run: 'rustup toolchain install\nrustc --version\ncargo --version',
    };
  }
  return {
    id: 'toolchain',
    name: `Install Rust ${toolchain.channel}`,
    run: [
      `rustup toolchain install ${toolchain.channel} --profile ${toolchain.profile} --component ${toolchain.components.join(',')}`,
      `rustup override set ${toolchain.channel}`,
      'rustc --version',
      'cargo --version',
    ].join('\n'),
  };
}

/** Jobs run and image tags pushed for one git ref. */
export interface RefOutcome {
  /** Ids of the jobs that run. */
  readonly jobs: string[];
  /** Image tags pushed. */
  readonly tags: string[];
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
