/**
 * The REAL crates that replace crates.io in the image tier (crates.io is unreachable here):
 *
 * - the vendored tikv-jemallocator 0.6.1 and tikv-jemalloc-sys 0.6.1+5.3.1 (jemalloc 5.3.1), a Cargo
 *   directory source at `<repository>/../shared/vendor/cargo` (CI clones the repository with
 *   `shared/` beside it; see that folder's README);
 * - their dependencies cc and libc from Debian (`apt-get install librust-cc-dev librust-libc-dev`,
 *   installed under /usr/share/cargo/registry).
 *
 * {@link writeVendorDir} combines them (and any test stubs) into the one directory source cargo's
 * `replace-with` needs, on the host and in the rust stand-in.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Where the vendored allocator crates are, relative to this repository's root. */
export const VENDORED_CRATES_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'vendor', 'cargo');
/** Where Debian's `librust-*-dev` packages install crate sources. */
export const DEBIAN_CRATE_REGISTRY = '/usr/share/cargo/registry';

/** Crates (folder-name prefixes) the allocator needs, and who provides each. */
const REQUIRED: readonly { prefix: string; from: 'vendor' | 'debian'; fix: string }[] = [
  { prefix: 'tikv-jemallocator-', from: 'vendor', fix: `place shared/vendor/cargo beside the repository clone (expected ${VENDORED_CRATES_DIR})` },
  { prefix: 'tikv-jemalloc-sys-', from: 'vendor', fix: `place shared/vendor/cargo beside the repository clone (expected ${VENDORED_CRATES_DIR})` },
  { prefix: 'cc-', from: 'debian', fix: 'apt-get install librust-cc-dev' },
  { prefix: 'libc-', from: 'debian', fix: 'apt-get install librust-libc-dev' },
];

export interface RealCrateSources {
  /** Absolute crate folders (each with Cargo.toml and .cargo-checksum.json), sorted by folder name. */
  readonly crateDirs: string[];
  /** Content hash of every file of every crate (part of cache keys; ~0.2 s). */
  readonly hash: string;
}

function crateDirsIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .map((name) => path.join(dir, name))
    .filter((p) => fs.existsSync(path.join(p, 'Cargo.toml')) && fs.existsSync(path.join(p, '.cargo-checksum.json')));
}

function hashTree(h: crypto.Hash, root: string, rel = ''): void {
  const here = path.join(root, rel);
  for (const entry of fs.readdirSync(here, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const relPath = path.join(rel, entry.name);
    const stat = fs.statSync(path.join(root, relPath)); // follows Debian's symlinks, like `cp -rL`
    if (stat.isDirectory()) {
      hashTree(h, root, relPath);
    } else {
      h.update(relPath).update('\0').update(fs.readFileSync(path.join(root, relPath))).update('\0');
    }
  }
}

let cached: RealCrateSources | undefined;

/**
 * The vendored allocator crates plus Debian's crate sources; throws naming what is missing
 * and how to get it.
 */
export function realCrateSources(): RealCrateSources {
  if (cached) return cached;
  const vendored = crateDirsIn(VENDORED_CRATES_DIR);
  const debian = crateDirsIn(DEBIAN_CRATE_REGISTRY);
  const missing = REQUIRED.filter((r) => !(r.from === 'vendor' ? vendored : debian).some((d) => path.basename(d).startsWith(r.prefix)));
  if (missing.length > 0) {
    throw new Error(`the image tier needs the real allocator crates: ${missing.map((m) => `${m.prefix.slice(0, -1)} is missing (${m.fix})`).join('; ')}`);
  }
  const crateDirs = [...vendored, ...debian].sort((a, b) => path.basename(a).localeCompare(path.basename(b)));
  const h = crypto.createHash('sha256');
  for (const dir of crateDirs) {
    h.update(path.basename(dir)).update('\0');
    hashTree(h, dir);
  }
  cached = { crateDirs, hash: h.digest('hex').slice(0, 16) };
  return cached;
}
