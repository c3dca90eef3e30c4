/**
 * Every generated file states the same facts. Read from the generated files themselves (never
 * from construct getters) over a matrix of configurations: every allocator mode x build profile
 * x with and without a git token x the default and a custom-base subclass; and, on a bare
 * projen project, every construction order of the constructs gives the same bytes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import { parse as parseYaml } from 'yaml';
import { AllocatorMode, BuilderBase, CargoManifest, GhcrReleaseWorkflow, JemallocDockerfile, JemallocDockerfileOptions, RuntimeBase, RustOperatorProject, RustOperatorProjectOptions, RustToolchainFile } from '../../src';
import { resultOf, synthQuietly, tempDir, TEST_OPERATOR } from '../support/synth';
import { stages } from '../support/validate-dockerfile';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml');

/** A subclass on custom base images whose tags say nothing: it declares what they are. */
class CustomBaseDockerfile extends JemallocDockerfile {
  public static readonly RUST_VERSION = '1.92';
  protected builderBase(): BuilderBase {
    return BuilderBase.custom('registry.example.com/rust-base:latest', { debianRelease: 'bookworm', rustVersion: CustomBaseDockerfile.RUST_VERSION });
  }
  protected runtimeBase(): RuntimeBase {
    return RuntimeBase.custom('registry.example.com/runtime-base:latest', { debianRelease: 'bookworm' });
  }
}

class CustomBaseProject extends RustOperatorProject {
  protected createDockerfile(options: JemallocDockerfileOptions): JemallocDockerfile {
    return new CustomBaseDockerfile(this, options);
  }
}

const MODES = [AllocatorMode.LINKED_AND_PRELOADED, AllocatorMode.LINKED, AllocatorMode.PRELOADED, AllocatorMode.SYSTEM];
const PROFILES = ['release', 'maxperf', 'dev-release'];
const MATRIX = MODES.flatMap((allocator) => PROFILES.flatMap((profile) => [false, true].flatMap((token) =>
  [false, true].map((customBase) => ({ allocator, profile, token, customBase })))));

interface GeneratedFiles {
  toolchain: any;
  upgradeText: string;
  dockerfile: string;
  workflow: any;
  workflowText: string;
  tasks: any;
  docs: string;
  cargo: any;
  operatorJson: any;
}

function synthConfiguration(config: typeof MATRIX[number], extra: Partial<RustOperatorProjectOptions> = {}): GeneratedFiles {
  const dir = tempDir();
  const options: RustOperatorProjectOptions = {
    ...TEST_OPERATOR,
    outdir: dir,
    allocator: config.allocator,
    buildProfile: config.profile,
    devReleaseProfile: config.profile === 'dev-release',
    ...(config.token ? { gitTokenSecret: 'GH_PAT' } : {}),
    ...extra,
  };
  const project = config.customBase ? new CustomBaseProject(options) : new RustOperatorProject(options);
  synthQuietly(project);
  const result = resultOf(project, dir);
  const workflowText = result.read('.github/workflows/ci.yml');
  return {
    toolchain: parseToml(result.read('rust-toolchain.toml')),
    upgradeText: result.read('.github/workflows/upgrade.yml'),
    dockerfile: result.read('Dockerfile'),
    workflow: parseYaml(workflowText),
    workflowText,
    tasks: JSON.parse(result.read('.projen/tasks.json')),
    docs: result.read('docs/OPERATOR.md'),
    cargo: parseToml(result.read('Cargo.toml')),
    operatorJson: JSON.parse(result.read('operator.json')),
  };
}

/** The `install -y --no-install-recommends` list of a shell script. */
function aptList(script: string): string[] {
  const match = /install -y --no-install-recommends ((?:[a-z0-9.+:=-]+ )*[a-z0-9.+:=-]+)/.exec(script);
  return match ? match[1].split(' ') : [];
}

/** ENV pairs of a Dockerfile stage. */
function envOf(instructions: readonly { keyword: string; args: string }[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const instruction of instructions.filter((i) => i.keyword === 'ENV')) {
    for (const pair of instruction.args.split(/\s+\\?\s*/).filter((p) => p.includes('='))) {
      const [name, value] = pair.split('=', 2);
      env.set(name, value);
    }
  }
  return env;
}

