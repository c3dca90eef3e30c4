/**
 * Partial ownership of a TOML file (Cargo.toml): rewrites a given set of keys and keeps every
 * other byte of the user's text.
 *
 * The managed keys of a table live in one block right after its header, introduced by a marker
 * comment that lists them:
 *
 * ```toml
 * [features]
 * # managed by projen-rust-operator (edit .projenrc.ts): default, jemalloc
 * default = ["jemalloc"]
 * jemalloc = ["dep:tikv-jemallocator"]
 * webgpu = ["dep:wgpu"]          # the user's, never touched
 * ```
 *
 * Every run removes each definition of a managed key (in whatever style it was written), the
 * marker lines and the keys a previous marker listed, then writes marker + keys again. The
 * output depends only on the text left after removal, so a second run returns identical bytes.
 *
 * Not part of the public (jsii) API: the types here use unions freely.
 */
import type { AST } from 'toml-eslint-parser';
import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import { OptionError } from '../core/errors';

/** A value the editor can write: rendered inline, canonically. */
export type TomlValue = string | number | boolean | readonly TomlValue[] | { readonly [key: string]: TomlValue };

/** One managed key of a table. */
export interface ManagedKey {
  /** The key inside its table (one name, not dotted). */
  readonly key: string;
  readonly value: TomlValue;
}

/** The managed keys of one table, in the order they are written. */
export interface ManagedTable {
  /** Path of the table, e.g. `['profile', 'release']`. */
  readonly path: readonly string[];
  /** Managed keys; a table with no keys is not managed (previously managed keys are removed). */
  readonly keys: readonly ManagedKey[];
}

/** Options for `applyManagedTables`. */
export interface ApplyOptions {
  /** The file name used in error subjects. */
  readonly fileName?: string;
  /** What the marker tells a reader to edit instead. */
  readonly source?: string;
}

/** First words of every marker line; also how markers are recognized. */
export const MARKER_PREFIX = '# managed by projen-rust-operator';

const MARKER_PATTERN = /^[ \t]*#[ \t]*managed by projen-rust-operator\b[^:\r\n]*:(.*)$/;
const BOM = '\uFEFF';
const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** The marker line (without EOL) listing the given keys. */
export function markerLine(keys: readonly string[], source: string = '.projenrc.ts'): string {
  return `${MARKER_PREFIX} (edit ${source}): ${keys.join(', ')}`;
}

/**
 * Parses TOML (1.1, as cargo does) into an AST with source ranges. Syntax errors become an
 * `OptionError` naming `<file>:<line>`.
 */
export function parseTomlDocument(text: string, fileName: string = 'Cargo.toml'): AST.TOMLProgram {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  try {
    return parseTOML(body, { tomlVersion: '1.1' });
  } catch (e: any) {
    if (typeof e?.lineNumber === 'number') {
      throw new OptionError(`${fileName}:${errorLine(body, e)}`,
        `is not valid TOML: ${e.message} (column ${e.column + 1}).`,
        `Fix ${fileName} by hand (nothing was written), then run npx projen again.`);
    }
    throw e;
  }
}

/**
 * The line to blame for a parse error. The parser reports a missing value (`license =` at the
 * end of a line) where it finds the next token, on a later line; blame the line of the `=`.
 */
function errorLine(text: string, error: { lineNumber: number; column: number; index: number }): number {
  const before = text.slice(0, error.index);
  const lineHead = before.slice(before.lastIndexOf('\n') + 1);
  const previous = before.replace(/\s+$/, '');
  if (lineHead.trim() === '' && previous.endsWith('=')) {
    return previous.split('\n').length;
  }
  return error.lineNumber;
}

/** The plain value of a TOML text (tables become objects), or a file:line `OptionError`. */
export function readToml(text: string, fileName: string = 'Cargo.toml'): { [key: string]: any } {
  return getStaticTOMLValue(parseTomlDocument(text, fileName)) as { [key: string]: any };
}

/**
 * The full key paths that the markers in `text` list (what a previous synth wrote), e.g.
 * `[['dependencies', 'tikv-jemallocator'], ['profile', 'release', 'opt-level']]`. A text that is
 * not valid TOML lists none (the parse error is reported elsewhere).
 */
export function managedKeyPaths(text: string): string[][] {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(body, { tomlVersion: '1.1' });
  } catch {
    return [];
  }
  return analyze(program, body).markers.filter(m => m.section.kind !== 'array').flatMap(m => m.keys.map(k => [...m.section.path, ...k]));
}

