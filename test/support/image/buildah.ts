/**
 * Real image builds with Debian's buildah (1.28), test-only.
 *
 * Every buildah call uses one private store in the cache (`--root/--runroot`, `--storage-driver
 * vfs` (or `overlay` with PRO_IMAGE_STORAGE_DRIVER=overlay: same results, much faster, far less
 * disk; each driver has its own store), and a storage.conf pointed to by CONTAINERS_STORAGE_CONF), `TMPDIR` in the cache (so
 * `RUN --mount=type=cache` directories persist there) and runs in a private mount namespace where
 * `/var/lib` is overlaid by a throw-away tmpfs: buildah 1.28 `commit`/`bud` otherwise write
 * their blob-info cache to /var/lib/containers/cache whatever `--root` says.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  cachePath, cacheRoot, CommandError, CommandResult, progress, quoteCommand, run, runLogged, RunOptions, tail,
} from './exec';

export type StorageDriver = 'vfs' | 'overlay';

/** The storage driver in use: `vfs` unless PRO_IMAGE_STORAGE_DRIVER=overlay. */
export function storageDriver(): StorageDriver {
  const d = process.env.PRO_IMAGE_STORAGE_DRIVER || 'vfs';
  if (d !== 'vfs' && d !== 'overlay') throw new Error(`PRO_IMAGE_STORAGE_DRIVER must be vfs or overlay, got ${d}`);
  return d;
}

export interface BuildahStore {
  readonly driver: StorageDriver;
  readonly root: string;
  readonly runroot: string;
  readonly tmpdir: string;
  readonly storageConf: string;
}

let storeCache: BuildahStore | undefined;

/** The private buildah store under the cache (created on demand). */
export function buildahStore(): BuildahStore {
  const driver = storageDriver();
  if (storeCache && storeCache.driver === driver && fs.existsSync(storeCache.storageConf)) return storeCache;
  const suffix = driver === 'vfs' ? '' : `-${driver}`;
  const root = cachePath('buildah', `root${suffix}`);
  const runroot = cachePath('buildah', `runroot${suffix}`);
  const tmpdir = cachePath('buildah', 'tmp');
  const storageConf = path.join(cacheRoot(), 'buildah', `storage${suffix}.conf`);
  const text = [
    '# Written by test/support/image (projen-rust-operator image tests).',
    '[storage]',
    `driver = "${driver}"`,
    `graphroot = "${root}"`,
    `runroot = "${runroot}"`,
    '',
  ].join('\n');
  if (!fs.existsSync(storageConf) || fs.readFileSync(storageConf, 'utf8') !== text) {
    fs.writeFileSync(storageConf, text);
  }
  storeCache = { driver, root, runroot, tmpdir, storageConf };
  return storeCache;
}

/** Environment for buildah (and everything that reaches its storage). */
export function buildahEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const s = buildahStore();
  return {
    ...process.env,
    CONTAINERS_STORAGE_CONF: s.storageConf,
    TMPDIR: s.tmpdir,
    BUILDAH_ISOLATION: 'chroot',
    ...extra,
  };
}

const NAMESPACE_SCRIPT = [
  'set -e',
  'd="$PRO_IMAGE_NS_DIR"',
  'mount -t tmpfs -o mode=0700,size=64m pro-image-ns "$d"',
  'mkdir "$d/upper" "$d/work"',
  'mount -t overlay pro-image-varlib -o "lowerdir=/var/lib,upperdir=$d/upper,workdir=$d/work" /var/lib',
  'exec "$@"',
].join('\n');

let namespaceMode: 'unshare' | 'plain' | undefined;

function nsDir(): string {
  return cachePath('buildah', 'ns-mountpoint');
}

function detectNamespaceMode(): 'unshare' | 'plain' {
  if (namespaceMode) return namespaceMode;
  const r = run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', NAMESPACE_SCRIPT, 'sh', 'true'], {
    env: { ...process.env, PRO_IMAGE_NS_DIR: nsDir() },
    timeoutMs: 30_000,
  });
  if (r.code === 0) {
    namespaceMode = 'unshare';
  } else {
    namespaceMode = 'plain';
    progress('WARNING: cannot run buildah in a private mount namespace (unshare + overlay on /var/lib failed: '
      + `${tail(r.stderr, 3)}); buildah will write its blob-info cache to /var/lib/containers/cache`);
  }
  return namespaceMode;
}