function cargoTargetDirectory(profile: string): string {
  return profile === 'dev' ? 'debug' : profile;
}

/**
 * rust-toolchain.toml's channel is the Rust of the builder image (its tag, or what a custom base
 * declares), the scaffolded rust-version and what the docs state; CI installs it from the file
 * with rustup, and no workflow uses a third-party toolchain action.
 */
function expectOneToolchain(files: GeneratedFiles, declared: string | undefined): string {
  const channel = files.toolchain.toolchain.channel;
  expect(files.toolchain.toolchain).toEqual({ channel, components: ['clippy', 'rustfmt'], profile: 'minimal' });
  const [builder] = stages(files.dockerfile);
  const fromTag = /^rust:(\d+\.\d+(?:\.\d+)?)-slim-/.exec(builder.image)?.[1];
  expect(fromTag ?? declared).toBe(channel);
  expect(files.cargo.package['rust-version']).toBe(channel);
  expect(files.docs).toContain(`| Rust toolchain | ${channel} (\`rust-toolchain.toml\``);
  expect(files.docs).toContain(`(Rust ${channel} of \`rust-toolchain.toml\`, installed by rustup;`);
  const toolchainStep = files.workflow.jobs.test.steps.find((s: { id: string }) => s.id === 'toolchain');
  expect(toolchainStep).toEqual({ id: 'toolchain', name: expect.any(String), run: expect.stringMatching(/^rustup toolchain install\n/) });
  for (const text of [files.workflowText, files.upgradeText]) {
    expect(text).toContain('rustup toolchain install');
    expect(text).not.toMatch(/dtolnay\/rust-toolchain|toolchain:/);
  }
  return channel;
}

describe('the Rust toolchain option and the builder image', () => {
  const base = MATRIX[0];
  test('by default: 1.92 everywhere', () => {
    expect(expectOneToolchain(synthConfiguration(base), undefined)).toBe('1.92');
  });
  test('rustToolchain: the default builder image follows it', () => {
    const files = synthConfiguration(base, { rustToolchain: '1.85' });
    expect(expectOneToolchain(files, undefined)).toBe('1.85');
    expect(files.dockerfile).toContain('FROM rust:1.85-slim-bookworm AS builder');
  });
  test('builderImage: rust-toolchain.toml follows its tag', () => {
    const files = synthConfiguration(base, { builderImage: 'rust:1.88-slim-bookworm' });
    expect(expectOneToolchain(files, undefined)).toBe('1.88');
  });
  test('both, naming the same release: the more exact one', () => {
    expect(expectOneToolchain(synthConfiguration(base, { builderImage: 'rust:1.88.0-slim-bookworm', rustToolchain: '1.88' }), undefined)).toBe('1.88.0');
  });
});

