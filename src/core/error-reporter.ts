import { inspect } from 'util';

/**
 * Prints the errors a user can fix (an `OptionError`: a bad option, a broken operator.json, a
 * refused Cargo.toml) the way a command-line tool does, as their message alone, and exits 1.
 *
 * `.projenrc.ts` runs as its own program (tsx): an error thrown while it constructs or synthesizes
 * is uncaught, and Node would print it as a crash, with the source line and a stack trace that
 * say nothing to the user. Any other exception is a bug: it keeps its stack, printed as Node
 * prints it, and also exits 1.
 */
export function installErrorReporter(): void {
  // Jest owns the uncaught errors of its workers (and reports them as test failures).
  if (process.env.JEST_WORKER_ID !== undefined) {
    return;
  }
  // Once per process, even when two copies of this package are loaded (lib/ and src/).
  const registry = globalThis as { [key: symbol]: boolean };
  if (registry[INSTALLED]) {
    return;
  }
  registry[INSTALLED] = true;
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${isUserError(error) ? error.message : inspect(error)}\n`);
    process.exit(1);
  });
}

/** An error whose message is the whole report: subject, problem and fix (`OptionError`). */
export function isUserError(error: unknown): error is Error {
  // By name, not class: `.projenrc.ts` may load a second copy of this package.
  return error instanceof Error && error.name === 'OptionError';
}

const INSTALLED = Symbol.for('projen-rust-operator.error-reporter');

installErrorReporter();
