import { OptionError } from '../core/errors';

/**
 * The platforms an operator image can be built for, each on a runner of its own architecture:
 * compiling Rust under QEMU emulation takes many times as long, and GitHub's hosted runners exist
 * for both.
 */
export const IMAGE_PLATFORMS: { readonly [platform: string]: { readonly runner: string } } = {
  // The amd64 build uses the workflow's `runsOn` unless `platformRunners` says otherwise.
  'linux/amd64': { runner: 'ubuntu-latest' },
  'linux/arm64': { runner: 'ubuntu-24.04-arm' },
};

/** The platforms built by default. */
export const DEFAULT_PLATFORMS = ['linux/amd64'];

/** One platform's image build. */
export interface PlatformBuild {
  /** `linux/amd64`, `linux/arm64`. */
  readonly platform: string;
  /** The platform as a name part (`linux-amd64`): cache scope and artifact name. */
  readonly slug: string;
  /** Runner labels of its build job. */
  readonly runsOn: string[];
}

/**
 * The platform builds of the options, checked: known platforms, no duplicates, a runner override
 * for a platform that is built, and runner labels that are labels.
 * @param platforms the `platforms` option
 * @param runners the `platformRunners` option
 * @param defaultRunsOn runner labels of the amd64 build when `platformRunners` does not name it
 */
export function platformBuilds(
  platforms: string[] | undefined, runners: { [platform: string]: string[] } | undefined, defaultRunsOn: string[],
): PlatformBuild[] {
  const list = platforms ?? DEFAULT_PLATFORMS;
  const known = Object.keys(IMAGE_PLATFORMS);
  if (!Array.isArray(list) || list.length === 0) {
    throw new OptionError('platforms', 'is empty, so no image would be built.', `List one or more of ${known.join(', ')}.`);
  }
  for (const platform of list) {
    if (!known.includes(platform)) {
      throw new OptionError('platforms', `${JSON.stringify(platform)} is not a platform this workflow builds.`,
        `Use ${known.join(', ')} (each is built on a native runner).`);
    }
  }
  const duplicates = list.filter((platform, i) => list.indexOf(platform) !== i);
  if (duplicates.length > 0) {
    throw new OptionError('platforms', `lists ${duplicates[0]} twice.`, 'List each platform once.');
  }
  for (const [platform, labels] of Object.entries(runners ?? {})) {
    const subject = `platformRunners.${platform}`;
    if (!list.includes(platform)) {
      throw new OptionError(subject, `names a platform that is not built (platforms: ${list.join(', ')}).`,
        'Add the platform to `platforms`, or remove this runner.');
    }
    checkRunnerLabels(labels, subject);
  }
  return list.map((platform) => ({
    platform,
    slug: platform.replace(/\//g, '-'),
    runsOn: [...(runners?.[platform] ?? (platform === 'linux/amd64' ? defaultRunsOn : [IMAGE_PLATFORMS[platform].runner]))],
  }));
}

/** Runner labels: letters, digits, `-`, `_`, `.`; at least one. */
export function checkRunnerLabels(labels: string[], option: string): string[] {
  if (!Array.isArray(labels) || labels.length === 0) {
    throw new OptionError(option, 'is empty.', 'Give at least one runner label, e.g. ["ubuntu-latest"].');
  }
  for (const label of labels) {
    if (typeof label !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(label)) {
      throw new OptionError(option, `${JSON.stringify(label)} is not a runner label.`,
        'Use labels such as "ubuntu-latest", "ubuntu-24.04-arm" or a self-hosted label made of letters, digits, "-", "_", ".".');
    }
  }
  return labels;
}
