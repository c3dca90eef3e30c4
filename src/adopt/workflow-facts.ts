import { parse } from 'yaml';

/** What a hand-kept GitHub workflow does, as far as it overlaps an image pipeline. */
export interface WorkflowFacts {
  /** Path relative to the repository root. */
  readonly file: string;
  /** Branch patterns of `push` (`*` for any branch when `push` has no filter). */
  readonly pushBranches: string[];
  /** Tag patterns of `push`. */
  readonly pushTags: string[];
  /** Other events (pull_request, schedule, workflow_dispatch, ...). */
  readonly otherEvents: string[];
  /** Whether a step builds and pushes an image (build-push-action with push, or `docker push`). */
  readonly pushesImage: boolean;
  /** `images:` of metadata-action steps, expressions kept as written. */
  readonly images: string[];
  /** `tags:` lines of metadata-action steps (`type=sha`, `type=ref,event=branch`, ...). */
  readonly imageTags: string[];
  /** Every `secrets.<NAME>` the workflow reads, GITHUB_TOKEN excluded. */
  readonly secrets: string[];
  /** BuildKit secrets handed to build-push-action (`id=${{ secrets.NAME }}` lines of `secrets:`). */
  readonly buildSecrets: Array<{ id: string; secret?: string }>;
  /** Whether a checkout step fetches submodules. */
  readonly submodules: boolean;
  /** Whether a checkout step fetches them recursively (`submodules: recursive`). */
  readonly recursiveSubmodules: boolean;
  /** Rust toolchains set up (dtolnay/rust-toolchain refs or `toolchain:` inputs). */
  readonly toolchains: string[];
  /** Whether it creates a GitHub release. */
  readonly createsRelease: boolean;
}

/** Reads one workflow file; a file that is not YAML gives empty facts rather than an error. */
export function readWorkflow(file: string, text: string): WorkflowFacts {
  let doc: any;
  try {
    doc = parse(text) ?? {};
  } catch {
    doc = {};
  }
  const on = doc.on ?? doc[true as any] ?? {};
  const events: { [event: string]: any } = typeof on === 'string' ? { [on]: {} } : Array.isArray(on) ? Object.fromEntries(on.map((e: string) => [e, {}])) : on;
  const push = events.push;
  const pushBranches = push === undefined ? [] : asList(push?.branches ?? (push?.tags ? [] : ['*']));
  const pushTags = push === undefined ? [] : asList(push?.tags);
  const otherEvents = Object.keys(events).filter((e) => e !== 'push');
  const steps: any[] = Object.values(doc.jobs ?? {}).flatMap((job: any) => (Array.isArray(job?.steps) ? job.steps : []));
  const images: string[] = [];
  const imageTags: string[] = [];
  const buildSecrets: Array<{ id: string; secret?: string }> = [];
  const toolchains: string[] = [];
  let pushesImage = false;
  let submodules = false;
  let recursiveSubmodules = false;
  let createsRelease = false;
  for (const step of steps) {
    const uses: string = typeof step?.uses === 'string' ? step.uses : '';
    const withs = step?.with ?? {};
    if (uses.startsWith('docker/metadata-action')) {
      images.push(...String(withs.images ?? '').split('\n').map((l) => l.trim()).filter(Boolean));
      imageTags.push(...String(withs.tags ?? '').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    }
    if (uses.startsWith('docker/build-push-action')) {
      // `push: true`, or an expression that is true on some event.
      if (withs.push === true || /^\$\{\{|^true$/.test(String(withs.push ?? ''))) pushesImage = true;
      // Tags written out (not metadata-action's output): `<image>:<tag expression>`.
      for (const line of String(withs.tags ?? '').split(/[\n,]/).map((l) => l.trim()).filter((l) => l && !/steps\.[^.]+\.outputs\.tags/.test(l))) {
        imageTags.push(line);
        const image = line.replace(/:[^:/]*$/, '');
        if (!images.includes(image)) images.push(image);
      }
      for (const line of String(withs.secrets ?? '').split('\n')) {
        const id = /^\s*(?:id=)?([A-Za-z0-9_.-]+)=(.*)$/.exec(line);
        if (id) buildSecrets.push({ id: id[1], secret: /secrets\.([A-Za-z_][A-Za-z0-9_]*)/.exec(id[2])?.[1] });
      }
    }
    if (uses.startsWith('actions/checkout') && withs.submodules !== undefined && String(withs.submodules) !== 'false') {
      submodules = true;
      if (String(withs.submodules) === 'recursive') recursiveSubmodules = true;
    }
    if (uses.startsWith('dtolnay/rust-toolchain')) toolchains.push(withs.toolchain ? String(withs.toolchain) : uses.split('@')[1] ?? 'stable');
    // actions/create-release is archived, but real repositories (Tercen's release.yml) still use it.
    if (['softprops/action-gh-release', 'ncipollo/release-action', 'actions/create-release'].some((a) => uses.startsWith(`${a}@`))) createsRelease = true;
    const run = typeof step?.run === 'string' ? step.run : '';
    if (/\bdocker\s+push\b/.test(run)) pushesImage = true;
    if (/\bgh\s+release\s+create\b/.test(run)) createsRelease = true;
  }
  const secrets = [...new Set([...text.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))].filter((s) => s !== 'GITHUB_TOKEN');
  return {
    file,
    pushBranches,
    pushTags,
    otherEvents,
    pushesImage,
    images,
    imageTags,
    secrets,
    buildSecrets,
    submodules,
    recursiveSubmodules,
    toolchains,
    createsRelease,
  };
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * What an image tag line pushes, told apart by kind (`:<sha>`, `:<short sha>`, `:<branch>`,
 * `:X.Y.Z`), so a metadata-action line and a written-out tag that push the same compare equal;
 * any other line is its own kind.
 */
export function imageTagKind(line: string): string {
  if (/github\.sha\b|format=long/.test(line)) return ':<sha>';
  if (/type=sha|short/.test(line)) return ':<short sha>';
  if (/type=semver|type=pep440|pattern=\{\{version\}\}|event=tag/.test(line)) return ':X.Y.Z';
  if (/ref_name|event=branch|github\.ref\b|GITHUB_REF/.test(line)) return ':<branch>';
  return line;
}

/** Whether two sets of GitHub ref patterns can match the same ref (`*` and `**` match any). */
export function patternsOverlap(a: string[], b: string[]): boolean {
  return a.some((x) => b.some((y) => x === y || isWildcard(x) || isWildcard(y) || globMatches(x, y) || globMatches(y, x)));
}

function isWildcard(pattern: string): boolean {
  return pattern === '*' || pattern === '**';
}

/** Whether glob `pattern` matches `ref` taken literally (GitHub filter syntax, roughly). */
function globMatches(pattern: string, ref: string): boolean {
  const source = pattern.replace(/[.^$|(){}\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*')
    .replace(/\\?\+/g, '+');
  try {
    return new RegExp(`^${source}$`).test(ref);
  } catch {
    return false;
  }
}
