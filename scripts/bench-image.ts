/**
 * `npm run bench:image`: prints numbers, asserts nothing. Builds a scaffolded operator's
 * Dockerfile with buildah from stand-in base images: a cold build (no layer cache), a warm
 * rebuild after a change in src/, and the size of the runtime image.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildImage, ensureStandInImages, hostCargoOfflineEnv, imageSizeBytes, removeImage, run, storageDriver } from '../test/support/image';
import { scaffoldOperator } from '../test/support/scaffold';
import { tempDir } from '../test/support/synth';

const TAG = 'localhost/pro-bench-operator:latest';
ensureStandInImages({ extraImages: { 'tercen/rust-operator-base:latest': 'rust', 'tercen/runtime-base:latest': 'debian' } });
const dir = scaffoldOperator(tempDir('pro-bench-image-')).dir;
const lock = run('cargo', ['generate-lockfile', '--offline'], { cwd: dir, env: { ...process.env, ...hostCargoOfflineEnv().env } });
if (lock.code !== 0) throw new Error(lock.stderr);

function timedBuild(noCache: boolean): number {
  const result = buildImage(dir, { tag: TAG, noCache });
  if (result.code !== 0) throw new Error(`build failed, see ${result.logFile}`);
  return result.durationMs;
}

const cold = timedBuild(true);
const main = path.join(dir, 'src/main.rs');
fs.writeFileSync(main, fs.readFileSync(main, 'utf-8').replace('// The operator\'s work starts here.', `// The operator's work starts here (${Date.now()}).`));
const warm = timedBuild(false);
const size = imageSizeBytes(TAG);
removeImage(TAG);

const rows: [string, string][] = [
  ['storage driver', storageDriver()],
  ['cold build (no layer cache)', `${(cold / 1000).toFixed(1)} s`],
  ['warm rebuild after a change in src/', `${(warm / 1000).toFixed(1)} s`],
  ['warm / cold', `${(warm / cold).toFixed(2)}`],
  ['runtime image size', `${(size / 1e6).toFixed(1)} MB (seed target: < 150 MB)`],
];
const width = Math.max(...rows.map(([label]) => label.length));
process.stdout.write(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n') + '\n');
process.stdout.write('Note: crates.io is unreachable here, so tikv-jemallocator is a stub crate; with the real crate the\n'
  + 'cold build also compiles jemalloc from C, which the warm rebuild skips: the real ratio is lower still.\n');
