/**
 * The distroless runtime (`RuntimeBase.distroless()`) in a real build, from a stand-in
 * `gcr.io/distroless/cc-debian12` made the way distroless is (Debian packages unpacked with
 * dpkg-deb, no shell, no package manager; see test/support/image/distroless-standin.ts):
 * the operator runs, exits 1 without a task id, runs as the configured uid, has no shell
 * (unless `debug`), reaches the CA certificates, both jemallocs read their variables, and an
 * operator linking libcairo runs with `runtimePackages: ['libcairo2']` (and fails to BUILD,
 * naming the library, without it). Run by `npm run test:image` (the main jest config ignores
 * test/image).
 */
import * as fs from 'fs';
import * as path from 'path';
import { RuntimeBase } from '../../src';
import {
  assertBuildSucceeded, buildImage, ensureDistrolessStandIns, ensureStandInImages, hasBuildah, hostCargoOfflineEnv, inspectImage, jemallocOf,
  removeImage, run, runImage, RunImageOptions, runInImageRootfs, statsBlocks,
} from '../support/image';
import { synthOperator } from '../support/synth';

jest.setTimeout(60 * 60_000);

const availability = hasBuildah();
if (!availability.ok) {
  throw new Error(`real image builds cannot run here: ${availability.reason}`);
}

/** The same stand-ins as the other image tests (one rust stand-in per store). */
const STAND_INS = { extraImages: { 'tercen/rust-operator-base:latest': 'rust', 'tercen/runtime-base:latest': 'debian' } } as const;
const BINARY = '/usr/local/bin/hello_operator';
const TASK_OUTPUT = 'TERCEN_TASK_ID=t TERCEN_URI= TERCEN_TOKEN set=false\n';
/** An image without /bin/sh: runImage cannot capture through a shell wrapper. */
function runNoShell(tag: string, options: RunImageOptions = {}) {
  return runImage(tag, { ...options, captureViaFiles: false });
}

/** Lock file, then build; returns the build output. */
function lockAndBuild(dir: string, tag: string) {
  const lock = run('cargo', ['generate-lockfile', '--offline'], { cwd: dir, env: { ...process.env, ...hostCargoOfflineEnv().env } });
  if (lock.code !== 0) throw new Error(lock.stderr);
  return buildImage(dir, { tag });
}

/** Paths (inside the image) that exist, of those given. */
function existing(tag: string, paths: string[]): string[] {
  const r = runInImageRootfs(tag, paths.map((p) => `[ ! -e ".${p}" ] && [ ! -L ".${p}" ] || echo "${p}"`).join('\n'));
  return r.stdout.split('\n').filter((l) => l);
}

beforeAll(() => {
  ensureStandInImages(STAND_INS);
  ensureDistrolessStandIns();
});

describe('RuntimeBase.distroless() with the default allocator (linked and preloaded)', () => {
  const tag = 'localhost/pro-distroless-default:test';
  let imageEnv: Record<string, string>;

  beforeAll(() => {
    const dir = synthOperator({ runtimeBase: RuntimeBase.distroless() }).dir;
    const result = lockAndBuild(dir, tag);
    assertBuildSucceeded(result);
    imageEnv = inspectImage(tag).env;
  });

  afterAll(() => {
    removeImage(tag);
  });

  test('is built FROM the distroless base and runs as the numeric USER 1000:1000', () => {
    const info = inspectImage(tag);
    expect(info.user).toBe('1000:1000');
    expect(info.entrypoint).toEqual([BINARY]);
    expect(info.history.map((h) => h.createdBy).join('\n')).toContain('distroless cc-debian12 from dpkg-deb -x');
  });

  test('exits 1 with the missing-task-id message', () => {
    const result = runNoShell(tag);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TERCEN_TASK_ID is not set');
    expect(result.stderr).not.toContain('Invalid conf pair');
  });

  test('runs a task, with no complaint from either jemalloc', () => {
    const result = runNoShell(tag, { args: ['--taskId', 't'] });
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 0, stdout: TASK_OUTPUT, stderr: '' });
  });

  test('has no shell and no package manager', () => {
    expect(existing(tag, ['/bin/sh', '/bin/bash', '/usr/bin/sh', '/bin/dash', '/busybox/sh', '/usr/bin/apt-get', '/usr/bin/dpkg'])).toEqual([]);
    // the planted check: the same probe finds what is there
    expect(existing(tag, [BINARY, '/etc/passwd'])).toEqual([BINARY, '/etc/passwd']);
    const shell = runNoShell(tag, { entrypoint: ['/bin/sh', '-c', 'true'] });
    expect(shell.code).not.toBe(0);
  });

  test('has the CA certificates where SSL_CERT_FILE and OpenSSL look, readable by any uid', () => {
    expect(imageEnv.SSL_CERT_FILE).toBe('/etc/ssl/certs/ca-certificates.crt');
    const r = runInImageRootfs(tag, 'stat -L -c %a etc/ssl/certs/ca-certificates.crt && grep -c "BEGIN CERTIFICATE" etc/ssl/certs/ca-certificates.crt');
    const [mode, count] = r.stdout.trim().split('\n');
    // world-readable: the last octal digit (others) has the read bit
    expect(['4', '5', '6', '7']).toContain(mode[mode.length - 1]);
    expect(Number(count)).toBeGreaterThan(100);
  });

  test('the preloaded libjemalloc2 came from Debian\'s package, copied in; the base\'s own libraries were not', () => {
    const r = runInImageRootfs(tag, 'find usr/lib lib -name "libjemalloc.so.2*" 2>/dev/null; find usr/lib lib -name "libc.so.6" 2>/dev/null | wc -l');
    const lines = r.stdout.trim().split('\n');
    expect(lines.some((l) => /\/libjemalloc\.so\.2$/.test(l))).toBe(true);
    expect(lines[lines.length - 1]).toBe('1');
  });

  test('the linked tikv-jemallocator reads _RJEM_MALLOC_CONF, the preloaded libjemalloc2 reads MALLOC_CONF', () => {
    const linked = runNoShell(tag, { args: ['--taskId', 't'], env: { _RJEM_MALLOC_CONF: `${imageEnv._RJEM_MALLOC_CONF},stats_print:true` } });
    expect(linked.code).toBe(0);
    expect(statsBlocks(linked.stderr).map(jemallocOf)).toEqual(['linked']);
    const preloaded = runNoShell(tag, { args: ['--taskId', 't'], env: { MALLOC_CONF: `${imageEnv.MALLOC_CONF},stats_print:true` } });
    expect(preloaded.code).toBe(0);
    expect(statsBlocks(preloaded.stderr).map(jemallocOf)).toEqual(['preloaded']);
    const bad = runNoShell(tag, { args: ['--taskId', 't'], env: { _RJEM_MALLOC_CONF: 'pro_no_such_key:1' } });
    expect(bad.stderr).toContain('Invalid conf pair: pro_no_such_key:1');
  });
});

