/**
 * Names and constants every layer shares. Each rule is written once here; options, files and
 * errors that name the same concept use these.
 */
import { OptionError } from './errors';

/** A Cargo feature name (cargo's rule). */
export const CARGO_FEATURE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_+.-]*$/;

/** A BuildKit secret id as `RUN --mount=type=secret,id=...` and `--secret id=...` take it. */
export const BUILDKIT_SECRET_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** A GitHub Actions secret name (letters, digits, `_`; not starting with a digit or `GITHUB_`). */
export const GITHUB_SECRET_NAME = /^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*$/i;

/** The version a new crate and a new operator.json start at. */
export const SCAFFOLD_VERSION = '0.1.0';

/** The description of an operator that was given none. */
export const DEFAULT_DESCRIPTION = 'A Tercen operator written in Rust.';

/** Throws unless `id` is a BuildKit secret id. */
export function checkBuildSecretId(id: unknown, subject: string): string {
  if (typeof id !== 'string' || !BUILDKIT_SECRET_ID.test(id)) {
    throw new OptionError(subject, `${JSON.stringify(id)} is not a BuildKit secret id.`,
      'Use letters, digits, "_", "-" or ".", as in `RUN --mount=type=secret,id=...`, e.g. "git_token".');
  }
  return id;
}

/** Throws unless `name` is a GitHub Actions secret name. */
export function checkSecretName(name: unknown, subject: string): string {
  if (typeof name !== 'string' || !GITHUB_SECRET_NAME.test(name)) {
    throw new OptionError(subject, `${JSON.stringify(name)} is not a valid GitHub secret name.`,
      'Use letters, digits and "_", not starting with a digit or "GITHUB_", e.g. "GIT_TOKEN".');
  }
  return name;
}

/**
 * Throws unless `id` is a GitHub job id (letters, digits, `_` and `-`, not starting with a digit
 * or `-`) that no other job of the workflow has.
 * @param taken whether the workflow already has a job of that id
 */
export function checkFreeJobId(id: unknown, taken: boolean, subject: string): void {
  if (typeof id !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(id) || taken) {
    throw new OptionError(subject, `${JSON.stringify(id)} is not a free job id.`, 'Use letters, digits, "_" and "-", starting with a letter, and not the id of another job.');
  }
}
