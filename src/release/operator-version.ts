import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { AST } from 'toml-eslint-parser';
import { parseTomlDocument } from '../cargo/managed-toml';
import { OptionError } from '../core/errors';

/** A release version: `X.Y.Z` or a pre-release `X.Y.Z-rc.1`; never a `v` prefix. */
const RELEASE_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** What `setOperatorVersion` changed. */
export interface VersionChange {
  /** The version before. */
  readonly from: string;
  /** The version after. */
  readonly to: string;
  /** Files rewritten, relative to the project. */
  readonly files: string[];
}

/**
 * Sets the operator version everywhere it lives, together: `[package].version` in Cargo.toml,
 * the root package in Cargo.lock (else `--locked` builds fail), and the tag of operator.json's
 * `container` when it pins one. Only those values change; every other byte stays.
 */
export function setOperatorVersion(dir: string, version: string): VersionChange {
  if (!RELEASE_VERSION.test(version)) {
    throw new OptionError('release', `"${version}" is not a release version.`,
      'Give X.Y.Z (or a pre-release such as 1.2.3-rc.1), without a "v": the version is also the git tag and the image tag.');
  }
  const files: string[] = [];
  const cargoFile = path.join(dir, 'Cargo.toml');
  const cargoText = fs.readFileSync(cargoFile, 'utf-8');
  const { value, from, name } = packageVersion(cargoText);
  const edits: [string, string][] = [['Cargo.toml', cargoText.slice(0, value[0]) + JSON.stringify(version) + cargoText.slice(value[1])]];

  const lockFile = path.join(dir, 'Cargo.lock');
  if (fs.existsSync(lockFile)) {
    const lock = fs.readFileSync(lockFile, 'utf-8');
    // The workspace's own packages are the [[package]] entries without a `source`.
    const entry = new RegExp(`(\\[\\[package\\]\\]\\r?\\nname = "${escape(name)}"\\r?\\nversion = ")${escape(from)}("\\r?\\n(?!source))`);
    if (!entry.test(lock)) {
      throw new OptionError('Cargo.lock', `has no entry for package ${name} ${from}.`, 'Run `cargo generate-lockfile` (or any cargo build) first, then release again.');
    }
    edits.push(['Cargo.lock', lock.replace(entry, `$1${version}$2`)]);
  }

  const manifestFile = path.join(dir, 'operator.json');
  if (fs.existsSync(manifestFile)) {
    const text = fs.readFileSync(manifestFile, 'utf-8');
    const container: unknown = JSON.parse(text).container;
    const pinned = typeof container === 'string' ? /^(.+\/[^/:@]+):([^/:@]+)$/.exec(container) : null;
    if (pinned) {
      const next = JSON.stringify(`${pinned[1]}:${version}`);
      const at = text.indexOf('"container"');
      const current = JSON.stringify(container);
      const valueAt = text.indexOf(current, at);
      edits.push(['operator.json', text.slice(0, valueAt) + next + text.slice(valueAt + current.length)]);
    }
  }
  // Everything is computed before anything is written.
  for (const [file, text] of edits) {
    fs.writeFileSync(path.join(dir, file), text);
    files.push(file);
  }
  return { from, to: version, files };
}

/**
 * Bumps the version, then commits those files and tags the commit `version` when `dir` is a git
 * repository. Returns what it did, one line each.
 */
export function releaseOperator(dir: string, version: string): string[] {
  const change = setOperatorVersion(dir, version);
  const lines = [`${change.files.join(', ')}: ${change.from} -> ${change.to}`];
  const git = (args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf-8' });
  if (git(['rev-parse', '--is-inside-work-tree']).stdout.trim() !== 'true') {
    return [...lines, 'Not a git repository: commit, then tag the commit with the version.'];
  }
  for (const args of [['commit', '-m', `Release ${version}`, '--', ...change.files], ['tag', '-a', version, '-m', `Release ${version}`]]) {
    const result = git(args);
    if (result.status !== 0) {
      throw new Error(`git ${args.join(' ')} failed:\n${result.stderr || result.stdout}`);
    }
  }
  return [...lines, `Committed and tagged ${version}. Push with: git push origin HEAD ${version}`];
}

function packageVersion(text: string): { value: [number, number]; from: string; name: string } {
  const program = parseTomlDocument(text);
  const top = program.body[0];
  let value: AST.TOMLValue | undefined;
  let name: string | undefined;
  const visit = (base: string[], node: AST.TOMLKeyValue) => {
    const keyPath = [...base, ...node.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value))];
    if (keyPath.join('.') === 'package.version' && node.value.type === 'TOMLValue' && node.value.kind === 'string') value = node.value;
    if (keyPath.join('.') === 'package.name' && node.value.type === 'TOMLValue' && node.value.kind === 'string') name = String(node.value.value);
  };
  for (const node of top.body) {
    if (node.type === 'TOMLKeyValue') {
      visit([], node);
    } else if (node.type === 'TOMLTable' && node.kind === 'standard') {
      const base = node.resolvedKey.map(String);
      for (const child of node.body) visit(base, child);
    }
  }
  if (!value || !name) {
    throw new OptionError('Cargo.toml', 'has no [package] name and version string (e.g. a workspace-inherited version).',
      'Write version = "X.Y.Z" in [package], then release again.');
  }
  return { value: [value.range[0], value.range[1]], from: String(value.value), name };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
