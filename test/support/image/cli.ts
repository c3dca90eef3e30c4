/**
 * Maintenance of the image-test cache, e.g. `npx tsx test/support/image/cli.ts ensure`.
 *
 *   ensure   create the stand-in images now (CI can run this before jest to see the time apart)
 *   du       disk used by the cache
 *   prune    drop the layer cache (untagged images) and leftover working containers
 *   reset    delete this library's part of the cache directory (stand-ins, stores with the layer
 *            cache, debootstrap tarball, logs); other users of the directory keep theirs
 *
 * PRO_IMAGE_STORAGE_DRIVER selects the store (vfs by default, or overlay).
 */
import * as fs from 'fs';
import * as path from 'path';
import { pruneBuildCache, removeAllWorkingContainers } from './buildah';
import { cacheRoot, diskUsageBytes } from './exec';
import { ensureStandInImages } from './standins';

function main(argv: string[]): number {
  const cmd = argv[0];
  switch (cmd) {
    case 'ensure': {
      const r = ensureStandInImages({
        extraImages: { 'tercen/rust-operator-base:latest': 'rust', 'tercen/runtime-base:latest': 'debian' },
      });
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return 0;
    }
    case 'du':
      process.stdout.write(`${(diskUsageBytes(cacheRoot()) / 1e9).toFixed(2)} GB\t${cacheRoot()}\n`);
      return 0;
    case 'prune':
      removeAllWorkingContainers();
      pruneBuildCache();
      return 0;
    case 'reset':
      for (const sub of ['buildah', 'standins', 'logs', 'host-cargo', 'run-io', 'locks']) {
        fs.rmSync(path.join(cacheRoot(), sub), { recursive: true, force: true });
      }
      process.stdout.write(`removed buildah/, standins/, logs/, host-cargo/, run-io/, locks/ under ${cacheRoot()}\n`);
      return 0;
    default:
      process.stderr.write('usage: cli.ts ensure|du|prune|reset\n');
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
