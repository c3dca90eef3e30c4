/**
 * One rule names the image: imageName, else registryOwner, else the owner of a GitHub
 * repositoryUrl; anything else is refused naming repositoryUrl and the option (and flag) to pass.
 * The `projen new` case without any git remote is in test/e2e/user-errors.e2e.test.ts.
 */
import { OptionError } from '../../src/core/errors';
import { resolveImageName } from '../../src/core/image-owner';

const FIX = 'Set registryOwner (`projen new` flag `--registry-owner <owner>`, e.g. "tercen") or imageName (`--image-name ghcr.io/<owner>/<name>`), '
  + 'or give a GitHub repositoryUrl (`--repository-url https://github.com/<owner>/<name>`).';

test.each([
  ['https://github.com/Acme/hello_operator.git', 'ghcr.io/acme/hello_operator'],
  ['git@github.com:acme/hello_operator.git', 'ghcr.io/acme/hello_operator'],
  ['git+https://github.com/acme/hello_operator', 'ghcr.io/acme/hello_operator'],
])('the owner of a GitHub URL (%s)', (repositoryUrl, image) => {
  expect(resolveImageName({ name: 'hello_operator', repositoryUrl })).toBe(image);
});

test.each([
  ['another host', 'https://gitlab.com/acme/hello_operator.git'],
  ['a local path (a mirror or plain copy)', '/srv/git/hello_operator.git'],
  ['nothing', ''],
])('%s is refused, naming repositoryUrl and the flag to pass', (_, repositoryUrl) => {
  let error: unknown;
  try {
    resolveImageName({ name: 'hello_operator', repositoryUrl });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(OptionError);
  expect((error as OptionError).message)
    .toBe(`projen-rust-operator: repositoryUrl: "${repositoryUrl}" is not a GitHub repository URL, so the image owner cannot be derived. ${FIX}`);
});

test('registryOwner or imageName decide, whatever the repository URL', () => {
  expect(resolveImageName({ name: 'Hello_Operator', repositoryUrl: '/srv/git/x.git', registryOwner: 'Tercen' })).toBe('ghcr.io/tercen/hello_operator');
  expect(resolveImageName({ name: 'x', repositoryUrl: 'https://gitlab.com/a/b', imageName: 'ghcr.io/tercen/other' })).toBe('ghcr.io/tercen/other');
  expect(resolveImageName({ name: 'x', repositoryUrl: 'https://github.com/a/b', registryOwner: 'tercen' })).toBe('ghcr.io/tercen/x');
});