/** Global buildah flags selecting the private store. */
export function buildahGlobalArgs(): string[] {
  const s = buildahStore();
  return ['--root', s.root, '--runroot', s.runroot, '--storage-driver', s.driver];
}

/** The command line that runs `argv` inside the private mount namespace (or as is, see above). */
function inNamespace(argv: readonly string[]): { cmd: string; args: string[] } {
  if (detectNamespaceMode() === 'unshare') {
    return {
      cmd: 'unshare',
      args: ['--mount', '--propagation', 'private', 'sh', '-c', NAMESPACE_SCRIPT, 'sh', ...argv],
    };
  }
  return { cmd: argv[0], args: argv.slice(1) };
}

/** The command line that runs `buildah <args>` against the private store. */
export function buildahCommand(args: readonly string[]): { cmd: string; args: string[] } {
  return inNamespace(['buildah', ...buildahGlobalArgs(), ...args]);
}

function envWithNs(options: RunOptions): NodeJS.ProcessEnv {
  return { ...buildahEnv(), ...(options.env ?? {}), PRO_IMAGE_NS_DIR: nsDir() };
}

/** Runs buildah with the private store; never throws for a non-zero exit. `options.env` is ADDED to the buildah environment. */
export function buildah(args: readonly string[], options: RunOptions = {}): CommandResult {
  const c = buildahCommand(args);
  return run(c.cmd, c.args, { ...options, env: envWithNs(options) });
}

/** Runs buildah with the private store and throws a clear error (command + output tail) on failure. */
export function buildahOrThrow(args: readonly string[], options: RunOptions = {}, context?: string): CommandResult {
  const r = buildah(args, options);
  if (r.code !== 0) {
    throw new CommandError(quoteCommand('buildah', args), r, context);
  }
  return r;
}

/** Like {@link buildah} with combined output written to `logFile` (returned as `stdout`). */
export function buildahLogged(args: readonly string[], logFile: string, options: RunOptions = {}): CommandResult {
  const c = buildahCommand(args);
  return runLogged(c.cmd, c.args, logFile, { ...options, env: envWithNs(options) });
}

export interface BuildahAvailability {
  readonly ok: boolean;
  /** Why image tests cannot run (empty when ok). */
  readonly reason: string;
  readonly version?: string;
}

let availability: BuildahAvailability | undefined;

/**
 * Whether real image builds can run here: buildah, unshare and debootstrap on PATH and running as
 * root (vfs + chroot isolation as non-root would need a user namespace setup we do not do).
 */
export function hasBuildah(): BuildahAvailability {
  if (availability) return availability;
  const problems: string[] = [];
  const v = run('buildah', ['--version'], { timeoutMs: 30_000 });
  if (v.code !== 0) problems.push(`buildah not usable (${tail(v.stderr, 2) || `exit ${v.code}`}); install with: apt-get install -y buildah`);
  for (const tool of ['unshare', 'debootstrap', 'tar', 'git']) {
    const w = run('sh', ['-c', `command -v ${tool}`]);
    if (w.code !== 0) problems.push(`${tool} not found on PATH${tool === 'debootstrap' ? ' (apt-get install -y debootstrap)' : ''}`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    problems.push(`image tests need root (uid is ${process.getuid()})`);
  }
  availability = {
    ok: problems.length === 0,
    reason: problems.join('; '),
    version: v.code === 0 ? v.stdout.trim() : undefined,
  };
  return availability;
}

/** Fully-qualified form of an image reference as buildah stores it (`debian:x` → `docker.io/library/debian:x`). */
export function qualifyImageName(name: string): string {
  let ref = name;
  const slash = ref.indexOf('/');
  const first = slash >= 0 ? ref.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) {
    ref = slash >= 0 ? `docker.io/${ref}` : `docker.io/library/${ref}`;
  }
  const lastSlash = ref.lastIndexOf('/');
  if (!ref.slice(lastSlash + 1).includes(':') && !ref.includes('@')) ref += ':latest';
  return ref;
}

// ---------------------------------------------------------------------------------------------
// build

