/**
 * docs/OPERATOR.md is written from the configuration: for several configurations, every image
 * name, allocator variable, profile and package it mentions is the one in the generated files.
 */
import { parse as parseYaml } from 'yaml';
import { AllocatorMode, ContainerPolicy, RustOperatorProjectOptions } from '../../src';
import { synthOperator } from '../support/synth';
import { stages } from '../support/validate-dockerfile';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml');

const CONFIGURATIONS: [string, Partial<RustOperatorProjectOptions>][] = [
  ['the default', {}],
  ['linked only, custom image, maxperf, private git, untagged', {
    allocator: AllocatorMode.LINKED,
    imageName: 'ghcr.io/tercen/ggrs_plot_operator',
    buildProfile: 'maxperf',
    devReleaseProfile: true,
    gitTokenSecret: 'GIT_TOKEN',
    containerPolicy: ContainerPolicy.UNTAGGED,
    builderPackages: ['libcairo2-dev'],
  }],
  ['preloaded only, mixed-case owner', { allocator: AllocatorMode.PRELOADED, repositoryUrl: 'https://github.com/AcmeCorp/hello_operator' }],
  ['system allocator', { allocator: AllocatorMode.SYSTEM, allocatorCrateFeatures: undefined }],
  ['two platforms, own arm64 runner, no SBOM', { platforms: ['linux/amd64', 'linux/arm64'], platformRunners: { 'linux/arm64': ['self-hosted', 'arm64'] }, sbom: false }],
];

