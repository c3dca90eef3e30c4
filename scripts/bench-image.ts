/**
 * `npm run bench:image`: prints numbers, asserts nothing. Builds a scaffolded operator's
 * Dockerfile (default allocator: the real tikv-jemallocator linked, libjemalloc2 preloaded) with
 * buildah from stand-in base images: a cold build (no layer cache), a warm rebuild after a change
 * in src/, and the size of the runtime image over its debian:bookworm-slim base.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildImage, DEBIAN_STANDIN, ensureStandInImages, hostCargoOfflineEnv, imageSizeBytes, parseBuildSteps, removeImage, run, storageDriver } from '../test/support/image';
import { scaffoldOperator } from '../test/support/scaffold';
import { tempDir } from '../test/support/synth';

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

const rows: [string, string][] = [
  ['storage driver', storageDriver()],
  ['cold build (no layer cache)', `${(cold.durationMs / 1000).toFixed(1)} s, compiles ${cold.compiled.join(', ')}`],
  ['warm rebuild after a change in src/', `${(warm.durationMs / 1000).toFixed(1)} s, compiles ${warm.compiled.join(', ')}`],
  ['warm / cold', `${(warm.durationMs / cold.durationMs).toFixed(2)}`],
  ['runtime image size', `${(size / 1e6).toFixed(1)} MB (seed target: < 150 MB)`],
  ['over the debian:bookworm-slim stand-in', `${((size - base) / 1e6).toFixed(1)} MB (base ${(base / 1e6).toFixed(1)} MB)`],
];
const width = Math.max(...rows.map(([label]) => label.length));
process.stdout.write(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n') + '\n');
process.stdout.write('Note: crates.io is unreachable here; tikv-jemallocator 0.6.1 / tikv-jemalloc-sys (jemalloc 5.3.1) are the real\n'
  + 'crates from ../shared/vendor/cargo, cc and libc are Debian\'s. The stand-in compiler is the host\'s, not 1.75.\n');
