// Every real manifest of ../shared/fixtures/cargo-manifests (with the target files its trees/
// list names stubbed): synth succeeds or refuses with a clean message; outside the managed keys
// no user byte and no TOML value changes; cargo resolves the whole dependency graph offline
// (vendored tikv-jemallocator, Debian's crates, stub crates of the right name, version and
// features for the rest, path and git dependencies included); the user's default features stay
// enabled; the binary chosen for the image is one cargo builds; a second synth changes no byte.
import * as fs from 'fs';
import * as path from 'path';
import { diffLines } from 'diff';
import { LogLevel, Project } from 'projen';
import { availableCrates, GitSource, jemallocStubs, OfflineRegistry, SHARED, StubCrate } from './offline-registry';
import { makeTempDir, plainToml, removeTempDirs, stripManagedBlocks } from './support';
import { CargoManifest } from '../../src/cargo/cargo-manifest';
import { managedKeyPaths } from '../../src/cargo/managed-toml';
import { OptionError } from '../../src/core/errors';

const CORPUS = path.join(SHARED, 'fixtures', 'cargo-manifests');
const FILES = fs.readdirSync(CORPUS).filter(f => f.endsWith('.toml')).sort();

/** What each file is expected to do; a refusal names the reason its message must give. */
const EXPECTED_REFUSALS: { [file: string]: RegExp } = {
  // A virtual root whose members (crates/*, here stubbed as libraries from its path dependencies)
  // have no binary: cargoPackage must name the operator, and none of them can be it.
  'astral-sh__uv__Cargo.toml': /is a virtual workspace root .*none of its members \("uv", "uv-audit", .* and \d+ more\) has a binary/,
  // [profile] release = { ... }: an inline table cannot take more keys without rewriting the user's line.
  'tercen__ggrs_plot_operator__Cargo@inline-profile.toml': /^projen-rust-operator: Cargo.toml:70: "profile.release" is written as an inline table.*Rewrite it as a standard \[profile.release\] table/,
};

afterAll(removeTempDirs);

const outcomes: { file: string; outcome: string; changes?: string[] }[] = [];
afterAll(() => {
  const refused = outcomes.filter(o => o.outcome.startsWith('refused'));
  process.stdout.write(`corpus: ${outcomes.length} files, ${outcomes.length - refused.length} synthesized, ${refused.length} refused\n`
    + outcomes.map(o => `  ${o.file}: ${o.outcome}\n${(o.changes ?? []).map(c => `    ${c}\n`).join('')}`).join(''));
});

