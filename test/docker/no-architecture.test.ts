/**
 * No generated Dockerfile names an architecture (`x86_64`, `amd64`, `aarch64`): the same file
 * builds the amd64 and the arm64 image. `synthQuietly` (test/support/synth.ts), which every
 * test's synthesis goes through, refuses a Dockerfile that does, so every variant any test
 * generates is checked; this file shows the check catching planted defects, and runs it over a
 * spread of variants and the real reference operator.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AllocatorMode, RustOperatorProject } from '../../src';
import { ImageTagPolicy } from '../../src/plan/release-policy';
import { ContainerPolicy } from '../../src/tercen/operator-json';
import { SHARED } from '../cargo/offline-registry';
import { synthOperator, synthQuietly, tempDir, TEST_OPERATOR } from '../support/synth';
import { architectureNames } from '../support/validate-dockerfile';

describe('the check', () => {
  const clean = synthOperator().read('Dockerfile');

  test('passes the default Dockerfile', () => {
    expect(clean).toContain('FROM rust:1.92-slim-bookworm AS builder');
    expect(architectureNames(clean)).toEqual([]);
  });

  test.each([
    ['an arch-specific library path', 'ENV LD_PRELOAD=libjemalloc.so.2', 'ENV LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', 'x86_64'],
    ['a fixed platform', 'AS builder', 'AS builder\nFROM --platform=linux/amd64 debian:bookworm-slim AS extra', 'amd64'],
    ['a target triple in a comment', 'AS builder', 'AS builder\n# built for aarch64-unknown-linux-gnu', 'aarch64'],
    ['any case', 'AS builder', 'AS builder\nARG ARCH=AMD64', 'AMD64'],
  ])('catches %s', (_name, original, replacement, named) => {
    const planted = clean.replace(original, replacement);
    expect(planted).not.toBe(clean);
    const hits = architectureNames(planted);
    expect(hits).toHaveLength(1);
    expect(hits[0].text).toContain(named);
  });

  test('synthesis in the tests refuses a Dockerfile that names one', () => {
    const dir = tempDir();
    const project = new RustOperatorProject({ ...TEST_OPERATOR, outdir: dir, runtimeEnvironment: { TARGET: 'x86_64-unknown-linux-gnu' } });
    expect(() => synthQuietly(project)).toThrow(/Dockerfile names an architecture: line \d+: .*TARGET=x86_64-unknown-linux-gnu/);
  });
});

describe('variants', () => {
  const VARIANTS: { name: string; options: object }[] = [
    ...[AllocatorMode.LINKED_AND_PRELOADED, AllocatorMode.LINKED, AllocatorMode.PRELOADED, AllocatorMode.SYSTEM].map((allocator) => ({ name: `allocator ${allocator}`, options: { allocator } })),
    { name: 'dev-release, git token, platform user', options: { devReleaseProfile: true, buildProfile: 'dev-release', gitTokenSecret: 'GH_PAT', platformUser: true } },
    { name: 'rustToolchain 1.85', options: { rustToolchain: '1.85' } },
    { name: 'trixie images', options: { builderImage: 'rust:1.92-slim-trixie', runtimeImage: 'debian:trixie-slim' } },
    { name: 'Tercen SDK', options: { tercenSdk: true, imageTagPolicy: ImageTagPolicy.TERCEN } },
  ];

  test.each(VARIANTS)('$name', ({ options }) => {
    const dockerfile = synthOperator(options).read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM /m);
    expect(architectureNames(dockerfile)).toEqual([]);
  });

  test('the reference operator (tercen/ggrs_plot_operator, its own Cargo.toml, Cargo.lock and sources)', () => {
    const source = path.join(SHARED, 'fixtures', 'operators', 'ggrs_plot_operator');
    const dir = tempDir();
    for (const entry of ['Cargo.toml', 'Cargo.lock', 'src', 'operator.json', 'palettes.json', 'build.rs']) {
      if (fs.existsSync(path.join(source, entry))) fs.cpSync(path.join(source, entry), path.join(dir, entry), { recursive: true });
    }
    // Its own Dockerfile names no architecture either, and is replaced by the generated one.
    const project = new RustOperatorProject({
      ...TEST_OPERATOR,
      outdir: dir,
      name: 'ggrs_plot_operator',
      imageName: 'ghcr.io/tercen/ggrs_plot_operator',
      containerPolicy: ContainerPolicy.UNTAGGED,
      builderPackages: ['libcairo2-dev', 'libpango1.0-dev', 'libfontconfig1-dev', 'libfreetype-dev'],
      runtimePackages: ['libcairo2', 'libpango-1.0-0', 'libpangocairo-1.0-0', 'libfontconfig1', 'libfreetype6'],
      devReleaseProfile: true,
      buildProfile: 'dev-release',
      gitTokenSecret: 'GH_PAT',
      gitTokenBuildSecretId: 'gh_pat',
      platformUser: true,
      compileTimeFiles: ['palettes.json'],
    });
    synthQuietly(project);
    const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8');
    expect(dockerfile).toContain('cargo build --profile dev-release');
    expect(architectureNames(dockerfile)).toEqual([]);
  });
});