describe.each(MATRIX.map((config) => [`${config.allocator}, ${config.profile}, token ${config.token ? 'on' : 'off'}, ${config.customBase ? 'custom base' : 'default base'}`, config] as const))('%s', (_name, config) => {
  let files: GeneratedFiles;
  beforeAll(() => {
    files = synthConfiguration(config);
  });

  test('one build profile and one binary: Dockerfile --profile and COPY path = compile task = docs', () => {
    const profiles = [...files.dockerfile.matchAll(/cargo build --profile (\S+)/g)].map((m) => m[1]);
    expect(new Set(profiles)).toEqual(new Set([config.profile]));
    const [, runtime] = stages(files.dockerfile);
    const copy = runtime.instructions.find((i) => i.keyword === 'COPY' && i.args.includes('/build/target/'))!.args;
    const [source, destination] = copy.replace(/^--from=\S+ /, '').split(' ');
    expect(source).toBe(`/build/target/${cargoTargetDirectory(config.profile)}/${files.cargo.package.name}`);
    const entrypoint = JSON.parse(runtime.instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args)[0];
    expect(entrypoint).toBe(destination);
    expect(files.tasks.tasks.compile.steps.map((s: { exec: string }) => s.exec)).toEqual([`cargo build --profile ${config.profile}`]);
    expect(files.docs).toContain(`| Cargo profile of the image | \`${config.profile}\` |`);
    const imageRows = files.docs.split('\n').filter((line) => / \(image\) \|/.test(line));
    expect(imageRows.map((row) => /^\| `([^`]+)`/.exec(row)![1])).toEqual([config.profile]);
    expect(files.docs).toContain(`| Binary | \`${destination}\``);
    expect(Object.keys(files.cargo.profile ?? {})).toEqual(expect.arrayContaining(config.profile === 'release' ? [] : [config.profile]));
  });

  test('one Rust toolchain: rust-toolchain.toml channel = the builder image = rust-version = the docs; CI installs it with rustup', () => {
    expectOneToolchain(files, config.customBase ? CustomBaseDockerfile.RUST_VERSION : undefined);
  });

  test('one package list: CI installs exactly what the builder installs, and the docs name both stages\' lists', () => {
    const [builder, runtime] = stages(files.dockerfile);
    const builderApt = aptList(builder.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('apt-get install'))!.args);
    const ciApt = aptList(files.workflow.jobs.test.steps.find((s: { id: string }) => s.id === 'system-packages').run);
    expect(ciApt).toEqual(builderApt);
    const runtimeApt = aptList(runtime.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('apt-get install'))!.args);
    expect(files.docs).toContain(`| Builder stage | \`${builder.image}\` with ${builderApt.map((p) => `\`${p}\``).join(', ')} |`);
    expect(files.docs).toContain(`| Runtime stage | \`${runtime.image}\` with ${runtimeApt.map((p) => `\`${p}\``).join(', ')};`);
    expect(files.docs).toContain(`packages ${builderApt.map((p) => `\`${p}\``).join(', ')}) |`);
  });

  test('the allocator variables: the docs list the Dockerfile\'s ENV, each with the jemalloc that really reads it', () => {
    const [, runtime] = stages(files.dockerfile);
    const env = envOf(runtime.instructions);
    const runtimeApt = aptList(runtime.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('apt-get install'))!.args);
    const jemallocDependency = files.cargo.dependencies?.['tikv-jemallocator'];
    const linked = jemallocDependency !== undefined && (files.cargo.features?.default ?? []).some((feature: string) => (files.cargo.features[feature] ?? []).includes('dep:tikv-jemallocator'));
    const preloaded = env.get('LD_PRELOAD') === 'libjemalloc.so.2' && runtimeApt.includes('libjemalloc2');
    expect({ linked, preloaded }).toEqual({
      linked: config.allocator === AllocatorMode.LINKED || config.allocator === AllocatorMode.LINKED_AND_PRELOADED,
      preloaded: config.allocator === AllocatorMode.PRELOADED || config.allocator === AllocatorMode.LINKED_AND_PRELOADED,
    });
    const unprefixed = (jemallocDependency?.features ?? []).includes('unprefixed_malloc_on_supported_platforms');
    const expectedReader = (name: string): string => {
      if (name === 'LD_PRELOAD') return 'the dynamic loader (by soname, on every architecture)';
      if (name === '_RJEM_MALLOC_CONF' && linked && !unprefixed) return 'the linked tikv-jemallocator';
      if (name === 'MALLOC_CONF' && preloaded) return 'the preloaded libjemalloc2';
      if (name === 'MALLOC_CONF' && linked && unprefixed) return 'the linked tikv-jemallocator';
      return `(nothing reads ${name})`;
    };
    const documented = [...files.docs.matchAll(/^\| `([A-Z_]+)` \| `([^`]*)` \| ([^|]+) \|$/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(documented).toEqual([...env.keys()].sort().map((name) => [name, env.get(name), expectedReader(name)]));
  });

  test('one image name: build, metadata, tags, attestation, scan, docs and operator.json', () => {
    const steps = (job: string) => files.workflow.jobs[job].steps as { id: string; with?: any; env?: any }[];
    const image = steps('image').find((s) => s.id === 'metadata')!.with.images;
    expect(steps('publish').find((s) => s.id === 'metadata')!.with.images).toBe(image);
    expect(steps('image').find((s) => s.id === 'build')!.with.outputs).toContain(`,name=${image},`);
    expect(steps('publish').find((s) => s.id === 'tag')!.env.IMAGE).toBe(image);
    expect(steps('publish').find((s) => s.id === 'attest')!.with['subject-name']).toBe(image);
    expect(steps('scan').find((s) => s.id === 'scan')!.with['image-ref']).toBe(`${image}@\${{ needs.publish.outputs.digest }}`);
    expect(new Set([...files.docs.matchAll(/ghcr\.io\/[A-Za-z0-9_.\/-]+/g)].map((m) => m[0]))).toEqual(new Set([image]));
    expect(files.operatorJson.container.split(':')[0]).toBe(image);
  });

  test('the git token: one secret, one BuildKit id, one local variable', () => {
    const mounts = [...files.dockerfile.matchAll(/--mount=type=secret,id=([^,\s]+)/g)].map((m) => m[1]);
    const build = files.workflow.jobs.image.steps.find((s: { id: string }) => s.id === 'build').with;
    const dockerBuild = files.tasks.tasks['docker:build'].steps.at(-1).exec as string;
    if (!config.token) {
      expect(mounts).toEqual([]);
      expect(build.secrets).toBeUndefined();
      expect(dockerBuild).not.toContain('--secret');
      return;
    }
    expect(new Set(mounts)).toEqual(new Set(['git_token']));
    expect(build.secrets).toBe('git_token=${{ secrets.GH_PAT }}');
    expect(dockerBuild).toContain('--secret id=git_token,env=GIT_TOKEN');
    expect(files.docs).toContain('export GIT_TOKEN=');
    expect(files.workflow.jobs.test.steps.find((s: { id: string }) => s.id === 'test').env.GIT_TOKEN).toBe('${{ secrets.GH_PAT }}');
  });
});