/**
 * Returns `text` with the managed keys of `tables` written in, and keys listed by earlier markers
 * but no longer managed removed. Every other byte is kept. Throws `OptionError` for invalid TOML
 * or for a managed table written in a form that cannot take more keys (an inline table).
 */
export function applyManagedTables(text: string, tables: readonly ManagedTable[], options: ApplyOptions = {}): string {
  const fileName = options.fileName ?? 'Cargo.toml';
  const source = options.source ?? '.projenrc.ts';
  const bom = text.startsWith(BOM) ? BOM : '';
  const body = bom ? text.slice(1) : text;
  const eol = detectEol(body);
  const desired = tables.filter(t => t.keys.length > 0);
  checkTables(desired);

  // 1. Remove every definition of a managed key, every marker and every previously listed key.
  const first = analyze(parseTomlDocument(body, fileName), body);
  const wanted = desired.flatMap(t => t.keys.map(k => [...t.path, k.key]));
  // A listed key always lies inside a table and never holds a managed table: a hand-edited
  // marker must not make us delete `[package]` or a whole `[profile]`.
  const listed = first.markers.filter(m => m.section.kind !== 'array').flatMap(m => m.keys.map(k => [...m.section.path, ...k]))
    .filter(k => k.length >= 2 && !desired.some(t => startsWith(t.path, k)));
  // The marker of a table that stays managed becomes an anchor: the block is written back where
  // it was, so keys a user (or `cargo add`, which keeps tables sorted) put above it stay above it.
  const anchorOf = (m: Marker) => m.section.kind === 'standard' && desired.some(t => pathEquals(t.path, m.section.path))
    && first.markers.find(other => other.section === m.section) === m ? anchorLine(m.section.path, eol) : '';
  const edits: Edit[] = first.markers.map(m => ({ range: m.line, text: anchorOf(m) }));
  const removals: Range[] = [];
  // The comment at the end of a managed key's line moves with the key (kept when the value is unchanged).
  const trailing = new Map<string, string>();
  for (const section of first.sections) {
    if (section.kind === 'array') {
      const conflict = wanted.find(m => startsWith(m, section.path) || startsWith(section.path, m));
      if (conflict) {
        throw conflictError(fileName, section.line, section.path, conflict, 'an array of tables');
      }
      continue;
    }
    if (section.kind === 'standard' && [...wanted, ...listed].some(m => startsWith(section.path, m))) {
      // e.g. `[dependencies.tikv-jemallocator]`: the whole sub-table is the key's definition.
      removals.push(section.definition);
      continue;
    }
    for (const entry of section.entries) {
      if ([...wanted, ...listed].some(m => startsWith(entry.path, m))) {
        removals.push(entry.lines);
        const comment = trailingComment(body, entry);
        if (comment !== undefined && wanted.some(m => pathEquals(m, entry.path))) {
          trailing.set(pathId(entry.path), comment);
        }
        continue;
      }
      const inside = wanted.find(m => startsWith(m, entry.path));
      if (inside) {
        throw conflictError(fileName, entry.node.loc.start.line, entry.path, inside,
          entry.node.value.type === 'TOMLInlineTable' ? 'an inline table' : 'a value');
      }
    }
  }
  const removed = applyEdits(body, [...edits, ...removals.map(r => ({ range: r, text: '' }))]);

  // 2. Drop tables that only held managed keys and are no longer managed: a bare `[profile.x]`
  //    left behind is an error in cargo (no `inherits`).
  const markedPaths = new Set(first.markers.filter(m => m.section.kind === 'standard').map(m => pathId(m.section.path)));
  const desiredPaths = new Set(desired.map(t => pathId(t.path)));
  const second = analyze(reparse(removed, fileName), removed);
  const emptied = second.sections
    .filter(s => s.kind === 'standard' && markedPaths.has(pathId(s.path)) && !desiredPaths.has(pathId(s.path)))
    .filter(s => s.entries.length === 0 && !second.comments.some(c => c >= s.start && c < s.end))
    .map(s => ({ range: withBlankLineBefore(removed, s.header), text: '' }));
  const pruned = applyEdits(removed, emptied);

  // 3. Insert marker + keys after each table's header, or append the table.
  const third = analyze(reparse(pruned, fileName), pruned);
  const inserts: Edit[] = [];
  const appended: ManagedTable[] = [];
  for (const table of desired) {
    const header = third.sections.find(s => s.kind === 'standard' && pathEquals(s.path, table.path));
    if (header) {
      const block = renderBlock(withComments(table, [], trailing), eol, source);
      const anchor = pruned.indexOf(anchorLine(table.path, eol), header.start);
      if (anchor >= 0 && anchor < header.end) {
        inserts.push({ range: [anchor, anchor + anchorLine(table.path, eol).length], text: block });
        continue;
      }
      const at = header.header[1];
      const lead = pruned.slice(header.header[0], at).endsWith('\n') ? '' : eol;
      inserts.push({ range: [at, at], text: lead + block });
      continue;
    }
    const dotted = firstDottedDefinition(third.sections, table.path);
    if (dotted) {
      // The table exists only through dotted keys (`[profile]` + `release.debug = 1`): a
      // `[profile.release]` header would define it twice, so write dotted keys beside the user's.
      const prefix = table.path.slice(dotted.section.path.length);
      const at = lineStart(pruned, dotted.entry.node.range[0]);
      inserts.push({ range: [at, at], text: renderBlock(withComments(table, prefix, trailing), eol, source) });
      continue;
    }
    appended.push(table);
  }
  let result = applyEdits(pruned, inserts);
  for (const table of appended) {
    // One blank line before the table, always: removing it later (with the table) then gives
    // back exactly the bytes that were there before.
    if (result.length > 0) {
      result += result.endsWith('\n') ? eol : eol + eol;
    }
    result += `[${table.path.map(renderKey).join('.')}]${eol}`;
    result += renderBlock(withComments(table, [], trailing), eol, source);
  }
  verify(result, desired, fileName);
  return bom + result;
}