describe.each(FILES)('%s', (file) => {
  const original = fs.readFileSync(path.join(CORPUS, file), 'utf8');
  const treeFile = path.join(CORPUS, 'trees', file.replace(/\.toml$/, '.txt'));
  const tree = fs.existsSync(treeFile) ? fs.readFileSync(treeFile, 'utf8').split('\n').map(l => l.trim()).filter(Boolean) : [];

  test('synthesizes with the user\'s meaning kept and cargo resolving it, or refuses cleanly', () => {
    const { dir, registry } = materialize(original, tree);
    const cargoFile = path.join(dir, 'Cargo.toml');
    let project: Project;
    let cargo: CargoManifest;
    let logged: string[];
    try {
      ({ project, cargo, logged } = synth(dir));
    } catch (e) {
      if (!(e instanceof OptionError)) throw e;
      outcomes.push({ file, outcome: `refused: ${e.message}` });
      expect(e.message).toMatch(/^projen-rust-operator: \S+: /);
      expect(e.message).not.toMatch(/undefined|\[object|NaN/);
      expect(EXPECTED_REFUSALS[file]).toBeDefined();
      expect(e.message).toMatch(EXPECTED_REFUSALS[file]);
      expect(fs.readFileSync(cargoFile, 'utf8')).toBe(original); // nothing written
      return;
    }
    expect(EXPECTED_REFUSALS[file]).toBeUndefined();
    outcomes.push({ file, outcome: `synthesized, ${logged.length} user values changed`, changes: logged });
    // Each change line names the file and line of the user's value.
    for (const line of logged) expect(line).toMatch(/^Cargo\.toml:\d+ \[[^\]]+\] \S+: .+ -> .+ \(to keep .+\)$/);
    const pkg = cargo.package;
    const written = [...new Set([pkg.manifestFile, pkg.profileManifestFile])].map(f => path.join(dir, f));
    const originals = new Map([[cargoFile, original]]);

    for (const f of written) {
      const before = originals.get(f) ?? '';
      const after = fs.readFileSync(f, 'utf8');
      // User bytes: without our marked blocks, the file is the user's, minus definitions of
      // managed keys, plus headers of tables that did not exist.
      const managed = managedKeyPaths(after);
      const managedNames = new Set(managed.map(k => k[k.length - 1]));
      for (const change of diffLines(before, stripManagedBlocks(after))) {
        if (change.added) {
          for (const line of change.value.split(/\r?\n/).filter(l => l.trim() !== '')) {
            expect(line).toMatch(/^\[[^\]]+\]$/);
          }
        } else if (change.removed) {
          const first = change.value.split(/\r?\n/)[0].trim();
          const key = /^(?:[A-Za-z0-9_-]+\s*\.\s*)*"?([A-Za-z0-9_-]+)"?\s*=/.exec(first)?.[1];
          const managedKey = key !== undefined && managedNames.has(key);
          expect({ removed: change.value, managedKey }).toEqual({ removed: change.value, managedKey: true });
        }
      }
      // TOML meaning outside the managed keys.
      expect(withoutPaths(plainToml(after), managed)).toEqual(withoutPaths(plainToml(before), managed));
    }

    // cargo resolves the whole graph.
    const run = registry.metadata(dir);
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/profiles for the non root package will be ignored/);
    const meta = run.json.packages.find((p: any) => p.name === pkg.name && p.manifest_path === path.join(dir, pkg.manifestFile));
    expect(meta).toBeDefined();

    // The user's default features are still enabled.
    const userDefault: string[] = plainToml(original).features?.default ?? [];
    for (const feature of userDefault) {
      expect(meta.features.default).toContain(feature);
    }
    expect(meta.features.default).toContain(cargo.allocator.cargoFeature);

    // The binaries are cargo's; the one chosen for the image is one cargo builds.
    const cargoBins = meta.targets.filter((t: any) => t.kind.includes('bin')).map((t: any) => t.name).sort();
    expect([...pkg.binaries].sort()).toEqual(cargoBins);
    if (pkg.hasBinary) {
      let chosen: string | undefined;
      try {
        chosen = pkg.chooseBinary();
      } catch (e) {
        if (!(e instanceof OptionError)) throw e;
        expect(e.message).toMatch(/has \d+ binaries: /);
      }
      if (chosen !== undefined) expect(cargoBins).toContain(chosen);
    }
    // Every declared or discovered target path is a file cargo uses.
    const cargoTargets = meta.targets.map((t: any) => path.relative(pkg._packageDir, t.src_path)).sort();
    expect(pkg.targets.map(t => path.posix.normalize(t.path)).sort()).toEqual(cargoTargets);

    // The image's dependency layer: only the manifests CargoPackage lists and its stubs, and
    // cargo accepts the workspace (every target file it needs is there).
    const layer = path.join(makeTempDir('cargo-layer'), 'w', 'crate');
    const rootDir = path.resolve(dir, pkg.workspaceRoot);
    for (const f of pkg.manifestFilesToCopy) {
      fs.mkdirSync(path.dirname(path.join(layer, f)), { recursive: true });
      fs.copyFileSync(path.join(rootDir, f), path.join(layer, f));
    }
    for (const stub of pkg.dependencyStubs) {
      fs.mkdirSync(path.dirname(path.join(layer, stub.path)), { recursive: true });
      fs.writeFileSync(path.join(layer, stub.path), stub.kind === 'lib' ? '' : 'fn main() {}\n');
    }
    const layerRun = registry.metadata(layer);
    expect(layerRun.stderr).not.toMatch(/^error/m);
    expect(layerRun.status).toBe(0);
    const layerPackage = layerRun.json.packages.find((p: any) => p.name === pkg.name && p.source === null);
    expect(layerPackage.targets.filter((t: any) => t.kind.includes('bin')).map((t: any) => t.name).sort()).toEqual(cargoBins);

    // A second synth is byte-identical and says nothing.
    const first = written.map(f => fs.readFileSync(f, 'utf8'));
    expect(synth(dir).logged).toEqual([]);
    expect(written.map(f => fs.readFileSync(f, 'utf8'))).toEqual(first);
    void project;
  });
});

