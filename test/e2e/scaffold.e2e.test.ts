/**
 * End to end, as a user: pack this package, `projen new --from` it into an empty folder named
 * hello_operator, then synthesize, check drift, and build and run the scaffolded operator.
 */
import * as fs from 'fs';
import * as path from 'path';
import { hostCargoOfflineEnv } from '../support/image/cargo-stub';
import { projen, run, scaffoldOperator } from '../support/scaffold';
import { snapshotTree, tempDir } from '../support/synth';

jest.setTimeout(600_000);

let dir: string;
let afterNew: ReturnType<typeof snapshotTree>;

beforeAll(() => {
  // As in a CI job (CI=true makes projen install with `npm ci`, which needs a lock file that a
  // fresh scaffold does not have yet), whatever the environment running this test.
  dir = scaffoldOperator(tempDir('pro-e2e-'), 'hello_operator', [], { CI: 'true' }).dir;
  afterNew = snapshotTree(dir);
});

test('projen new writes a complete operator repository', () => {
  const files = [
    '.projenrc.ts', 'package.json', 'package-lock.json', 'tsconfig.json',
    'Cargo.toml', 'rust-toolchain.toml', 'Dockerfile', '.dockerignore', '.github/workflows/ci.yml', '.github/workflows/upgrade.yml', '.github/dependabot.yml',
    'src/main.rs', 'operator.json', 'README.md', 'docs/OPERATOR.md', '.gitattributes', '.gitignore',
    '.projen/tasks.json', '.projen/files.json',
  ];
  for (const file of files) {
    expect(fs.existsSync(path.join(dir, file))).toBe(true);
  }
  const rc = fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8');
  expect(rc).toMatch(/import \{ RustOperatorProject \} from "projen-rust-operator";/);
  expect(rc).toMatch(/name: "hello_operator"/);

  // package.json pins what a fresh clone needs: projen, tsx and this package.
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf-8'));
  expect(Object.keys(pkg.devDependencies).sort()).toEqual(['constructs', 'projen', 'projen-rust-operator', 'tsx']);
  expect(pkg.devDependencies['projen-rust-operator']).toMatch(/^file:projen-rust-operator-.*\.tgz$/);
  expect(pkg.private).toBe(true);

  // Every owned file is marked generated and kept LF.
  const attributes = fs.readFileSync(path.join(dir, '.gitattributes'), 'utf-8');
  const owned: string[] = JSON.parse(fs.readFileSync(path.join(dir, '.projen/files.json'), 'utf-8')).files;
  for (const file of owned) {
    expect(attributes).toContain(`/${file} linguist-generated eol=lf`);
  }
  // Samples are the user's: written once, writable, not listed as owned.
  for (const sample of ['src/main.rs', 'operator.json', 'README.md', '.projenrc.ts', 'Cargo.toml']) {
    expect(owned).not.toContain(sample);
    expect(() => fs.accessSync(path.join(dir, sample), fs.constants.W_OK)).not.toThrow();
    expect(fs.statSync(path.join(dir, sample)).mode.toString(8)).toMatch(/6[0-7][0-7]$/);
  }
  // The Rust workflow as tasks.
  const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf-8')).tasks;
  expect(tasks.compile.steps[0].exec).toBe('cargo build --profile release');
  expect(tasks.test.steps[0].exec).toBe('cargo test --all-features');
  expect(tasks.lint.steps[0].exec).toBe('cargo clippy --all-targets --all-features -- -D warnings');
  expect(tasks.fmt.steps[0].exec).toBe('cargo fmt --all');
  expect(tasks['docker:build'].steps[0].exec).toBe('docker build -t hello_operator:local .');
});

test('npx projen twice changes no byte and no file mode', () => {
  const first = projen(dir);
  expect(first.status).toBe(0);
  const afterFirst = snapshotTree(dir);
  const second = projen(dir);
  expect(second.status).toBe(0);
  const afterSecond = snapshotTree(dir);
  expect([...afterSecond.keys()]).toEqual([...afterFirst.keys()]);
  for (const [file, entry] of afterFirst) {
    expect({ file, mode: afterSecond.get(file)!.mode }).toEqual({ file, mode: entry.mode });
    expect({ file, same: afterSecond.get(file)!.content.equals(entry.content) }).toEqual({ file, same: true });
  }
  // And `projen new` already wrote exactly what synth writes.
  for (const [file, entry] of afterNew) {
    expect({ file, same: afterFirst.get(file)?.content.equals(entry.content) }).toEqual({ file, same: true });
  }
});

test('npx projen drift passes on the fresh scaffold', () => {
  const drift = projen(dir, ['drift']);
  expect(drift.stdout).toContain('In sync:');
  expect(drift.status).toBe(0);
});

