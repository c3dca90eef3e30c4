import * as fs from 'fs';
import * as path from 'path';
import { FileBase, IResolver, Project } from 'projen';
import { checkOptionNames } from '../core/option-names';

/** Files every operator build reads; never directories. */
const KNOWN_FILES = ['Cargo.toml', 'Cargo.lock', 'operator.json', 'build.rs'];

/** Options for `OperatorDockerignore`. */
export interface OperatorDockerignoreOptions {
  /**
   * Paths the build reads; they are never excluded (a `!path` exception is written if an
   * exclusion would cover one).
   * @default ["Cargo.toml", "Cargo.lock", "src", "operator.json"]
   */
  readonly requiredPaths?: string[];

  /**
   * Extra patterns to exclude.
   * @default - none
   */
  readonly extraExclusions?: string[];
}

/**
 * The owned `.dockerignore`: keeps the build context small and free of local secrets, and never
 * hides a file the Dockerfile copies.
 */
export class OperatorDockerignore extends FileBase {
  /** What every operator's build context can leave out. */
  public static readonly DEFAULT_EXCLUSIONS = [
    '.git', '.github', '.projen', '.projenrc.ts', '.vscode', '.idea',
    'node_modules', 'target', 'docs', 'tests', 'test-reports',
    '*.md', '*.log', '.env', '.env.*', '*.pem', '*.key',
  ];

  private readonly required: string[];
  private readonly exclusions: string[];

  constructor(project: Project, options: OperatorDockerignoreOptions = {}) {
    checkOptionNames(options, 'OperatorDockerignoreOptions', 'OperatorDockerignore');
    super(project, '.dockerignore', { marker: true, readonly: true, committed: true });
    this.required = [];
    for (const file of options.requiredPaths ?? ['Cargo.toml', 'Cargo.lock', 'src', 'operator.json']) {
      this.addRequiredPath(file);
    }
    this.exclusions = [];
    for (const pattern of [...OperatorDockerignore.DEFAULT_EXCLUSIONS, ...(options.extraExclusions ?? [])]) {
      this.addExclusion(pattern);
    }
  }

  /** Marks a path as read by the build (it gets an exception if an exclusion covers it). */
  public addRequiredPath(file: string): void {
    const normalized = normalizeContextPath(file);
    if (!this.required.includes(normalized)) {
      this.required.push(normalized);
    }
  }

  /** Adds an exclusion pattern. */
  public addExclusion(pattern: string): void {
    if (typeof pattern !== 'string' || pattern.trim() === '' || /[\r\n]/.test(pattern) || pattern.trim().startsWith('#')) {
      throw new Error(`.dockerignore pattern must be a single non-empty line that is not a comment, got ${JSON.stringify(pattern)}`);
    }
    if (!this.exclusions.includes(pattern)) {
      this.exclusions.push(pattern);
    }
  }

  /** Paths the build reads, in the order they were declared. */
  public get requiredPaths(): string[] {
    return [...this.required];
  }

  /** The exclusion patterns, in order. */
  public get exclusionPatterns(): string[] {
    return [...this.exclusions];
  }

  /**
   * Required paths that need a `!path` exception: those an exclusion covers (the path or a
   * parent directory matches), and those with contents a wildcard pattern may match (e.g.
   * `**\/*.json` under `protos/`). A pattern that starts with the required path itself
   * (`src/**\/*.snap`) is taken as deliberate and left alone.
   */
  public get exceptions(): string[] {
    return this.required.filter((file) => this.exclusions.some((pattern) => needsException(file, pattern, this.mayBeDirectory(file))));
  }

  /** Whether a required path can have contents: not a file on disk nor one of the build's known files. */
  private mayBeDirectory(file: string): boolean {
    if (KNOWN_FILES.includes(file)) {
      return false;
    }
    try {
      return !fs.statSync(path.join(this.project.outdir, file)).isFile();
    } catch {
      return true;
    }
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    const lines = [`# ${this.marker}`, ...this.exclusions];
    // Docker applies the last matching line, so exceptions come after every exclusion.
    const exceptions = this.exceptions;
    if (exceptions.length > 0) {
      lines.push('# Read by the build; never excluded.');
      lines.push(...exceptions.map((file) => `!${file}`));
      // An exception re-includes a whole folder; exclusions aimed inside it apply again after it.
      const inside = this.exclusions.filter((pattern) => exceptions.some((file) => cleanPattern(pattern).startsWith(`${file}/`)));
      if (inside.length > 0) {
        lines.push('# Excluded inside those on purpose.');
        lines.push(...inside);
      }
    }
    return lines.join('\n') + '\n';
  }
}

/**
 * Whether the `.dockerignore` `pattern` (an exclusion, without `!`) excludes `file`, by Docker's
 * rules (github.com/moby/patternmatcher): the pattern is cleaned like a path with a leading `/`
 * dropped; `*` matches within one path segment, `?` one character other than `/`, `[...]` a
 * character class, `**` any number of directories (none included), `\` escapes; a pattern that
 * matches a parent directory covers everything below it.
 */
export function coveredBy(file: string, pattern: string): boolean {
  const compiled = compilePattern(cleanPattern(pattern));
  const target = normalizeContextPath(file);
  if (compiled(target)) {
    return true;
  }
  const parents = path.posix.dirname(target);
  if (parents === '.') {
    return false;
  }
  const dirs = parents.split('/');
  return dirs.some((_, i) => compiled(dirs.slice(0, i + 1).join('/')));
}