describe('RuntimeBase.distroless({ debug: true }), runtimeUid 4242, an operator linking libcairo', () => {
  const tag = 'localhost/pro-distroless-cairo:test';
  let dir: string;

  /** The sample operator, also calling cairo_version() from libcairo.so.2 at start. */
  function cairoOperator(runtimePackages: string[]): string {
    const d = synthOperator({
      runtimeBase: RuntimeBase.distroless({ debug: true }),
      builderPackages: ['libcairo2-dev'],
      runtimePackages,
      dockerfileOptions: { runtimeUid: 4242 },
    }).dir;
    const main = path.join(d, 'src/main.rs');
    const source = fs.readFileSync(main, 'utf-8');
    expect(source).toContain('fn main() -> ExitCode {\n');
    fs.writeFileSync(main, source.replace('fn main() -> ExitCode {\n',
      '#[link(name = "cairo")]\nextern "C" {\n    fn cairo_version() -> std::os::raw::c_int;\n}\n\n'
      + 'fn main() -> ExitCode {\n    eprintln!("cairo {}", unsafe { cairo_version() });\n'));
    return d;
  }

  beforeAll(() => {
    dir = cairoOperator(['libcairo2']);
    assertBuildSucceeded(lockAndBuild(dir, tag));
  });

  afterAll(() => {
    removeImage(tag);
  });

  test('runs as the configured uid 4242 (busybox id, as the image\'s USER)', () => {
    expect(inspectImage(tag).user).toBe('4242:4242');
    const id = runNoShell(tag, { entrypoint: ['/busybox/id', '-u'] });
    expect({ code: id.code, stdout: id.stdout.trim() }).toEqual({ code: 0, stdout: '4242' });
  });

  test('has the busybox shell of the debug variant, and that uid reads the CA certificates through it', () => {
    const r = runNoShell(tag, { entrypoint: ['/busybox/sh', '-c', 'grep -c "BEGIN CERTIFICATE" "$SSL_CERT_FILE"'] });
    expect(r.code).toBe(0);
    expect(Number(r.stdout.trim())).toBeGreaterThan(100);
  });

  test('the operator linking libcairo runs: libcairo2 and the libraries it needs were copied from Debian', () => {
    const result = runNoShell(tag, { args: ['--taskId', 't'] });
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: TASK_OUTPUT });
    // cairo 1.16 (bookworm) reports its version as 11600 + patch
    expect(result.stderr).toMatch(/^cairo 116\d\d$/m);
    const exit1 = runNoShell(tag);
    expect(exit1.code).toBe(1);
    expect(exit1.stderr).toContain('TERCEN_TASK_ID is not set');
  });

  test('the linked jemalloc reads _RJEM_MALLOC_CONF here too', () => {
    const result = runNoShell(tag, { args: ['--taskId', 't'], env: { _RJEM_MALLOC_CONF: 'stats_print:true' } });
    expect(statsBlocks(result.stderr).map(jemallocOf)).toEqual(['linked']);
  });

  test('without runtimePackages the BUILD fails, naming the missing library and runtimePackages', () => {
    const missing = cairoOperator([]);
    const result = lockAndBuild(missing, `${tag}-missing`);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/libcairo\.so\.2 => not found/);
    expect(result.output).toContain('Add the packages that do to runtimePackages.');
  });
});
