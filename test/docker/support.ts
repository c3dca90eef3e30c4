/**
 * Helpers of the Dockerfile tests: structural facts read back from a generated Dockerfile with
 * dockerfile-ast (through test/support/validate-dockerfile), and a check of everything an
 * operator image must satisfy, returning readable problems instead of failing at the first.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DockerfileParser } from 'dockerfile-ast';
import { Project } from 'projen';
import { Allocator } from '../../src/core/allocator';
import { dockerignoreExcludes } from '../../src/docker/dockerignore';
import { JemallocDockerfile } from '../../src/docker/jemalloc-dockerfile';
import { synthQuietly, tempDir, writeFiles } from '../support/synth';
import {
  architectureNames,
  copyFromReferencesExistingStages,
  dockerfileDiagnostics,
  DockerInstruction,
  DockerStage,
  finalStage,
  finalStageUser,
  runMounts,
  stages,
} from '../support/validate-dockerfile';

/** What a configuration's Dockerfile must show. */
export interface ImageExpectations {
  readonly binary: string;
  readonly allocator: Allocator;
  /** The `--profile` of both cargo builds. */
  readonly profile: string;
  /** The directory under target/ the binary is copied from. */
  readonly profileDirectory: string;
  /** Paths the builder must COPY (besides Cargo.toml and src). */
  readonly compileTimeFiles: string[];
  readonly uid: number;
  readonly gitTokenSecret?: string;
  readonly dependencyLayer: boolean;
}

