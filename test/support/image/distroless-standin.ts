/**
 * A local stand-in for `gcr.io/distroless/cc-debian12` (and its `:debug` tag), built the way
 * distroless builds it: Debian bookworm packages unpacked with `dpkg-deb -x` (no maintainer
 * scripts, no shell, no package manager in the image), the CA bundle concatenated from the
 * ca-certificates package, `/etc/passwd` and `/etc/group` with root, nobody and nonroot (65532),
 * `/tmp` 1777, one `/var/lib/dpkg/status.d/<package>` record per package (what scanners read), and
 * `SSL_CERT_FILE` set. The `:debug` stand-in adds Debian's busybox-static at `/busybox` with its
 * applets, and `/busybox/sh` as entrypoint, like the real `:debug`.
 *
 * The .debs are fetched on the host with `apt-get download` (the host is Debian bookworm) and
 * cached; the images are cached in the private buildah store like the other stand-ins.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { buildah, buildahOrThrow, imageExists } from './buildah';
import { cachePath, progress, runOrThrow, withCacheLock } from './exec';

export const DISTROLESS_STANDIN = 'gcr.io/distroless/cc-debian12:latest';
export const DISTROLESS_DEBUG_STANDIN = 'gcr.io/distroless/cc-debian12:debug';

/** distroless's `base` + `cc` package sets for Debian 12 (as its published cc images list them). */
export const DISTROLESS_CC_PACKAGES: readonly string[] = ['base-files', 'ca-certificates', 'gcc-12-base', 'libc6', 'libgcc-s1', 'libgomp1',
  'libssl3', 'libstdc++6', 'netbase', 'tzdata'];

const RECIPE = 'distroless-cc-debian12-standin-v1';

const PASSWD = [
  'root:x:0:0:root:/root:/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin',
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin',
  '',
].join('\n');
const GROUP = ['root:x:0:', 'nobody:x:65534:', 'tty:x:5:', 'staff:x:50:', 'nonroot:x:65532:', ''].join('\n');

function downloadDebs(packages: readonly string[]): string[] {
  const dir = cachePath('distroless', 'debs');
  const have = () => fs.readdirSync(dir).filter((f) => f.endsWith('.deb'));
  const missing = packages.filter((p) => !have().some((f) => f.startsWith(`${p}_`)));
  if (missing.length > 0) {
    progress(`distroless stand-in: apt-get download ${missing.join(' ')}`);
    runOrThrow('apt-get', ['download', ...missing], { cwd: dir, timeoutMs: 10 * 60_000 }, 'downloading the distroless stand-in packages');
  }
  return packages.map((p) => path.join(dir, have().find((f) => f.startsWith(`${p}_`))!));
}

