/**
 * An evaluation of a generated workflow that does not use the code that generated it:
 *
 * - jobs and `if:` conditions: GitHub's own parser and expression engine, in a child process
 *   (`workflow-model-worker.mjs`);
 * - branch and tag filters: GitHub's documented filter-pattern syntax, implemented here;
 * - image tags: docker/metadata-action's documented rules for the `tags`/`flavor` inputs,
 *   implemented here.
 */
import { spawn } from 'child_process';
import * as path from 'path';

/** The parts of the `github` context the generated workflow reads. */
export interface GithubContext {
  readonly event_name: string;
  readonly ref: string;
  readonly ref_name: string;
  readonly ref_type: string;
  readonly base_ref?: string;
  readonly head_ref?: string;
  readonly sha?: string;
  readonly event?: unknown;
}

/** A named event for the release table. */
export interface Scenario {
  /** The row label: a git ref pushed, or `pull_request`. */
  readonly id: string;
  readonly github: GithubContext;
  /** Jobs that fail when they run (the others succeed). */
  readonly failing?: readonly string[];
}

/** The scenario of a ref from `GhcrReleaseWorkflow.EXAMPLE_REFS` (or any `refs/heads|tags/...`). */
export function scenarioOf(ref: string): Scenario {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  if (ref === 'pull_request') {
    return {
      id: ref,
      github: {
        event_name: 'pull_request',
        ref: 'refs/pull/7/merge',
        ref_name: '7/merge',
        ref_type: 'branch',
        base_ref: 'main',
        head_ref: 'feature/x',
        sha,
        event: { pull_request: { number: 7 } },
      },
    };
  }
  const match = /^refs\/(heads|tags)\/(.+)$/.exec(ref);
  if (!match) throw new Error(`not a ref: ${ref}`);
  return {
    id: ref,
    github: { event_name: 'push', ref, ref_name: match[2], ref_type: match[1] === 'heads' ? 'branch' : 'tag', base_ref: '', head_ref: '', sha, event: {} },
  };
}

export type JobResult = 'success' | 'failure' | 'skipped';

export interface WorkflowModel {
  /** `on:` as converted by GitHub's parser. */
  readonly events: { [event: string]: { [filter: string]: string[] | undefined } };
  readonly jobs: Array<{ id: string; needs: string[]; if: string }>;
  /** Per scenario id, the result of every job (assuming the workflow was triggered). */
  readonly results: { [scenario: string]: { [job: string]: JobResult } };
  /** The `templates` of the request, interpolated. */
  readonly templates: string[];
}

/** A `${{ }}` template to interpolate for a scenario. */
export interface TemplateRequest {
  readonly scenario: string;
  readonly text: string;
  /** The `matrix` context (one leg of a matrix job). */
  readonly matrix?: { readonly [key: string]: unknown };
}

/** Runs `workflow-model-worker.mjs` on a workflow. */
export function evaluateWorkflow(yamlText: string, scenarios: Scenario[], templates: TemplateRequest[] = []): Promise<WorkflowModel> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'workflow-model-worker.mjs')], {
      cwd: path.join(__dirname, '..', '..', '..'),
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let response: any;
      try {
        response = JSON.parse(stdout);
      } catch {
        reject(new Error(`workflow-model-worker.mjs exited ${code}: ${stdout}${stderr}`));
        return;
      }
      if (response.crash) reject(new Error(`workflow-model-worker.mjs crashed: ${response.crash}`));
      else if (response.errors.length > 0) reject(new Error(`GitHub's parser rejected the workflow: ${response.errors.join('; ')}`));
      else resolve(response as WorkflowModel);
    });
    child.stdin.end(JSON.stringify({ name: '.github/workflows/ci.yml', content: yamlText, scenarios, templates }));
  });
}

// ---------------------------------------------------------------------------------------------
// Filter patterns (docs.github.com: "Filter pattern cheat sheet")
// ---------------------------------------------------------------------------------------------

type PatternAtom =
  | { kind: 'literal'; char: string }
  | { kind: 'class'; test: (c: string) => boolean }
  | { kind: 'star' } // `*`: any run of characters without `/`
  | { kind: 'globstar' }; // `**`: any run of characters

interface PatternPart {
  readonly atom: PatternAtom;
  /** `?` after an atom: zero or one; `+`: one or more. */
  readonly repeat: 'once' | 'optional' | 'many';
}