/** A placeholder comment line that holds a managed block's place while the file is edited. */
function anchorLine(path: readonly string[], eol: string): string {
  return `# projen-rust-operator-anchor ${pathId(path)}${eol}`;
}

/** The line ending a file uses most (LF when it has none). */
export function detectEol(text: string): string {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

/** A TOML key: bare when possible, else a basic string. */
export function renderKey(key: string): string {
  return BARE_KEY.test(key) ? key : JSON.stringify(key);
}

/** A value rendered inline: `"s"`, `3`, `true`, `["a", "b"]`, `{ version = "0.6", optional = true }`. */
export function renderValue(value: TomlValue): string {
  if (typeof value === 'string') {
    // JSON string escapes (\", \\, \n, \uXXXX) are all valid TOML basic-string escapes.
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new Error(`managed TOML values must be integers, got ${value}`);
    }
    return String(value);
  }
  if (typeof value === 'boolean') {
    return String(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(renderValue).join(', ')}]`;
  }
  const entries = Object.entries(value as { [key: string]: TomlValue });
  return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${renderKey(k)} = ${renderValue(v)}`).join(', ')} }`;
}

// ---------------------------------------------------------------------------------------------

type Range = [number, number];
interface Edit { readonly range: Range; readonly text: string }

interface Entry {
  readonly node: AST.TOMLKeyValue;
  /** Full path of the key: table path + dotted key. */
  readonly path: string[];
  /** Whole lines of the definition, trailing comment and line break included. */
  readonly lines: Range;
}

interface Section {
  readonly kind: 'root' | 'standard' | 'array';
  /** Table path (array indices dropped); `[]` for the root. */
  readonly path: string[];
  readonly entries: Entry[];
  /** 1-based line of the header (1 for the root). */
  readonly line: number;
  /** The header line including its line break (empty for the root). */
  readonly header: Range;
  /** Header + body up to the end of the last key's line (comments after it excluded). */
  readonly definition: Range;
  /** From the header to the next header (or the end of the file). */
  readonly start: number;
  readonly end: number;
}

interface Marker {
  readonly section: Section;
  /** The key paths it lists, relative to its section. */
  readonly keys: string[][];
  readonly line: Range;
}

interface Analysis {
  readonly sections: Section[];
  readonly markers: Marker[];
  /** Start offsets of all comments. */
  readonly comments: number[];
}

function analyze(program: AST.TOMLProgram, text: string): Analysis {
  const top = program.body[0];
  const tables = top.body.filter((n): n is AST.TOMLTable => n.type === 'TOMLTable');
  const starts = tables.map(t => lineStart(text, t.range[0]));
  const entriesOf = (base: string[], nodes: readonly AST.TOMLKeyValue[]): Entry[] => nodes.map(node => ({
    node,
    path: [...base, ...keyNames(node.key)],
    lines: [lineStart(text, node.range[0]), lineEnd(text, node.range[1])],
  }));
  const rootNodes = top.body.filter((n): n is AST.TOMLKeyValue => n.type === 'TOMLKeyValue');
  const rootEnd = starts.length > 0 ? starts[0] : text.length;
  const sections: Section[] = [{
    kind: 'root',
    path: [],
    entries: entriesOf([], rootNodes),
    line: 1,
    header: [0, 0],
    definition: [0, 0],
    start: 0,
    end: rootEnd,
  }];
  tables.forEach((table, i) => {
    const path = table.resolvedKey.filter((k): k is string => typeof k === 'string');
    const start = starts[i];
    const headerEnd = lineEnd(text, table.key.range[1]);
    const last = table.body.length > 0 ? lineEnd(text, table.body[table.body.length - 1].range[1]) : headerEnd;
    sections.push({
      kind: table.kind === 'array' ? 'array' : 'standard',
      path,
      entries: table.kind === 'array' ? [] : entriesOf(path, table.body),
      line: table.loc.start.line,
      header: [start, headerEnd],
      definition: [start, last],
      start,
      end: i + 1 < starts.length ? starts[i + 1] : text.length,
    });
  });
  const values = [...rootNodes, ...tables.flatMap(t => t.body)].map(n => n.range);
  const insideValue = (offset: number) => values.some(([from, to]) => offset > from && offset < to);
  const markers: Marker[] = [];
  for (const comment of program.comments) {
    const from = lineStart(text, comment.range[0]);
    const to = lineEnd(text, comment.range[1]);
    const line = text.slice(from, to).replace(/\r?\n$/, '');
    const match = MARKER_PATTERN.exec(line);
    if (!match || text.slice(from, comment.range[0]).trim() !== '' || insideValue(comment.range[0])) {
      continue;
    }
    const section = [...sections].reverse().find(s => s.start <= from)!;
    markers.push({ section, keys: parseMarkerKeys(match[1]), line: [from, to] });
  }
  return { sections, markers, comments: program.comments.map(c => c.range[0]) };
}

/** The dotted keys a marker lists; items that do not parse as a key are ignored. */
function parseMarkerKeys(list: string): string[][] {
  const keys: string[][] = [];
  for (const item of list.split(',').map(s => s.trim()).filter(s => s.length > 0)) {
    try {
      const node = parseTOML(`${item} = 0`, { tomlVersion: '1.1' }).body[0].body[0];
      if (node?.type === 'TOMLKeyValue') {
        keys.push(keyNames(node.key));
      }
    } catch {
      // A hand-edited marker item: not a key, so nothing to remove.
    }
  }
  return keys;
}

/** The first key (by position) that defines `path` through a dotted key in an ancestor table. */
function firstDottedDefinition(sections: readonly Section[], path: readonly string[]): { section: Section; entry: Entry } | undefined {
  let found: { section: Section; entry: Entry } | undefined;
  for (const section of sections) {
    if (section.kind === 'array' || section.path.length >= path.length) {
      continue;
    }
    for (const entry of section.entries) {
      if (entry.path.length > path.length && startsWith(entry.path, path)
        && (!found || entry.node.range[0] < found.entry.node.range[0])) {
        found = { section, entry };
      }
    }
  }
  return found;
}

function renderBlock(keys: readonly { path: readonly string[]; value: TomlValue; comment?: string }[], eol: string, source: string): string {
  const names = keys.map(k => k.path.map(renderKey).join('.'));
  const lines = [markerLine(names, source), ...keys.map((k, i) => `${names[i]} = ${renderValue(k.value)}${k.comment ?? ''}`)];
  return lines.map(l => l + eol).join('');
}

/** A table's keys to render (under `prefix` when dotted), each with the comment its old line had. */
function withComments(table: ManagedTable, prefix: readonly string[], trailing: ReadonlyMap<string, string>) {
  return table.keys.map(k => ({ path: [...prefix, k.key], value: k.value, comment: trailing.get(pathId([...table.path, k.key])) }));
}

/**
 * The comment after a key's value on its last line, with the blanks before it
 * (`  # Still optimized`), or undefined when the line has none.
 */
