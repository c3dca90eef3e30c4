import { inspect } from 'util';

/**
 * The error every construct throws for bad input: it names the option (or file) at fault
 * and says what to do, so the message alone is enough to fix `.projenrc.ts`.
 *
 * Thrown while `.projenrc.ts` runs or in `preSynthesize`, i.e. before projen writes or
 * deletes any file, so bad input never leaves a half-written project behind.
 */
export class OptionError extends Error {
  /**
   * @param subject the option path (`dockerfile.runtimeImage`) or file (`Cargo.toml:12`) at fault
   * @param problem what is wrong, in one sentence
   * @param fix what the user should change
   */
  constructor(public readonly subject: string, problem: string, fix: string) {
    super(`projen-rust-operator: ${subject}: ${problem} ${fix}`);
    // The message is the whole report. Its stack is the message too, so hosts that print the
    // error (projen new, with console.error) show no frames of this package, which say nothing
    // to the user; the setter ignores the source line a vm (projen new) would prepend.
    const message = this.message;
    Object.defineProperty(this, 'stack', { get: () => message, set: () => undefined, configurable: true, enumerable: false });
  }
}

Object.defineProperty(OptionError.prototype, 'name', { value: 'OptionError' });
// console.error and util.inspect print the message alone (not `[message] { subject }`).
Object.defineProperty(OptionError.prototype, inspect.custom, {
  value: function (this: OptionError) {
    return this.message;
  },
});