export interface BuildImageOptions {
  /** Tag of the result, e.g. `localhost/my-operator:test`. */
  readonly tag: string;
  /** Dockerfile path; relative paths are resolved against `contextDir`. Default `<context>/Dockerfile`. */
  readonly dockerfile?: string;
  /** Build secrets, `{ git_token: '/path/to/file' }` → `--secret id=git_token,src=/path/to/file`. */
  readonly secrets?: Readonly<Record<string, string>>;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Use (and fill) the layer cache. Default true. */
  readonly layers?: boolean;
  /** Ignore existing cached layers (`--no-cache`). */
  readonly noCache?: boolean;
  /** `--target <stage>`. */
  readonly target?: string;
  /** Image format: `docker` (default, like `docker build`: keeps HEALTHCHECK/SHELL) or `oci`. */
  readonly format?: 'docker' | 'oci';
  /** Milliseconds. Default 45 minutes. */
  readonly timeoutMs?: number;
  /** Where the combined output is written. Default: a file under the cache's `logs/`. */
  readonly logFile?: string;
}

export interface BuildImageResult {
  readonly code: number;
  /** Combined stdout+stderr of `buildah bud`, in order. */
  readonly output: string;
  readonly durationMs: number;
  readonly logFile: string;
  /** The exact command, for messages. */
  readonly command: string;
  /** Image ID when the build succeeded. */
  readonly imageId?: string;
  /** Short (11-hex) IDs of every image the build committed or reused (`--> <id>` lines: intermediate layers and stage results). */
  readonly stepImageIds: string[];
}

/**
 * `buildah bud --isolation chroot --pull-never --layers ...` against the private store. Never
 * throws for a failed build: check `code` (and use {@link assertBuildSucceeded} for a clear
 * message). Base images must already exist locally (see `ensureStandInImages`).
 */
export function buildImage(contextDir: string, options: BuildImageOptions): BuildImageResult {
  const ctx = path.resolve(contextDir);
  const dockerfile = options.dockerfile
    ? path.resolve(ctx, options.dockerfile)
    : path.join(ctx, 'Dockerfile');
  if (!fs.existsSync(dockerfile)) {
    throw new Error(`buildImage: Dockerfile not found: ${dockerfile}`);
  }
  const args = [
    'bud',
    '--isolation', 'chroot',
    '--pull-never',
    `--layers=${options.layers === false ? 'false' : 'true'}`,
    '--format', options.format ?? 'docker',
    '-f', dockerfile,
    '-t', options.tag,
  ];
  if (options.noCache) args.push('--no-cache');
  if (options.target) args.push('--target', options.target);
  for (const [id, src] of Object.entries(options.secrets ?? {})) {
    const abs = path.resolve(src);
    if (!fs.existsSync(abs)) throw new Error(`buildImage: secret ${id}: file not found: ${abs}`);
    args.push('--secret', `id=${id},src=${abs}`);
  }
  for (const [k, v] of Object.entries(options.buildArgs ?? {})) {
    args.push('--build-arg', `${k}=${v}`);
  }
  args.push(ctx);
  const safeTag = options.tag.replace(/[^\w.-]+/g, '_');
  const logFile = options.logFile
    ?? path.join(cachePath('logs'), `build-${safeTag}-${Date.now()}-${crypto.randomBytes(3).toString('hex')}.log`);
  const command = quoteCommand('buildah', args);
  pruneOldLogs();
  progress(`buildImage ${options.tag}: ${command}\n    log: ${logFile}`);
  const r = buildahLogged(args, logFile, { timeoutMs: options.timeoutMs ?? 45 * 60_000 });
  progress(`buildImage ${options.tag}: exit ${r.code} after ${(r.durationMs / 1000).toFixed(1)}s`);
  let imageId: string | undefined;
  if (r.code === 0) {
    const lines = r.stdout.trim().split('\n');
    const last = lines[lines.length - 1]?.trim() ?? '';
    imageId = /^[0-9a-f]{64}$/.test(last) ? last : undefined;
  }
  const stepImageIds = [...new Set([...r.stdout.matchAll(/^--> (?:Using cache )?([0-9a-f]{11,64})$/gm)].map((m) => m[1].slice(0, 11)))];
  return { code: r.code, output: r.stdout, durationMs: r.durationMs, logFile, command, imageId, stepImageIds };
}