/** Synthesizes over `dir`; what synth logged at info level (the change lines) comes back too. */
function synth(dir: string): { project: Project; cargo: CargoManifest; logged: string[] } {
  const project = new Project({ name: 'corpus', outdir: dir, logging: { level: LogLevel.OFF } });
  const cargo = new CargoManifest(project);
  const logged: string[] = [];
  project.logger.info = (...text: any[]) => {
    logged.push(text.join(' '));
  };
  project.synth();
  return { project, cargo, logged };
}

/** A copy of `value` without the given key paths, and without tables left empty. */
function withoutPaths(value: any, paths: string[][]): any {
  const copy = JSON.parse(JSON.stringify(value));
  for (const p of paths) {
    const parent = p.slice(0, -1).reduce((v: any, k) => (v && typeof v === 'object' ? v[k] : undefined), copy);
    if (parent && typeof parent === 'object') delete parent[p[p.length - 1]];
  }
  const prune = (v: any): any => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    for (const k of Object.keys(v)) {
      v[k] = prune(v[k]);
      if (v[k] && typeof v[k] === 'object' && !Array.isArray(v[k]) && Object.keys(v[k]).length === 0) delete v[k];
    }
    return v;
  };
  return prune(copy);
}

/**
 * The crate in a temp dir (`<tmp>/w/crate`, so `../` paths stay inside): Cargo.toml as is, the
 * tree's files stubbed, path dependencies and listed members as stub crates, and an offline
 * registry with a stub for every registry and git dependency the vendor and Debian lack.
 */
