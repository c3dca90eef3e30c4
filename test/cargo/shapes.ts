// A generator of Cargo.toml shapes whose every line knows whether it is a hand-written managed
// key, and the oracle that checks an edit of it. Independent of the editor's implementation:
// it knows the expected result from how the file was built.
import * as fc from 'fast-check';
import { plainToml, stripManagedBlocks, without, withValue } from './support';
import type { ManagedTable } from '../../src/cargo/managed-toml';

/** Which group of managed tables a hand-written line belongs to. */
export type Group = 'alloc' | 'release' | 'maxperf';

export interface ShapeLine {
  readonly text: string;
  /** Set when the line (part of) defines a key managed by this group. */
  readonly managed?: Group;
}

export interface ShapeSection {
  /** Table path when the section is a standard table header. */
  readonly table?: string;
  readonly lines: ShapeLine[];
}

export interface Shape {
  readonly sections: ShapeSection[];
  readonly eol: '\n' | '\r\n';
  readonly trailingEol: boolean;
  readonly bom: boolean;
}

export const MARKER = '# managed by projen-rust-operator (edit .projenrc.ts): ';

/** The managed tables of each group, in the order the editor receives them. */
export const GROUP_TABLES: { [group in Group]: ManagedTable[] } = {
  alloc: [
    { path: ['features'], keys: [{ key: 'default', value: ['jemalloc'] }, { key: 'jemalloc', value: ['dep:tikv-jemallocator'] }] },
    { path: ['dependencies'], keys: [{ key: 'tikv-jemallocator', value: { version: '0.6', optional: true } }] },
  ],
  release: [
    {
      path: ['profile', 'release'],
      keys: [{ key: 'opt-level', value: 'z' }, { key: 'lto', value: true }, { key: 'codegen-units', value: 1 }, { key: 'strip', value: true }],
    },
  ],
  maxperf: [
    { path: ['profile', 'maxperf'], keys: [{ key: 'inherits', value: 'release' }, { key: 'opt-level', value: 3 }, { key: 'lto', value: 'fat' }] },
  ],
};

export const GROUPS: Group[] = ['alloc', 'release', 'maxperf'];

export function tablesOf(groups: readonly Group[]): ManagedTable[] {
  return GROUPS.filter(g => groups.includes(g)).flatMap(g => GROUP_TABLES[g]);
}

/** The file text of a shape. */
export function textOf(shape: Shape): string {
  return (shape.bom ? '\uFEFF' : '') + lineTexts(shape).join('');
}

/** Each line with its own line break (the last has none without a trailing EOL). */
function lineTexts(shape: Shape): string[] {
  const lines = shape.sections.flatMap(s => s.lines);
  return lines.map((l, i) => l.text + (i < lines.length - 1 || shape.trailingEol ? shape.eol : ''));
}

const user = (text: string): ShapeLine => ({ text });
const managed = (group: Group, ...texts: string[]): ShapeLine[] => texts.map(text => ({ text, managed: group }));

const comment = fc.constantFrom('# a comment', '#no space', '   # indented', '# [features] looks like a header', '# default = ["x"]', '');
const comments = (max: number) => fc.array(comment, { maxLength: max }).map(cs => cs.map(user));

/** Puts optional comment lines before each entry (an entry may span several lines). */
function withComments(entries: fc.Arbitrary<ShapeLine[][]>): fc.Arbitrary<ShapeLine[][]> {
  return entries.chain(groups => fc.tuple(...groups.map(() => comments(1))).map(cs => groups.map((g, i) => [...cs[i], ...g])));
}

const packageSection = fc.record({
  header: fc.constantFrom('[package]', '[package] # the crate', '[ package ]'),
  name: fc.constantFrom('name = "demo"', 'name="demo"', 'name   =   "demo"   # pinned'),
}).map(({ header, name }): ShapeSection => ({
  table: 'package', lines: [user(header), user(name), user('version = "0.1.0"'), user("edition = '2021'")],
}));

const userDependencies = fc.shuffledSubarray([
  [user('serde = "1"')],
  [user('tokio = { version = "1", features = ["rt-multi-thread", "macros"] } # runtime')],
  [user('# pinned: main has the new API'), user('tercen-rs = { git = "https://github.com/tercen/tercen-rs", branch = "main" }')],
  [user('anyhow.version = "1"'), user('anyhow.default-features = false')],
  [user('"quoted-dep"   =   "0.3"')],
  [user('multi = { version = "1", features = ['), user('  "a", # why a'), user(']}')],
], { minLength: 1 });

