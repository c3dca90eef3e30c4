import { Component } from 'projen';
import { workflows } from 'projen/lib/github';
import { GhcrReleaseWorkflow } from './ghcr-release-workflow';
import { GeneratedJob } from './workflow-comments';
import { checkFreeJobId } from '../core/names';
import { checkOptionNames } from '../core/option-names';
import { JobTrigger } from '../plan/release-policy';

/** Options for `GithubReleaseJob`. */
export interface GithubReleaseJobOptions {
  /**
   * Job id.
   * @default "github-release"
   */
  readonly jobId?: string;

  /**
   * Jobs that must succeed before the release is created, besides the image job (whose digest
   * the notes give), e.g. a scan job that gates.
   * @default []
   */
  readonly after?: string[];
}

/**
 * On release tags, after the image job: creates the GitHub release of the tag. Its notes are the
 * pushed image (tag and digest), the commits since the previous release tag (`git log`), and
 * GitHub's generated notes for the same range (merged pull requests, new contributors, the
 * compare link; categories from `.github/release.yml` if the repository has one). Pre-release
 * tags (`X.Y.Z-rc.1`) make pre-releases. The only job that holds `contents: write`.
 */
export class GithubReleaseJob extends Component {
  /** Stable step ids. */
  public static readonly STEP_IDS = ['checkout', 'release'];

  /** The job id. */
  public readonly jobId: string;
  /** The jobs it needs: the publish job (which tags the tested image) first. */
  public readonly needs: string[];

  constructor(release: GhcrReleaseWorkflow, options: GithubReleaseJobOptions = {}) {
    checkOptionNames(options, 'GithubReleaseJobOptions', 'GithubReleaseJob');
    super(release.project);
    this.jobId = options.jobId ?? 'github-release';
    checkFreeJobId(this.jobId, this.jobId in release.workflow.jobs, 'githubRelease.jobId');
    const needs = this.needs = [GhcrReleaseWorkflow.PUBLISH_JOB, ...(options.after ?? []).filter((id) => id !== GhcrReleaseWorkflow.PUBLISH_JOB)];
    release._addGeneratedJob(this.jobId, () => releaseJob(release, needs), { trigger: JobTrigger.RELEASE_TAG });
  }
}

/** The job: check out the history (for the previous tag and the commits), then `gh release create`. */
function releaseJob(release: GhcrReleaseWorkflow, needs: string[]): GeneratedJob {
  const checkout = release.checkoutStep();
  return {
    job: {
      name: 'GitHub release',
      needs,
      runsOn: release.runsOn,
      steps: [
        // Every commit and tag: the previous release tag and the commits since are read from git.
        { ...checkout, with: { ...checkout.with, 'fetch-depth': 0 } },
        {
          id: 'release',
          name: 'Create the GitHub release',
          env: {
            GH_TOKEN: '${{ secrets.GITHUB_TOKEN }}',
            IMAGE: release.imageName,
            // The digest the release tag points at (the multi-platform index when several are built).
            DIGEST: `\${{ needs.${GhcrReleaseWorkflow.PUBLISH_JOB}.outputs.digest }}`,
          },
          run: RELEASE_SCRIPT,
        },
      ],
    },
    // Creating a release is a contents write; nothing else in the workflow holds it.
    grants: { contents: { level: workflows.JobPermission.WRITE, reason: 'checkout of the history; gh release create' } },
  };
}

/**
 * The release script (bash, GitHub's default shell). The previous release tag is the nearest
 * `X.Y.Z` tag (pre-releases skipped) reachable from the tagged commit's parent, so a release
 * lists everything since the last one; a re-run leaves an existing release as it is.
 */
const RELEASE_SCRIPT = [
  'tag="$GITHUB_REF_NAME"',
  'previous="$(git describe --tags --abbrev=0 --match \'[0-9]*.[0-9]*.[0-9]*\' --exclude \'*-*\' "$GITHUB_SHA^" 2>/dev/null || true)"',
  'notes="$RUNNER_TEMP/release-notes.md"',
  '{',
  '  echo "## Image"',
  '  echo',
  '  echo "- \\`$IMAGE:$tag\\`"',
  '  echo "- \\`$IMAGE@$DIGEST\\`"',
  '  echo',
  '  echo "\\`\\`\\`bash"',
  '  echo "docker pull $IMAGE@$DIGEST"',
  '  echo "\\`\\`\\`"',
  '  echo',
  '  if [ -n "$previous" ]; then',
  '    echo "## Commits since $previous"',
  '    echo',
  '    git log --no-merges --format=\'- %s (%h)\' "$previous..$GITHUB_SHA"',
  '  else',
  '    echo "## Commits"',
  '    echo',
  '    git log --no-merges --format=\'- %s (%h)\' "$GITHUB_SHA"',
  '  fi',
  '  echo',
  '} > "$notes"',
  'args=(--repo "$GITHUB_REPOSITORY" --verify-tag --title "$tag" --notes-file "$notes" --generate-notes)',
  'if [ -n "$previous" ]; then args+=(--notes-start-tag "$previous"); fi',
  'case "$tag" in *-*) args+=(--prerelease) ;; esac',
  'if gh release view "$tag" --repo "$GITHUB_REPOSITORY" > /dev/null 2>&1; then',
  '  echo "The release $tag exists already; left as it is."',
  'else',
  '  gh release create "$tag" "${args[@]}"',
  'fi',
].join('\n');
