/**
 * The runtime user and environment, observed in real images (issue #13): `platformUser` leaves
 * the user to the platform (no USER: root unless the runner says `--user`, as Tercen does), a
 * custom `runtimeUid` runs as that uid, and `runtimeEnvironment` reaches the process. Run by
 * `npm run test:image`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AllocatorMode, RustOperatorProjectOptions } from '../../src';
import {
  assertBuildSucceeded, buildImage, ensureStandInImages, hasBuildah, hostCargoOfflineEnv, inspectImage, removeImage, run, runImage,
} from '../support/image';
import { synthOperator, tempDir } from '../support/synth';

jest.setTimeout(60 * 60_000);

const availability = hasBuildah();
if (!availability.ok) {
  throw new Error(`real image builds cannot run here: ${availability.reason}`);
}

/** Prints what the process sees: its uid, gid and the two variables under test. */
const MAIN = [
  'fn main() {',
  '    let status = std::fs::read_to_string("/proc/self/status").unwrap();',
  '    for line in status.lines().filter(|l| l.starts_with("Uid:") || l.starts_with("Gid:")) {',
  '        println!("{}", line.split_whitespace().take(2).collect::<Vec<_>>().join(" "));',
  '    }',
  '    for name in ["RUST_BACKTRACE", "OPERATOR_MODE"] {',
  '        println!("{}={}", name, std::env::var(name).unwrap_or_default());',
  '    }',
  '}',
  '',
].join('\n');

const ENVIRONMENT = { RUST_BACKTRACE: '1', OPERATOR_MODE: 'batch' };

/** Builds an operator with these options (system allocator: the point here is the user). */
function build(tag: string, options: Partial<RustOperatorProjectOptions>): void {
  const dir = path.join(tempDir('pro-image-user-'), 'hello_operator');
  fs.mkdirSync(dir);
  synthOperator({ allocator: AllocatorMode.SYSTEM, runtimeEnvironment: ENVIRONMENT, ...options }, {
    'Cargo.toml': '[package]\nname = "hello_operator"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
    'src/main.rs': MAIN,
  }, dir);
  const lock = run('cargo', ['generate-lockfile', '--offline'], { cwd: dir, env: { ...process.env, ...hostCargoOfflineEnv().env } });
  if (lock.code !== 0) throw new Error(lock.stderr);
  removeImage(tag);
  assertBuildSucceeded(buildImage(dir, { tag }));
}

/** What the operator printed, as `{ Uid, Gid, RUST_BACKTRACE, OPERATOR_MODE }`. */
function observed(tag: string, user?: string): { [key: string]: string } {
  const result = runImage(tag, user ? { user } : {});
  expect(result.code).toBe(0);
  return Object.fromEntries(result.stdout.trim().split('\n').map((line) => {
    const match = /^(Uid|Gid):? (\S*)$/.exec(line) ?? /^([A-Z_]+)=(.*)$/.exec(line);
    return match ? [match[1], match[2]] : [line, ''];
  }));
}

beforeAll(() => ensureStandInImages());

describe('platformUser: the platform chooses the user', () => {
  const TAG = 'localhost/pro-e2e-platform-user:test';
  beforeAll(() => build(TAG, { platformUser: true }));
  afterAll(() => removeImage(TAG));

  test('the image sets no USER', () => {
    expect(inspectImage(TAG).user).toBe('');
  });

  test('without --user it runs as root; with Tercen\'s --user it runs as that user', () => {
    expect(observed(TAG)).toEqual({ Uid: '0', Gid: '0', ...ENVIRONMENT });
    expect(observed(TAG, '1000:1000')).toEqual({ Uid: '1000', Gid: '1000', ...ENVIRONMENT });
  });
});

describe('a custom runtimeUid, with an extra environment', () => {
  const TAG = 'localhost/pro-e2e-custom-uid:test';
  beforeAll(() => build(TAG, { dockerfileOptions: { runtimeUid: 4321 } }));
  afterAll(() => removeImage(TAG));

  test('the image runs as the configured uid and gid, and the process sees the environment', () => {
    expect(inspectImage(TAG).env).toMatchObject(ENVIRONMENT);
    expect(inspectImage(TAG).user).toBe('4321:4321');
    expect(observed(TAG)).toEqual({ Uid: '4321', Gid: '4321', ...ENVIRONMENT });
  });
});
