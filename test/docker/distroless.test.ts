/**
 * `RuntimeBase.distroless()`: what it declares, the Dockerfile it yields (snapshots), and the
 * bad input it refuses with an OptionError naming the option, writing nothing.
 */
import { filesUnder } from './support';
import { OptionError } from '../../src/core/errors';
import { RuntimeBase } from '../../src/plan/base-image';
import { RustOperatorProjectOptions } from '../../src/project/rust-operator-project';
import { attemptOperator, synthOperator, thrownBy } from '../support/synth';

describe('RuntimeBase.distroless()', () => {
  test('defaults to gcr.io/distroless/cc-debian12, Debian bookworm, no shell', () => {
    const base = RuntimeBase.distroless();
    const { image, debianRelease, shell, isDistroless, librariesImage } = base;
    expect({ image, debianRelease, shell, isDistroless, librariesImage }).toEqual({ image: 'gcr.io/distroless/cc-debian12', debianRelease: 'bookworm', shell: undefined, isDistroless: true, librariesImage: 'debian:bookworm-slim' });
  });

  test('debug is the :debug tag with busybox\'s shell', () => {
    const base = RuntimeBase.distroless({ debug: true });
    expect([base.image, base.shell]).toEqual(['gcr.io/distroless/cc-debian12:debug', '/busybox/sh']);
  });

  test('a tagged image is used as is, its debug-ness read from the tag; the release from the name or the option', () => {
    expect(RuntimeBase.distroless({ image: 'gcr.io/distroless/cc-debian12:debug-nonroot' }).shell).toBe('/busybox/sh');
    expect(RuntimeBase.distroless({ image: 'gcr.io/distroless/cc-debian11:nonroot' }).debianRelease).toBe('bullseye');
    expect(RuntimeBase.distroless({ image: 'ghcr.io/acme/cc:1', debianRelease: 'bookworm' }).librariesImage).toBe('debian:bookworm-slim');
  });

  test('a Debian base is not distroless and keeps its shell', () => {
    const base = RuntimeBase.debianSlim();
    expect([base.isDistroless, base.shell, base.providedPackages]).toEqual([false, '/bin/bash', []]);
  });

  test.each<[string, () => RuntimeBase, string, RegExp]>([
    ['an image whose name does not say its release', () => RuntimeBase.distroless({ image: 'ghcr.io/acme/cc:latest' }), 'RuntimeBase.distroless.debianRelease', /does not say which Debian release/],
    ['a release that is no release name', () => RuntimeBase.distroless({ debianRelease: 'Bookworm 12' }), 'RuntimeBase.distroless.debianRelease', /is not a Debian release name/],
    ['debug against the tag', () => RuntimeBase.distroless({ image: 'gcr.io/distroless/cc-debian12:nonroot', debug: true }), 'RuntimeBase.distroless.debug', /disagrees with the tag/],
    ['an invalid image', () => RuntimeBase.distroless({ image: 'gcr.io/distroless/cc; id' }), 'RuntimeBase.distroless.image', /shell metacharacters/],
  ])('refuses %s', (_name, create, subject, message) => {
    const error = thrownBy(create);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).subject).toBe(subject);
    expect((error as Error).message).toMatch(message);
  });
});

describe.each<[string, Partial<RustOperatorProjectOptions>, string, RegExp]>([
  ['runtimeUser with distroless (no useradd)', { runtimeBase: RuntimeBase.distroless(), dockerfileOptions: { runtimeUser: 'tercen' } }, 'runtimeUser',
    /the distroless runtime "gcr\.io\/distroless\/cc-debian12" has no useradd: the image runs as the numeric runtimeUid \(1000:1000\)\. Remove runtimeUser and set runtimeUid/],
  ['runtimeImage and runtimeBase together', { runtimeImage: 'debian:bookworm-slim', runtimeBase: RuntimeBase.distroless() }, 'runtimeBase', /both choose the runtime image\. Give one/],
  ['a builder newer than the distroless release (the glibc check)', { runtimeBase: RuntimeBase.distroless({ image: 'gcr.io/distroless/cc-debian11' }) }, 'builderImage',
    /is Debian bookworm but the runtime "gcr\.io\/distroless\/cc-debian11" is the older bullseye/],
])('%s', (_name, options, subject, message) => {
  test(`is refused naming ${subject}, and nothing is written`, () => {
    const { error, dir } = attemptOperator(options);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).subject).toBe(subject);
    expect((error as Error).message).toMatch(message);
    expect(filesUnder(dir)).toEqual([]);
  });
});

test('platformUser with distroless: no USER (and runtimeUser is then not refused)', () => {
  const text = synthOperator({ runtimeBase: RuntimeBase.distroless(), platformUser: true }).read('Dockerfile');
  expect(text).not.toMatch(/^USER /m);
});

test('distroless Dockerfile (default allocator)', () => {
  expect(synthOperator({ runtimeBase: RuntimeBase.distroless() }).read('Dockerfile')).toMatchSnapshot();
});

test('distroless debug Dockerfile with libcairo2 and a custom uid', () => {
  expect(synthOperator({
    runtimeBase: RuntimeBase.distroless({ debug: true }),
    builderPackages: ['libcairo2-dev'],
    runtimePackages: ['libcairo2'],
    dockerfileOptions: { runtimeUid: 65532 },
  }).read('Dockerfile')).toMatchSnapshot();
});
