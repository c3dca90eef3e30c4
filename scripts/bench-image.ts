/**
 * `npm run bench:image`: prints numbers, asserts nothing. Builds a scaffolded operator's
 * Dockerfile (default allocator: the real tikv-jemallocator linked, libjemalloc2 preloaded) with
 * buildah from stand-in base images: a cold build (no layer cache), a warm rebuild after a change
 * in src/, and the size of the runtime image over its debian:bookworm-slim base; then the same
 * operator on `RuntimeBase.distroless()` (stand-in gcr.io/distroless/cc-debian12), side by side:
 * each image's total size and size over its base, and the distroless total projected onto the
 * real base's published size.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RuntimeBase } from '../src';
import {
  buildImage, DEBIAN_STANDIN, DISTROLESS_STANDIN, ensureDistrolessStandIns, ensureStandInImages, hostCargoOfflineEnv, imageSizeBytes,
  parseBuildSteps, removeImage, run, storageDriver,
} from '../test/support/image';
import { scaffoldOperator } from '../test/support/scaffold';
import { synthOperator, tempDir } from '../test/support/synth';

/**
 * Published size of gcr.io/distroless/cc (uncompressed, as `docker images` shows it): 21.2 MB in
 * github.com/grapl-security/grapl/pull/975; "~20MB" in github.com/johnthagen/min-sized-rust/pull/84
 * (2025). The larger figure is used.
 */
const PUBLISHED_DISTROLESS_CC_MB = 21.2;
const DISTROLESS_TAG = 'localhost/pro-bench-operator-distroless:latest';
ensureDistrolessStandIns();

const TAG = 'localhost/pro-bench-operator:latest';
ensureStandInImages({ extraImages: { 'tercen/rust-operator-base:latest': 'rust', 'tercen/runtime-base:latest': 'debian' } });
const dir = scaffoldOperator(tempDir('pro-bench-image-')).dir;
const lock = run('cargo', ['generate-lockfile', '--offline'], { cwd: dir, env: { ...process.env, ...hostCargoOfflineEnv().env } });
if (lock.code !== 0) throw new Error(lock.stderr);

function timedBuild(noCache: boolean): { durationMs: number; compiled: string[] } {
  const result = buildImage(dir, { tag: TAG, noCache });
  if (result.code !== 0) throw new Error(`build failed, see ${result.logFile}`);
  const compiled = parseBuildSteps(result.output).flatMap((step) => step.output.split('\n'))
    .map((line) => /^\s*Compiling (\S+)/.exec(line)?.[1]).filter((name): name is string => name !== undefined);
  return { durationMs: result.durationMs, compiled };
}

const cold = timedBuild(true);
const main = path.join(dir, 'src/main.rs');
fs.writeFileSync(main, fs.readFileSync(main, 'utf-8').replace('// The operator\'s work starts here.', `// The operator's work starts here (${Date.now()}).`));
const warm = timedBuild(false);
const size = imageSizeBytes(TAG);
const base = imageSizeBytes(DEBIAN_STANDIN);
removeImage(TAG);

// The same operator on the distroless runtime (the builder stage's layers are reused).
const distrolessDir = synthOperator({ runtimeBase: RuntimeBase.distroless() }).dir;
const distrolessLock = run('cargo', ['generate-lockfile', '--offline'], { cwd: distrolessDir, env: { ...process.env, ...hostCargoOfflineEnv().env } });
if (distrolessLock.code !== 0) throw new Error(distrolessLock.stderr);
const distrolessBuild = buildImage(distrolessDir, { tag: DISTROLESS_TAG });
if (distrolessBuild.code !== 0) throw new Error(`distroless build failed, see ${distrolessBuild.logFile}`);
const distroless = imageSizeBytes(DISTROLESS_TAG);
const distrolessBase = imageSizeBytes(DISTROLESS_STANDIN);
removeImage(DISTROLESS_TAG);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

const rows: [string, string][] = [
  ['storage driver', storageDriver()],
  ['cold build (no layer cache)', `${(cold.durationMs / 1000).toFixed(1)} s, compiles ${cold.compiled.join(', ')}`],
  ['warm rebuild after a change in src/', `${(warm.durationMs / 1000).toFixed(1)} s, compiles ${warm.compiled.join(', ')}`],
  ['warm / cold', `${(warm.durationMs / cold.durationMs).toFixed(2)}`],
  ['debian-slim image: total', `${mb(size)} (seed target: < 150 MB)`],
  ['debian-slim image: over its base', `${mb(size - base)} over the debian:bookworm-slim stand-in (${mb(base)}; target: within base + 15 MB)`],
  ['distroless image: total', `${mb(distroless)} on the stand-in base`],
  ['distroless image: over its base', `${mb(distroless - distrolessBase)} over the gcr.io/distroless/cc-debian12 stand-in (${mb(distrolessBase)})`],
  ['distroless on the real base', `${mb(distroless - distrolessBase + PUBLISHED_DISTROLESS_CC_MB * 1e6)} (over its base + published ${PUBLISHED_DISTROLESS_CC_MB} MB; target: < 40 MB)`],
];
const width = Math.max(...rows.map(([label]) => label.length));
process.stdout.write(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n') + '\n');
process.stdout.write('Note: crates.io is unreachable here; tikv-jemallocator 0.6.1 / tikv-jemalloc-sys (jemalloc 5.3.1) are the real\n'
  + 'crates from ../shared/vendor/cargo, cc and libc are Debian\'s. The stand-in compiler is the host\'s, not 1.75.\n');
