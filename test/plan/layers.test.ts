/**
 * Folders are layers and imports only point down: core (errors, names, value types) → cargo
 * (reading and editing Cargo.toml) → plan (the resolved operator model) → docker, tercen,
 * toolchain, release, upgrade → github → docs, drift → project → cli and the public index. No cycles.
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', '..', 'src');

/** Rank of each folder; a module may import its own folder and lower ranks only. */
const LAYERS: { [folder: string]: number } = {
  'core': 0,
  'cargo': 1,
  'plan': 2,
  'docker': 3,
  'tercen': 3,
  'toolchain': 3,
  'release': 3,
  'upgrade': 3,
  'github': 4,
  'docs': 5,
  'drift': 5,
  'project': 6,
  'adopt': 7, // reads a repository and plans with the whole project (beside cli.ts)
  '.': 7, // cli.ts and index.ts
};

function modules(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? modules(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

function layerOf(file: string): string {
  const relative = path.relative(SRC, file).split(path.sep);
  return relative.length === 1 ? '.' : relative[0];
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^import[^'"]*?from\s+'(\.[^']+)'|^export \* from '(\.[^']+)'/gm)]
    .map((m) => m[1] ?? m[2])
    .map((spec) => {
      const base = path.resolve(path.dirname(file), spec);
      return fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts');
    });
}

const FILES = modules(SRC);
const GRAPH = new Map(FILES.map((file) => [file, importsOf(file)]));

test('every folder of src/ has a layer', () => {
  expect(FILES.map(layerOf).filter((layer) => LAYERS[layer] === undefined)).toEqual([]);
});

test('no module imports from a higher layer', () => {
  const upward: string[] = [];
  for (const [file, imports] of GRAPH) {
    for (const target of imports) {
      if (LAYERS[layerOf(target)] > LAYERS[layerOf(file)]) {
        upward.push(`${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`);
      }
    }
  }
  expect(upward).toEqual([]);
});

test('no import cycle', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string, stack: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...stack.slice(stack.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(' -> '));
      return;
    }
    state.set(file, 'visiting');
    for (const target of GRAPH.get(file) ?? []) visit(target, [...stack, file]);
    state.set(file, 'done');
  };
  FILES.forEach((file) => visit(file, []));
  expect(cycles).toEqual([]);
});

test('the import parser finds the real edges (so the rules above can fail)', () => {
  // The rules above are only as good as the import parser: it must find real edges.
  const docs = path.join(SRC, 'docs', 'operator-docs.ts');
  const targets = (GRAPH.get(docs) ?? []).map((f) => path.relative(SRC, f));
  expect(targets).toEqual(expect.arrayContaining(['plan/operator-plan.ts', 'github/ghcr-release-workflow.ts']));
  expect(LAYERS.project > LAYERS.docs).toBe(true);
});
