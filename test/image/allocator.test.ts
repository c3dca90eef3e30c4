/**
 * Every allocator mode in a built image, with the REAL tikv-jemallocator (jemalloc 5.3.1, vendored
 * in ../shared/vendor/cargo) and Debian's libjemalloc2 (jemalloc 5.3.0): which jemalloc is in the
 * operator's process, which variable each reads (as docs/OPERATOR.md says), that the other variable
 * does nothing to it, and that the system allocator has neither. One image build per mode.
 * Run by `npm run test:image` (the main jest config ignores test/image).
 */
import * as fs from 'fs';
import * as path from 'path';
import { AllocatorMode } from '../../src';
import {
  assertBuildSucceeded, buildImage, ensureStandInImages, hasBuildah, hostCargoOfflineEnv, inspectImage, Jemalloc, JEMALLOC_VERSION, jemallocOf,
  removeImage, run, runImage, RunImageResult, runInImageRootfs, statsBlocks,
} from '../support/image';
import { REPO_ROOT } from '../support/pack';
import { synthOperator } from '../support/synth';

jest.setTimeout(60 * 60_000);

const availability = hasBuildah();
if (!availability.ok) {
  throw new Error(`real image builds cannot run here: ${availability.reason}`);
}

/** The same stand-ins as the other image tests (one rust stand-in per store). */
const STAND_INS = { extraImages: { 'tercen/rust-operator-base:latest': 'rust', 'tercen/runtime-base:latest': 'debian' } } as const;
const BINARY = '/usr/local/bin/hello_operator';
/** The allocator variables; which of them a mode sets, and who reads each, comes from the docs. */
const ALLOCATOR_VARIABLES = ['LD_PRELOAD', 'MALLOC_CONF', '_RJEM_MALLOC_CONF'];
/** The seed's jemalloc tuning, read from the seed itself. */
const SEED_MALLOC_CONF = (() => {
  const seed = fs.readFileSync(path.join(REPO_ROOT, '..', 'shared', 'seed', 'docker-and-cicd.md'), 'utf-8');
  const match = /^ENV MALLOC_CONF=(\S+)$/m.exec(seed);
  if (!match) throw new Error('no `ENV MALLOC_CONF=` line in the seed');
  return match[1];
})();

interface DocumentedVariable {
  readonly value: string;
  readonly readBy: string;
}