/** Keeps the newest 100 build logs. */
function pruneOldLogs(): void {
  const dir = cachePath('logs');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.log'))
    .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(100)) fs.rmSync(path.join(dir, f), { force: true });
}

/** Throws with the command and the output tail when a build failed. */
export function assertBuildSucceeded(result: BuildImageResult): void {
  if (result.code !== 0) {
    throw new Error([
      `image build failed with exit code ${result.code} after ${Math.round(result.durationMs / 1000)}s:`,
      `  ${result.command}`,
      `  full log: ${result.logFile}`,
      '--- output (tail) ---',
      tail(result.output, 80),
    ].join('\n'));
  }
}

/** One `STEP n/m: ...` of a build log and whether buildah reused a cached layer for it. */
export interface BuildStep {
  /** e.g. `[1/2] STEP 5/9` or `STEP 2/4`. */
  readonly label: string;
  /** The instruction as buildah printed it, e.g. `RUN cargo build --release`. */
  readonly instruction: string;
  /** True when buildah printed `--> Using cache <id>` for this step. */
  readonly cached: boolean;
  /** Output lines printed for this step (after the STEP line, before the next one). */
  readonly output: string;
}

/** Splits a buildah build log into steps (buildah 1.28 format). */
export function parseBuildSteps(output: string): BuildStep[] {
  const steps: { label: string; instruction: string; lines: string[] }[] = [];
  for (const line of output.split('\n')) {
    const m = /^((?:\[\d+\/\d+\] )?STEP \d+\/\d+): (.*)$/.exec(line);
    if (m) {
      steps.push({ label: m[1], instruction: m[2], lines: [] });
    } else if (steps.length > 0) {
      steps[steps.length - 1].lines.push(line);
    }
  }
  return steps.map((s) => ({
    label: s.label,
    instruction: s.instruction,
    cached: s.lines.some((l) => /^--> Using cache [0-9a-f]+/.test(l)),
    output: s.lines.join('\n'),
  }));
}

// ---------------------------------------------------------------------------------------------
// inspect

export interface ImageHistoryEntry {
  readonly created?: string;
  /** The instruction that made the layer (e.g. `/bin/sh -c cargo build --release`). */
  readonly createdBy: string;
  readonly comment?: string;
  readonly emptyLayer: boolean;
}

export interface ImageInfo {
  /** Full image ID (sha256 hex, no prefix). */
  readonly id: string;
  /** The name it was inspected by, as buildah resolved it (e.g. `localhost/x:latest`). */
  readonly name: string;
  /** `USER` (empty string when unset, i.e. root). */
  readonly user: string;
  readonly entrypoint: string[];
  readonly cmd: string[];
  /** Environment as a map (`PATH`, `LD_PRELOAD`, ...). */
  readonly env: Record<string, string>;
  /** `WORKDIR` (empty string when unset). */
  readonly workingDir: string;
  readonly labels: Record<string, string>;
  readonly exposedPorts: string[];
  readonly stopSignal?: string;
  readonly history: ImageHistoryEntry[];
  /** Parsed `buildah inspect --type image` output, for anything else. */
  readonly raw: any;
}

