/**
 * The three disagreements reported in "One resolved operator plan", each read from the generated
 * files themselves (not from construct getters).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import { parse as parseYaml } from 'yaml';
import { AllocatorMode, GhcrReleaseWorkflow, JemallocDockerfile } from '../../src';
import { synthOperator, synthQuietly, tempDir } from '../support/synth';

function compileCommand(tasksJson: string): string {
  const tasks = JSON.parse(tasksJson).tasks;
  return tasks.compile.steps.map((step: { exec?: string }) => step.exec).join('\n');
}

describe('D1: one build profile', () => {
  const result = synthOperator({ dockerfileOptions: { buildProfile: 'maxperf' } });
  const dockerfile = result.read('Dockerfile');
  const docs = result.read('docs/OPERATOR.md');

  test('the Dockerfile, the compile task and the docs all build maxperf', () => {
    expect(dockerfile).toContain('cargo build --profile maxperf');
    expect(dockerfile).toContain('/build/target/maxperf/hello_operator');
    expect(compileCommand(result.read('.projen/tasks.json'))).toBe('cargo build --profile maxperf');
    expect(docs).toContain('| Cargo profile of the image | `maxperf` |');
    expect(docs).toMatch(/\| `maxperf` \(image\) \|/);
    expect(docs).not.toMatch(/\| `release` \(image\) \|/);
  });
});

describe('D2: the docs name the jemalloc that reads each variable', () => {
  const result = synthOperator({ allocator: AllocatorMode.LINKED, allocatorCrateFeatures: ['unprefixed_malloc_on_supported_platforms'] });
  const dockerfile = result.read('Dockerfile');
  const docs = result.read('docs/OPERATOR.md');

  test('nothing is preloaded, and MALLOC_CONF is read by the linked tikv-jemallocator', () => {
    expect(dockerfile).not.toContain('LD_PRELOAD');
    expect(dockerfile).toContain('MALLOC_CONF=');
    const row = docs.split('\n').find((line) => line.startsWith('| `MALLOC_CONF` |'));
    expect(row).toMatch(/the linked tikv-jemallocator/);
    expect(docs).not.toMatch(/preloaded libjemalloc2/);
  });
});

describe('D3: construction order never changes the output', () => {
  function bare(order: 'workflow-first' | 'dockerfile-first'): { [file: string]: string } {
    const dir = tempDir();
    const project = new Project({ name: 'bare', outdir: dir });
    const workflow = () => new GhcrReleaseWorkflow(project, { imageName: 'ghcr.io/acme/bare' });
    const dockerfile = () => new JemallocDockerfile(project, { binaryName: 'bare', builderPackages: ['libcairo2-dev'] });
    if (order === 'workflow-first') {
      workflow();
      dockerfile();
    } else {
      dockerfile();
      workflow();
    }
    synthQuietly(project);
    const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
    return { 'ci.yml': read('.github/workflows/ci.yml'), 'Dockerfile': read('Dockerfile') };
  }

  test('a workflow created before the Dockerfile tests with the builder toolchain and its packages', () => {
    const before = bare('workflow-first');
    const after = bare('dockerfile-first');
    expect(before['ci.yml']).toEqual(after['ci.yml']);
    expect(before.Dockerfile).toEqual(after.Dockerfile);
    const steps = parseYaml(before['ci.yml']).jobs.test.steps as { id: string; run?: string }[];
    const apt = steps.find((step) => step.id === 'system-packages');
    expect(apt?.run).toContain('libcairo2-dev');
    // No rust-toolchain.toml on this bare project: CI installs and sets the builder's Rust itself.
    expect(steps.find((step) => step.id === 'toolchain')?.run).toBe(
      'rustup toolchain install 1.92 --profile minimal --component clippy,rustfmt\nrustup override set 1.92\nrustc --version\ncargo --version');
  });
});

describe('a version-4 Cargo.lock with a builder that cannot read it', () => {
  const lock = 'version = 4\n\n[[package]]\nname = "hello_operator"\nversion = "0.1.0"\n';
  const manifest = '[package]\nname = "hello_operator"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n';

  test('is refused with an older builderImage, naming Cargo.lock and the options, and nothing is written', () => {
    const dir = tempDir();
    expect(() => synthOperator({ builderImage: 'rust:1.75-slim-bookworm' }, { 'Cargo.toml': manifest, 'Cargo.lock': lock }, dir)).toThrow(
      'projen-rust-operator: Cargo.lock: is lock file version 4, which cargo of the Rust toolchain 1.75 (rust-toolchain.toml, from builderImage "rust:1.75-slim-bookworm") cannot read; cargo reads version 4 from 1.78 on. '
      + 'Set builderImage to a newer Rust (e.g. "rust:1.92-slim-bookworm"), or leave it unset and set rustToolchain (default 1.92); or regenerate Cargo.lock with cargo 1.75.');
    expect(fs.readdirSync(dir).sort()).toEqual(['Cargo.lock', 'Cargo.toml']);
  });

  test('is refused with an older rustToolchain, naming Cargo.lock and rustToolchain', () => {
    const dir = tempDir();
    expect(() => synthOperator({ rustToolchain: '1.77' }, { 'Cargo.toml': manifest, 'Cargo.lock': lock }, dir)).toThrow(
      /Cargo\.lock: is lock file version 4, which cargo of the Rust toolchain 1\.77 \(rust-toolchain\.toml\) cannot read.*Set rustToolchain to 1\.92 or newer \(the builder image follows it\)/);
    expect(fs.readdirSync(dir).sort()).toEqual(['Cargo.lock', 'Cargo.toml']);
  });

  test('builds with the default toolchain (1.92), and with a builder of Rust 1.78 or newer', () => {
    const defaults = synthOperator({}, { 'Cargo.toml': manifest, 'Cargo.lock': lock });
    expect(defaults.read('Dockerfile')).toContain('FROM rust:1.92-slim-bookworm AS builder');
    expect(defaults.read('rust-toolchain.toml')).toContain('channel = "1.92"');
    const result = synthOperator({ builderImage: 'rust:1.78-slim-bookworm' }, { 'Cargo.toml': manifest, 'Cargo.lock': lock });
    expect(result.read('Dockerfile')).toContain('FROM rust:1.78-slim-bookworm AS builder');
  });
});