describe.each(CONFIGURATIONS)('docs for %s', (_name, options) => {
  const result = synthOperator(options);
  const docs = result.read('docs/OPERATOR.md');
  const dockerfile = result.read('Dockerfile');
  const [builder, runtime] = stages(dockerfile);
  const env = new Map<string, string>();
  for (const instruction of runtime.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const pair of instruction.args.split(/\s+\\?\s*/).filter((p) => p.includes('='))) {
      const [name, value] = pair.split('=', 2);
      env.set(name, value);
    }
  }

  test('names exactly the configured image', () => {
    const image = result.project.imageName;
    const mentioned = new Set([...docs.matchAll(/ghcr\.io\/[A-Za-z0-9_.\/-]+/g)].map((m) => m[0]));
    expect([...mentioned]).toEqual([image]);
    expect(docs).not.toMatch(/:latest\b/);
    expect(docs).toContain(`| Image | \`${image}\` |`);
  });

  test('names the images, binary and packages of the Dockerfile', () => {
    expect(docs).toContain(`| Builder stage | \`${builder.image}\``);
    expect(docs).toContain(`| Runtime stage | \`${runtime.image}\``);
    const entrypoint = JSON.parse(runtime.instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args)[0];
    expect(docs).toContain(`| Binary | \`${entrypoint}\``);
    const builderPackages = /install -y --no-install-recommends ((?:[a-z0-9.+:=-]+ )*[a-z0-9.+:=-]+)/.exec(builder.instructions[0].args)![1].split(' ');
    expect(docs).toContain(builderPackages.map((p) => `\`${p}\``).join(', '));
  });

  test('lists exactly the allocator variables the image sets, with their values', () => {
    const documented = new Map([...docs.matchAll(/^\| `([A-Z_]+)` \| `([^`]*)` \|/gm)].map((m) => [m[1], m[2]]));
    expect(documented).toEqual(env);
    for (const variable of ['LD_PRELOAD', 'MALLOC_CONF', '_RJEM_MALLOC_CONF']) {
      if (!env.has(variable)) {
        expect(docs).not.toMatch(new RegExp(`\\$${variable}\\b|-e ${variable}=`));
      }
    }
    expect(docs).not.toContain('x86_64-linux-gnu');
  });

  test('lists exactly the managed profiles, with the values in Cargo.toml', () => {
    const cargo = parseToml(result.read('Cargo.toml'));
    const rows = [...docs.matchAll(/^\| `([a-z-]+)`( \(image\))? \| `([^`]*)` \| `([^`]*)` \|$/gm)];
    expect(rows.map((row) => row[1])).toEqual(Object.keys(cargo.profile));
    for (const [, name, image, settings, command] of rows) {
      const parsed = parseToml(settings.split(', ').join('\n'));
      expect(parsed).toEqual(cargo.profile[name]);
      expect(Boolean(image)).toBe(name === result.project.cargo.buildProfile);
      expect(command).toBe(name === 'release' ? 'cargo build --release' : `cargo build --profile ${name}`);
    }
    expect(dockerfile).toContain(`--profile ${result.project.cargo.buildProfile}`);
  });

  test('describes the CI the workflow actually has', () => {
    const workflow = parseYaml(result.read('.github/workflows/ci.yml'));
    for (const job of Object.keys(workflow.jobs)) {
      expect(docs).toContain(`| \`${job}\` |`);
    }
    const install = workflow.jobs['system-packages'] ?? workflow.jobs.test.steps.find((s: any) => s.id === 'system-packages');
    const packages = /--no-install-recommends (.*)$/m.exec(install.run)![1].split(' ');
    expect(docs).toContain(`packages ${packages.map((p) => `\`${p}\``).join(', ')}`);
    // CI installs rust-toolchain.toml's channel with rustup; the docs name that channel.
    expect(workflow.jobs.test.steps.find((s: any) => s.id === 'toolchain').run).toMatch(/^rustup toolchain install\n/);
    const channel = /^channel = "([^"]+)"$/m.exec(result.read('rust-toolchain.toml'))![1];
    expect(docs).toContain(`(Rust ${channel} of \`rust-toolchain.toml\`, installed by rustup;`);
  });

  test('names each platform the image job builds, with its runner, and whether it carries an SBOM', () => {
    const image = parseYaml(result.read('.github/workflows/ci.yml')).jobs.image;
    const build = image.steps.find((s: any) => s.id === 'build').with;
    const legs: { platform: string; runner: string | string[] }[] = image.strategy?.matrix.include ?? [{ platform: build.platforms, runner: image['runs-on'] }];
    const row = docs.split('\n').find((line) => line.startsWith('| `image` |'))!;
    expect(row).toContain(`builds the Dockerfile for ${legs.map((leg) => `\`${leg.platform}\` (on \`${[leg.runner].flat().join(', ')}\`)`).join(' and ')}`);
    expect(row.includes('with an SBOM')).toBe(build.sbom);
  });

  test('builds locally exactly as the docker:build task does, with the secret the Dockerfile mounts', () => {
    const task = result.project.tasks.tryFind('docker:build')!.steps.at(-1)!.exec!;
    const builds = docs.split('\n').filter((line) => line.startsWith('docker build'));
    const tag = / -t (\S+) \.$/.exec(task)![1];
    const image = result.project.imageName;
    expect(builds).toEqual([
      task,
      task.replace('docker build ', 'docker build --no-cache '),
      `${task.replace(` -t ${tag} .`, ` -t ${image}:test .`)} && docker push ${image}:test`,
    ]);
    expect(docs).toContain(`docker run --rm ${tag} --taskId`);
    expect(result.read('README.md')).toContain(`docker run --rm ${tag} --taskId`);
    const mounted = /--mount=type=secret,id=([^,\s]+)/.exec(dockerfile)?.[1];
    if (mounted) {
      for (const build of builds) {
        expect(build).toContain(`--secret id=${mounted},env=GIT_TOKEN`);
      }
      expect(docs).toMatch(/^export GIT_TOKEN=</m);
    } else {
      expect(docs).not.toMatch(/--secret|GIT_TOKEN/);
    }
  });

  test('says how the container is tagged, as operator.json does', () => {
    const container = JSON.parse(result.read('operator.json')).container;
    if (result.project.operatorManifest.containerPolicy === ContainerPolicy.EXACT_PIN) {
      expect(container).toBe(`${result.project.imageName}:0.1.0`);
      expect(docs).toContain(`\`${result.project.imageName}:X.Y.Z\`, the exact release`);
    } else {
      expect(container).toBe(result.project.imageName);
      expect(docs).toContain('(untagged; Tercen resolves the tag)');
    }
  });
});

test('the README links the generated docs', () => {
  const result = synthOperator();
  expect(result.read('README.md')).toContain('[docs/OPERATOR.md](docs/OPERATOR.md)');
});