type DepStyle = 'none' | 'inline' | 'dotted' | 'subtable';

/** Shapes: the sections of a Cargo.toml with hand-written managed keys in many styles. */
export const shapes: fc.Arbitrary<Shape> = fc.record({
  preamble: comments(2),
  pkg: packageSection,
  lib: fc.boolean(),
  bins: fc.integer({ min: 0, max: 2 }),
  depsHeader: fc.constantFrom('[dependencies]', '[dependencies] # crates.io', 'none'),
  deps: withComments(userDependencies),
  depStyle: fc.constantFrom<DepStyle>('none', 'inline', 'dotted', 'subtable'),
  prost: fc.boolean(),
  features: fc.option(fc.record({
    default: fc.constantFrom<string[]>([], ['default = ["extra"]'], ['"default"   =["extra"] # why'], ['default = [', '  "extra", # the one', ']']),
    jemalloc: fc.boolean(),
    extra: comments(1),
  }), { nil: undefined }),
  release: fc.option(fc.record({
    keys: fc.shuffledSubarray([['"opt-level"=3 # fast'], ["lto = 'thin'"], ['codegen-units    = 4'], ['strip=false']]),
    comments: comments(1),
  }), { nil: undefined }),
  dev: fc.boolean(),
  maxperfHeader: fc.constantFrom('none', '[profile.maxperf]', '[profile.maxperf] # mine'),
  trailer: comments(2),
  eol: fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
  trailingEol: fc.boolean(),
  bom: fc.boolean(),
}).chain(r => {
  const body: ShapeSection[] = [r.pkg];
  if (r.lib) {
    body.push({ table: 'lib', lines: [user('[lib]'), user('path = "src/lib.rs"')] });
  }
  for (let i = 0; i < r.bins; i++) {
    body.push({ lines: [user('[[bin]]'), user(`name = "bin${i}"`), user(`path = "${i === 0 ? 'src/main.rs' : `src/bin/bin${i}.rs`}"`)] });
  }
  const entries = [...r.deps];
  if (r.depStyle === 'inline') {
    entries.splice(entries.length > 1 ? 1 : 0, 0, managed('alloc', 'tikv-jemallocator = { version = "0.5", optional = true } # old'));
  } else if (r.depStyle === 'dotted') {
    entries.push(managed('alloc', 'tikv-jemallocator.version = "0.5"', 'tikv-jemallocator.optional = true'));
  } else if (r.depStyle === 'subtable') {
    body.push({ table: 'dependencies.tikv-jemallocator', lines: managed('alloc', '[dependencies.tikv-jemallocator]', 'version = "0.5"', 'optional = true') });
  }
  if (r.depsHeader !== 'none') {
    body.push({ table: 'dependencies', lines: [user(r.depsHeader), ...entries.flat()] });
  } else {
    // No [dependencies] header: the user's entries go into a sub-table each, so [dependencies]
    // exists only implicitly and must be appended.
    body.push({ table: 'dependencies.regex', lines: [user('[dependencies.regex]'), user('version = "1"')] });
  }
  if (r.prost) {
    body.push({ table: 'dependencies.prost', lines: [user('[dependencies.prost]'), user('version = "0.12"')] });
  }
  if (r.features) {
    const lines = [user('[features]'), ...r.features.extra, user('extra = []')];
    if (r.features.default.length > 0) {
      lines.push(...managed('alloc', ...r.features.default));
    }
    const handWrittenDependency = r.depStyle === 'subtable' || (r.depStyle !== 'none' && r.depsHeader !== 'none');
    if (r.features.jemalloc && handWrittenDependency) {
      lines.push(...managed('alloc', 'jemalloc=["tikv-jemallocator"]'));
    }
    body.push({ table: 'features', lines });
  }
  if (r.release) {
    const lines = [user('[profile.release]'), ...r.release.comments, user('debug = 1')];
    for (const k of r.release.keys) {
      lines.splice(1 + Math.floor(lines.length / 2), 0, ...managed('release', ...k));
    }
    body.push({ table: 'profile.release', lines });
  }
  if (r.dev) {
    body.push({ table: 'profile.dev', lines: [user('[profile.dev]'), user('opt-level = 1')] });
  }
  if (r.maxperfHeader !== 'none') {
    // An empty table the user wrote: reused when maxperf is managed.
    body.push({ table: 'profile.maxperf', lines: [user(r.maxperfHeader)] });
  }
  return fc.shuffledSubarray(body, { minLength: body.length, maxLength: body.length }).map(ordered => ({
    sections: [{ lines: r.preamble }, ...ordered, { lines: r.trailer }],
    eol: r.eol,
    trailingEol: r.trailingEol,
    bom: r.bom,
  }));
});

