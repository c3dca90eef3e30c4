/**
 * Test-only checks of generated Dockerfiles: LSP diagnostics from `dockerfile-utils` and structural
 * helpers over `dockerfile-ast`. A real build (buildah) is a separate, slow test command; see
 * /work/shared/reference/validation-offline.md.
 */
import { DockerfileParser, Instruction, ModifiableInstruction } from 'dockerfile-ast';
import { validate, ValidationCode } from 'dockerfile-utils';
import { Finding } from './validate-finding';

export type { Finding } from './validate-finding';
export { formatFindings } from './validate-finding';

// LSP DiagnosticSeverity values (vscode-languageserver-types); only errors and warnings are kept.
const LSP_ERROR = 1;
const LSP_WARNING = 2;

/**
 * `dockerfile-utils` `validate()` with default settings, errors and warnings only (it emits no
 * info/hint diagnostics today, but they would be dropped). `code` is the `ValidationCode` name
 * (`UNKNOWN_INSTRUCTION`, `DUPLICATE_BUILD_STAGE_NAME`, ...); line/column are 1-based.
 *
 * It checks syntax and arguments per instruction; it does NOT check that `COPY --from` names an
 * existing stage, nor flag values of `RUN --mount` (see {@link copyFromReferencesExistingStages},
 * {@link runMounts}).
 */
export function dockerfileDiagnostics(text: string): Finding[] {
  return validate(text)
    .filter((d) => d.severity === LSP_ERROR || d.severity === LSP_WARNING)
    .map((d) => ({
      tool: 'dockerfile-utils',
      message: typeof d.message === 'string' ? d.message : d.message.value,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      severity: d.severity === LSP_ERROR ? 'error' : 'warning',
      code: typeof d.code === 'number' ? ValidationCode[d.code] ?? String(d.code) : d.code,
    }));
}

export interface DockerInstruction {
  /** Upper-case keyword, e.g. `RUN` (unknown instructions keep their spelling, upper-cased). */
  readonly keyword: string;
  /**
   * Arguments without flags; line continuations are joined (`a && \` + `b` → `a &&     b`). For
   * exec form the JSON text as written (`["/usr/local/bin/x"]`).
   */
  readonly args: string;
  /**
   * Flags by name without dashes (`{ from: 'builder', chmod: '755' }`); a flag without value maps to
   * `''`. A repeated flag (several `--mount`) keeps its FIRST value here; see `flagList`.
   */
  readonly flags: Readonly<Record<string, string>>;
  /** All flags in order, repeated ones included. */
  readonly flagList: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** 1-based line of the keyword. */
  readonly line: number;
}

export interface DockerStage {
  /** Zero-based stage index (what `COPY --from=0` refers to). */
  readonly index: number;
  /** The `AS name`, as written (Docker compares stage names case-insensitively). */
  readonly alias?: string;
  /** The image reference as written, variables unexpanded (`rust:${RUST_VERSION}-slim-bookworm`). */
  readonly image: string;
  /** The `--platform` flag value, as written (`$BUILDPLATFORM`). */
  readonly platform?: string;
  /** 1-based line of the FROM. */
  readonly line: number;
  /** The stage's instructions after its FROM. */
  readonly instructions: readonly DockerInstruction[];
}

function toInstruction(i: Instruction): DockerInstruction {
  const flagList = i instanceof ModifiableInstruction ? i.getFlags().map((f) => ({ name: f.getName(), value: f.getValue() ?? '' })) : [];
  const flags: Record<string, string> = {};
  for (const f of flagList) if (!(f.name in flags)) flags[f.name] = f.value;
  return {
    keyword: i.getKeyword().toUpperCase(),
    args: i.getArgumentsContent() ?? '',
    flags,
    flagList,
    line: i.getInstructionRange().start.line + 1,
  };
}

function parse(text: string): { globals: DockerInstruction[]; stages: DockerStage[] } {
  const globals: DockerInstruction[] = [];
  const result: Array<DockerStage & { instructions: DockerInstruction[] }> = [];
  for (const i of DockerfileParser.parse(text).getInstructions()) {
    const ins = toInstruction(i);
    if (ins.keyword === 'FROM') {
      const args = i.getArguments().map((a) => a.getValue());
      const asIndex = args.findIndex((a) => a.toUpperCase() === 'AS');
      result.push({
        index: result.length,
        alias: asIndex >= 0 ? args[asIndex + 1] : undefined,
        image: args[0] ?? '',
        platform: ins.flags.platform,
        line: ins.line,
        instructions: [],
      });
    } else if (result.length === 0) {
      globals.push(ins);
    } else {
      result[result.length - 1].instructions.push(ins);
    }
  }
  return { globals, stages: result };
}

/** The build stages in order. */
export function stages(text: string): DockerStage[] {
  return parse(text).stages;
}

/** Instructions before the first FROM (global `ARG`s). */
export function globalInstructions(text: string): DockerInstruction[] {
  return parse(text).globals;
}

/** The last stage (the image that is shipped). Throws if there is no FROM. */
export function finalStage(text: string): DockerStage {
  const all = stages(text);
  if (all.length === 0) throw new Error('Dockerfile has no FROM instruction');
  return all[all.length - 1];
}

