import { OptionError } from './errors';
import { OPTION_STRUCTS } from './option-names.generated';

/** The field `projen new` adds to a project type's options (its bootstrap record), not an option. */
const PROJEN_NEW = '__new__';

/**
 * Refuses option names the struct does not declare, with a did-you-mean, and checks nested
 * option structs (`dockerfileOptions`, `gitOptions`, ...) the same way.
 *
 * `.projenrc.ts` runs through tsx, which does not type-check: without this, a misspelt option
 * (`gitTokenSecrets`) would pass silently and its setting would be lost. The names come from the
 * TypeScript interfaces themselves (src/core/option-names.generated.ts, written by `npx projen`).
 *
 * @param options the options object as the user passed it (undefined: nothing to check)
 * @param structName the options interface, e.g. `RustOperatorProjectOptions`
 * @param subject how errors name the options: '' for a project's top-level options (errors then
 *   name `gitTokenSecrets`), else a prefix such as `JemallocDockerfile` (`JemallocDockerfile.userNam`)
 */
export function checkOptionNames(options: object | undefined, structName: string, subject: string): void {
  const known = OPTION_STRUCTS[structName];
  if (!known) {
    throw new Error(`checkOptionNames: unknown options struct "${structName}" (run \`npx projen\` to regenerate the option names)`);
  }
  if (!isPlainObject(options)) {
    return;
  }
  for (const [option, value] of Object.entries(options)) {
    if (option === PROJEN_NEW) {
      continue;
    }
    const name = subject ? `${subject}.${option}` : option;
    if (!Object.prototype.hasOwnProperty.call(known, option)) {
      const suggestion = didYouMean(option, Object.keys(known));
      throw new OptionError(name, `is not an option of ${structName}.`,
        suggestion ? `Did you mean "${suggestion}"?` : `Known options: ${Object.keys(known).join(', ')}.`);
    }
    const nested = known[option];
    if (nested && OPTION_STRUCTS[nested]) {
      checkOptionNames(value, nested, name);
    }
  }
}

/** The closest known name, if it is close enough to be a typo (or differs only in case). */
export function didYouMean(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 },
    (_, i) => Array.from({ length: b.length + 1 }, (__, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * Options are object literals; a class instance (e.g. a `Project` as `parent`) is not checked.
 * Checked by prototype depth, not identity: `projen new` builds the options in another realm (vm).
 */
function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const prototype = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