describe('construction order on a bare projen project', () => {
  type Part = 'workflow' | 'dockerfile' | 'cargo' | 'toolchain';
  const ORDERS: Part[][] = ([
    ['workflow', 'dockerfile', 'cargo'], ['workflow', 'cargo', 'dockerfile'], ['dockerfile', 'workflow', 'cargo'],
    ['dockerfile', 'cargo', 'workflow'], ['cargo', 'workflow', 'dockerfile'], ['cargo', 'dockerfile', 'workflow'],
  ] as Part[][]).map((order, i) => [...order.slice(0, i % 4), 'toolchain' as Part, ...order.slice(i % 4)]);

  function synthBare(order: Part[]): { [file: string]: string } {
    const dir = tempDir();
    const project = new Project({ name: 'bare', outdir: dir });
    const create: { [part in Part]: () => void } = {
      workflow: () => new GhcrReleaseWorkflow(project, { imageName: 'ghcr.io/acme/bare', gitTokenSecret: 'GH_PAT' }),
      dockerfile: () => new JemallocDockerfile(project, { builderImage: 'rust:1.92-slim-bookworm', builderPackages: ['libcairo2-dev'] }),
      cargo: () => new CargoManifest(project, { buildProfile: 'maxperf' }),
      toolchain: () => new RustToolchainFile(project),
    };
    order.forEach((part) => create[part]());
    synthQuietly(project);
    const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
    return { 'ci.yml': read('.github/workflows/ci.yml'), 'Dockerfile': read('Dockerfile'), 'Cargo.toml': read('Cargo.toml'), 'rust-toolchain.toml': read('rust-toolchain.toml') };
  }

  test('every order writes the same bytes, with the builder toolchain, packages, token and profile', () => {
    const outputs = ORDERS.map(synthBare);
    for (const output of outputs.slice(1)) {
      expect(output).toEqual(outputs[0]);
    }
    const workflow = parseYaml(outputs[0]['ci.yml']);
    const steps = workflow.jobs.test.steps as { id: string; run?: string; with?: any }[];
    // The channel follows the builder image's tag.
    expect(parseToml(outputs[0]['rust-toolchain.toml']).toolchain.channel).toBe('1.92');
    expect(steps.find((s) => s.id === 'toolchain')!.run).toMatch(/^rustup toolchain install\n/);
    expect(steps.find((s) => s.id === 'system-packages')!.run).toContain('libcairo2-dev');
    expect(outputs[0].Dockerfile).toContain('--mount=type=secret,id=git_token');
    expect(outputs[0].Dockerfile).toContain('cargo build --profile maxperf');
  });
});
