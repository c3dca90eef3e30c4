import { OptionError } from './errors';

// Debian policy: lowercase alphanumerics, + - . ; optionally `:arch` and `=version`.
const DEBIAN_PACKAGE = /^[a-z0-9][a-z0-9+.-]+(?::[a-z0-9-]+)?(?:=[A-Za-z0-9.+~:-]+)?$/;

/**
 * Validates Debian package names and returns them deduplicated and sorted, so that a list
 * built from several options renders the same way whatever order it was given in.
 * @param optionName the option the names came from, named in errors
 */
export function aptPackageList(names: readonly string[], optionName: string): string[] {
  for (const name of names) {
    if (typeof name !== 'string' || !DEBIAN_PACKAGE.test(name)) {
      throw new OptionError(optionName, `"${name}" is not a Debian package name.`,
        'Use names as `apt-get install` takes them: lowercase letters, digits, "+", "-", "." (e.g. "libcairo2-dev"), optionally "=version".');
    }
  }
  return [...new Set(names)].sort();
}