test('cargo metadata accepts Cargo.toml', () => {
  const result = run('cargo', ['metadata', '--no-deps', '--offline', '--format-version', '1'], dir);
  expect(result.stderr).not.toContain('error');
  expect(result.status).toBe(0);
  const metadata = JSON.parse(result.stdout);
  const pkg = metadata.packages[0];
  expect(pkg.name).toBe('hello_operator');
  expect(pkg.features).toEqual({ default: ['jemalloc'], jemalloc: ['dep:tikv-jemallocator'] });
});

describe('the scaffolded operator', () => {
  const cargo = (args: string[]) => run('cargo', args, dir, hostCargoOfflineEnv().env);
  let binary: string;

  beforeAll(() => {
    // Default features: the jemalloc global allocator (the real tikv-jemallocator, vendored in
    // ../shared/vendor/cargo since crates.io is unreachable here; that source replacement lives in a
    // private CARGO_HOME outside the project). Compiles jemalloc from C once (needs make and cc).
    const build = cargo(['build', '--offline']);
    if (build.status !== 0) {
      throw new Error(build.stderr);
    }
    binary = path.join(dir, 'target', 'debug', 'hello_operator');
  });

  test('is formatted and clean under clippy -D warnings', () => {
    expect(cargo(['fmt', '--all', '--', '--check']).status).toBe(0);
    const clippy = cargo(['clippy', '--offline', '--all-targets', '--all-features', '--', '-D', 'warnings']);
    expect(clippy.stderr).not.toMatch(/^(warning|error)/m);
    expect(clippy.status).toBe(0);
  });

  test('its unit tests pass', () => {
    const test = cargo(['test', '--offline', '--all-features']);
    expect(test.stdout).toContain('test result: ok. 2 passed');
  });

  test('exits 1 with the missing-task-id message', () => {
    const result = run(binary, [], dir, { TERCEN_TASK_ID: '' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('TERCEN_TASK_ID is not set');
  });

  test('maps --taskId/--serviceUri/--token to TERCEN_* and ignores unknown flags', () => {
    const result = run(binary, ['--taskId', 't-42', '--verbose', '--serviceUri=https://tercen.example', '--token', 'secret'], dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('TERCEN_TASK_ID=t-42 TERCEN_URI=https://tercen.example TERCEN_TOKEN set=true');
    expect(result.stdout).not.toContain('secret');
  });
});

describe('projen new flags', () => {
  test('the options people set most are flags, and land in .projenrc.ts', () => {
    const { dir: flagged } = scaffoldOperator(tempDir('pro-e2e-flags-'), 'plot_operator', [
      '--registry-owner', 'AcmeCorp',
      '--builder-image', 'rust:1.80-slim-bookworm',
      '--runtime-image', 'debian:bookworm-slim',
      '--features', 'webgpu',
      '--allocator', 'linked',
    ]);
    const rc = fs.readFileSync(path.join(flagged, '.projenrc.ts'), 'utf-8');
    expect(rc).toContain('registryOwner: "AcmeCorp"');
    expect(rc).toContain('builderImage: "rust:1.80-slim-bookworm"');
    expect(rc).toContain('features: ["webgpu"]');
    const dockerfile = fs.readFileSync(path.join(flagged, 'Dockerfile'), 'utf-8');
    expect(dockerfile).toContain('FROM rust:1.80-slim-bookworm AS builder');
    expect(dockerfile).not.toContain('LD_PRELOAD');
    expect(fs.readFileSync(path.join(flagged, '.github/workflows/ci.yml'), 'utf-8')).toContain('images: ghcr.io/acmecorp/plot_operator\n');
    const cargo = fs.readFileSync(path.join(flagged, 'Cargo.toml'), 'utf-8');
    expect(cargo).toContain('webgpu = []');
    expect(cargo).toContain('rust-version = "1.80"');
    // The toolchain follows the builder image's Rust.
    expect(fs.readFileSync(path.join(flagged, 'rust-toolchain.toml'), 'utf-8')).toContain('channel = "1.80"\n');
  });

  test('a bad flag gets an error naming the option, and no generated file is written', () => {
    const parent = tempDir('pro-e2e-bad-');
    expect(() => scaffoldOperator(parent, 'bad_operator', ['--image-name', 'ghcr.io/Acme/Bad Operator']))
      .toThrow(/projen-rust-operator: imageName: "ghcr.io\/Acme\/Bad Operator" contains whitespace or shell metacharacters/);
    const written = fs.readdirSync(path.join(parent, 'bad_operator'));
    for (const generated of ['Dockerfile', 'Cargo.toml', '.github', '.projenrc.ts', 'src', 'operator.json']) {
      expect(written).not.toContain(generated);
    }
  });
});