/** The "Environment of the runtime image" table of docs/OPERATOR.md's Allocator section. */
function documentedEnvironment(docs: string): Record<string, DocumentedVariable> {
  const section = /^## Allocator\n([\s\S]*?)(?=^## )/m.exec(docs);
  if (!section) throw new Error('docs/OPERATOR.md has no "## Allocator" section');
  const rows = [...section[1].matchAll(/^\| `([A-Z_][A-Z0-9_]*)` \| `([^`]*)` \| ([^|]+) \|$/gm)];
  return Object.fromEntries(rows.map((m) => [m[1], { value: m[2], readBy: m[3].trim() }]));
}

/** Which jemalloc the docs say reads a variable ("the linked ..." / "the preloaded ..."). */
function readerOf(variable: DocumentedVariable): Jemalloc | 'loader' {
  if (/\blinked\b/.test(variable.readBy)) return 'linked';
  if (/\bpreloaded\b/.test(variable.readBy)) return 'preloaded';
  if (/dynamic loader/.test(variable.readBy)) return 'loader';
  throw new Error(`cannot tell who reads a variable from "${variable.readBy}"`);
}

/** Runs the operator with a task (exit 0) and `env` on top of the image's environment. */
function runOperator(tag: string, env: Record<string, string>): RunImageResult {
  const result = runImage(tag, { args: ['--taskId', 't'], env });
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: 'TERCEN_TASK_ID=t TERCEN_URI= TERCEN_TOKEN set=false\n' });
  return result;
}

/**
 * `/proc/<pid>/maps` of the running operator itself (not of a shell): its stdout is a FIFO whose
 * pipe buffer is already full, so the operator blocks in its first write, fully loaded.
 */
function operatorMaps(tag: string): string {
  const script = [
    'set -eu',
    'f=$(mktemp -u /tmp/pro-fifo.XXXXXX); mkfifo "$f"',
    'exec 3<>"$f"',
    'head -c 65536 /dev/zero >&3',
    `${BINARY} --taskId t >"$f" 2>/dev/null &`,
    'pid=$!',
    'i=0',
    `until [ "$(readlink /proc/$pid/exe || true)" = ${BINARY} ] && [ "$(cut -d" " -f3 /proc/$pid/stat)" = S ]; do`,
    '  i=$((i+1)); [ $i -lt 1000 ] || { echo "operator never blocked" >&2; exit 3; }; sleep 0.01',
    'done',
    'sleep 0.2',
    'cat /proc/$pid/maps',
    'kill $pid',
  ].join('\n');
  const result = runImage(tag, { entrypoint: ['/bin/sh', '-c', script] });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  expect(result.stdout).toContain(BINARY);
  return result.stdout;
}

/** `key:value` pairs of a jemalloc option string. */
function confPairs(conf: string): [string, string][] {
  return conf.split(',').map((pair) => {
    const i = pair.indexOf(':');
    return [pair.slice(0, i), pair.slice(i + 1)];
  });
}

interface ModeCase {
  readonly label: string;
  readonly options: { allocator?: AllocatorMode; allocatorCrateFeatures?: string[] };
  /** What the mode puts into the process (the spec; the docs are checked against it). */
  readonly jemallocs: Jemalloc[];
  /** Whether the linked jemalloc is built with its `profiling` feature. */
  readonly linkedProfiling?: boolean;
}

const CASES: ModeCase[] = [
  { label: 'LINKED_AND_PRELOADED (the default)', options: {}, jemallocs: ['linked', 'preloaded'], linkedProfiling: false },
  // profiling here rather than in a fifth build: LINKED is the mode that needs it most
  { label: 'LINKED, allocatorCrateFeatures: [profiling]', options: { allocator: AllocatorMode.LINKED, allocatorCrateFeatures: ['profiling'] }, jemallocs: ['linked'], linkedProfiling: true },
  { label: 'PRELOADED', options: { allocator: AllocatorMode.PRELOADED }, jemallocs: ['preloaded'] },
  { label: 'SYSTEM', options: { allocator: AllocatorMode.SYSTEM }, jemallocs: [] },
];

/** Variable names per jemalloc, from the default mode's docs (which document both). */
let variableOf: Record<Jemalloc, string>;

beforeAll(() => {
  ensureStandInImages(STAND_INS);
  const docs = documentedEnvironment(synthOperator().read('docs/OPERATOR.md'));
  const names: Partial<Record<Jemalloc, string>> = {};
  for (const [name, variable] of Object.entries(docs)) {
    const reader = readerOf(variable);
    if (reader !== 'loader') names[reader] = name;
  }
  expect(Object.keys(names).sort()).toEqual(['linked', 'preloaded']);
  variableOf = names as Record<Jemalloc, string>;
  // the project's correction of the seed: the linked tikv-jemallocator has its own variable
  expect(variableOf).toEqual({ linked: '_RJEM_MALLOC_CONF', preloaded: 'MALLOC_CONF' });
});

describe.each(CASES)('allocator $label', ({ label, options, jemallocs, linkedProfiling }) => {
  const tag = `localhost/pro-allocator-${label.split(/[ ,]/)[0].toLowerCase()}:test`;
  let dir: string;
  let documented: Record<string, DocumentedVariable>;
  let imageEnv: Record<string, string>;

  beforeAll(() => {
    dir = synthOperator(options).dir;
    // A lock file, as a real operator commits one: the build then runs `cargo build --locked`.
    const lock = run('cargo', ['generate-lockfile', '--offline'], { cwd: dir, env: { ...process.env, ...hostCargoOfflineEnv().env } });
    if (lock.code !== 0) throw new Error(lock.stderr);
    const result = buildImage(dir, { tag });
    assertBuildSucceeded(result);
    documented = documentedEnvironment(fs.readFileSync(path.join(dir, 'docs/OPERATOR.md'), 'utf-8'));
    imageEnv = inspectImage(tag).env;
  });

  afterAll(() => {
    removeImage(tag);
  });

  test('the docs name exactly the variables of its jemallocs, and the image sets exactly those', () => {
    const expected = jemallocs.map((j) => variableOf[j]);
    if (jemallocs.includes('preloaded')) expected.push('LD_PRELOAD');
    expect(Object.keys(documented).sort()).toEqual(expected.sort());
    for (const [name, variable] of Object.entries(documented)) {
      const reader = readerOf(variable);
      if (reader !== 'loader') expect(variableOf[reader]).toBe(name);
      expect(imageEnv[name]).toBe(variable.value);
    }
    expect(ALLOCATOR_VARIABLES.filter((name) => name in imageEnv).sort()).toEqual(Object.keys(documented).sort());
    for (const j of jemallocs) expect(documented[variableOf[j]].value).toBe(SEED_MALLOC_CONF);
  });

  test('the binary has the linked jemalloc (which looks up _RJEM_MALLOC_CONF) exactly when the mode links it', () => {
    const binary = runInImageRootfs(tag, `grep -c -a _RJEM_MALLOC_CONF .${BINARY} || true`);
    expect(Number(binary.stdout.trim()) > 0).toBe(jemallocs.includes('linked'));
  });

  test('the operator process maps the preloaded libjemalloc.so.2 exactly when the mode preloads it', () => {
    const maps = operatorMaps(tag);
    if (jemallocs.includes('preloaded')) expect(maps).toMatch(/\/libjemalloc\.so\.2$/m);
    else expect(maps).not.toMatch(/libjemalloc/);
  });

  test('the image\'s own configuration gives no "Invalid conf pair"', () => {
    const result = runOperator(tag, {});
    expect(result.stderr).toBe('');
  });

  if (jemallocs.length === 0) {
    test('neither variable reaches any jemalloc: no statistics, no complaint about a bad key', () => {
      const asked = 'stats_print:true,pro_no_such_key:1';
      // (the same request prints statistics and "Invalid conf pair" in the other modes' tests)
      const result = runOperator(tag, { [variableOf.preloaded]: asked, [variableOf.linked]: asked });
      expect(result.stderr).toBe('');
    });
    return;
  }

  for (const j of jemallocs) {
    describe(`the ${j} jemalloc`, () => {
      test(`prints its statistics (version ${JEMALLOC_VERSION[j].source}) for ${j === 'linked' ? '_RJEM_MALLOC_CONF' : 'MALLOC_CONF'} with the configured values`, () => {
        const variable = variableOf[j];
        const result = runOperator(tag, { [variable]: `${imageEnv[variable]},stats_print:true` });
        const blocks = statsBlocks(result.stderr);
        expect(blocks.map(jemallocOf)).toEqual([j]);
        // e.g. `opt.dirty_decay_ms: 30000 (arenas.dirty_decay_ms: 30000)`, `opt.metadata_thp: "auto"`
        for (const [key, value] of confPairs(imageEnv[variable])) {
          expect(blocks[0].text).toMatch(new RegExp(`^\\s*opt\\.${key}: (?:"${value}"|${value}\\b)`, 'm'));
        }
        expect(result.stderr).not.toContain('Invalid conf pair');
      });

      test('also at exit 1 (no task id): stats_print runs from atexit', () => {
        const variable = variableOf[j];
        const result = runImage(tag, { env: { [variable]: `${imageEnv[variable]},stats_print:true` } });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('TERCEN_TASK_ID is not set');
        expect(statsBlocks(result.stderr).map(jemallocOf)).toEqual([j]);
      });

      test('the other variable has no effect on it', () => {
        const own = variableOf[j];
        const other = variableOf[j === 'linked' ? 'preloaded' : 'linked'];
        // own asks for statistics; other changes the decay and has a bad key
        const result = runOperator(tag, { [own]: `${imageEnv[own]},stats_print:true`, [other]: 'dirty_decay_ms:4321,muzzy_decay_ms:4321,pro_other_key:1' });
        const mine = statsBlocks(result.stderr).filter((b) => jemallocOf(b) === j);
        expect(mine).toHaveLength(1);
        expect(mine[0].text).not.toMatch(/decay_ms: 4321/);
        expect(mine[0].text).toMatch(new RegExp(`opt\\.dirty_decay_ms: ${Object.fromEntries(confPairs(imageEnv[own])).dirty_decay_ms}\\b`));
        // other asks for statistics: only a jemalloc that reads it (the other one, when present) prints
        const asked = runOperator(tag, { [other]: 'stats_print:true' });
        expect(statsBlocks(asked.stderr).map(jemallocOf)).toEqual(jemallocs.filter((x) => x !== j));
      });

      test('a planted bad key gives "Invalid conf pair"', () => {
        const variable = variableOf[j];
        const result = runOperator(tag, { [variable]: `${imageEnv[variable]},pro_no_such_key:1` });
        expect(result.stderr).toContain('Invalid conf pair: pro_no_such_key:1');
      });

      if (j === 'linked') {
        test(`allocatorCrateFeatures reach the built crate: config.prof is ${linkedProfiling}`, () => {
          const result = runOperator(tag, { _RJEM_MALLOC_CONF: 'stats_print:true' });
          const linked = statsBlocks(result.stderr).filter((b) => jemallocOf(b) === 'linked');
          expect(linked).toHaveLength(1);
          expect(linked[0].text).toMatch(new RegExp(`^\\s*config\\.prof: ${linkedProfiling}$`, 'm'));
        });
      }
    });
  }
});