function trailingComment(text: string, entry: Entry): string | undefined {
  const rest = text.slice(entry.node.range[1], entry.lines[1]).replace(/\r?\n$/, '');
  const match = /^([ \t]*#.*)$/.exec(rest);
  return match && !MARKER_PATTERN.test(match[1]) ? match[1].replace(/[ \t]+$/, '') : undefined;
}

function checkTables(tables: readonly ManagedTable[]): void {
  const seen = new Set<string>();
  for (const table of tables) {
    if (table.path.length === 0 || table.path.some(p => p.length === 0) || seen.has(pathId(table.path))) {
      throw new Error(`managed table paths must be distinct and non-empty: ${JSON.stringify(table.path)}`);
    }
    seen.add(pathId(table.path));
    const keys = new Set<string>();
    for (const k of table.keys) {
      if (k.key.length === 0 || keys.has(k.key)) {
        throw new Error(`managed keys of [${table.path.join('.')}] must be distinct and non-empty: "${k.key}"`);
      }
      keys.add(k.key);
    }
  }
  for (const a of tables) {
    for (const b of tables) {
      if (b.keys.some(k => startsWith(a.path, [...b.path, k.key]))) {
        throw new Error(`managed table [${a.path.join('.')}] lies inside the managed key ${[...b.path].join('.')}`);
      }
    }
  }
}

/** Checks that the result parses and holds exactly the managed values (guards against editor bugs). */
function verify(text: string, tables: readonly ManagedTable[], fileName: string): void {
  let value: any;
  try {
    value = getStaticTOMLValue(parseTOML(text, { tomlVersion: '1.1' }));
  } catch (e: any) {
    throw new OptionError(fileName, `cannot take the managed keys without becoming invalid TOML (${e.message}, line ${e.lineNumber}).`,
      'Write the managed tables as standard [table] headers with one key per line, then run npx projen again.');
  }
  for (const table of tables) {
    for (const k of table.keys) {
      const actual = [...table.path, k.key].reduce((v, p) => (v === undefined || v === null ? undefined : v[p]), value);
      if (JSON.stringify(actual) !== JSON.stringify(k.value)) {
        throw new Error(`internal error: ${[...table.path, k.key].join('.')} is ${JSON.stringify(actual)} after editing, expected ${JSON.stringify(k.value)}`);
      }
    }
  }
}

function conflictError(fileName: string, line: number, at: readonly string[], managed: readonly string[], what: string): OptionError {
  const table = managed.slice(0, -1).join('.');
  return new OptionError(`${fileName}:${line}`,
    `"${at.join('.')}" is written as ${what}, so the managed key "${managed.join('.')}" cannot be added to it.`,
    `Rewrite it as a standard [${table}] table with one key per line (e.g. [${table}] then ${managed[managed.length - 1]} = ...), then run npx projen again.`);
}

function reparse(text: string, fileName: string): AST.TOMLProgram {
  try {
    return parseTOML(text, { tomlVersion: '1.1' });
  } catch (e: any) {
    throw new Error(`internal error: removing managed keys from ${fileName} made it invalid (${e.message})`);
  }
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  // Merge overlapping removals; insertions at the same offset keep their order.
  const sorted = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.range[0] - b.range[0] || a.i - b.i);
  let out = '';
  let at = 0;
  for (const edit of sorted) {
    const from = Math.max(at, edit.range[0]);
    out += text.slice(at, from) + edit.text;
    at = Math.max(from, edit.range[1]);
  }
  return out + text.slice(at);
}

