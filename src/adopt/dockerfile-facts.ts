/** What a hand-kept Dockerfile does, read instruction by instruction (comments dropped, continuations joined). */
export interface DockerfileFacts {
  /** Every stage, in order. */
  readonly stages: DockerStageFacts[];
  /** `--profile <name>` (or `--release`) of a `cargo build` in any stage. */
  readonly buildProfile?: string;
  /** BuildKit secret ids mounted by `RUN --mount=type=secret,id=<id>`. */
  readonly secretIds: string[];
}

/** One `FROM` stage. */
export interface DockerStageFacts {
  readonly image: string;
  readonly alias?: string;
  /** Packages installed with apt-get install / apt install. */
  readonly packages: string[];
  /** `ENV` names and values, in order. */
  readonly env: { [name: string]: string };
  /** The last `USER`, if any. */
  readonly user?: string;
  /** Sources of `COPY` (not `--from`). */
  readonly copied: string[];
  /** Every instruction, keyword and arguments on one line. */
  readonly instructions: string[];
}

/** Joins continuation lines and drops comments and blank lines. */
export function dockerInstructions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && current === '')) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1).trim() + ' ';
      continue;
    }
    current += line;
    if (current.trim() !== '') out.push(current.trim().replace(/\s+/g, ' '));
    current = '';
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

/** Reads a Dockerfile's stages, packages, environment, user, copies, build profile and secret ids. */
export function readDockerfile(text: string): DockerfileFacts {
  const stages: Array<Omit<DockerStageFacts, 'user'> & { user?: string }> = [];
  const secretIds: string[] = [];
  let buildProfile: string | undefined;
  for (const instruction of dockerInstructions(text)) {
    const [keyword, ...rest] = instruction.split(' ');
    const args = rest.join(' ');
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const parts = rest.filter((p) => !p.startsWith('--'));
      const as = parts.findIndex((p) => p.toUpperCase() === 'AS');
      stages.push({ image: parts[0], alias: as >= 0 ? parts[as + 1] : undefined, packages: [], env: {}, copied: [], instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) continue;
    stage.instructions.push(`${upper} ${args}`);
    if (upper === 'RUN') {
      for (const match of args.matchAll(/--mount=\S*type=secret\S*/g)) {
        const id = /(?:^|[,=])id=([^,\s]+)/.exec(match[0].replace(/^--mount=/, ','));
        if (id && !secretIds.includes(id[1])) secretIds.push(id[1]);
      }
      for (const command of args.split(/&&|;|\|\|/)) {
        const apt = /\bapt(?:-get)?\s+install\b(.*)$/.exec(command);
        if (apt) {
          for (const word of apt[1].trim().split(/\s+/)) {
            if (word && !word.startsWith('-') && !stage.packages.includes(word)) stage.packages.push(word);
          }
        }
        const cargo = /\bcargo\s+build\b(.*)$/.exec(command);
        if (cargo) {
          const profile = /--profile[= ](\S+)/.exec(cargo[1]);
          buildProfile = profile ? profile[1] : /--release\b/.test(cargo[1]) ? 'release' : buildProfile ?? 'dev';
        }
      }
    } else if (upper === 'ENV') {
      for (const [name, value] of parseEnv(args)) stage.env[name] = value;
    } else if (upper === 'USER') {
      stage.user = args.trim();
    } else if (upper === 'COPY' || upper === 'ADD') {
      if (rest.some((p) => p.startsWith('--from'))) continue;
      const paths = rest.filter((p) => !p.startsWith('--'));
      for (const source of paths.slice(0, -1)) {
        const clean = source.replace(/^\.\//, '').replace(/\/$/, '').replace(/\*$/, '');
        if (!stage.copied.includes(clean)) stage.copied.push(clean);
      }
    }
  }
  return { stages, buildProfile, secretIds };
}

function parseEnv(args: string): Array<[string, string]> {
  // `ENV NAME value` (legacy) or `ENV A=1 B="two words"`.
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [name, ...value] = args.split(' ');
    return [[name, value.join(' ')]];
  }
  const out: Array<[string, string]> = [];
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
    out.push([match[1], match[2].replace(/^["'](.*)["']$/, '$1')]);
  }
  return out;
}
