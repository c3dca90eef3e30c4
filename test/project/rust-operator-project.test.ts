import * as fs from 'fs';
import { RustOperatorProject, RustOperatorProjectOptions } from '../../src';
import { snapshotTree, synthOperator, tempDir, TEST_OPERATOR } from '../support/synth';

/** Constructs (and synthesizes) a project in an empty folder; returns the error and what was written. */
function attempt(options: Partial<RustOperatorProjectOptions>): { error?: Error; written: string[] } {
  const dir = tempDir();
  let error: Error | undefined;
  try {
    const project = new RustOperatorProject({ ...TEST_OPERATOR, ...options, outdir: dir } as RustOperatorProjectOptions);
    process.env.PROJEN_DISABLE_POST = 'true';
    project.synth();
  } catch (e) {
    error = e as Error;
  } finally {
    delete process.env.PROJEN_DISABLE_POST;
  }
  return { error, written: fs.readdirSync(dir) };
}

describe('bad input names the option and writes nothing', () => {
  test.each([
    ['name', { name: 'My Operator!' }, /name: "My Operator!" is not a valid Cargo crate name/],
    ['name', { name: '' }, /name: is empty/],
    ['name', { name: '1operator' }, /name: "1operator" is not a valid Cargo crate name/],
    ['imageName', { imageName: 'ghcr.io/Tercen/My_Operator' }, /imageName: .*uppercase.*Use "ghcr.io\/tercen\/my_operator"/],
    ['imageName', { imageName: 'ghcr.io/tercen/my operator' }, /imageName: .*whitespace or shell metacharacters/],
    ['imageName', { imageName: 'ghcr.io/tercen/op:1.0.0' }, /imageName: .*has a tag or digest/],
    ['repositoryUrl', { repositoryUrl: 'https://gitlab.com/acme/op.git' }, /repositoryUrl: .*not a GitHub repository URL.*registryOwner/],
    ['registryOwner', { registryOwner: 'acme corp' }, /registryOwner: "acme corp" is not a GitHub user or organisation name/],
    ['features', { features: ['bad feature=x'] }, /features: "bad feature=x" does not start with a feature name/],
    ['gitTokenSecret', { gitTokenSecret: 'GITHUB_TOKEN' }, /gitTokenSecret: "GITHUB_TOKEN" is not a valid GitHub secret name/],
    ['builderImage', { builderImage: 'rust:1.75; rm -rf /' }, /builderImage: .*shell metacharacters/],
    ['rustToolchain', { rustToolchain: 'stable' }, /rustToolchain: "stable" is not a Rust version\. Use a version such as "1\.92"/],
    ['rustToolchain', { rustToolchain: '1.85', builderImage: 'rust:1.92-slim-bookworm' },
      /rustToolchain: is "1\.85" but builderImage "rust:1\.92-slim-bookworm" carries Rust 1\.92; .*leave builderImage unset \(it then follows rustToolchain: "rust:1\.85-slim-bookworm"\), or leave rustToolchain unset/],
    ['builderPackages', { builderPackages: ['libcairo2-dev;curl'] }, /builderPackages: "libcairo2-dev;curl" is not a Debian package name/],
  ])('%s', (_option, options, message) => {
    const { error, written } = attempt(options);
    expect(error?.message).toMatch(message);
    expect(error?.message).toMatch(/^projen-rust-operator: /);
    expect(written).toEqual([]);
  });
});

describe('image name', () => {
  test('comes from the repository owner, lowercased', () => {
    const { project } = synthOperator({ repositoryUrl: 'git@github.com:AcmeCorp/Hello_Operator.git' });
    expect(project.imageName).toBe('ghcr.io/acmecorp/hello_operator');
  });

  test('registryOwner wins over the repository owner', () => {
    const { project } = synthOperator({ registryOwner: 'Tercen' });
    expect(project.imageName).toBe('ghcr.io/tercen/hello_operator');
  });

  test('imageName wins over both', () => {
    const { project } = synthOperator({ registryOwner: 'tercen', imageName: 'ghcr.io/ops/hello' });
    expect(project.imageName).toBe('ghcr.io/ops/hello');
  });

  test('one value everywhere: workflow, operator.json, docs', () => {
    const result = synthOperator({ repositoryUrl: 'https://github.com/AcmeCorp/hello_operator' });
    const image = 'ghcr.io/acmecorp/hello_operator';
    expect(result.read('.github/workflows/ci.yml')).toContain(`images: ${image}\n`);
    expect(JSON.parse(result.read('operator.json')).container).toBe(`${image}:0.1.0`);
    expect(result.read('docs/OPERATOR.md')).toContain(`| Image | \`${image}\` |`);
    expect(result.read('.github/workflows/ci.yml')).not.toMatch(/AcmeCorp/);
  });
});

