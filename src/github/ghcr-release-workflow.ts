import { Component, JsonPatch, Project } from 'projen';
import { GitHub, GithubWorkflow, workflows } from 'projen/lib/github';
import { ActionPins, PinnedAction } from './pinned-actions';
import { RebuildableWorkflow } from './rebuildable-workflow';
import { annotateWorkflow, GeneratedJob, grantsToPermissions, PermissionGrants } from './workflow-comments';
import { aptPackageList } from '../core/apt-packages';
import { OptionError } from '../core/errors';
import { credentialEnvironment } from '../core/git-token';
import { ImageReference } from '../core/image-reference';
import { checkBuildSecretId, checkFreeJobId, checkSecretName } from '../core/names';
import { checkOptionNames } from '../core/option-names';
import { checkSubmodules, GitSubmodules } from '../core/submodules';
import { checkRunnerLabels, platformBuilds, PlatformBuild } from '../plan/image-platforms';
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
   * Runner labels of every job (the `linux/amd64` image build's too, unless `platformRunners`
   * names it).
   * @default ["ubuntu-latest"]
   */
  readonly runsOn?: string[];

  /**
   * Platforms the image is built for: `linux/amd64`, `linux/arm64`. Each is built on a runner
   * of its own architecture and pushed by digest; the tested digests are then merged into one
   * multi-platform image under the tags.
   * @default ["linux/amd64"]
   */
  readonly platforms?: string[];

  /**
   * Runner labels of a platform's image build, by platform (e.g.
   * `{ "linux/arm64": ["self-hosted", "arm64"] }`).
   * @default - `runsOn` for linux/amd64, ["ubuntu-24.04-arm"] for linux/arm64
   */
  readonly platformRunners?: { [platform: string]: string[] };

  /**
   * Attach an SBOM attestation (BuildKit's, `sbom: true`) to the pushed image.
   * @default true
   */
  readonly sbom?: boolean;

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
   * Git submodules that every checkout which builds (the test and image jobs, the upgrade
   * workflow's checks, `buildCheckoutStep()`) fetches, with the git token (`gitTokenSecret`)
   * when there is one, for private submodules. Their paths (`.gitmodules`) join the image's
   * build context.
   * @default GitSubmodules.NONE
   */
  readonly submodules?: GitSubmodules;

  /**
   * Workflow file name under `.github/workflows/`.
   * @default "ci.yml"
   */
  readonly fileName?: string;
}

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
 * request. For the refs that publish (the main branch and release tags by default), the image is
 * built beside the tests, per platform on a native runner, and pushed by digest only; once the
 * tests passed, the publish job tags it (one multi-platform index), attests it, and the scan job
 * scans it by digest. No tag ever points at an untested image.
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
  /** Id of the image job: builds and pushes each platform's image by digest, untagged. */
  public static readonly IMAGE_JOB = 'image';
  /**
   * Id of the publish job: after the tests passed, tags the built digests (one multi-platform
   * image), attests and outputs its digest.
   */
  public static readonly PUBLISH_JOB = 'publish';
  /** Refs the docs' release table describes. */
  public static readonly EXAMPLE_REFS = ReleasePolicy.EXAMPLE_REFS;
  /**
   * Stable step ids, by job, in order. `node-dependencies` and `drift` are left out when
   * `driftCheck` is off, `system-packages` when there are no system packages, `version-check`
   * when `releaseVersionCheck` is off, `attest` when `provenanceAttestation` is off; `digest`,
   * `upload-digest` and `download-digests` are there only when more than one platform is built.
   */
  public static readonly STEP_IDS: { [jobId: string]: string[] } = {
    test: ['checkout', 'node-dependencies', 'drift', 'toolchain', 'cargo-cache', 'system-packages', 'fmt', 'clippy', 'test', 'doctest'],
    image: ['checkout', 'version-check', 'buildx', 'login', 'metadata', 'build', 'digest', 'upload-digest'],
    publish: ['download-digests', 'buildx', 'login', 'metadata', 'tag', 'attest'],
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
  /** Whether the publish job attests build provenance. */
  public readonly provenanceAttestation: boolean;
  /** The platforms the image is built for, with their runners. */
  public readonly platforms: PlatformBuild[];
  /** Whether the pushed image carries an SBOM attestation. */
  public readonly sbom: boolean;

  private readonly options: GhcrReleaseWorkflowOptions;
  private readonly plan: OperatorPlan;
  private readonly policy: ReleasePolicy;
  private readonly rebuildable: RebuildableWorkflow;
  private readonly jobTriggers = new Map<string, JobTrigger>();
  /** Why each generated job holds each permission, as last rendered. */
  private readonly permissionReasons: { [jobId: string]: { [scope: string]: string } } = {};

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
    this.runsOn = checkRunnerLabels(options.runsOn ?? ['ubuntu-latest'], 'runsOn');
    this.platforms = platformBuilds(options.platforms, options.platformRunners, this.runsOn);
    this.sbom = options.sbom ?? true;
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
      submodules: options.submodules === undefined ? undefined : checkSubmodules(options.submodules, 'submodules'),
      platforms: this.platforms,
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
    annotateWorkflow(file, this.actions, () => this.permissionReasons);
    this._addGeneratedJob(GhcrReleaseWorkflow.TEST_JOB, (plan) => this.testJob(plan), { trigger: JobTrigger.ALWAYS });
    // The image is built beside the tests and pushed by digest only; the publish job tags it
    // once the tests passed, so no tag ever points at an untested image.
    this._addGeneratedJob(GhcrReleaseWorkflow.IMAGE_JOB, (plan) => this.imageJob(plan), { trigger: JobTrigger.PUBLISH });
    this._addGeneratedJob(GhcrReleaseWorkflow.PUBLISH_JOB, (plan) => this.publishJob(plan), { trigger: JobTrigger.PUBLISH });
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
   * Adds a job rendered from the operator plan, now and again at every synth. A job given with
   * `grants` gets its `permissions` from them, each commented with its reason.
   * @internal
   */
  public _addGeneratedJob(id: string, render: (plan: ResolvedPlan) => workflows.Job | GeneratedJob, options: ReleaseJobOptions = {}): void {
    checkFreeJobId(id, this.jobTriggers.has(id) || id in this.workflow.jobs, 'jobId');
    const trigger = options.trigger ?? JobTrigger.PUBLISH;
    this.jobTriggers.set(id, trigger);
    this.rebuildable.addGenerator(() => {
      const rendered = render(this.plan.resolve());
      let job: workflows.Job;
      if ('grants' in rendered) {
        const { permissions, reasons } = grantsToPermissions(rendered.grants);
        job = { ...rendered.job, permissions };
        this.permissionReasons[id] = reasons;
      } else {
        job = rendered;
        delete this.permissionReasons[id];
      }
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
    return { jobs: running, tags: running.includes(GhcrReleaseWorkflow.PUBLISH_JOB) ? event.tags : [] };
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

  /**
   * The checkout of a job that builds: `checkoutStep()` with the submodules of the `submodules`
   * option, fetched with the git token when there is one (the job's token when the secret is
   * absent, as in forks). Read from the operator plan when called.
   */
  public buildCheckoutStep(): workflows.JobStep {
    const plan = this.plan.resolve();
    const step = this.checkoutStep();
    if (plan.submodules.fetch === GitSubmodules.NONE) {
      return step;
    }
    const secret = plan.gitToken?.secretName;
    return {
      ...step,
      with: {
        ...step.with,
        submodules: plan.submodules.fetch === GitSubmodules.RECURSIVE ? 'recursive' : true,
        // Used for the fetch only: persist-credentials: false removes it afterwards.
        ...(secret ? { token: `\${{ secrets.${secret} || github.token }}` } : {}),
      },
    };
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
  private testJob(plan: ResolvedPlan): GeneratedJob {
    const steps: workflows.JobStep[] = [this.buildCheckoutStep()];
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
      job: { name: 'Test and lint', runsOn: this.runsOn, steps },
      grants: { contents: { level: workflows.JobPermission.READ, reason: 'checkout' } },
    };
  }

  /**
   * The image job, beside the tests: builds each platform on its own runner (a matrix when
   * there are several) and pushes it by digest only, with an SBOM and BuildKit provenance; the
   * digest goes to the publish job (a job output, or one artifact per platform). Only for the
   * refs that publish.
   */
  private imageJob(plan: ResolvedPlan): GeneratedJob {
    const multi = plan.platforms.length > 1;
    // Each platform keeps a build cache of its own (one scope would be overwritten by the other).
    const scope = multi ? ',scope=${{ matrix.slug }}' : '';
    const cacheFrom = this.options.cacheOnReleaseBuilds
      ? `type=gha${scope}`
      : multi
        ? "${{ github.ref_type == 'branch' && format('type=gha,scope={0}', matrix.slug) || '' }}"
        : "${{ github.ref_type == 'branch' && 'type=gha' || '' }}";
    const build: { [key: string]: unknown } = {
      'context': '.',
      'platforms': multi ? '${{ matrix.platform }}' : plan.platforms[0].platform,
      // Untagged: the publish job tags the digest once the tests passed.
      'outputs': `type=image,name=${this.imageName},push-by-digest=true,name-canonical=true,push=true`,
      'labels': '${{ steps.metadata.outputs.labels }}',
      'sbom': this.sbom,
      // Explicit, not the action's default (max for public repositories, min for private ones):
      // the full build record. The git token is a BuildKit secret and never appears in it.
      'provenance': 'mode=max',
      'cache-from': cacheFrom,
      'cache-to': `type=gha,mode=max${scope}`,
    };
    if (plan.gitToken?.secretName) {
      build.secrets = `${plan.gitToken.buildSecretId}=\${{ secrets.${plan.gitToken.secretName} }}`;
    }
    const steps: workflows.JobStep[] = [
      this.buildCheckoutStep(),
      ...this.versionCheckSteps(plan),
      { id: 'buildx', name: 'Set up Docker Buildx', uses: this.actions.uses('setup-buildx') },
      this.loginStep(),
      this.metadataStep('Image labels'),
      { id: 'build', name: 'Build and push by digest', uses: this.actions.uses('build-push'), with: build },
    ];
    if (multi) {
      steps.push(
        {
          id: 'digest',
          name: 'Export the digest',
          run: 'mkdir -p "$RUNNER_TEMP/digests"\ntouch "$RUNNER_TEMP/digests/${DIGEST#sha256:}"',
          env: { DIGEST: '${{ steps.build.outputs.digest }}' },
        },
        {
          id: 'upload-digest',
          name: 'Upload the digest',
          uses: this.actions.uses('upload-artifact'),
          with: {
            'name': `${DIGEST_ARTIFACT_PREFIX}\${{ matrix.slug }}`,
            'path': '${{ runner.temp }}/digests/*',
            'if-no-files-found': 'error',
            'retention-days': 1,
          },
        },
      );
    }
    const job: Omit<workflows.Job, 'permissions'> = {
      name: multi ? 'Build and push image (${{ matrix.platform }})' : 'Build and push image',
      runsOn: multi ? ['${{ matrix.runner }}'] : plan.platforms[0].runsOn,
      ...(multi ? {
        strategy: {
          // One platform failing fails the release: the others need not finish.
          failFast: true,
          matrix: {
            // `runner` may be a list of labels: GitHub accepts it, projen's type does not say so.
            include: plan.platforms.map((p) => ({
              platform: p.platform,
              slug: p.slug,
              runner: p.runsOn.length === 1 ? p.runsOn[0] : p.runsOn,
            })) as Array<Record<string, string>>,
          },
        },
      } : { outputs: { digest: { stepId: 'build', outputName: 'digest' } } }),
      steps,
    };
    return {
      job,
      grants: {
        contents: { level: workflows.JobPermission.READ, reason: 'checkout' },
        packages: { level: workflows.JobPermission.WRITE, reason: 'build pushes the image by digest to ghcr.io' },
      },
    };
  }

  /**
   * The publish job, after the tests and the image job: tags the built digests (one
   * multi-platform image when several platforms are built), attests the tagged image and
   * outputs its digest, which the scan and later jobs use.
   */
  private publishJob(plan: ResolvedPlan): GeneratedJob {
    const multi = plan.platforms.length > 1;
    const sources = multi
      ? [
        '# One digest per platform, from the image job\'s artifacts.',
        'sources=()',
        'for file in "$RUNNER_TEMP"/digests/*; do',
        '  sources+=("$IMAGE@sha256:${file##*/}")',
        'done',
        `if [ "\${#sources[@]}" -ne ${plan.platforms.length} ]; then`,
        `  echo "::error::Expected ${plan.platforms.length} platform digests (${plan.platforms.map((p) => p.platform).join(', ')}), found \${#sources[@]}."`,
        '  exit 1',
        'fi',
      ]
      : ['sources=("$IMAGE@$DIGEST")'];
    const tag: workflows.JobStep = {
      id: 'tag',
      name: multi ? 'Tag the tested image (one index of every platform)' : 'Tag the tested image',
      run: [
        'set -o pipefail',
        ...sources,
        'args=()',
        'while IFS= read -r tag; do',
        '  if [ -n "$tag" ]; then args+=(--tag "$tag"); fi',
        'done <<< "$TAGS"',
        'if [ "${#args[@]}" -eq 0 ]; then',
        '  echo "::error::The image tag policy gives no tag for $GITHUB_REF."',
        '  exit 1',
        'fi',
        'docker buildx imagetools create "${args[@]}" "${sources[@]}"',
        // The digest of what the tags now point at: the attestation and the scan use it.
        'digest="$(docker buildx imagetools inspect "${args[1]}" --format \'{{json .Manifest}}\' | jq -r .digest)"',
        'echo "digest=$digest" >> "$GITHUB_OUTPUT"',
      ].join('\n'),
      env: {
        IMAGE: this.imageName,
        TAGS: '${{ steps.metadata.outputs.tags }}',
        ...(multi ? {} : { DIGEST: `\${{ needs.${GhcrReleaseWorkflow.IMAGE_JOB}.outputs.digest }}` }),
      },
    };
    const steps: workflows.JobStep[] = [];
    if (multi) {
      steps.push({
        id: 'download-digests',
        name: 'Download the digests',
        uses: this.actions.uses('download-artifact'),
        with: { 'path': '${{ runner.temp }}/digests', 'pattern': `${DIGEST_ARTIFACT_PREFIX}*`, 'merge-multiple': true },
      });
    }
    steps.push(
      { id: 'buildx', name: 'Set up Docker Buildx', uses: this.actions.uses('setup-buildx') },
      this.loginStep(),
      this.metadataStep('Image tags'),
      tag,
      ...this.attestationSteps(),
    );
    // No `contents`: nothing is checked out, and metadata-action reads the repository through
    // `metadata: read`, which every job token has.
    const grants: { -readonly [scope in keyof PermissionGrants]: PermissionGrants[scope] } = {
      packages: { level: workflows.JobPermission.WRITE, reason: this.provenanceAttestation ? 'tag pushes the tags; attest pushes the attestation' : 'tag pushes the tags' },
    };
    if (this.provenanceAttestation) {
      grants.idToken = { level: workflows.JobPermission.WRITE, reason: 'attest signs with an OIDC token (Sigstore)' };
      grants.attestations = { level: workflows.JobPermission.WRITE, reason: 'attest stores the attestation' };
    }
    return {
      job: {
        name: multi ? 'Tag the tested multi-platform image' : 'Tag the tested image',
        needs: [GhcrReleaseWorkflow.TEST_JOB, GhcrReleaseWorkflow.IMAGE_JOB],
        runsOn: this.runsOn,
        outputs: { digest: { stepId: 'tag', outputName: 'digest' } },
        steps,
      },
      grants,
    };
  }

  /** docker/metadata-action with the tag policy's rules (labels in the image job, tags in publish). */
  private metadataStep(name: string): workflows.JobStep {
    return {
      id: 'metadata',
      name,
      uses: this.actions.uses('metadata'),
      with: {
        images: this.imageName,
        // From the image tag policy; never `latest`.
        tags: this.policy.metadataTags,
        flavor: this.policy.metadataFlavor,
      },
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
    // With several platforms, once, in the amd64 build (GitHub's x64 images have cargo); a
    // failure there cancels the other platforms' builds.
    const once = plan.platforms.length > 1 && plan.platforms.some((p) => p.platform === 'linux/amd64')
      ? " && matrix.platform == 'linux/amd64'" : '';
    return [{
      id: 'version-check',
      name: 'Check the release tag matches the versions in the repository',
      if: `${this.releaseTagCondition}${once}`,
      run: lines.join('\n'),
      ...(Object.keys(env).length > 0 ? { env } : {}),
    }];
  }

  /** Provenance attestation of the tagged digest, pushed to the registry beside the image. */
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
        'subject-digest': '${{ steps.tag.outputs.digest }}',
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

/** The artifacts of the platform digests: `digest-linux-amd64`, ... */
const DIGEST_ARTIFACT_PREFIX = 'digest-';

export { annotatePins } from './workflow-comments';
