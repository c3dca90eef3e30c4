/**
 * What `adopt` reads from real files (the ggrs_plot_operator snapshots) and what its plan says,
 * in-process (git runs for the remote and the repositories). The end-to-end run is
 * test/e2e/adopt.e2e.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES, ggrs, httpService, makeRepository, otherBinary } from './repositories';
import { diffValues, formatPlan, planAdoption } from '../../src/adopt/adoption-plan';
import { readDockerfile } from '../../src/adopt/dockerfile-facts';
import { imageTagKind, patternsOverlap, readWorkflow } from '../../src/adopt/workflow-facts';

const GGRS = path.join(FIXTURES, 'ggrs_plot_operator');
const read = (file: string) => fs.readFileSync(path.join(GGRS, file), 'utf-8');

test('the ggrs Dockerfile: stages, packages, ENV, no USER, dev-release, the gh_pat secret', () => {
  const docker = readDockerfile(read('Dockerfile'));
  expect(docker.stages.map((s) => [s.image, s.alias])).toEqual([['rust:1.92-slim-bookworm', 'builder'], ['debian:bookworm-slim', undefined]]);
  expect(docker.stages[0].packages).toEqual(['pkg-config', 'libssl-dev', 'protobuf-compiler', 'libjemalloc-dev', 'make', 'git', 'libglib2.0-dev',
    'libcairo2-dev', 'libpango1.0-dev', 'libfontconfig1-dev', 'libfreetype6-dev']);
  expect(docker.stages[0].copied).toEqual(['Cargo.toml', 'Cargo.lock', 'src', 'operator.json']);
  expect(docker.stages[1].env.RUST_BACKTRACE).toBe('1');
  expect(docker.stages[1].user).toBeUndefined();
  expect(docker.buildProfile).toBe('dev-release');
  expect(docker.secretIds).toEqual(['gh_pat']);
});

test('the ggrs workflows: triggers, tags, secrets, submodules, toolchain, release', () => {
  const ci = readWorkflow('.github/workflows/ci.yml', read('.github/workflows/ci.yml'));
  expect(ci.pushBranches).toEqual(['main', '*']);
  expect(ci.pushesImage).toBe(true);
  expect(ci.imageTags.map(imageTagKind)).toEqual([':<sha>', ':<short sha>', ':<branch>']);
  expect(ci.images).toEqual(['${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}']);
  expect(ci.buildSecrets).toEqual([{ id: 'gh_pat', secret: 'GH_PAT' }]);
  expect(ci.submodules).toBe(true);
  expect(ci.toolchains).toEqual(['stable']);
  const release = readWorkflow('.github/workflows/release.yml', read('.github/workflows/release.yml'));
  expect(release.pushTags).toEqual(['[0-9]+.[0-9]+.[0-9]+']);
  expect(release.pushBranches).toEqual([]);
  expect(release.secrets).toEqual(['GH_PAT']);
});

test('ref patterns overlap when one can match what the other does', () => {
  expect(patternsOverlap(['[0-9]+.[0-9]+.[0-9]+'], ['[0-9]+.[0-9]+.[0-9]+', '[0-9]+.[0-9]+.[0-9]+-*'])).toBe(true);
  expect(patternsOverlap(['*'], ['main'])).toBe(true);
  expect(patternsOverlap(['release/**'], ['release/1.x'])).toBe(true);
  expect(patternsOverlap(['v*'], ['[0-9]+.[0-9]+.[0-9]+'])).toBe(false);
  expect(patternsOverlap(['main'], ['develop'])).toBe(false);
});

test('the plan of the ggrs repository names what changes and what overlaps', () => {
  const plan = planAdoption(ggrs().dir);
  const text = formatPlan(plan);
  expect(plan.files.filter((f) => f.action === 'replace').map((f) => f.path)).toEqual(['.dockerignore', '.github/workflows/ci.yml', '.gitignore', 'Dockerfile']);
  expect(plan.files.filter((f) => f.action === 'edit').map((f) => f.path)).toEqual(['Cargo.toml']);
  // Every managed value is the repository's own: the release profile keeps opt-level 3, no maxperf appears.
  expect(plan.cargoChanges).toEqual([]);
  expect(plan.leftAlone).toEqual(['.github/workflows/release.yml', '.github/workflows/showcase.yml']);
  expect(plan.overlaps.map((o) => o.file)).toEqual(['.github/workflows/release.yml', '.github/workflows/showcase.yml']);
  expect(text).toContain('pushes an image (${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}), as ci.yml pushes ghcr.io/tercen/ggrs_plot_operator');
  expect(plan.settings.notCarried).toEqual([
    '.github/workflows/ci.yml: Rust toolchain `stable` on the runner (the generated ci.yml installs rust-toolchain.toml\'s channel, which follows builderImage; set rustToolchain to choose another)',
  ]);
  // Carried by the options that now exist: recursive submodule checkouts, and the GitHub release
  // release.yml makes on X.Y.Z tags (now the generated github-release job).
  const options = Object.fromEntries(plan.settings.options.map((o) => [o.name, o.code]));
  expect(options.submodules).toBe('GitSubmodules.RECURSIVE');
  expect(options.githubRelease).toBe('true');
  expect(plan.projenrc).toMatch(/import \{[^}]*GitSubmodules[^}]*\} from "projen-rust-operator"/);
  expect(plan.overlaps.find((o) => o.file === '.github/workflows/release.yml')!.advice).toMatch(/made by the generated github-release job/);
  // The generated ci.yml then checks submodules out and creates the release.
  const ci = plan.contents.get('.github/workflows/ci.yml')!.toString('utf-8');
  expect(ci).toMatch(/submodules: recursive/);
  expect(ci).toMatch(/^  github-release:$/m);
});

test('a binary outside src/main.rs: no sample main.rs, the image ships that binary', () => {
  const plan = planAdoption(otherBinary().dir);
  expect(plan.files.map((f) => f.path)).not.toContain('src/main.rs');
  expect(plan.contents.get('Dockerfile')!.toString('utf-8')).toContain('COPY --from=builder /build/target/release/worker /usr/local/bin/worker');
  // Cargo.toml had no [profile.*]: none is added, so cargo's release defaults stay.
  expect(plan.cargoChanges).toEqual([]);
  expect(plan.contents.has('Cargo.toml')).toBe(false);
});

test('what no option carries is listed, in the plan and in .projenrc.ts (a planted VOLUME)', () => {
  const base = httpService();
  const repo = makeRepository('hello_volume', 'https://github.com/acme/hello_volume.git', { source: base.dir }, []);
  fs.appendFileSync(path.join(repo.dir, 'Dockerfile'), 'VOLUME /data\n');
  const plan = planAdoption(repo.dir);
  const dockerfile = plan.files.find((f) => f.path === 'Dockerfile')!;
  expect(dockerfile.losses).toContain('has `VOLUME /data`');
  expect(plan.projenrc).toContain('//   - Dockerfile: `VOLUME /data`');
  // And what is carried is not listed as lost: ENV PORT and the uid are in the generated Dockerfile.
  expect(dockerfile.losses.join('\n')).not.toMatch(/PORT|runs as/);
  expect(plan.contents.get('Dockerfile')!.toString('utf-8')).toMatch(/PORT=8080/);
});

test('diffValues lists every changed, added and removed value by dotted key', () => {
  expect(diffValues({ profile: { release: { 'opt-level': 3 } }, a: [1] }, { profile: { release: { 'opt-level': 'z', 'lto': true } }, a: [1] })).toEqual([
    { key: 'profile.release.lto', old: undefined, new: 'true' },
    { key: 'profile.release.opt-level', old: '3', new: '"z"' },
  ]);
});

test('no Cargo.toml: refused, saying what to run instead', () => {
  const repo = makeRepository('empty', 'https://github.com/acme/empty.git', { files: { 'README.md': 'x\n' } }, []);
  expect(() => planAdoption(repo.dir)).toThrow(/Cargo\.toml: is missing in .*Run adopt at the root of a Rust repository/);
});
