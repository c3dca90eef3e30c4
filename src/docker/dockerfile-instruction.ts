/** Options for `DockerInstruction.run`. */
export interface RunInstructionOptions {
  /**
   * `--mount` values, e.g. `type=secret,id=git_token,required=false`.
   * @default - no mounts
   */
  readonly mounts?: string[];
}

/** Options for `DockerInstruction.copy`. */
export interface CopyInstructionOptions {
  /**
   * Stage alias or image to copy from (`--from`).
   * @default - the build context
   */
  readonly from?: string;
  /**
   * Owner of the copied files (`--chown`).
   * @default - root
   */
  readonly chown?: string;
  /**
   * Mode of the copied files (`--chmod`).
   * @default - the source mode
   */
  readonly chmod?: string;
}

/**
 * One Dockerfile instruction: keyword, flags and arguments. The static factories render the
 * forms the generated Dockerfiles use; the constructor is the escape hatch for anything else.
 */
export class DockerInstruction {
  /**
   * A shell-form `RUN`. Several commands are chained with `&&`, one per line.
   */
  public static run(commands: string[], options: RunInstructionOptions = {}): DockerInstruction {
    const flags = (options.mounts ?? []).map((mount) => `--mount=${mount}`);
    // With mounts, the commands start on their own line so the chain stays readable.
    const lead = flags.length > 0 ? '\\\n    ' : '';
    return new DockerInstruction('RUN', lead + commands.join(' \\\n    && '), flags);
  }

  /** A `COPY` of one or more sources to a destination. */
  public static copy(sources: string[], destination: string, options: CopyInstructionOptions = {}): DockerInstruction {
    const flags: string[] = [];
    if (options.from) flags.push(`--from=${options.from}`);
    if (options.chown) flags.push(`--chown=${options.chown}`);
    if (options.chmod) flags.push(`--chmod=${options.chmod}`);
    return new DockerInstruction('COPY', [...sources, destination].join(' '), flags);
  }

  /**
   * An `ENV` with one `KEY=value` per line, keys sorted for a stable output. Values that are not
   * plain words are double-quoted with `\\`, `"` and `$` escaped, so Docker stores them verbatim
   * (no variable expansion).
   */
  public static env(variables: { [name: string]: string }): DockerInstruction {
    const pairs = Object.keys(variables).sort().map((name) => `${checkVariableName(name, 'ENV')}=${quoteValue(variables[name], 'ENV', name)}`);
    return new DockerInstruction('ENV', pairs.join(' \\\n    '));
  }

  /** An `ARG`, optionally with a default. */
  public static arg(name: string, defaultValue?: string): DockerInstruction {
    return new DockerInstruction('ARG', defaultValue === undefined ? name : `${name}=${defaultValue}`);
  }

  /** A `WORKDIR`. */
  public static workdir(path: string): DockerInstruction {
    return new DockerInstruction('WORKDIR', path);
  }

  /** A `USER`. */
  public static user(user: string): DockerInstruction {
    return new DockerInstruction('USER', user);
  }

  /** An exec-form `ENTRYPOINT` (no shell, so signals reach the process). */
  public static entrypoint(argv: string[]): DockerInstruction {
    return new DockerInstruction('ENTRYPOINT', JSON.stringify(argv).replace(/","/g, '", "'));
  }

  /** An exec-form `CMD`. */
  public static cmd(argv: string[]): DockerInstruction {
    return new DockerInstruction('CMD', JSON.stringify(argv).replace(/","/g, '", "'));
  }

  /** `LABEL` lines, keys sorted; values double-quoted like `env` values. */
  public static label(labels: { [name: string]: string }): DockerInstruction {
    const pairs = Object.keys(labels).sort().map((name) => `${quoteLabelKey(name)}=${quoteValue(labels[name], 'LABEL', name, true)}`);
    return new DockerInstruction('LABEL', pairs.join(' \\\n      '));
  }

  /**
   * @param keyword the instruction keyword, e.g. `HEALTHCHECK`
   * @param args everything after the flags, rendered verbatim
   * @param flags flags rendered before the arguments, e.g. `--from=builder`
   * @param comment a comment line rendered above the instruction
   */
  constructor(
    public readonly keyword: string,
    public readonly args: string,
    public readonly flags: string[] = [],
    public readonly comment?: string,
  ) {
    if (!/^[A-Z]+$/.test(keyword)) {
      throw new Error(`Dockerfile instruction keyword must be upper case letters, got "${keyword}"`);
    }
  }

  /** The same instruction with a comment line above it. */
  public withComment(comment: string): DockerInstruction {
    return new DockerInstruction(this.keyword, this.args, this.flags, comment);
  }

  /** The rendered text, without a trailing newline. */
  public render(): string {
    const comment = this.comment ? this.comment.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n') + '\n' : '';
    const flags = this.flags.length > 0 ? ` ${this.flags.join(' ')}` : '';
    return `${comment}${this.keyword}${flags} ${this.args}`;
  }
}

function checkVariableName(name: string, keyword: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`${keyword} variable name must be letters, digits and "_", not starting with a digit; got ${JSON.stringify(name)}`);
  }
  return name;
}

function quoteLabelKey(name: string): string {
  if (name === '' || /[\r\n]/.test(name)) {
    throw new Error(`LABEL key must be a non-empty single line, got ${JSON.stringify(name)}`);
  }
  return /^[A-Za-z0-9_.-]+$/.test(name) ? name : quoteValue(name, 'LABEL', name, true);
}

/**
 * A value as Docker's word parser reads it back verbatim: bare when it is a plain word, else in
 * double quotes where only `\\`, `"` and `$` need (and get) a backslash. JSON escapes such as
 * `\n` mean nothing to Docker, so line breaks are refused instead.
 */
function quoteValue(value: string, keyword: string, name: string, alwaysQuote = false): string {
  if (typeof value !== 'string' || /[\r\n]/.test(value)) {
    throw new Error(`${keyword} ${name}: the value must be a single-line string, got ${JSON.stringify(value)}`);
  }
  if (!alwaysQuote && value !== '' && /^[A-Za-z0-9_.,:/=+@%-]+$/.test(value)) {
    return value;
  }
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}
