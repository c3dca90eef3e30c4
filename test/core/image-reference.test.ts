/** Image references and apt package lists: what every image and package name in the output passes through. */
import { aptPackageList } from '../../src/core/apt-packages';
import { OptionError } from '../../src/core/errors';
import { compareDebianReleases, ImageReference } from '../../src/core/image-reference';

describe('ImageReference', () => {
  test.each([
    ['rust:1.75-slim-bookworm', undefined, 'rust', '1.75-slim-bookworm', undefined],
    ['debian', undefined, 'debian', undefined, undefined],
    ['tercen/rust-operator-base:latest', undefined, 'tercen/rust-operator-base', 'latest', undefined],
    ['ghcr.io/tercen/ggrs_plot_operator:1.2.3', 'ghcr.io', 'tercen/ggrs_plot_operator', '1.2.3', undefined],
    ['localhost:5000/op@sha256:' + 'a'.repeat(64), 'localhost:5000', 'op', undefined, 'sha256:' + 'a'.repeat(64)],
    ['localhost/op', 'localhost', 'op', undefined, undefined],
  ])('%s', (reference, registry, repository, tag, digest) => {
    const image = ImageReference.parse(reference, 'image');
    const parts = { registry: image.registry, repository: image.repository, tag: image.tag, digest: image.digest };
    expect(parts).toEqual({ registry, repository, tag, digest });
    expect(image.toString()).toBe(reference);
  });

  test.each([
    ['rust:1.75-slim-bookworm', 'bookworm'],
    ['debian:bookworm-slim', 'bookworm'],
    ['rust:1.85-slim-trixie', 'trixie'],
    ['rust:1.70-bullseye', 'bullseye'],
    ['debian:12-slim', 'bookworm'],
    ['debian:13.1', 'trixie'],
    ['debian:11', 'bullseye'],
    ['gcr.io/distroless/cc-debian12', 'bookworm'],
    ['gcr.io/distroless/cc-debian13:nonroot', 'trixie'],
    ['tercen/runtime-base:latest', undefined],
    ['rust:1.75-slim', undefined],
    ['ubuntu:24.04', undefined],
    ['myorg/debian-tools:12', undefined],
  ])('%s is Debian %s', (reference, release) => {
    expect(ImageReference.parse(reference, 'image').debianRelease).toBe(release);
  });

  test('rustVersion comes from official rust tags only', () => {
    expect(ImageReference.parse('rust:1.75-slim-bookworm', 'x').rustVersion).toBe('1.75');
    expect(ImageReference.parse('rust:1.85.1', 'x').rustVersion).toBe('1.85.1');
    expect(ImageReference.parse('rust:slim', 'x').rustVersion).toBeUndefined();
    expect(ImageReference.parse('tercen/rust-operator-base:1.75', 'x').rustVersion).toBeUndefined();
  });

  test('GHCR names are lowercased from mixed-case owners; withTag replaces tag and digest', () => {
    expect(ImageReference.forGitHubOwner('AcmeCorp', 'My_Operator', 'repositoryUrl').toString()).toBe('ghcr.io/acmecorp/my_operator');
    expect(ImageReference.parse('ghcr.io/a/b:1@sha256:' + 'b'.repeat(64), 'x').withTag('2.0.0').toString()).toBe('ghcr.io/a/b:2.0.0');
    expect(() => ImageReference.forGitHubOwner('acme corp', 'x', 'registryOwner')).toThrow(/registryOwner: "acme corp" is not a GitHub user or organisation name/);
  });

  test('compareDebianReleases orders by age and knows no unknown release', () => {
    expect(compareDebianReleases('trixie', 'bookworm')).toBeGreaterThan(0);
    expect(compareDebianReleases('bullseye', 'bookworm')).toBeLessThan(0);
    expect(compareDebianReleases('bookworm', 'bookworm')).toBe(0);
    expect(compareDebianReleases('jammy', 'bookworm')).toBeUndefined();
  });

  test.each(['rust:1.75; rm -rf /', 'debian bookworm', 'x$(id)', 'a|b', 'a&b', "it's", 'a"b', 'a\\b', 'a>b', 'a#b'])('%j is refused as shell-unsafe', (reference) => {
    expect(() => ImageReference.parse(reference, 'builderImage')).toThrow(/builderImage: .* contains whitespace or shell metacharacters/);
  });
});

describe('aptPackageList', () => {
  test('validates, deduplicates and sorts', () => {
    expect(aptPackageList(['libssl3', 'ca-certificates', 'libssl3', 'libpango-1.0-0', 'g++', 'libfoo:arm64', 'libbar=1.2-3+deb12u1'], 'runtimePackages'))
      .toEqual(['ca-certificates', 'g++', 'libbar=1.2-3+deb12u1', 'libfoo:arm64', 'libpango-1.0-0', 'libssl3']);
  });

  test.each(['lib;rm', 'two words', 'Upper', '-option', '', 'x', 'a`b`', 'a$(b)'])('%j is refused naming the option', (name) => {
    let error: unknown;
    try {
      aptPackageList([name], 'builderPackages');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).subject).toBe('builderPackages');
  });
});
