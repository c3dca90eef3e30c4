/**
 * Process helpers and the on-disk cache used by the image-test infrastructure (test-only).
 *
 * Everything lives under `${XDG_CACHE_HOME:-$HOME/.cache}/projen-rust-operator/` (override with
 * `PRO_IMAGE_CACHE_DIR`), so a second run reuses the stand-in images and the layer cache.
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Result of a finished command. `code` is the exit status, or 128+signal when it was killed. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface RunOptions {
  readonly cwd?: string;
  /** Full environment (NOT merged); defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Milliseconds; the process is killed (SIGKILL) after it. Default 10 minutes. */
  readonly timeoutMs?: number;
  /** Text written to the command's stdin. */
  readonly input?: string;
}

const MAX_BUFFER = 512 * 1024 * 1024;

/** Root of the cache (created on demand). */
export function cacheRoot(): string {
  const explicit = process.env.PRO_IMAGE_CACHE_DIR;
  const base = explicit && explicit.length > 0
    ? explicit
    : path.join(process.env.XDG_CACHE_HOME && process.env.XDG_CACHE_HOME.length > 0
      ? process.env.XDG_CACHE_HOME
      : path.join(os.homedir(), '.cache'), 'projen-rust-operator');
  fs.mkdirSync(base, { recursive: true });
  return base;
}

/** A sub-directory of the cache (created on demand). */
export function cachePath(...parts: string[]): string {
  const p = path.join(cacheRoot(), ...parts);
  fs.mkdirSync(p, { recursive: true });
  return p;
}

/** Last `lines` lines of `text` (for error messages). */
export function tail(text: string, lines = 60): string {
  const all = text.replace(/\s+$/, '').split('\n');
  const cut = all.length > lines ? [`... (${all.length - lines} earlier lines omitted)`, ...all.slice(-lines)] : all;
  return cut.join('\n');
}

/** Shell-style quoting, for error messages only. */
export function quoteCommand(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, '\'\\\'\'')}'`)).join(' ');
}

/** Error thrown when a command fails; the message names the command and the tail of its output. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: CommandResult,
    context?: string,
  ) {
    super([
      `${context ? context + ': ' : ''}command failed with exit code ${result.code} after ${Math.round(result.durationMs / 1000)}s:`,
      `  ${command}`,
      result.stdout.trim() ? `--- stdout (tail) ---\n${tail(result.stdout)}` : '--- stdout: (empty) ---',
      result.stderr.trim() ? `--- stderr (tail) ---\n${tail(result.stderr)}` : '--- stderr: (empty) ---',
    ].join('\n'));
    this.name = 'CommandError';
  }
}

/** Runs a command and captures stdout/stderr separately. Never throws for a non-zero exit. */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): CommandResult {
  const start = Date.now();
  const spawnOptions: SpawnSyncOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: MAX_BUFFER,
    timeout: options.timeoutMs ?? 10 * 60_000,
    killSignal: 'SIGKILL',
    input: options.input,
    stdio: [options.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  };
  const r = spawnSync(cmd, args as string[], spawnOptions);
  const durationMs = Date.now() - start;
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return { code: 127, stdout: '', stderr: `${cmd}: command not found (${r.error.message})`, durationMs };
  }
  const stdout = String(r.stdout ?? '');
  let stderr = String(r.stderr ?? '');
  if (r.error) {
    stderr += `\n[${cmd}: ${r.error.message}${r.signal ? `, killed by ${r.signal}` : ''}]`;
  }
  const code = r.status ?? (r.signal ? 128 + (os.constants.signals[r.signal] ?? 0) : 1);
  return { code, stdout, stderr, durationMs };
}

/** Like {@link run} but throws a {@link CommandError} on a non-zero exit. */
export function runOrThrow(cmd: string, args: readonly string[], options: RunOptions = {}, context?: string): CommandResult {
  const r = run(cmd, args, options);
  if (r.code !== 0) {
    throw new CommandError(quoteCommand(cmd, args), r, context);
  }
  return r;
}

/**
 * Runs a command with stdout AND stderr sent to one log file (so the combined output keeps its
 * order), returning the log text as `stdout` (and `stderr` empty). With `PRO_IMAGE_VERBOSE=1`
 * the output is also streamed to this process's stderr (through `tee`).
 */
export function runLogged(cmd: string, args: readonly string[], logFile: string, options: RunOptions = {}): CommandResult {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const start = Date.now();
  const verbose = process.env.PRO_IMAGE_VERBOSE === '1';
  let r;
  if (verbose) {
    // bash for pipefail; tee -a so the file keeps everything.
    fs.writeFileSync(logFile, '');
    r = spawnSync('bash', ['-o', 'pipefail', '-c', '"$@" 2>&1 | tee -a "$PRO_LOG_FILE" >&2', 'bash', cmd, ...args], {
      cwd: options.cwd,
      env: { ...(options.env ?? process.env), PRO_LOG_FILE: logFile },
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: options.timeoutMs ?? 60 * 60_000,
      killSignal: 'SIGKILL',
    });
  } else {
    const fd = fs.openSync(logFile, 'w');
    try {
      r = spawnSync(cmd, args as string[], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', fd, fd],
        timeout: options.timeoutMs ?? 60 * 60_000,
        killSignal: 'SIGKILL',
      });
    } finally {
      fs.closeSync(fd);
    }
  }
  const durationMs = Date.now() - start;
  let output = fs.readFileSync(logFile, 'utf8');
  if (r.error) {
    output += `\n[${cmd}: ${r.error.message}${r.signal ? `, killed by ${r.signal}` : ''}]`;
  }
  const code = r.status ?? (r.signal ? 128 + (os.constants.signals[r.signal] ?? 0) : 1);
  return { code, stdout: output, stderr: '', durationMs };
}

/** Writes a progress line to stderr (not through jest's console capture). */
export function progress(message: string): void {
  process.stderr.write(`[image-support ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding an exclusive lock (a directory under the cache), so parallel jest workers do
 * not build the same stand-in twice. A lock whose owner process is gone is taken over.
 */
export function withCacheLock<T>(name: string, fn: () => T, waitMs = 60 * 60_000): T {
  const lockDir = path.join(cachePath('locks'), name);
  const ownerFile = path.join(lockDir, 'owner');
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(ownerFile, String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(ownerFile, 'utf8'));
      } catch {
        // owner file not written yet
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !pidAlive(owner)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (owner === process.pid) {
        // re-entrant use from the same process (e.g. nested helpers)
        return fn();
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for lock ${lockDir} held by pid ${owner}`);
      }
      if (!announced) {
        progress(`waiting for lock ${name} (held by pid ${owner})`);
        announced = true;
      }
      sleepMs(500);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Bytes used by a directory tree (`du -sb`), or 0 when it does not exist. */
export function diskUsageBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  const r = run('du', ['-sb', dir]);
  const n = Number(r.stdout.split(/\s+/)[0]);
  return Number.isFinite(n) ? n : 0;
}