test('a second synth changes no byte and no mode', () => {
  const first = synthOperator();
  const before = snapshotTree(first.dir);
  synthOperator({}, {}, first.dir);
  expect(snapshotTree(first.dir)).toEqual(before);
});

test('scaffolded samples are never overwritten', () => {
  const first = synthOperator();
  fs.writeFileSync(`${first.dir}/src/main.rs`, 'fn main() { /* mine */ }\n');
  fs.writeFileSync(`${first.dir}/README.md`, '# mine\n');
  synthOperator({}, {}, first.dir);
  expect(fs.readFileSync(`${first.dir}/src/main.rs`, 'utf-8')).toBe('fn main() { /* mine */ }\n');
  expect(fs.readFileSync(`${first.dir}/README.md`, 'utf-8')).toBe('# mine\n');
});

test('the operator install test scaffolds tests/test.json', () => {
  expect(synthOperator().exists('tests/test.json')).toBe(false);
  const enabled = synthOperator({ operatorInstallTest: true, repositoryUrl: 'https://github.com/acme/hello_operator' });
  expect(JSON.parse(enabled.read('tests/test.json')).kind).toBe('OperatorUnitTest');
});

describe('operator.json is validated at every synth, before anything is written', () => {
  test.each([
    ['a wrong property kind', (json: any) => { json.properties = [{ kind: 'EnumerationProperty', name: 'theme', description: '', defaultValue: 'a', values: ['a'] }]; },
      /\$\.properties\[0\]\.kind: .*EnumeratedProperty/],
    ['a container for another image', (json: any) => { json.container = 'ghcr.io/acme/other_operator:0.1.0'; }, /\$\.container: /],
    ['a container tag that is not the Cargo version', (json: any) => { json.container = 'ghcr.io/acme/hello_operator:0.2.0'; }, /\$\.container: .*0\.1\.0/],
  ])('%s', (_case, change, message) => {
    const first = synthOperator();
    const file = `${first.dir}/operator.json`;
    const json = JSON.parse(fs.readFileSync(file, 'utf-8'));
    change(json);
    fs.writeFileSync(file, JSON.stringify(json, null, 2));
    fs.rmSync(`${first.dir}/Dockerfile`, { force: true });
    const before = snapshotTree(first.dir);
    expect(() => synthOperator({}, {}, first.dir)).toThrow(message);
    expect(snapshotTree(first.dir)).toEqual(before);
  });
});

describe('cargoPackage picks the operator in a workspace root', () => {
  const files = {
    'Cargo.toml': '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n',
    'crates/tool/Cargo.toml': '[package]\nname = "tool"\nversion = "0.1.0"\nedition = "2021"\n',
    'crates/tool/src/main.rs': 'fn main() {}\n',
    'crates/op/Cargo.toml': '[package]\nname = "op"\nversion = "0.1.0"\nedition = "2021"\n',
    'crates/op/src/main.rs': 'fn main() {}\n',
  };

  test('two binary members without it: refused, naming cargoPackage and both members', () => {
    let error: Error | undefined;
    try {
      synthOperator({}, files);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/cargoPackage/);
    expect(error?.message).toMatch(/op/);
    expect(error?.message).toMatch(/tool/);
  });

  test('with it: the member gets the feature, the root the profile, the image builds -p op', () => {
    const result = synthOperator({ cargoPackage: 'op' }, files);
    const read = (file: string) => fs.readFileSync(`${result.dir}/${file}`, 'utf8');
    expect(read('crates/op/Cargo.toml')).toMatch(/^jemalloc = \["dep:tikv-jemallocator"\]$/m);
    expect(read('crates/tool/Cargo.toml')).not.toMatch(/jemalloc/);
    expect(read('Cargo.toml')).toMatch(/^\[profile\.release\]$/m);
    expect(read('Dockerfile')).toMatch(/cargo build .*-p op\b/);
    expect(read('Dockerfile')).toMatch(/target\/release\/op /);
  });
});
