/**
 * Reading jemalloc's `stats_print` output in a built image's stderr: which jemalloc printed it,
 * told apart by version. Shared by test/image/allocator.test.ts and test/image/distroless.test.ts.
 */

/** jemalloc's `Version:` line: the vendored tikv-jemalloc-sys is 5.3.1, Debian bookworm's libjemalloc2 is 5.3.0. */
export const JEMALLOC_VERSION = { linked: /^5\.3\.1-0-g81034ce/, preloaded: /^5\.3\.0-/ };
export type Jemalloc = keyof typeof JEMALLOC_VERSION;

export interface StatsBlock {
  readonly version: string;
  readonly text: string;
}

/** The `stats_print` blocks in stderr, each with its jemalloc `Version`. */
export function statsBlocks(stderr: string): StatsBlock[] {
  return [...stderr.matchAll(/___ Begin jemalloc statistics ___\n([\s\S]*?)--- End jemalloc statistics ---/g)].map((m) => {
    const version = /^Version: "([^"]+)"$/m.exec(m[1]);
    if (!version) throw new Error(`a jemalloc statistics block without a Version line:\n${m[1].slice(0, 500)}`);
    return { version: version[1], text: m[1] };
  });
}

/** Which jemalloc printed a block. */
export function jemallocOf(block: StatsBlock): Jemalloc {
  const which = (Object.keys(JEMALLOC_VERSION) as Jemalloc[]).find((j) => JEMALLOC_VERSION[j].test(block.version));
  if (!which) throw new Error(`jemalloc version ${block.version} is neither the linked nor the preloaded one`);
  return which;
}