/** Which groups to manage. */
export const groupSets = fc.subarray(GROUPS);

/** Files cargo needs for a shape's targets. */
export const SHAPE_FILES = { 'src/lib.rs': '', 'src/main.rs': 'fn main() {}\n', 'src/bin/bin1.rs': 'fn main() {}\n' };

/**
 * Checks `output` = the editor's result for `shape` managing `groups`. Returns the problems
 * found (empty when the edit is right):
 * (a) without the managed blocks, the output is the input minus the hand-written managed lines,
 *     plus headers of appended tables (one blank line before each);
 * (b) the whole document parses (smol-toml) to the input's values with the managed keys replaced;
 * plus line endings and BOM kept.
 */
export function checkEdit(shape: Shape, groups: readonly Group[], output: string): string[] {
  const problems: string[] = [];
  const tables = tablesOf(groups);
  const lines = lineTexts(shape);
  const flat = shape.sections.flatMap(s => s.lines);
  let expected = lines.filter((_, i) => !(flat[i].managed && groups.includes(flat[i].managed!))).join('');
  const headers = new Set(shape.sections.filter(s => s.table !== undefined
    && !(s.lines[0].managed && groups.includes(s.lines[0].managed))).map(s => s.table!));
  const lastKept = expected.slice(expected.lastIndexOf('\n') + 1);
  if (lastKept !== '' && tables.some(t => /^\[\s*([^\]]+?)\s*\]/.exec(lastKept)?.[1] === t.path.join('.'))) {
    expected += shape.eol; // a managed block follows a header on the last line
  }
  for (const table of tables) {
    if (!headers.has(table.path.join('.'))) {
      if (expected.length > 0) {
        expected += expected.endsWith('\n') ? shape.eol : shape.eol + shape.eol;
      }
      expected += `[${table.path.join('.')}]${shape.eol}`;
    }
  }
  const body = output.replace(/^\uFEFF/, '');
  let stripped: string | undefined;
  try {
    stripped = stripManagedBlocks(body);
  } catch (e: any) {
    problems.push(`managed blocks: ${e.message}`);
  }
  if (stripped !== undefined && stripped !== expected) {
    problems.push(`bytes outside the managed keys changed:\n--- expected\n${JSON.stringify(expected)}\n--- actual\n${JSON.stringify(stripped)}`);
  }
  if (output.startsWith('\uFEFF') !== shape.bom) {
    problems.push('BOM not kept');
  }
  const lone = shape.eol === '\r\n' ? /(^|[^\r])\n/.test(body) : body.includes('\r');
  if (lone) {
    problems.push(`line endings are not all ${JSON.stringify(shape.eol)}`);
  }
  let want = plainToml(textOf(shape));
  for (const table of tables) {
    for (const k of table.keys) {
      want = withValue(without(want, [...table.path, k.key]), [...table.path, k.key], k.value);
    }
  }
  let got: any;
  try {
    got = plainToml(output);
  } catch (e: any) {
    problems.push(`output is not valid TOML for smol-toml: ${e.message}`);
  }
  if (got !== undefined && JSON.stringify(sortKeys(got)) !== JSON.stringify(sortKeys(want))) {
    problems.push(`values differ:\n--- expected\n${JSON.stringify(sortKeys(want))}\n--- actual\n${JSON.stringify(sortKeys(got))}`);
  }
  return problems;
}

/** Whether unmanaging everything must give the input back byte for byte. */
export function roundTrips(shape: Shape, groups: readonly Group[]): boolean {
  const flat = shape.sections.flatMap(s => s.lines);
  // An empty table the user wrote is indistinguishable from one we appended, once managed.
  const bareManagedHeader = shape.sections.some(s => s.lines.length === 1 && !s.lines[0].text.includes('#')
    && tablesOf(groups).some(t => t.path.join('.') === s.table));
  return flat.every(l => !(l.managed && groups.includes(l.managed))) && (flat.length === 0 || shape.trailingEol) && !bareManagedHeader;
}

function sortKeys(value: any): any {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map(k => [k, sortKeys(value[k])]));
  }
  return value;
}
