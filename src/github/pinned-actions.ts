import { OptionError } from '../core/errors';

/** A third-party action pinned to a full commit SHA, with the release it corresponds to. */
export interface PinnedAction {
  /** `owner/repo` or `owner/repo/path`, e.g. `github/codeql-action/upload-sarif`. */
  readonly action: string;
  /** Full 40-character commit SHA. */
  readonly sha: string;
  /** The release (tag or branch) the SHA was read from; rendered as a comment. */
  readonly version: string;
}

/**
 * The ONE table of action pins used by every generated workflow. A tag can be moved to a
 * malicious commit (trivy-action, 2026-03-19); a full SHA cannot. Upgrading this package
 * moves the pins; Dependabot is not pointed at generated workflows.
 */
export const DEFAULT_ACTION_PINS: { readonly [key: string]: PinnedAction } = {
  'checkout': { action: 'actions/checkout', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  'setup-buildx': { action: 'docker/setup-buildx-action', sha: '37fe631027851001ddb9b187196cc803df7f5f0e', version: 'v4.3.0' },
  'login': { action: 'docker/login-action', sha: '4907a6ddec9925e35a0a9e82d7399ccc52663121', version: 'v4.1.0' },
  'metadata': { action: 'docker/metadata-action', sha: 'dc802804100637a589fabce1cb79ff13a1411302', version: 'v6.2.0' },
  'build-push': { action: 'docker/build-push-action', sha: '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a', version: 'v7.3.0' },
  'attest': { action: 'actions/attest', sha: '1e69f48acb82d1966a394da916b4c1698aa569d6', version: 'v4.2.2' },
  'upload-sarif': { action: 'github/codeql-action/upload-sarif', sha: '8aad20d150bbac5944a9f9d289da16a4b0d87c1e', version: 'v4.36.2' },
  'trivy': { action: 'aquasecurity/trivy-action', sha: 'ed142fd0673e97e23eac54620cfb913e5ce36c25', version: 'v0.36.0' },
  'rust-cache': { action: 'Swatinem/rust-cache', sha: '6323deb102c322ba6fcbdcafc7e3dddab59af2b6', version: 'v2.9.2' },
  // The upgrade workflow hands its patch from the read-only job to the one that pushes; this
  // package's own release workflow uses them too.
  'setup-node': { action: 'actions/setup-node', sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
  'upload-artifact': { action: 'actions/upload-artifact', sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', version: 'v7.0.0' },
  'download-artifact': { action: 'actions/download-artifact', sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', version: 'v8.0.1' },
};

/** The pin table with user overrides applied and validated. */
export class ActionPins {
  private readonly pins: { [key: string]: PinnedAction };

  /**
   * @param overrides entries replacing defaults by key (e.g. `{ trivy: {...} }`)
   */
  constructor(overrides: { [key: string]: PinnedAction } = {}) {
    for (const [key, pin] of Object.entries(overrides)) {
      const subject = `actionPins.${key}`;
      if (!(key in DEFAULT_ACTION_PINS)) {
        throw new OptionError(subject, 'is not an action the workflows use.', `Override one of: ${Object.keys(DEFAULT_ACTION_PINS).join(', ')}.`);
      }
      if (!/^[0-9a-f]{40}$/.test(pin.sha)) {
        throw new OptionError(`${subject}.sha`, `"${pin.sha}" is not a full 40-character commit SHA; tags and short SHAs can be moved or collide.`,
          `Pin the commit of the release you reviewed, e.g. "${DEFAULT_ACTION_PINS[key].sha}".`);
      }
      if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?$/.test(pin.action)) {
        throw new OptionError(`${subject}.action`, `"${pin.action}" is not an action reference.`, 'Write it as owner/repo or owner/repo/path.');
      }
      if (!/^[A-Za-z0-9_.\/-]+$/.test(pin.version)) {
        throw new OptionError(`${subject}.version`, `"${pin.version}" is not a release name.`, 'Use the tag the SHA belongs to, e.g. "v7.0.1".');
      }
    }
    this.pins = { ...DEFAULT_ACTION_PINS, ...overrides };
  }

  /** `owner/repo@sha` for a `uses:` line. */
  public uses(key: string): string {
    const pin = this.get(key);
    return `${pin.action}@${pin.sha}`;
  }

  /** The pin for a key. */
  public get(key: string): PinnedAction {
    const pin = this.pins[key];
    if (!pin) {
      throw new Error(`No pinned action "${key}"`);
    }
    return pin;
  }

  /** Every pin, by key, sorted. */
  public all(): PinnedAction[] {
    return Object.keys(this.pins).sort().map((key) => this.pins[key]);
  }
}