function parsePattern(pattern: string): PatternPart[] {
  const parts: PatternPart[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    let atom: PatternAtom;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        atom = { kind: 'globstar' };
        i += 2;
      } else {
        atom = { kind: 'star' };
        i += 1;
      }
      parts.push({ atom, repeat: 'once' });
      continue;
    }
    if (c === '\\') {
      atom = { kind: 'literal', char: pattern[i + 1] };
      i += 2;
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) throw new Error(`unclosed [ in ${pattern}`);
      const body = pattern.slice(i + 1, close);
      const ranges: Array<[string, string]> = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) {
          ranges.push([body[j], body[j + 2]]);
          j += 2;
        } else {
          ranges.push([body[j], body[j]]);
        }
      }
      atom = { kind: 'class', test: (ch) => ranges.some(([lo, hi]) => ch >= lo && ch <= hi) };
      i = close + 1;
    } else {
      atom = { kind: 'literal', char: c };
      i += 1;
    }
    const next = pattern[i];
    if (next === '?' || next === '+') {
      parts.push({ atom, repeat: next === '?' ? 'optional' : 'many' });
      i += 1;
    } else {
      parts.push({ atom, repeat: 'once' });
    }
  }
  return parts;
}

function atomMatches(atom: PatternAtom, ch: string): boolean {
  return atom.kind === 'literal' ? atom.char === ch : atom.kind === 'class' ? atom.test(ch) : false;
}

/** Backtracking match of a GitHub filter pattern against a whole branch or tag name. */
export function filterPatternMatches(pattern: string, name: string): boolean {
  const parts = parsePattern(pattern);
  const match = (p: number, n: number): boolean => {
    if (p === parts.length) return n === name.length;
    const { atom, repeat } = parts[p];
    if (atom.kind === 'star' || atom.kind === 'globstar') {
      for (let end = n; end <= name.length; end++) {
        if (match(p + 1, end)) return true;
        if (end < name.length && atom.kind === 'star' && name[end] === '/') return false;
      }
      return false;
    }
    if (repeat === 'once') return n < name.length && atomMatches(atom, name[n]) && match(p + 1, n + 1);
    if (repeat === 'optional') return match(p + 1, n) || (n < name.length && atomMatches(atom, name[n]) && match(p + 1, n + 1));
    // many: one or more
    let end = n;
    while (end < name.length && atomMatches(atom, name[end])) {
      end++;
      if (match(p + 1, end)) return true;
    }
    return false;
  };
  return match(0, 0);
}

/** A filter list: a name is included by the last pattern that matches it (`!` excludes). */
export function filterAllows(patterns: readonly string[], name: string): boolean {
  let allowed = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (filterPatternMatches(pattern.slice(1), name)) allowed = false;
    } else if (filterPatternMatches(pattern, name)) {
      allowed = true;
    }
  }
  return allowed;
}

/** Whether the workflow's `on:` triggers for a scenario (push and pull_request events). */
export function isTriggered(events: WorkflowModel['events'], github: GithubContext): boolean {
  const event = events[github.event_name];
  if (event === undefined) return false;
  if (github.event_name === 'pull_request') {
    // Branch filters of pull_request apply to the base branch.
    if (event.branches) return filterAllows(event.branches, github.base_ref ?? '');
    if (event['branches-ignore']) return !filterAllows(event['branches-ignore'], github.base_ref ?? '');
    return true;
  }
  if (github.event_name !== 'push') throw new Error(`isTriggered: ${github.event_name} not modelled`);
  const isTag = github.ref.startsWith('refs/tags/');
  const kind = isTag ? 'tags' : 'branches';
  const other = isTag ? 'branches' : 'tags';
  const include = event[kind];
  const ignore = event[`${kind}-ignore`];
  if (include) return filterAllows(include, github.ref_name);
  if (ignore) return !filterAllows(ignore, github.ref_name);
  // Filters only for the other kind of ref: this kind does not trigger.
  return !(event[other] || event[`${other}-ignore`]);
}

// ---------------------------------------------------------------------------------------------
// docker/metadata-action `tags` and `flavor`
// ---------------------------------------------------------------------------------------------

interface SemVer {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly prerelease: string[];
}

/** node-semver's strict `valid()`: `[v]X.Y.Z[-pre][+build]`, no leading zeros. */
export function parseSemver(text: string): SemVer | undefined {
  let rest = text.trim().replace(/^v/, '');
  const plus = rest.indexOf('+');
  if (plus >= 0) {
    const build = rest.slice(plus + 1).split('.');
    if (build.some((id) => !/^[0-9A-Za-z-]+$/.test(id))) return undefined;
    rest = rest.slice(0, plus);
  }
  const dash = rest.indexOf('-');
  const core = dash >= 0 ? rest.slice(0, dash) : rest;
  const prerelease = dash >= 0 ? rest.slice(dash + 1).split('.') : [];
  const numbers = core.split('.');
  const numeric = (id: string) => /^(0|[1-9][0-9]*)$/.test(id);
  if (numbers.length !== 3 || !numbers.every(numeric)) return undefined;
  if (prerelease.some((id) => id === '' || !/^[0-9A-Za-z-]+$/.test(id) || (/^[0-9]+$/.test(id) && !numeric(id)))) return undefined;
  return { major: numbers[0], minor: numbers[1], patch: numbers[2], prerelease };
}

