import { FileBase, IResolver, Project } from 'projen';

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
    super(project, '.dockerignore', { marker: true, readonly: true, committed: true });
    this.required = options.requiredPaths ?? ['Cargo.toml', 'Cargo.lock', 'src', 'operator.json'];
    this.exclusions = [...OperatorDockerignore.DEFAULT_EXCLUSIONS, ...(options.extraExclusions ?? [])];
  }

  /** Marks a path as read by the build (it gets an exception if an exclusion covers it). */
  public addRequiredPath(path: string): void {
    if (!this.required.includes(path)) {
      this.required.push(path);
    }
  }

  /** Adds an exclusion pattern. */
  public addExclusion(pattern: string): void {
    if (!this.exclusions.includes(pattern)) {
      this.exclusions.push(pattern);
    }
  }

  /** Paths the build reads, in the order they were declared. */
  public get requiredPaths(): string[] {
    return [...this.required];
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    const lines = [`# ${this.marker}`, ...this.exclusions];
    // Docker applies the last matching line, so exceptions come after every exclusion.
    const exceptions = this.required.filter((path) => this.exclusions.some((pattern) => coveredBy(path, pattern)));
    if (exceptions.length > 0) {
      lines.push('# Read by the build; never excluded.');
      lines.push(...exceptions.map((path) => `!${path}`));
    }
    return lines.join('\n') + '\n';
  }
}

/**
 * Whether `pattern` (Docker's syntax: `*` within one path segment, a match on a directory
 * covers everything below it) excludes `path` or one of its parent directories.
 */
export function coveredBy(path: string, pattern: string): boolean {
  const regex = new RegExp('^' + pattern.split('*').map(escapeRegExp).join('[^/]*') + '$');
  const segments = path.split('/');
  for (let i = 1; i <= segments.length; i++) {
    if (regex.test(segments.slice(0, i).join('/'))) {
      return true;
    }
  }
  return false;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
