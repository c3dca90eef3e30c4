import { Project, YamlFile } from 'projen';
import { OptionError } from '../core/errors';
import { checkOptionNames } from '../core/option-names';

/** How often Dependabot looks for updates. */
export enum DependabotSchedule {
  /** Every weekday. */
  DAILY = 'daily',
  /** Once a week. */
  WEEKLY = 'weekly',
  /** Once a month. */
  MONTHLY = 'monthly',
}

/** Options for `CargoDependabot`. */
export interface CargoDependabotOptions {
  /**
   * How often to look for updates.
   * @default DependabotSchedule.WEEKLY
   */
  readonly schedule?: DependabotSchedule;

  /**
   * Maximum open pull requests.
   * @default 5
   */
  readonly openPullRequestsLimit?: number;

  /**
   * Days a new release must be out before Dependabot proposes it (`cooldown.default-days`): a
   * compromised release is usually yanked within days, before it reaches the operator.
   * @default 7
   */
  readonly cooldownDays?: number;
}

/**
 * `.github/dependabot.yml` for the parts the user owns: the Cargo dependencies. Generated files
 * (workflows, Dockerfile) are deliberately left out: their pins move when this package is
 * upgraded, and a Dependabot edit would only be reverted by the next synth.
 */
export class CargoDependabot extends YamlFile {
  constructor(project: Project, options: CargoDependabotOptions = {}) {
    checkOptionNames(options, 'CargoDependabotOptions', 'CargoDependabot');
    const limit = options.openPullRequestsLimit ?? 5;
    if (!Number.isInteger(limit) || limit < 0) {
      throw new OptionError('dependabot.openPullRequestsLimit', `${limit} is not a count.`, 'Use a whole number such as 5 (0 pauses version updates).');
    }
    const cooldown = options.cooldownDays ?? 7;
    // GitHub accepts 1 to 90 days.
    if (!Number.isInteger(cooldown) || cooldown < 1 || cooldown > 90) {
      throw new OptionError('dependabot.cooldownDays', `${cooldown} is not a number of days from 1 to 90.`, 'Use a whole number such as 7.');
    }
    super(project, '.github/dependabot.yml', {
      committed: true,
      obj: {
        version: 2,
        updates: [
          {
            'package-ecosystem': 'cargo',
            'directory': '/',
            'schedule': { interval: options.schedule ?? DependabotSchedule.WEEKLY },
            'open-pull-requests-limit': limit,
            'cooldown': { 'default-days': cooldown },
          },
        ],
      },
    });
  }
}