function materialize(text: string, tree: string[]): { dir: string; registry: OfflineRegistry } {
  const dir = path.join(makeTempDir('cargo-corpus'), 'w', 'crate');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'Cargo.toml'), text);
  for (const file of tree) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), file.endsWith('lib.rs') ? '' : 'fn main() {}\n');
  }
  const manifest = plainToml(text);
  const stubs: StubCrate[] = [];
  const gits = new Map<string, GitSource>();
  const available = availableCrates();
  const featuresOf = (key: string) => Object.values(manifest.features ?? {}).flat()
    .filter((i: any) => typeof i === 'string' && (i.startsWith(`${key}/`) || i.startsWith(`${key}?/`))).map((i: any) => i.split('/')[1]);

  const tables: [string, any][] = [];
  for (const kind of ['dependencies', 'dev-dependencies', 'build-dependencies']) {
    for (const [k, s] of Object.entries(manifest[kind] ?? {})) tables.push([k, s]);
    for (const t of Object.values(manifest.target ?? {}) as any[]) {
      for (const [k, s] of Object.entries(t?.[kind] ?? {})) tables.push([k, s]);
    }
  }
  for (const [k, s] of Object.entries(manifest.workspace?.dependencies ?? {})) tables.push([k, s]);
  for (const patches of Object.values(manifest.patch ?? {}) as any[]) {
    for (const [k, s] of Object.entries(patches ?? {})) tables.push([k, s]);
  }

  for (const [key, raw] of tables) {
    let spec: any = typeof raw === 'string' ? { version: raw } : raw;
    if (spec.workspace === true) {
      const inherited = manifest.workspace?.dependencies?.[key];
      spec = { ...(typeof inherited === 'string' ? { version: inherited } : inherited), features: [...(inherited?.features ?? []), ...(spec.features ?? [])] };
    }
    const name: string = spec.package ?? key;
    const version = lowestVersion(spec.version);
    const features = [...(spec.features ?? []), ...featuresOf(key)];
    if (spec.path !== undefined) {
      const at = path.join(dir, spec.path);
      if (!fs.existsSync(path.join(at, 'Cargo.toml'))) writeLocalCrate(at, name, version, features);
      continue;
    }
    if (spec.git !== undefined) {
      const id = JSON.stringify([spec.git, spec.branch, spec.tag, spec.rev]);
      const packages = [...(gits.get(id)?.packages ?? []), { name, version }];
      gits.set(id, { git: spec.git, branch: spec.branch, tag: spec.tag, rev: spec.rev, packages });
      stubs.push({ name, version, features });
      continue;
    }
    if (name === 'tikv-jemallocator' && !/^\^?0\.6/.test(spec.version ?? '')) {
      stubs.push(...jemallocStubs(version));
      continue;
    }
    if (!available.some(c => c.name === name && satisfies(c.version, spec.version ?? '*'))) {
      stubs.push({ name, version, features });
    }
  }
  for (const member of manifest.workspace?.members ?? []) {
    if (!/[*?[]/.test(member) && !fs.existsSync(path.join(dir, member, 'Cargo.toml'))) {
      writeLocalCrate(path.join(dir, member), path.basename(member), '0.1.0', []);
    }
  }
  // Features of the same stub from several entries are merged.
  const merged = new Map<string, StubCrate>();
  for (const s of stubs) {
    const id = `${s.name}-${s.version}`;
    const prev = merged.get(id);
    merged.set(id, { ...s, features: [...new Set([...(prev?.features ?? []), ...(s.features ?? [])])] });
  }
  return { dir, registry: new OfflineRegistry([...merged.values()], [...gits.values()]) };
}

/** A path dependency or member stub: a library crate with the features asked for. */
function writeLocalCrate(at: string, name: string, version: string, features: string[]): void {
  fs.mkdirSync(path.join(at, 'src'), { recursive: true });
  const lines = ['[package]', `name = ${JSON.stringify(name)}`, `version = ${JSON.stringify(version)}`, 'edition = "2021"', '',
    '[features]', ...[...new Set(features)].filter(f => f !== 'default').map(f => `${JSON.stringify(f)} = []`), ''];
  fs.writeFileSync(path.join(at, 'Cargo.toml'), lines.join('\n'));
  fs.writeFileSync(path.join(at, 'src', 'lib.rs'), '');
}

/** The lowest version a requirement accepts (good enough for `1`, `^1.2`, `~0.4.1`, `=1.0.3`, `>=1.2, <2`, `*`). */
function lowestVersion(req: string | undefined): string {
  const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?/.exec(req ?? '');
  if (!m) return '0.1.0';
  return `${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}${m[4] ?? ''}`;
}

/** Caret semantics of a simple requirement (what the Debian crates are checked against). */
function satisfies(version: string, req: string): boolean {
  if (req.trim() === '*') return true;
  const [v, r] = [version, lowestVersion(req)].map(x => x.split(/[.+-]/).slice(0, 3).map(Number));
  if (/^\s*=/.test(req)) return v.every((x, i) => x === r[i]);
  const compatible = r[0] > 0 ? v[0] === r[0] : r[1] > 0 ? v[0] === 0 && v[1] === r[1] : v[0] === 0 && v[1] === 0 && v[2] === r[2];
  const atLeast = v[0] !== r[0] ? v[0] > r[0] : v[1] !== r[1] ? v[1] > r[1] : v[2] >= r[2];
  return compatible && atLeast;
}
