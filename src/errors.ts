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
    this.name = 'OptionError';
    // The message is the whole report: hosts that print `error.stack` (projen new, projen's task
    // runner) print it alone, without the frames of this package that say nothing to the user.
    this.stack = this.message;
  }
}