function withBlankLineBefore(text: string, range: Range): Range {
  if (range[0] === 0) {
    return range;
  }
  const prev = lineStart(text, range[0] - 1);
  return /^[ \t]*\r?\n$/.test(text.slice(prev, range[0])) ? [prev, range[1]] : range;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * Offset just past the line break ending the line that holds `offset`, the exclusive end of a
 * node (nodes never end in a line break); the end of the text on a last line without one.
 */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

function keyNames(key: AST.TOMLKey): string[] {
  return key.keys.map(k => (k.type === 'TOMLBare' ? k.name : k.value));
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

function pathEquals(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && startsWith(a, b);
}

function pathId(path: readonly string[]): string {
  return JSON.stringify(path);
}

/** 1-based line of `key` in `[table]` (or a dotted `table.key` at the top), 0 when not found. */
export function lineOfKey(text: string, table: string, key: string): number {
  const lines = text.split('\n');
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[([^\[\]]+)\]/.exec(lines[i]);
    if (header) {
      current = header[1].replace(/\s+/g, '');
      continue;
    }
    const k = new RegExp(`^\\s*"?${escapeRegExp(key)}"?\\s*[=.]`);
    // `[profile]` + `release.opt-level = 3`, or top-level `profile.release.opt-level = 3`.
    const rest = current === '' ? table : table.startsWith(`${current}.`) ? table.slice(current.length + 1) : undefined;
    const dotted = rest === undefined ? undefined
      : new RegExp(`^\\s*${rest.split('.').map(escapeRegExp).join('\\s*\\.\\s*')}\\s*\\.\\s*"?${escapeRegExp(key)}"?\\s*[=.]`);
    if ((current === table && k.test(lines[i])) || dotted?.test(lines[i])) {
      return i + 1;
    }
  }
  return 0;
}


function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