/**
 * Whether a `.dockerignore` text excludes `file` from the build context, by Docker's rules:
 * blank lines and `#` comments are skipped, each other line is a pattern (`!` makes it an
 * exception), and the last line matching the file or one of its parent directories decides.
 */
export function dockerignoreExcludes(dockerignore: string, file: string): boolean {
  let excluded = false;
  for (const raw of dockerignore.split(/\r?\n/)) {
    if (raw.startsWith('#')) {
      continue;
    }
    let line = raw.trim();
    if (line === '') {
      continue;
    }
    const exception = line.startsWith('!');
    if (exception) {
      line = line.slice(1).trim();
      if (line === '') {
        continue;
      }
    }
    // An exception is only worth evaluating once excluded, and an exclusion only before.
    if (exception !== excluded) {
      continue;
    }
    if (coveredBy(file, line)) {
      excluded = !exception;
    }
  }
  return excluded;
}

/** `path.Clean` of a context path, forward slashes, no leading `/` or `./`. */
function normalizeContextPath(file: string): string {
  const cleaned = path.posix.normalize(file.replace(/\\/g, '/')).replace(/^\/+/, '').replace(/\/+$/, '');
  return cleaned === '' ? '.' : cleaned;
}

/** Docker's preprocessing of a pattern: `filepath.Clean`, then a leading `/` removed. */
function cleanPattern(pattern: string): string {
  let cleaned = path.posix.normalize(pattern.trim());
  if (cleaned.length > 1 && cleaned.endsWith('/')) {
    cleaned = cleaned.slice(0, -1);
  }
  if (cleaned.length > 1 && cleaned.startsWith('/')) {
    cleaned = cleaned.slice(1);
  }
  return cleaned;
}

/** A port of patternmatcher's `Pattern.compile` and `match` (Linux separators). */
function compilePattern(pattern: string): (file: string) => boolean {
  type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';
  let matchType: MatchType = 'exact';
  let source = '^';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        const atStart = i === 0;
        i++;
        if (chars[i + 1] === '/') {
          i++; // `**/` is treated as `**`
        }
        if (i + 1 >= chars.length) {
          // `**` at the end accepts everything, like .gitignore
          if (matchType === 'exact') {
            matchType = 'prefix';
          } else {
            source += '.*';
            matchType = 'regexp';
          }
        } else {
          // any number of directories, none included
          source += '(.*/)?';
          matchType = 'regexp';
        }
        if (atStart) {
          matchType = 'suffix';
        }
      } else {
        source += '[^/]*';
        matchType = 'regexp';
      }
    } else if (ch === '?') {
      source += '[^/]';
      matchType = 'regexp';
    } else if ('.+()|{}$'.includes(ch)) {
      source += `\\${ch}`;
    } else if (ch === '\\') {
      if (i + 1 < chars.length) {
        i++;
        source += /[A-Za-z0-9]/.test(chars[i]) ? chars[i] : `\\${chars[i]}`;
        matchType = 'regexp';
      } else {
        source += '\\\\';
      }
    } else if (ch === '[' || ch === ']') {
      source += ch;
      matchType = 'regexp';
    } else if (ch === '^') {
      // Go's regexp treats a literal `^` outside a class as an anchor too; inside `[...]` it negates.
      source += ch;
    } else {
      source += ch;
    }
  }
  switch (matchType) {
    case 'exact':
      return (file) => file === pattern;
    case 'prefix':
      return (file) => file.startsWith(pattern.slice(0, -2));
    case 'suffix': {
      const suffix = pattern.slice(2);
      return (file) => file.endsWith(suffix) || (suffix.startsWith('/') && file === suffix.slice(1));
    }
    default: {
      let regex: RegExp;
      try {
        regex = new RegExp(source + '$', 'u');
      } catch {
        return () => false; // Docker reports a bad pattern; it matches nothing
      }
      return (file) => regex.test(file);
    }
  }
}

/**
 * Whether a required path needs a `!path` exception against `pattern`: the pattern covers it,
 * or (for a path that may be a directory) the pattern may match something below it through
 * wildcards in its leading segments.
 */
function needsException(file: string, pattern: string, mayBeDirectory: boolean): boolean {
  const cleaned = cleanPattern(pattern);
  if (cleaned.startsWith('!')) {
    return false;
  }
  if (coveredBy(file, cleaned)) {
    return true;
  }
  if (!mayBeDirectory) {
    return false;
  }
  const target = normalizeContextPath(file);
  // Deliberate exclusions inside a required directory (`src/**/*.snap`) stay in force.
  if (cleaned.startsWith(`${target}/`)) {
    return false;
  }
  return mayMatchBelow(target.split('/'), cleaned.split('/'));
}

/**
 * Whether some path `dir/...` below the directory `dir` (given as segments) could match the
 * pattern segments: each leading pattern segment must match the directory's segment, a `**`
 * segment matches any depth, and pattern segments left over can match the contents.
 */
function mayMatchBelow(dir: string[], segments: string[]): boolean {
  if (segments.length === 0) {
    return false;
  }
  const [head, ...rest] = segments;
  if (head.startsWith('**')) {
    return true;
  }
  if (dir.length === 0) {
    return true;
  }
  if (!compilePattern(head)(dir[0])) {
    return false;
  }
  return mayMatchBelow(dir.slice(1), rest);
}