/** The `ENV` variables of a stage, as dockerfile-ast reads them (last one wins). */
export function stageEnvironment(text: string, stageIndex: number): { [name: string]: string } {
  const env: { [name: string]: string } = {};
  const parsed = DockerfileParser.parse(text);
  const from = parsed.getFROMs()[stageIndex];
  const next = parsed.getFROMs()[stageIndex + 1];
  for (const instruction of parsed.getInstructions()) {
    const line = instruction.getRange().start.line;
    if (line <= from.getRange().start.line || (next && line >= next.getRange().start.line)) continue;
    if (instruction.getKeyword() !== 'ENV') continue;
    for (const property of (instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
      env[property.getName()] = property.getValue() ?? '';
    }
  }
  return env;
}

/** Packages of the `apt-get install` lines of a stage. */
export function aptInstalled(stage: DockerStage): string[] {
  const packages: string[] = [];
  for (const instruction of stage.instructions.filter((i) => i.keyword === 'RUN')) {
    for (const match of instruction.args.matchAll(/apt-get install ([^&;|]*)/g)) {
      packages.push(...match[1].split(/\s+/).filter((word) => word !== '' && !word.startsWith('-')));
    }
  }
  return packages;
}

/** Context COPYs (no --from) of a stage, as [sources, destination]. */
export function contextCopies(stage: DockerStage): { sources: string[]; destination: string; line: number }[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' && i.flags.from === undefined)
    .map((i) => {
      const words = i.args.split(/\s+/).filter((w) => w !== '');
      return { sources: words.slice(0, -1), destination: words[words.length - 1], line: i.line };
    });
}

/** The RUN instructions of a stage that run `cargo build`. */
export function cargoBuilds(stage: DockerStage): DockerInstruction[] {
  return stage.instructions.filter((i) => i.keyword === 'RUN' && /\bcargo build\b/.test(i.args));
}

/** Packages that belong to a build, never to the runtime image. */
export const BUILD_ONLY_PACKAGE = /(-dev$|^pkg-config$|^make$|^gcc|^g\+\+|^git$|^protobuf-compiler$|^cargo$|^rustc$|^build-essential$|^clang)/;

/**
 * Everything an operator Dockerfile must satisfy, as a list of problems (empty when sound).
 * `dockerignore` is the generated .dockerignore text.
 */
/** What the default configuration of a `hello_operator` project must produce. */
export const DEFAULT_EXPECTATIONS: ImageExpectations = {
  binary: 'hello_operator',
  allocator: new Allocator(),
  profile: 'release',
  profileDirectory: 'release',
  compileTimeFiles: [],
  uid: 1000,
  dependencyLayer: true,
};

export function imageProblems(text: string, dockerignore: string, expected: ImageExpectations): string[] {
  const problems: string[] = [];
  const fail = (problem: string) => problems.push(problem);

  const errors = dockerfileDiagnostics(text).filter((d) => d.severity === 'error');
  if (errors.length > 0) fail(`dockerfile-utils errors: ${JSON.stringify(errors)}`);

  const all = stages(text);
  const final = finalStage(text);
  const builder = all.find((s) => s.alias === JemallocDockerfile.BUILDER_STAGE);
  if (!builder) {
    fail('no builder stage');
    return problems;
  }

  // The final stage carries no toolchain.
  if (/(^|\/)rust(:|@|$)/.test(final.image) || /cargo/.test(final.image)) fail(`final stage is based on a Rust image: ${final.image}`);
  for (const instruction of final.instructions) {
    if (instruction.keyword === 'COPY' && /\/usr\/local\/(cargo|rustup)/.test(instruction.args)) fail(`final stage copies the toolchain: ${instruction.args}`);
    if (instruction.keyword === 'RUN' && /\b(cargo|rustc|rustup)\b/.test(instruction.args)) fail(`final stage runs the toolchain: ${instruction.args}`);
  }
  const buildOnly = aptInstalled(final).filter((p) => BUILD_ONLY_PACKAGE.test(p));
  if (buildOnly.length > 0) fail(`final stage installs build packages: ${buildOnly.join(' ')}`);

  // Non-root, numeric uid:gid.
  const user = finalStageUser(text);
  if (user !== `${expected.uid}:${expected.uid}`) fail(`final USER is ${user}, expected ${expected.uid}:${expected.uid}`);
  if (!user || !/^\d+:\d+$/.test(user) || user.split(':').some((id) => Number(id) === 0)) fail(`final USER ${user} is not a numeric non-root uid:gid`);

  // Exec-form entrypoint naming the binary.
  const entrypoints = final.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
  const entrypoint = entrypoints[entrypoints.length - 1];
  let argv: unknown;
  try {
    argv = entrypoint ? JSON.parse(entrypoint.args) : undefined;
  } catch {
    argv = undefined;
  }
  if (JSON.stringify(argv) !== JSON.stringify([`/usr/local/bin/${expected.binary}`])) fail(`ENTRYPOINT is ${entrypoint?.args}, expected exec form ["/usr/local/bin/${expected.binary}"]`);

  // COPY --from names earlier stages only.
  const copyFrom = copyFromReferencesExistingStages(text);
  const notStages = copyFrom.references.filter((r) => r.resolvesTo !== 'stage');
  if (notStages.length > 0) fail(`COPY --from not naming an earlier stage: ${JSON.stringify(notStages)}`);

  // No architecture-specific path or platform anywhere (comments included).
  for (const hit of architectureNames(text)) fail(`the Dockerfile names an architecture on line ${hit.line}: ${hit.text.trim()}`);

  // The allocator's environment, each jemalloc configured by the variable it reads.
  const env = stageEnvironment(text, final.index);
  const allocator = expected.allocator;
  const expectEnv = (name: string, present: boolean, value: string) => {
    if (present && env[name] !== value) fail(`${name} is ${JSON.stringify(env[name])}, expected ${JSON.stringify(value)}`);
    if (!present && name in env) fail(`${name} is set (${env[name]}) but must not be`);
  };
  expectEnv('LD_PRELOAD', allocator.preloaded, Allocator.PRELOAD_SONAME);
  expectEnv('MALLOC_CONF', allocator.preloaded, allocator.mallocConf);
  expectEnv('_RJEM_MALLOC_CONF', allocator.linked, allocator.mallocConf);
  if (allocator.preloaded && !aptInstalled(final).includes('libjemalloc2')) fail('preloaded jemalloc but libjemalloc2 is not installed');
  if (!allocator.preloaded && aptInstalled(final).includes('libjemalloc2')) fail('libjemalloc2 installed but not preloaded');

  // Both cargo builds use the profile, and the binary comes from its directory.
  const builds = cargoBuilds(builder);
  if (builds.length !== (expected.dependencyLayer ? 2 : 1)) fail(`${builds.length} cargo builds in the builder, expected ${expected.dependencyLayer ? 2 : 1}`);
  for (const build of builds) {
    const profiles = [...build.args.matchAll(/cargo build\b[^&]*?--profile (\S+)/g)].map((m) => m[1]);
    if (profiles.length !== 1 || profiles[0] !== expected.profile) fail(`cargo build uses profiles ${JSON.stringify(profiles)}, expected ${expected.profile}`);
    if (/--release\b/.test(build.args)) fail('cargo build uses --release next to --profile');
    if (!build.args.includes('$(test -f Cargo.lock && echo --locked)')) fail('cargo build is not --locked when Cargo.lock exists');
  }
  const binaryCopies = final.instructions.filter((i) => i.keyword === 'COPY' && i.flags.from === JemallocDockerfile.BUILDER_STAGE);
  const binarySource = `${JemallocDockerfile.BUILD_DIR}/target/${expected.profileDirectory}/${expected.binary}`;
  if (binaryCopies.length !== 1 || binaryCopies[0].args !== `${binarySource} /usr/local/bin/${expected.binary}`) {
    fail(`the binary is copied as ${JSON.stringify(binaryCopies.map((c) => c.args))}, expected ${binarySource}`);
  }

  // Every compile-time file is copied into the builder and reaches the build context.
  const copies = contextCopies(builder);
  const copied = copies.flatMap((c) => c.sources);
  for (const file of ['Cargo.toml', 'src', 'operator.json', ...expected.compileTimeFiles]) {
    if (!copied.includes(file)) fail(`no COPY of ${file} into the builder`);
    for (const probe of [file, `${file}/inner.file`]) {
      if (dockerignoreExcludes(dockerignore, probe)) fail(`.dockerignore excludes ${probe}`);
    }
  }
  // ... and touched before the real build, so cargo rebuilds the crate instead of the stubs.
  const build = builds[builds.length - 1];
  const find = /find (.*?) -type f -exec touch \{\} \+/.exec(build?.args ?? '');
  const touched = find ? find[1].split(/\s+/) : [];
  const afterDependencies = copies.filter((c) => !c.sources.includes('Cargo.toml')).flatMap((c) => c.sources);
  for (const file of afterDependencies) {
    if (!touched.includes(file)) fail(`${file} is copied but not touched before the build`);
  }
  for (const file of touched) {
    if (!afterDependencies.includes(file)) fail(`${file} is touched but never copied`);
  }

  // The git token: only as an optional secret mount on the cargo RUNs, never in ENV/ARG/LABEL.
  const mounts = runMounts(text);
  const secretMounts = mounts.filter((m) => m.parsed.some((p) => p.type === 'secret'));
  if (expected.gitTokenSecret) {
    const id = expected.gitTokenSecret;
    const expectedLines = builds.map((b) => b.line).sort();
    if (JSON.stringify(secretMounts.map((m) => m.line).sort()) !== JSON.stringify(expectedLines)) {
      fail(`secret mounts on lines ${secretMounts.map((m) => m.line)}, expected on the cargo RUNs ${expectedLines}`);
    }
    for (const m of secretMounts) {
      if (JSON.stringify(m.mounts) !== JSON.stringify([`type=secret,id=${id},required=false`])) fail(`secret mount ${JSON.stringify(m.mounts)}`);
    }
  } else if (secretMounts.length > 0) {
    fail('secret mounts without gitTokenSecret');
  }
  for (const stage of all) {
    for (const instruction of stage.instructions.filter((i) => ['ENV', 'ARG', 'LABEL'].includes(i.keyword))) {
      if (/token|secret/i.test(instruction.args)) fail(`${instruction.keyword} mentions a token: ${instruction.args}`);
    }
  }

  return problems;
}

/** A bare projen project in a new temp folder, for JemallocDockerfile without RustOperatorProject. */
export function bareProject(files: { [file: string]: string } = {}): { project: Project; dir: string } {
  const dir = tempDir('pro-docker-');
  writeFiles(dir, files);
  return { project: new Project({ name: 'bare_operator', outdir: dir }), dir };
}

/** Synthesizes a bare project and returns a file's text. */
export function synthBare(project: Project, file = 'Dockerfile'): string {
  synthQuietly(project);
  return fs.readFileSync(path.join(project.outdir, file), 'utf-8');
}

/** Files (relative paths) under a directory, for "nothing was written" checks. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const file = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) walk(file);
      else out.push(file);
    }
  };
  walk('');
  return out.sort();
}