function envListToMap(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of list ?? []) {
    const i = e.indexOf('=');
    if (i < 0) out[e] = '';
    else out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

/** Whether a local image with this name exists. */
export function imageExists(tag: string): boolean {
  return buildah(['inspect', '--type', 'image', '--format', '{{.FromImageID}}', tag], { timeoutMs: 60_000 }).code === 0;
}

/** Parsed config and history of a local image (`buildah inspect --type image`). */
export function inspectImage(tag: string): ImageInfo {
  const r = buildahOrThrow(['inspect', '--type', 'image', tag], { timeoutMs: 60_000 }, `inspectImage(${tag})`);
  const raw = JSON.parse(r.stdout);
  const oci = raw.OCIv1 ?? {};
  const cfg = oci.config ?? {};
  return {
    id: raw.FromImageID ?? '',
    name: raw.FromImage ?? '',
    user: cfg.User ?? '',
    entrypoint: cfg.Entrypoint ?? [],
    cmd: cfg.Cmd ?? [],
    env: envListToMap(cfg.Env),
    workingDir: cfg.WorkingDir ?? '',
    labels: cfg.Labels ?? {},
    exposedPorts: Object.keys(cfg.ExposedPorts ?? {}),
    stopSignal: cfg.StopSignal,
    history: ((oci.history ?? []) as any[]).map((h) => ({
      created: h.created,
      createdBy: h.created_by ?? '',
      comment: h.comment,
      emptyLayer: h.empty_layer === true,
    })),
    raw,
  };
}

/**
 * Size of an image as `docker images` reports it: the sum of its uncompressed layer sizes (bytes),
 * read from the manifest buildah stores (layers are kept uncompressed in containers-storage).
 */
export function imageSizeBytes(tag: string): number {
  const r = buildahOrThrow(['inspect', '--type', 'image', '--format', '{{.Manifest}}', tag], { timeoutMs: 60_000 }, `imageSizeBytes(${tag})`);
  const manifest = JSON.parse(r.stdout);
  const layers: { size?: number }[] = manifest.layers ?? [];
  if (layers.length === 0) throw new Error(`imageSizeBytes(${tag}): manifest lists no layers:\n${tail(r.stdout, 20)}`);
  return layers.reduce((sum, l) => sum + (l.size ?? 0), 0);
}

/** Local images of the private store: `{ id, names }`. */
export function listImages(): { id: string; names: string[] }[] {
  const r = buildahOrThrow(['images', '--all', '--json'], { timeoutMs: 60_000 }, 'listImages');
  const text = r.stdout.trim();
  if (!text || text === 'null') return [];
  return (JSON.parse(text) as any[]).map((i) => ({ id: String(i.id), names: (i.names ?? []) as string[] }));
}

// ---------------------------------------------------------------------------------------------
// run

export interface RunImageOptions {
  /** Replaces the image's CMD (like `docker run IMAGE args...`). */
  readonly args?: readonly string[];
  /** Extra/overriding environment (like `docker run -e`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Replaces the ENTRYPOINT (like `docker run --entrypoint`, which also drops CMD). */
  readonly entrypoint?: readonly string[];
  /** Overrides the configured USER (like `docker run --user`). */
  readonly user?: string;
  /** Overrides WORKDIR. */
  readonly workingDir?: string;
  /** Milliseconds. Default 2 minutes. */
  readonly timeoutMs?: number;
  /**
   * Capture stdout/stderr through files in a bind-mounted directory, via `/bin/sh -c 'exec "$@"
   * >file 2>file'` inside the container (default true). buildah 1.28 `run` loses the whole
   * stdout of a short-lived process about once in 200-400 runs when it relays it itself; the
   * files do not. Set false for an image without /bin/sh (then output may rarely be lost).
   */
  readonly captureViaFiles?: boolean;
}

export interface RunImageResult {
  /** Exit code of the process (buildah run passes it through; 125 etc. are buildah's own failures). */
  readonly code: number;
  readonly stdout: string;
  /** The process's stderr, without the lines buildah appends for a non-zero exit. */
  readonly stderr: string;
  /** stderr as buildah printed it (for a non-zero exit buildah 1.28 appends `subprocess exited with status N` twice and `Error: exit status N`). */
  readonly rawStderr: string;
  /** The argv that ran inside the container (without the capture wrapper). */
  readonly argv: string[];
  /** How many times buildah failed before starting the process and was retried (see runImage). */
  readonly retries: number;
}

/** Where runImage mounts its capture directory inside the container. */
const RUN_IO_DIR = '/.pro-run-io';

/** Drops the trailer buildah 1.28 `run` appends to stderr when the process exits non-zero. */
export function stripBuildahRunTrailer(stderr: string, code: number): string {
  if (code === 0) return stderr;
  const lines = stderr.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const trailer = [`subprocess exited with status ${code}`, `Error: exit status ${code}`];
  while (lines.length > 0 && trailer.includes(lines[lines.length - 1])) lines.pop();
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/**
 * Runs an image the way `docker run` would: ENTRYPOINT + (args ?? CMD), as the image's USER, in
 * its WORKDIR, with its ENV plus `env` overrides. Uses `buildah from` + `buildah run --isolation
 * chroot` (podman run fails here) and removes the working container afterwards.
 *
 * buildah 1.28 `run` applies the container's configured user, environment and working directory
 * by itself (verified by the self-test), but NOT the entrypoint/cmd (it requires an explicit
 * command), so the argv is composed here from the inspected config; the configured user is also
 * passed explicitly with `--user`. See `captureViaFiles` for how output is captured.
 */
export function runImage(tag: string, options: RunImageOptions = {}): RunImageResult {
  const info = inspectImage(tag);
  const entrypoint = options.entrypoint ? [...options.entrypoint] : info.entrypoint;
  const cmd = options.args ? [...options.args] : options.entrypoint ? [] : info.cmd;
  const argv = [...entrypoint, ...cmd];
  if (argv.length === 0) {
    throw new Error(`runImage(${tag}): the image has no ENTRYPOINT/CMD and no entrypoint/args were given`);
  }
  const viaFiles = options.captureViaFiles !== false;
  const name = `pro-run-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const ioDir = viaFiles ? fs.mkdtempSync(path.join(cachePath('run-io'), 'run-')) : '';
  if (viaFiles) fs.chmodSync(ioDir, 0o777); // the image's USER writes here
  buildahOrThrow(['from', '--pull-never', '--name', name, tag], { timeoutMs: 5 * 60_000 }, `runImage(${tag}): creating working container`);
  try {
    const args = ['run', '--isolation', 'chroot'];
    const user = options.user ?? info.user;
    if (user) args.push('--user', user);
    if (options.workingDir) args.push('--workingdir', options.workingDir);
    for (const [k, v] of Object.entries(options.env ?? {})) args.push('--env', `${k}=${v}`);
    if (viaFiles) {
      args.push('--volume', `${ioDir}:${RUN_IO_DIR}`, name, '--',
        '/bin/sh', '-c', `exec "$@" >${RUN_IO_DIR}/stdout 2>${RUN_IO_DIR}/stderr`, 'sh', ...argv);
    } else {
      args.push(name, '--', ...argv);
    }
    const outFile = path.join(ioDir, 'stdout');
    const errFile = path.join(ioDir, 'stderr');
    for (let attempt = 0; ; attempt++) {
      if (viaFiles) {
        fs.rmSync(outFile, { force: true });
        fs.rmSync(errFile, { force: true });
      }
      const r = buildah(args, { timeoutMs: options.timeoutMs ?? 2 * 60_000 });
      // The wrapper creates both files before exec'ing the command: when they are missing, the
      // command never started (e.g. buildah 1.28's transient "Close_Fd sealing memfd copy: Device
      // or resource busy"), so running it again is safe.
      const started = viaFiles ? fs.existsSync(outFile) : !/Close_Fd sealing memfd copy/.test(r.stderr);
      if (!started && attempt < 3) {
        progress(`runImage(${tag}): buildah run did not start the process (exit ${r.code}: ${tail(r.stderr, 2)}); retrying`);
        continue;
      }
      if (!started) {
        const hint = viaFiles ? ' (an image without /bin/sh needs captureViaFiles: false)' : '';
        throw new CommandError(quoteCommand('buildah', args), r, `runImage(${tag}): the process never started (4 attempts)${hint}`);
      }
      const stdout = viaFiles ? fs.readFileSync(outFile, 'utf8') : r.stdout;
      const rawStderr = viaFiles ? fs.readFileSync(errFile, 'utf8') + r.stderr : r.stderr;
      return { code: r.code, stdout, stderr: stripBuildahRunTrailer(rawStderr, r.code), rawStderr, argv, retries: attempt };
    }
  } finally {
    const rm = buildah(['rm', name], { timeoutMs: 5 * 60_000 });
    if (rm.code !== 0) progress(`WARNING: could not remove working container ${name}: ${tail(rm.stderr, 3)}`);
    if (viaFiles) fs.rmSync(ioDir, { recursive: true, force: true });
  }
}

/**
 * Runs a shell script with the root filesystem of a temporary working container of `tag` as the
 * current directory (in the same mount namespace as the mount, so it works with both drivers),
 * then removes the container. The script runs on the HOST, as root, not inside the image.
 */
export function runInImageRootfs(tag: string, script: string, options: RunOptions = {}): CommandResult {
  const name = `pro-fs-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  buildahOrThrow(['from', '--pull-never', '--name', name, tag], { timeoutMs: 5 * 60_000 }, `runInImageRootfs(${tag})`);
  try {
    const wrapper = 'mnt="$(buildah "$@" mount "$PRO_CTR")" && cd "$mnt" && exec sh -c "$PRO_SCRIPT"';
    const c = inNamespace(['sh', '-c', wrapper, 'sh', ...buildahGlobalArgs()]);
    return run(c.cmd, c.args, {
      ...options,
      env: { ...envWithNs(options), PRO_CTR: name, PRO_SCRIPT: script },
      timeoutMs: options.timeoutMs ?? 10 * 60_000,
    });
  } finally {
    buildah(['umount', name], { timeoutMs: 60_000 });
    buildah(['rm', name], { timeoutMs: 5 * 60_000 });
  }
}

/** Content of a file of the image (`path` inside the image), or undefined when it does not exist. */
export function readImageFile(tag: string, filePath: string): string | undefined {
  const rel = '.' + path.posix.resolve('/', filePath);
  const r = runInImageRootfs(tag, 'if [ -f "$PRO_FILE" ]; then cat "$PRO_FILE"; else exit 3; fi', { env: { PRO_FILE: rel } });
  if (r.code === 3) return undefined;
  if (r.code !== 0) throw new CommandError(`readImageFile(${tag}, ${filePath})`, r);
  return r.stdout;
}

/**
 * Files of the image (paths inside it) whose content contains `needle` (fixed string), searching
 * the whole filesystem except /proc, /sys and /dev. For "no secret in the image" checks.
 */
export function findInImageFiles(tag: string, needle: string): string[] {
  if (!needle) throw new Error('findInImageFiles: empty needle');
  const r = runInImageRootfs(tag, 'grep -rlF --no-messages --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev -e "$PRO_NEEDLE" .', {
    env: { PRO_NEEDLE: needle },
  });
  if (r.code > 1) throw new Error(`findInImageFiles(${tag}): grep failed (exit ${r.code}): ${tail(r.stderr, 5)}`);
  return r.stdout.split('\n').filter((l) => l).map((l) => l.replace(/^\./, ''));
}

// ---------------------------------------------------------------------------------------------
// cleanup

/** Removes the name `tag` (`buildah rmi`); the image itself goes when no name is left. Returns false when it did not exist. */
export function removeImage(tag: string): boolean {
  const r = buildah(['rmi', tag], { timeoutMs: 5 * 60_000 });
  if (r.code === 0) return true;
  if (/image not known|not found|no such image/i.test(r.stderr)) return false;
  throw new CommandError(quoteCommand('buildah', ['rmi', tag]), r, 'removeImage');
}

/**
 * Removes the images a build made that no other build in `keep` uses (its tag and its
 * intermediate layer images), to stop the private store from growing by a few GB (vfs stores
 * every layer as a full copy) per run. Returns the number of images removed.
 */
export function removeBuildImages(result: BuildImageResult, keep: readonly BuildImageResult[] = [], tag?: string): number {
  const kept = new Set(keep.flatMap((k) => [...k.stepImageIds, ...(k.imageId ? [k.imageId.slice(0, 11)] : [])]));
  let removed = 0;
  if (tag && !kept.has((result.imageId ?? '').slice(0, 11))) {
    if (removeImage(tag)) removed++;
  }
  // newest first: an image can only go once nothing built on it is left
  for (const id of [...result.stepImageIds].reverse()) {
    if (kept.has(id)) continue;
    const r = buildah(['rmi', id], { timeoutMs: 5 * 60_000 });
    if (r.code === 0) removed++;
  }
  return removed;
}

/** Removes working containers left by interrupted runs (`buildah rm --all`) in the private store. */
export function removeAllWorkingContainers(): void {
  buildahOrThrow(['rm', '--all'], { timeoutMs: 10 * 60_000 }, 'removeAllWorkingContainers');
}

/**
 * Removes untagged images, which INCLUDES the intermediate images of the layer cache
 * (`buildah rmi --prune`): the next build is cold again. Stand-in images (tagged) stay.
 */
export function pruneBuildCache(): void {
  buildahOrThrow(['rmi', '--prune'], { timeoutMs: 10 * 60_000 }, 'pruneBuildCache');
}
