/**
 * Workspaces built for real (issue #11): a virtual workspace root whose operator member is picked
 * by `cargoPackage`, and a root package with a `[workspace]` of library members. The generated
 * Dockerfile copies the workspace manifests, stubs every member's targets for the dependency
 * layer, builds `-p <operator>` and ships exactly that binary. Run by `npm run test:image`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AllocatorMode } from '../../src';
import {
  assertBuildSucceeded, buildImage, ensureStandInImages, findInImageFiles, hasBuildah, hostCargoOfflineEnv,
  parseBuildSteps, removeImage, run, runImage,
} from '../support/image';
import { synthOperator, tempDir } from '../support/synth';

jest.setTimeout(60 * 60_000);

const availability = hasBuildah();
if (!availability.ok) {
  throw new Error(`real image builds cannot run here: ${availability.reason}`);
}

/** A binary that proves it was linked against the workspace's library member. */
const OPERATOR_MAIN = 'fn main() {\n    println!("{}", util::greeting());\n    std::process::exit(3);\n}\n';
const UTIL_LIB = 'pub fn greeting() -> &\'static str {\n    "hello from the util member"\n}\n';

function lockOffline(dir: string): void {
  const lock = run('cargo', ['generate-lockfile', '--offline'], { cwd: dir, env: { ...process.env, ...hostCargoOfflineEnv().env } });
  if (lock.code !== 0) throw new Error(lock.stderr);
}

beforeAll(() => ensureStandInImages());

describe('a virtual workspace root, the operator member picked by cargoPackage', () => {
  const TAG = 'localhost/pro-e2e-workspace-virtual:test';
  let dir: string;
  let output: string;

  beforeAll(() => {
    dir = path.join(tempDir('pro-image-ws-'), 'hello_operator');
    fs.mkdirSync(dir);
    synthOperator({ cargoPackage: 'hello_operator' }, {
      'Cargo.toml': '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n\n[workspace.package]\nversion = "0.3.0"\nedition = "2021"\n',
      'crates/util/Cargo.toml': '[package]\nname = "util"\nversion.workspace = true\nedition.workspace = true\n',
      'crates/util/src/lib.rs': UTIL_LIB,
      'crates/hello_operator/Cargo.toml': '[package]\nname = "hello_operator"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\nutil = { path = "../util" }\n',
      'crates/hello_operator/src/main.rs': OPERATOR_MAIN,
      // A second binary crate: cargoPackage is what picks the operator.
      'crates/tool/Cargo.toml': '[package]\nname = "tool"\nversion.workspace = true\nedition.workspace = true\n',
      'crates/tool/src/main.rs': 'fn main() {}\n',
    }, dir);
    lockOffline(dir);
    removeImage(TAG);
    const result = buildImage(dir, { tag: TAG });
    assertBuildSucceeded(result);
    output = result.output;
  });

  afterAll(() => removeImage(TAG));

  test('the build is -p of the member, the dependency layer stubbed every member, the final build copied each', () => {
    const build = parseBuildSteps(output).map((s) => s.instruction).filter((i) => /cargo build/.test(i));
    expect(build.length).toBe(2);
    expect(build.every((i) => / -p hello_operator\b/.test(i))).toBe(true);
    const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/crates\/tool\/src\/main\.rs/);
    for (const member of ['hello_operator', 'tool', 'util']) {
      expect(dockerfile).toContain(`COPY crates/${member} ./crates/${member}`);
    }
    // The virtual root has no src/ of its own.
    expect(dockerfile).not.toMatch(/^COPY src /m);
    // operator.json carries the version the member inherits from the workspace.
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'operator.json'), 'utf8')).container).toMatch(/:0\.3\.0$/);
  });

  test('the image runs the member\'s real binary, linked with the library member', () => {
    const result = runImage(TAG);
    expect(result.stdout).toContain('hello from the util member');
    expect(result.code).toBe(3);
  });

  test('the other binary crate is not in the image', () => {
    expect(findInImageFiles(TAG, 'tool').filter((f) => /\/tool$/.test(f))).toEqual([]);
  });
});

describe('a root package with a [workspace] of library members', () => {
  const TAG = 'localhost/pro-e2e-workspace-root:test';

  test('builds the root package and runs it', () => {
    const dir = path.join(tempDir('pro-image-wsroot-'), 'hello_operator');
    fs.mkdirSync(dir);
    synthOperator({ allocator: AllocatorMode.SYSTEM }, {
      'Cargo.toml': '[package]\nname = "hello_operator"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nutil = { path = "util" }\n\n[workspace]\nmembers = ["util"]\n',
      'src/main.rs': OPERATOR_MAIN,
      'util/Cargo.toml': '[package]\nname = "util"\nversion = "0.1.0"\nedition = "2021"\n',
      'util/src/lib.rs': UTIL_LIB,
    }, dir);
    lockOffline(dir);
    removeImage(TAG);
    const result = buildImage(dir, { tag: TAG });
    assertBuildSucceeded(result);
    const ran = runImage(TAG);
    expect(ran.stdout).toContain('hello from the util member');
    expect(ran.code).toBe(3);
    removeImage(TAG);
  });
});
