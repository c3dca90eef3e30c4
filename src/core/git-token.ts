/**
 * The token for private git dependencies, one concept with three names: the GitHub secret CI
 * reads it from, the BuildKit secret id the Dockerfile mounts it under, and the environment
 * variable a local `docker build` takes it from. Both CI and the image hand it to git through
 * the same credential helper, scoped to github.com.
 */
import { checkBuildSecretId, checkSecretName } from './names';

/** A resolved git token: every name it goes by. */
export interface GitToken {
  /** GitHub Actions secret holding the token (e.g. `GIT_TOKEN`); undefined outside CI. */
  readonly secretName?: string;
  /** BuildKit secret id the Dockerfile mounts (e.g. `git_token`). */
  readonly buildSecretId: string;
  /** Environment variable the local build and CI's cargo read the token from. */
  readonly variable: string;
}

/** The BuildKit secret id when none is given. */
export const DEFAULT_BUILD_SECRET_ID = 'git_token';
/** The environment variable holding the token for local builds and CI's cargo steps. */
export const GIT_TOKEN_VARIABLE = 'GIT_TOKEN';

/** Builds a token from the options that name it, validating each name under its option. */
export function gitToken(props: { secretName?: string; buildSecretId?: string }, subjects: { secretName: string; buildSecretId: string }): GitToken {
  return {
    secretName: props.secretName === undefined ? undefined : checkSecretName(props.secretName, subjects.secretName),
    buildSecretId: props.buildSecretId === undefined ? DEFAULT_BUILD_SECRET_ID : checkBuildSecretId(props.buildSecretId, subjects.buildSecretId),
    variable: GIT_TOKEN_VARIABLE,
  };
}

/**
 * A git credential helper answering `get` with the token read by `tokenExpression` (a shell
 * expression such as `$GIT_TOKEN` or `$(cat /run/secrets/git_token)`), and nothing when it is
 * empty (a fork without the secret), so git carries on as without a helper.
 */
export function credentialHelper(tokenExpression: string): string {
  return `!f() { test "$1" = get && test -n "${tokenExpression}" && echo username=x-access-token && echo "password=${tokenExpression}"; }; f`;
}

/**
 * git configuration, as environment variables, that installs the helper for https://github.com
 * only (a git dependency hosted elsewhere never receives the token) and makes cargo fetch with
 * the git CLI, which honours it.
 */
export function credentialEnvironment(tokenExpression: string): { [name: string]: string } {
  return {
    CARGO_NET_GIT_FETCH_WITH_CLI: 'true',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'credential.https://github.com.helper',
    GIT_CONFIG_VALUE_0: credentialHelper(tokenExpression),
  };
}
