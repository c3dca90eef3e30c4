import * as path from 'path';
import { CargoTargetKind } from '../cargo/cargo-target';
import { OptionError } from '../core/errors';
import { isUnder, normalizePath, ResolvedPlan, uniqueRoots } from '../plan/operator-plan';

/**
 * What the builder stage takes from the build context, and what the dependency layer stubs:
 * computed from the plan, apart from how the stages are rendered, so `.dockerignore` and the
 * COPY lines can never disagree.
 */
export interface BuildContext {
  /** Files and folders COPYed besides the manifest and `src/`, relative, in COPY order. */
  readonly copied: string[];
  /** Whether the final build copies `src/` (a virtual workspace root has none). */
  readonly sources: boolean;
  /** Roots whose files are touched before the final build (`src` and `copied`), sorted. */
  readonly touched: string[];
  /** Target files stubbed for the dependency layer, sorted. */
  readonly dependencyStubs: string[];
  /** Explicit target files the final build needs but no COPY brings (e.g. `[[bench]]` paths). */
  readonly finalStubs: string[];
  /** Library target files (their stub is empty; a binary's is `fn main() {}`). */
  readonly libraries: string[];
}

/** The build context of a plan. Throws when a target path cannot go into a COPY or shell line. */
export function buildContext(plan: ResolvedPlan): BuildContext {
  checkTargetPaths(plan);
  const copied = plan.compileTimeFiles.map(normalizePath).filter((file) => !isUnder(file, 'src'));
  const targetPaths = [...new Set(plan.cargo.targets.map((target) => normalizePath(target.path)))];
  const roots = [...(plan.cargo.rootSources ? ['src'] : []), ...copied];
  return {
    copied,
    sources: plan.cargo.rootSources,
    touched: uniqueRoots(roots).sort(),
    dependencyStubs: plan.cargo.stubs.map((stub) => normalizePath(stub.path)),
    finalStubs: targetPaths.filter((file) => !roots.some((root) => isUnder(file, root))).sort(),
    libraries: [...plan.cargo.stubs.filter((stub) => stub.library).map((stub) => normalizePath(stub.path)),
      ...plan.cargo.targets.filter((target) => target.kind === CargoTargetKind.LIB).map((target) => normalizePath(target.path))],
  };
}

/** A shell command writing a stub for a target file: empty for a library, `fn main() {}` otherwise. */
export function stubCommand(context: BuildContext, file: string): string {
  const dir = path.posix.dirname(file);
  return `${dir === '.' ? '' : `mkdir -p ${dir} && `}echo '${context.libraries.includes(file) ? '' : 'fn main() {}'}' > ${file}`;
}

/** Throws unless every path is plain and inside the project (a COPY source and a shell word). */
export function checkContextPaths(files: readonly string[], subject: string): void {
  for (const file of files) {
    if (!isPlainPath(file)) {
      throw new OptionError(subject, `${JSON.stringify(file)} is not a plain path inside the project.`,
        'List paths relative to the project root without spaces, wildcards or "..", e.g. "palettes.json" or "protos".');
    }
  }
}

function isPlainPath(file: unknown): boolean {
  return typeof file === 'string' && file !== '' && !path.posix.isAbsolute(file) && !path.win32.isAbsolute(file)
    && !file.split(/[\\/]/).includes('..') && !/[\s*?[\]$`'"\\!#;&|<>(){}]/.test(file) && normalizePath(file) !== '.';
}

/** Target paths of Cargo.toml end up in shell commands and COPY lines: they must be plain and inside the context. */
function checkTargetPaths(plan: ResolvedPlan): void {
  const declared = [...plan.cargo.targets.map((target) => ({ kind: target.kind, file: target.path })),
    ...(plan.cargo.buildScript ? [{ kind: CargoTargetKind.BUILD_SCRIPT, file: plan.cargo.buildScript }] : [])];
  for (const { kind, file } of declared) {
    if (!isPlainPath(file)) {
      throw new OptionError('Cargo.toml', `the ${kind} target path ${JSON.stringify(file)} is not a plain path inside the project, which the Docker build context and the generated shell commands need.`,
        'Use a relative path inside the crate without "..", spaces or shell characters, e.g. "src/bin/dev.rs".');
    }
  }
}