function writeRootfs(rootfs: string, debs: string[], busybox: string | undefined): void {
  for (const deb of debs) {
    runOrThrow('dpkg-deb', ['-x', deb, rootfs], {}, `unpacking ${path.basename(deb)}`);
    const control = runOrThrow('dpkg-deb', ['-f', deb], {}, `reading the control fields of ${path.basename(deb)}`).stdout;
    const name = /^Package: (\S+)$/m.exec(control)![1];
    fs.mkdirSync(path.join(rootfs, 'var/lib/dpkg/status.d'), { recursive: true });
    fs.writeFileSync(path.join(rootfs, 'var/lib/dpkg/status.d', name), control.replace(/\n?$/, '\nStatus: install ok installed\n'));
  }
  // distroless keeps only the copyright files of /usr/share/doc, and no man pages
  for (const dir of ['usr/share/man', 'usr/share/info', 'usr/share/lintian']) fs.rmSync(path.join(rootfs, dir), { recursive: true, force: true });
  const docs = path.join(rootfs, 'usr/share/doc');
  if (fs.existsSync(docs)) {
    for (const pkg of fs.readdirSync(docs)) {
      for (const f of fs.readdirSync(path.join(docs, pkg))) if (f !== 'copyright') fs.rmSync(path.join(docs, pkg, f), { recursive: true, force: true });
    }
  }
  // the CA bundle ca-certificates' maintainer script would write (update-ca-certificates)
  const mozilla = path.join(rootfs, 'usr/share/ca-certificates/mozilla');
  const bundle = fs.readdirSync(mozilla).filter((f) => f.endsWith('.crt')).sort()
    .map((f) => fs.readFileSync(path.join(mozilla, f), 'utf8').replace(/\n?$/, '\n')).join('');
  fs.mkdirSync(path.join(rootfs, 'etc/ssl/certs'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'etc/ssl/certs/ca-certificates.crt'), bundle);
  fs.writeFileSync(path.join(rootfs, 'etc/passwd'), PASSWD);
  fs.writeFileSync(path.join(rootfs, 'etc/group'), GROUP);
  fs.writeFileSync(path.join(rootfs, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  fs.mkdirSync(path.join(rootfs, 'tmp'), { recursive: true });
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  fs.mkdirSync(path.join(rootfs, 'root'), { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.join(rootfs, 'home/nonroot'), { recursive: true, mode: 0o700 });
  fs.chownSync(path.join(rootfs, 'home/nonroot'), 65532, 65532);
  if (busybox) {
    const unpacked = path.join(path.dirname(rootfs), 'busybox');
    runOrThrow('dpkg-deb', ['-x', busybox, unpacked], {}, 'unpacking busybox-static');
    const binary = path.join(unpacked, 'bin/busybox');
    fs.mkdirSync(path.join(rootfs, 'busybox'), { recursive: true });
    fs.copyFileSync(binary, path.join(rootfs, 'busybox/busybox'));
    fs.chmodSync(path.join(rootfs, 'busybox/busybox'), 0o755);
    const applets = runOrThrow(binary, ['--list'], {}, 'listing the busybox applets').stdout.split('\n').filter((a) => a && a !== 'busybox');
    for (const applet of applets) fs.symlinkSync('busybox', path.join(rootfs, 'busybox', applet));
  }
}

function buildImage(debs: string[], busybox: string | undefined, tag: string): string {
  const work = path.join(cachePath('distroless'), `work-${process.pid}-${busybox ? 'debug' : 'latest'}`);
  fs.rmSync(work, { recursive: true, force: true });
  const rootfs = path.join(work, 'rootfs');
  fs.mkdirSync(rootfs, { recursive: true });
  const name = `pro-standin-distroless-${process.pid}`;
  buildah(['rm', name], { timeoutMs: 60_000 });
  try {
    writeRootfs(rootfs, debs, busybox);
    const tarball = path.join(work, 'rootfs.tar');
    runOrThrow('tar', ['--numeric-owner', '-C', rootfs, '-cf', tarball, '.'], { timeoutMs: 10 * 60_000 }, 'packing the distroless stand-in');
    buildahOrThrow(['from', '--name', name, 'scratch'], {}, 'creating the distroless stand-in container');
    buildahOrThrow(['add', name, tarball, '/'], { timeoutMs: 10 * 60_000 }, 'adding the distroless rootfs');
    buildahOrThrow([
      'config',
      '--env', `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${busybox ? ':/busybox' : ''}`,
      '--env', 'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
      ...(busybox ? ['--entrypoint', '["/busybox/sh"]'] : []),
      '--created-by', `projen-rust-operator test stand-in: distroless cc-debian12 from dpkg-deb -x of ${debs.map((d) => path.basename(d)).join(' ')}`,
      name,
    ], {}, 'configuring the distroless stand-in');
    const c = buildahOrThrow(['commit', '--rm', '--format', 'docker', name, tag], { timeoutMs: 10 * 60_000 }, 'committing the distroless stand-in');
    return c.stdout.trim().split('\n').pop()!.trim();
  } catch (e) {
    buildah(['rm', name], { timeoutMs: 60_000 });
    throw e;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Creates (once; cached) the distroless stand-ins; returns their names. */
export function ensureDistrolessStandIns(): { latest: string; debug: string } {
  return withCacheLock('distroless', () => {
    const debs = downloadDebs(DISTROLESS_CC_PACKAGES);
    const [busybox] = downloadDebs(['busybox-static']);
    const key = crypto.createHash('sha256').update([RECIPE, ...debs.map((d) => path.basename(d)), path.basename(busybox)].join('\0')).digest('hex').slice(0, 16);
    const stateFile = path.join(cachePath('distroless'), `state-${process.env.PRO_IMAGE_STORAGE_DRIVER || 'vfs'}.json`);
    const state = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : {};
    if (state.key !== key || !imageExists(DISTROLESS_STANDIN) || !imageExists(DISTROLESS_DEBUG_STANDIN)) {
      const t = Date.now();
      const latest = buildImage(debs, undefined, DISTROLESS_STANDIN);
      const debug = buildImage(debs, busybox, DISTROLESS_DEBUG_STANDIN);
      fs.writeFileSync(stateFile, JSON.stringify({ key, latest, debug }));
      progress(`distroless stand-ins ${latest.slice(0, 12)} / ${debug.slice(0, 12)} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
    }
    return { latest: DISTROLESS_STANDIN, debug: DISTROLESS_DEBUG_STANDIN };
  });
}
