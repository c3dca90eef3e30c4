import { spawnSync } from 'child_process';
import { OptionError } from './errors';
import { ImageReference } from './image-reference';

/** What decides an operator's image name. */
export interface ImageOwnerOptions {
  /** The crate name, the image's last component. */
  readonly name: string;
  /** The operator's repository URL. */
  readonly repositoryUrl: string;
  /** The GHCR owner, when given. */
  readonly registryOwner?: string;
  /** The full image name, when given. */
  readonly imageName?: string;
  /** The project folder (where `projen new` read the git remote). */
  readonly outdir?: string;
}

/**
 * The fix of every refusal below: what to pass instead, as an option and as a `projen new` flag.
 */
const OWNER_FIX = 'Set registryOwner (`projen new` flag `--registry-owner <owner>`, e.g. "tercen") '
  + 'or imageName (`--image-name ghcr.io/<owner>/<name>`), or give a GitHub repositoryUrl (`--repository-url https://github.com/<owner>/<name>`).';

/**
 * The image name, without tag, by one rule everywhere: `imageName` if given; else
 * `ghcr.io/<registryOwner>/<name>`; else the owner of a GitHub `repositoryUrl`. Anything else is
 * refused with an `OptionError` naming `repositoryUrl` and the option (and flag) to pass: a
 * repository on another host or a local path (at every synth), and no git remote at all (at
 * `projen new`, where projen would otherwise guess a GitHub URL from the git user name or email).
 */
export function resolveImageName(options: ImageOwnerOptions): string {
  if (options.imageName !== undefined) {
    const image = ImageReference.parse(options.imageName, 'imageName');
    if (image.tag || image.digest) {
      throw new OptionError('imageName', `"${options.imageName}" has a tag or digest.`, `Give the name only ("${image.name}"); tags come from git refs.`);
    }
    return image.name;
  }
  if (options.registryOwner !== undefined) {
    return ImageReference.forGitHubOwner(options.registryOwner, options.name, 'registryOwner').name;
  }
  refuseGuessedRemote(options);
  return ImageReference.forGitHubOwner(githubOwner(options.repositoryUrl), options.name, 'repositoryUrl').name;
}

/** The owner part of a GitHub URL (https, ssh or git+https); an OptionError for anything else. */
export function githubOwner(url: string): string {
  const match = /^(?:git\+)?(?:https?:\/\/(?:[^@/]+@)?github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([^/]+)\/[^/]+?(?:\.git)?\/?$/.exec(url ?? '');
  if (!match) {
    throw new OptionError('repositoryUrl', `"${url}" is not a GitHub repository URL, so the image owner cannot be derived.`, OWNER_FIX);
  }
  return match[1];
}

/**
 * Under `projen new` in a folder with no `origin` remote, projen fills `repositoryUrl` with
 * `https://github.com/<git user>/<folder>.git`, a guess that would silently name the image.
 */
function refuseGuessedRemote(options: ImageOwnerOptions): void {
  if (process.env.PROJEN_CREATE_PROJECT !== 'true') {
    return;
  }
  const cwd = options.outdir ?? process.cwd();
  const origin = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd, encoding: 'utf-8' });
  if (origin.status === 0 && origin.stdout.trim() !== '') {
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { tryProcessMacro } = require('projen/lib/cli/macros') as { tryProcessMacro: (dir: string, macro: string) => string | undefined };
  if (options.repositoryUrl === tryProcessMacro(cwd, '$GIT_REMOTE')) {
    throw new OptionError('repositoryUrl', `is not given and this folder has no git remote "origin", so the image owner is unknown (projen would guess "${options.repositoryUrl}").`, OWNER_FIX);
  }
}