function attributes(line: string): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const field of line.split(',')) {
    const eq = field.indexOf('=');
    if (eq < 0) throw new Error(`metadata attribute without "=": ${field}`);
    out[field.slice(0, eq).trim()] = field.slice(eq + 1).trim();
  }
  return out;
}

/**
 * The tags docker/metadata-action computes from its `tags` and `flavor` inputs for a scenario
 * (without the image name). Supports the input forms this package could plausibly write:
 * `type=ref` (branch/tag/pr), `type=semver`, `type=raw`, `type=sha`, `enable`, `prefix`/`suffix`,
 * and `flavor` `latest` (auto/true/false), `prefix`, `suffix`.
 */
export function metadataActionTags(inputs: { tags?: string; flavor?: string }, github: GithubContext): string[] {
  const flavor = { latest: 'auto', prefix: '', suffix: '' } as { [key: string]: string };
  for (const line of (inputs.flavor ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    Object.assign(flavor, attributes(line));
  }
  const ref = github.ref;
  const sanitize = (tag: string) => tag.replace(/[^a-zA-Z0-9._-]+/g, '-');
  let main: string | undefined;
  const partial: string[] = [];
  let latest: boolean | undefined;
  const add = (value: string, attrs: { [key: string]: string }, autoLatest: boolean) => {
    const prefix = 'prefix' in attrs ? attrs.prefix : flavor.prefix;
    const suffix = 'suffix' in attrs ? attrs.suffix : flavor.suffix;
    const tag = sanitize(`${prefix}${value}${suffix}`);
    if (tag === '') return;
    if (main === undefined) main = tag;
    else if (tag !== main && !partial.includes(tag)) partial.push(tag);
    if (latest === undefined) latest = flavor.latest === 'auto' ? autoLatest : flavor.latest === 'true';
  };
  for (const line of (inputs.tags ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const attrs = line.includes('type=') ? attributes(line) : { type: 'raw', value: line };
    if ((attrs.enable ?? 'true') !== 'true') continue;
    switch (attrs.type) {
      case 'ref':
        if (attrs.event === 'branch' && ref.startsWith('refs/heads/')) add(ref.slice('refs/heads/'.length), attrs, false);
        if (attrs.event === 'tag' && ref.startsWith('refs/tags/')) add(ref.slice('refs/tags/'.length), attrs, true);
        if (attrs.event === 'pr' && ref.startsWith('refs/pull/')) add(`pr-${ref.slice('refs/pull/'.length).replace(/\/merge$/, '')}`, attrs, false);
        break;
      case 'semver': {
        if (!ref.startsWith('refs/tags/')) break;
        const raw = ref.slice('refs/tags/'.length);
        const version = parseSemver(raw);
        if (!version) break;
        const full = `${version.major}.${version.minor}.${version.patch}${version.prerelease.length ? `-${version.prerelease.join('.')}` : ''}`;
        if (version.prerelease.length > 0) {
          // Pre-releases get the full version only (or the raw tag with `{{raw}}`), never `latest`.
          add(attrs.pattern === '{{raw}}' ? raw : full, attrs, false);
        } else {
          const value = attrs.pattern
            .replace(/\{\{\s*version\s*\}\}/g, full)
            .replace(/\{\{\s*major\s*\}\}/g, version.major)
            .replace(/\{\{\s*minor\s*\}\}/g, version.minor)
            .replace(/\{\{\s*patch\s*\}\}/g, version.patch)
            .replace(/\{\{\s*raw\s*\}\}/g, raw);
          add(value, attrs, true);
        }
        break;
      }
      case 'raw':
        add(attrs.value, attrs, false);
        break;
      case 'sha':
        // `format=long` gives the full SHA; the default is the short (7-character) one.
        add(attrs.format === 'long' ? (github.sha ?? '') : (github.sha ?? '').slice(0, 7), { prefix: 'sha-', ...attrs }, false);
        break;
      default:
        throw new Error(`metadataActionTags: type=${attrs.type} not modelled`);
    }
  }
  if (main === undefined) return [];
  return [main, ...partial, ...(latest ? ['latest'] : [])];
}