/**
 * The argument of the last `USER` in the final stage (`1000:1000`), or undefined when the final
 * stage sets none (then the base image's user applies, usually root).
 */
export function finalStageUser(text: string): string | undefined {
  const users = finalStage(text).instructions.filter((i) => i.keyword === 'USER');
  return users.length > 0 ? users[users.length - 1].args : undefined;
}

/**
 * True when the final stage's last ENTRYPOINT is exec form: a JSON array of strings, non-empty.
 * False for shell form, invalid JSON (`['x']`) or no ENTRYPOINT at all.
 */
export function entrypointIsExecForm(text: string): boolean {
  const eps = finalStage(text).instructions.filter((i) => i.keyword === 'ENTRYPOINT');
  if (eps.length === 0) return false;
  try {
    const value: unknown = JSON.parse(eps[eps.length - 1].args);
    return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string');
  } catch {
    return false;
  }
}

export interface CopyFromReference {
  readonly from: string;
  /** 1-based line of the COPY. */
  readonly line: number;
  /** Index of the stage holding the COPY. */
  readonly inStage: number;
  /**
   * `stage`: an earlier stage's alias or index; `image`: contains `/` or `:` (an image reference);
   * `missing`: neither (a typo, a later stage, the stage itself, or a bare image name like `alpine`,
   * which Docker would pull but we do not allow implicitly).
   */
  readonly resolvesTo: 'stage' | 'image' | 'missing';
}

export interface CopyFromReport {
  readonly ok: boolean;
  readonly references: readonly CopyFromReference[];
  readonly missing: readonly CopyFromReference[];
}

/** Checks that every `COPY --from=X` names an earlier stage (alias or index) or an image reference. */
export function copyFromReferencesExistingStages(text: string): CopyFromReport {
  const all = stages(text);
  const references: CopyFromReference[] = [];
  for (const stage of all) {
    const earlier = all.slice(0, stage.index);
    for (const ins of stage.instructions) {
      if (ins.keyword !== 'COPY') continue;
      for (const flag of ins.flagList) {
        if (flag.name !== 'from') continue;
        const from = flag.value;
        let resolvesTo: CopyFromReference['resolvesTo'];
        if (earlier.some((s) => s.alias?.toLowerCase() === from.toLowerCase() || String(s.index) === from)) resolvesTo = 'stage';
        else if (/[/:]/.test(from)) resolvesTo = 'image';
        else resolvesTo = 'missing';
        references.push({ from, line: ins.line, inStage: stage.index, resolvesTo });
      }
    }
  }
  const missing = references.filter((r) => r.resolvesTo === 'missing');
  return { ok: missing.length === 0, references, missing };
}

export interface RunMounts {
  /** 1-based line of the RUN. */
  readonly line: number;
  readonly stage: number;
  /** Raw `--mount` values in order, e.g. `type=secret,id=git_token,required=false`. */
  readonly mounts: readonly string[];
  /** The same, split into options: `{ type: 'secret', id: 'git_token', required: 'false' }`. */
  readonly parsed: ReadonlyArray<Readonly<Record<string, string>>>;
}

/** Every RUN instruction (all stages) with its `--mount` flags. */
export function runMounts(text: string): RunMounts[] {
  const out: RunMounts[] = [];
  for (const stage of stages(text)) {
    for (const ins of stage.instructions) {
      if (ins.keyword !== 'RUN') continue;
      const mounts = ins.flagList.filter((f) => f.name === 'mount').map((f) => f.value);
      out.push({
        line: ins.line,
        stage: stage.index,
        mounts,
        parsed: mounts.map((m) =>
          Object.fromEntries(
            m.split(',').map((kv) => {
              const eq = kv.indexOf('=');
              return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
            }),
          ),
        ),
      });
    }
  }
  return out;
}

export interface LiteralHit {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly text: string;
  /** The line is a `#` comment (or parser directive). */
  readonly inComment: boolean;
}

/** Every occurrence of `literal` (case-sensitive), comments included and marked. */
export function findLiteral(text: string, literal: string): LiteralHit[] {
  if (literal === '') throw new Error('findLiteral: empty literal');
  const hits: LiteralHit[] = [];
  text.split(/\r?\n/).forEach((lineText, i) => {
    for (let at = lineText.indexOf(literal); at >= 0; at = lineText.indexOf(literal, at + 1)) {
      hits.push({ line: i + 1, column: at + 1, text: lineText, inComment: /^\s*#/.test(lineText) });
    }
  });
  return hits;
}

/** The names of architectures a multi-architecture Dockerfile must not contain. */
export const ARCHITECTURE_NAMES = ['x86_64', 'amd64', 'aarch64'];

/**
 * Every place a Dockerfile names an architecture (`x86_64`, `amd64`, `aarch64`, any case,
 * comments included): such a path or platform is right on one architecture only.
 */
export function architectureNames(text: string): LiteralHit[] {
  const lower = text.toLowerCase();
  return ARCHITECTURE_NAMES.flatMap((name) => findLiteral(lower, name))
    .map((hit) => ({ ...hit, text: text.split(/\r?\n/)[hit.line - 1] }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}
