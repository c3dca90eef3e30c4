import * as fc from 'fast-check';
import { checkEdit, GROUP_TABLES, groupSets, roundTrips, SHAPE_FILES, shapes, tablesOf, textOf } from './shapes';
import { cargoMetadata, plainToml, stripManagedBlocks, valueAt, removeTempDirs } from './support';
import { applyManagedTables, detectEol, ManagedTable, renderValue } from '../../src/cargo/managed-toml';
import { OptionError } from '../../src/core/errors';

afterAll(removeTempDirs);

const [FEATURES, DEPENDENCIES] = GROUP_TABLES.alloc;
const [RELEASE] = GROUP_TABLES.release;
const [MAXPERF] = GROUP_TABLES.maxperf;
const ALL = [FEATURES, DEPENDENCIES, RELEASE, MAXPERF];

const M = (keys: string) => `# managed by projen-rust-operator (edit .projenrc.ts): ${keys}\n`;
const FEATURES_BLOCK = M('default, jemalloc') + 'default = ["jemalloc"]\njemalloc = ["dep:tikv-jemallocator"]\n';
const DEPENDENCY_BLOCK = M('tikv-jemallocator') + 'tikv-jemallocator = { version = "0.6", optional = true }\n';
const RELEASE_BLOCK = M('opt-level, lto, codegen-units, strip') + 'opt-level = "z"\nlto = true\ncodegen-units = 1\nstrip = true\n';
const MAXPERF_BLOCK = M('inherits, opt-level, lto') + 'inherits = "release"\nopt-level = 3\nlto = "fat"\n';
const PACKAGE = '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n';
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');
const apply = (text: string, tables: readonly ManagedTable[] = ALL) => applyManagedTables(text, tables);

interface Case {
  readonly name: string;
  readonly input: string;
  readonly tables?: ManagedTable[];
  readonly expected: string;
  /** Whether the output is a complete manifest cargo must accept. */
  readonly cargo?: boolean;
}

const CASES: Case[] = [
  {
    name: 'empty file: every table is appended, the first without a blank line',
    input: '',
    expected: '[features]\n' + FEATURES_BLOCK + '\n[dependencies]\n' + DEPENDENCY_BLOCK + '\n[profile.release]\n' + RELEASE_BLOCK + '\n[profile.maxperf]\n' + MAXPERF_BLOCK,
  },
  {
    name: 'no trailing newline: a line break, then one blank line, then the tables',
    input: PACKAGE.trimEnd(),
    expected: PACKAGE + '\n[features]\n' + FEATURES_BLOCK + '\n[dependencies]\n' + DEPENDENCY_BLOCK + '\n[profile.release]\n' + RELEASE_BLOCK + '\n[profile.maxperf]\n' + MAXPERF_BLOCK,
    cargo: true,
  },
  {
    name: 'existing [dependencies]: the managed entry goes right after its header',
    input: PACKAGE + '\n[dependencies]\nserde = "1"\n',
    expected: PACKAGE + '\n[dependencies]\n' + DEPENDENCY_BLOCK + 'serde = "1"\n' + '\n[features]\n' + FEATURES_BLOCK + '\n[profile.release]\n' + RELEASE_BLOCK + '\n[profile.maxperf]\n' + MAXPERF_BLOCK,
    cargo: true,
  },
  {
    name: 'CRLF, BOM and comments everywhere, no newline after the last comment',
    input: '\uFEFF# top\r\n[package] # pkg\r\nname = "demo" # name\r\nversion = "0.1.0"\r\nedition = "2021"\r\n\r\n# deps below\r\n[dependencies]\r\n# first\r\n'
      + 'serde = { version = "1", features = ["derive"] } # inline\r\n\r\n[features]\r\n# user\r\nextra = []\r\n# end',
    expected: '\uFEFF# top\r\n[package] # pkg\r\nname = "demo" # name\r\nversion = "0.1.0"\r\nedition = "2021"\r\n\r\n# deps below\r\n[dependencies]\r\n' + crlf(DEPENDENCY_BLOCK) + '# first\r\n'
      + 'serde = { version = "1", features = ["derive"] } # inline\r\n\r\n[features]\r\n' + crlf(FEATURES_BLOCK) + '# user\r\nextra = []\r\n# end\r\n'
      + '\r\n[profile.release]\r\n' + crlf(RELEASE_BLOCK) + '\r\n[profile.maxperf]\r\n' + crlf(MAXPERF_BLOCK),
    cargo: true,
  },
  {
    name: 'managed keys written by hand in other styles are taken over; the user keys and comments stay (a managed line\'s comment with its key)',
    input: PACKAGE + '\n[dependencies]\nserde = "1"\ntikv-jemallocator.version = "0.5"   # dotted\ntikv-jemallocator.optional = true\ntokio = "1"\n\n'
      + '[features]\n"default" = [\n  "extra", # why\n]\nextra = []\njemalloc=["tikv-jemallocator"]\n\n'
      + '[profile.release]\n# speed over size\n"opt-level"   =   3 # fast\ndebug = 1\nlto = \'thin\'\n',
    expected: PACKAGE + '\n[dependencies]\n' + DEPENDENCY_BLOCK + 'serde = "1"\ntokio = "1"\n\n'
      + '[features]\n' + FEATURES_BLOCK + 'extra = []\n\n'
      // The comment at the end of a managed key's line moves with the key.
      + '[profile.release]\n' + RELEASE_BLOCK.replace('opt-level = "z"\n', 'opt-level = "z" # fast\n') + '# speed over size\ndebug = 1\n'
      + '\n[profile.maxperf]\n' + MAXPERF_BLOCK,
    cargo: true,
  },
  {
    name: '[dependencies.tikv-jemallocator] is taken over; other sub-tables, [lib], [[bin]] and target dependencies stay',
    input: PACKAGE + '\n[lib]\npath = "src/lib.rs"\n\n[[bin]]\nname = "demo"\npath = "src/main.rs"\n\n[[bin]]\nname = "dev"\npath = "src/bin/dev.rs"\n\n'
      + '[dependencies]\nserde = "1"\n\n[dependencies.tikv-jemallocator] # old style\nversion = "0.5"\n# keep optional\noptional = true\n\n'
      + '[dependencies.prost]\nversion = "0.12"\n\n[target.\'cfg(unix)\'.dependencies]\nlibc = "0.2"\ntikv-jemallocator = { version = "0.6", optional = true }\n',
    expected: PACKAGE + '\n[lib]\npath = "src/lib.rs"\n\n[[bin]]\nname = "demo"\npath = "src/main.rs"\n\n[[bin]]\nname = "dev"\npath = "src/bin/dev.rs"\n\n'
      + '[dependencies]\n' + DEPENDENCY_BLOCK + 'serde = "1"\n\n\n'
      + '[dependencies.prost]\nversion = "0.12"\n\n[target.\'cfg(unix)\'.dependencies]\nlibc = "0.2"\ntikv-jemallocator = { version = "0.6", optional = true }\n'
      + '\n[features]\n' + FEATURES_BLOCK + '\n[profile.release]\n' + RELEASE_BLOCK + '\n[profile.maxperf]\n' + MAXPERF_BLOCK,
    cargo: true,
  },
  {
    name: 'a [profile] table holding release through dotted keys gets dotted managed keys (a [profile.release] header would be a duplicate)',
    input: PACKAGE + '\n[profile]\nrelease.debug = 1 # mine\n',
    tables: [RELEASE, MAXPERF],
    expected: PACKAGE + '\n[profile]\n' + M('release.opt-level, release.lto, release.codegen-units, release.strip')
      + 'release.opt-level = "z"\nrelease.lto = true\nrelease.codegen-units = 1\nrelease.strip = true\nrelease.debug = 1 # mine\n'
      + '\n[profile.maxperf]\n' + MAXPERF_BLOCK,
    cargo: true,
  },
  {
    name: 'dotted managed keys only: once taken over, [profile.release] is a table of its own',
    input: PACKAGE + '\n[profile]\nrelease.opt-level = 3\n',
    tables: [RELEASE],
    expected: PACKAGE + '\n[profile]\n\n[profile.release]\n' + RELEASE_BLOCK,
    cargo: true,
  },
  {
    name: 'top-level dotted keys: managed keys are written top-level too, before the first one',
    input: '# release tweaks\nprofile.release.debug = 1\n\n' + PACKAGE,
    tables: [RELEASE],
    expected: '# release tweaks\n' + M('profile.release.opt-level, profile.release.lto, profile.release.codegen-units, profile.release.strip')
      + 'profile.release.opt-level = "z"\nprofile.release.lto = true\nprofile.release.codegen-units = 1\nprofile.release.strip = true\n'
      + 'profile.release.debug = 1\n\n' + PACKAGE,
    cargo: true,
  },
  {
    name: 'a header with a comment on the last line, without a newline',
    input: PACKAGE + '[features] # mine',
    tables: [FEATURES, DEPENDENCIES],
    expected: PACKAGE + '[features] # mine\n' + FEATURES_BLOCK + '\n[dependencies]\n' + DEPENDENCY_BLOCK,
    cargo: true,
  },
  {
    name: 'an existing empty managed table is reused, odd header spacing and all',
    input: PACKAGE + '\n[ profile . maxperf ]\n\n[profile.dev]\nopt-level = 1\n',
    tables: [RELEASE, MAXPERF],
    expected: PACKAGE + '\n[ profile . maxperf ]\n' + MAXPERF_BLOCK + '\n[profile.dev]\nopt-level = 1\n' + '\n[profile.release]\n' + RELEASE_BLOCK,
    cargo: true,
  },
  {
    name: 'keys a marker lists but no longer configured are removed; user keys after them stay',
    input: PACKAGE + '\n[features]\n' + M('default, gpu') + 'default = ["gpu"]\ngpu = []\nextra = []\n',
    tables: [{ path: ['features'], keys: [{ key: 'default', value: [] }] }],
    expected: PACKAGE + '\n[features]\n' + M('default') + 'default = []\nextra = []\n',
    cargo: true,
  },
  {
    name: 'a hand-mangled marker is removed; items that are not keys are ignored',
    input: PACKAGE + '\n[features]\n# managed by projen-rust-operator: "unterminated, , default\ndefault = []\nextra = []\n',
    tables: [],
    expected: PACKAGE + '\n[features]\nextra = []\n',
    cargo: true,
  },
  {
    name: 'tables no longer configured are removed with their blank line when nothing of the user is in them',
    input: PACKAGE + '\n[dependencies]\n' + DEPENDENCY_BLOCK + 'serde = "1"\n\n[features]\n' + FEATURES_BLOCK + '\n[profile.release]\n' + RELEASE_BLOCK + '# mine\n'
      + '\n[profile.maxperf]\n' + MAXPERF_BLOCK,
    tables: [],
    expected: PACKAGE + '\n[dependencies]\nserde = "1"\n\n[profile.release]\n# mine\n',
    cargo: true,
  },
  {
    name: 'a managed key under another path (a target dependency, a package key) is not managed',
    input: PACKAGE.replace('edition = "2021"\n', 'edition = "2021"\ndefault-run = "demo"\n') + '\n[target.\'cfg(unix)\'.dependencies]\ntikv-jemallocator = "0.5"\n',
    tables: [DEPENDENCIES],
    expected: PACKAGE.replace('edition = "2021"\n', 'edition = "2021"\ndefault-run = "demo"\n') + '\n[target.\'cfg(unix)\'.dependencies]\ntikv-jemallocator = "0.5"\n'
      + '\n[dependencies]\n' + DEPENDENCY_BLOCK,
  },
];

describe('applyManagedTables, table-driven', () => {
  test.each(CASES)('$name', (c) => {
    const output = apply(c.input, c.tables);
    expect(output).toBe(c.expected);
    // A second synth changes nothing.
    expect(apply(output, c.tables)).toBe(output);
    // The managed keys parse, with an independent parser, to exactly the configured values.
    const value = plainToml(output);
    for (const table of c.tables ?? ALL) {
      for (const k of table.keys) {
        expect(valueAt(value, [...table.path, k.key])).toEqual(k.value);
      }
    }
    if (c.cargo) {
      const run = cargoMetadata(output, { 'src/lib.rs': '', 'src/bin/dev.rs': 'fn main() {}\n' });
      expect(run.stderr).not.toMatch(/error/i);
      expect(run.status).toBe(0);
    }
  });

  test('the expected outputs are valid for cargo before the edit too (the inputs are real manifests)', () => {
    for (const c of CASES.filter(x => x.cargo && x.input.includes('[package]'))) {
      const run = cargoMetadata(c.input, { 'src/lib.rs': '', 'src/bin/dev.rs': 'fn main() {}\n' });
      expect({ name: c.name, status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ name: c.name, status: 0, stderr: '' });
    }
  });
});

describe('applyManagedTables, errors', () => {
  const errorOf = (text: string, tables: ManagedTable[] = ALL): OptionError => {
    try {
      apply(text, tables);
    } catch (e) {
      if (e instanceof OptionError) {
        return e;
      }
      throw e;
    }
    throw new Error('no error thrown');
  };

  test.each([
    ['a value missing at the end of a line', PACKAGE + 'license = \n', 'Cargo.toml:5', /not valid TOML: Unspecified values are invalid/],
    ['a value missing, more lines follow', PACKAGE + 'license =\n\n\nreadme = "x"\n', 'Cargo.toml:5', /not valid TOML/],
    ['a stray token', PACKAGE + 'x = 1 y = 2\n', 'Cargo.toml:5', /not valid TOML: Must be a newline \(column 7\)/],
    ['a key defined twice', '[features]\na = []\na = []\n', 'Cargo.toml:3', /not valid TOML: .*multiple times/],
    ['a table defined twice (CRLF)', '[package]\r\nname = "x"\r\n\r\n[package]\r\n', 'Cargo.toml:4', /not valid TOML/],
    ['an unterminated string after a BOM', '\uFEFF[package]\nname = "x\n', 'Cargo.toml:2', /not valid TOML/],
  ])('invalid TOML (%s) names the file and line', (_, text, subject, message) => {
    const error = errorOf(text);
    expect(error.subject).toBe(subject);
    expect(error.message).toMatch(message);
  });

  test.each([
    ['[profile] release = { ... } inline', PACKAGE + '[profile]\nrelease = { debug = 1 }\n', 'Cargo.toml:6', /"profile\.release" is written as an inline table.*Rewrite it as a standard \[profile\.release\] table/],
    ['a top-level inline profile table', 'profile = { release = { opt-level = 3 } }\n' + PACKAGE, 'Cargo.toml:1', /"profile" is written as an inline table/],
    ['features = [...] at the top level', 'features = []\n' + PACKAGE, 'Cargo.toml:1', /"features" is written as a value/],
    ['an array of tables', PACKAGE + '[[profile.release]]\nopt-level = 3\n', 'Cargo.toml:5', /array of tables/],
  ])('a managed table that cannot take keys (%s) is an error naming the line', (_, text, subject, message) => {
    const error = errorOf(text);
    expect(error.subject).toBe(subject);
    expect(error.message).toMatch(message);
  });
});

describe('applyManagedTables, properties', () => {
  test('over many Cargo.toml shapes: user bytes kept, managed values exact, idempotent', () => {
    fc.assert(fc.property(shapes, groupSets, (shape, groups) => {
      const input = textOf(shape);
      const output = applyManagedTables(input, tablesOf(groups));
      expect(checkEdit(shape, groups, output)).toEqual([]);
      expect(applyManagedTables(output, tablesOf(groups))).toBe(output);
    }), { numRuns: 400 });
  });

  test('unmanaging everything gives the original bytes back when nothing was taken over', () => {
    let checked = 0;
    fc.assert(fc.property(shapes, groupSets, (shape, groups) => {
      fc.pre(roundTrips(shape, groups));
      checked++;
      const input = textOf(shape);
      expect(applyManagedTables(applyManagedTables(input, tablesOf(groups)), [])).toBe(input);
    }), { numRuns: 200 });
    expect(checked).toBeGreaterThan(20);
  });

  test('changing the managed set converges: any sequence of configurations ends where a direct synth would', () => {
    fc.assert(fc.property(shapes, fc.array(groupSets, { minLength: 1, maxLength: 4 }), (shape, sequence) => {
      let text = textOf(shape);
      for (const groups of sequence) {
        text = applyManagedTables(text, tablesOf(groups));
      }
      const last = sequence[sequence.length - 1];
      // The same managed values as a fresh synth, and stable.
      const value = plainToml(text);
      for (const table of tablesOf(last)) {
        for (const k of table.keys) {
          expect(valueAt(value, [...table.path, k.key])).toEqual(k.value);
        }
      }
      expect(applyManagedTables(text, tablesOf(last))).toBe(text);
      // Nothing of a group that is no longer managed survives: no marker lists its keys.
      const markers = text.split(/\r?\n/).filter(l => l.startsWith('# managed by projen-rust-operator'));
      expect(markers).toHaveLength(tablesOf(last).length);
      if (!last.includes('maxperf')) {
        // No key of it is left (the shapes never hold maxperf keys of the user's).
        expect(Object.keys(valueAt(value, ['profile', 'maxperf']) ?? {})).toEqual([]);
        if (!shape.sections.some(s => s.table === 'profile.maxperf')) {
          expect(valueAt(value, ['profile', 'maxperf'])).toBeUndefined();
        }
      }
    }), { numRuns: 200 });
  });

  test('cargo accepts every edited shape (cargo metadata --no-deps --offline)', () => {
    fc.assert(fc.property(shapes, groupSets, (shape, groups) => {
      const output = applyManagedTables(textOf(shape), tablesOf(groups));
      const run = cargoMetadata(output, SHAPE_FILES);
      if (run.status !== 0) {
        throw new Error(`cargo rejected:\n${output}\n${run.stderr}`);
      }
      const features = run.json.packages[0].features;
      if (groups.includes('alloc')) {
        expect(features.default).toEqual(['jemalloc']);
        expect(features.jemalloc).toEqual(['dep:tikv-jemallocator']);
        expect(features['tikv-jemallocator']).toBeUndefined(); // no implicit feature with dep:
      }
    }), { numRuns: 40 });
  });
});

describe('the oracle detects a wrong edit', () => {
  // Each corruption must be caught; otherwise the property tests above prove nothing.
  const sample = fc.sample(shapes.filter(s => s.sections.some(x => x.lines.some(l => !l.managed && l.text.startsWith('#')))), { numRuns: 1, seed: 42 })[0];
  const groups = ['alloc', 'release', 'maxperf'] as const;
  const good = applyManagedTables(textOf(sample), tablesOf([...groups]));

  test('the genuine output passes', () => {
    expect(checkEdit(sample, [...groups], good)).toEqual([]);
  });

  test.each<[string, (text: string) => string]>([
    ['a user comment changed', t => t.replace(/^(\uFEFF?(?:.*\n)*?)(#(?! managed).*)$/m, '$1$2!')],
    ['a user line dropped', t => t.replace(/^version = "0\.1\.0"\r?\n/m, '')],
    ['a managed value changed', t => t.replace('opt-level = "z"', 'opt-level = "s"')],
    ['a managed key dropped (marker still lists it)', t => t.replace(/^strip = true\r?\n/m, '')],
    ['a line ending changed', t => (t.includes('\r\n') ? t.replace('\r\n', '\n') : t.replace('\n', '\r\n'))],
    ['the BOM toggled', t => (t.startsWith('\uFEFF') ? t.slice(1) : '\uFEFF' + t)],
    ['a blank line added', t => t.replace('[profile.maxperf]', '\n[profile.maxperf]')],
  ])('%s', (_, corrupt) => {
    const bad = corrupt(good);
    expect(bad).not.toBe(good);
    expect(checkEdit(sample, [...groups], bad)).not.toEqual([]);
  });
});

describe('helpers', () => {
  test('renderValue writes canonical inline TOML', () => {
    expect(renderValue('a "q" \\ \n')).toBe('"a \\"q\\" \\\\ \\n"');
    expect(renderValue(['a', 'b'])).toBe('["a", "b"]');
    expect(renderValue([])).toBe('[]');
    expect(renderValue({ version: '0.6', optional: true })).toBe('{ version = "0.6", optional = true }');
    expect(renderValue({ 'a.b': 1 })).toBe('{ "a.b" = 1 }');
    expect(() => renderValue(1.5)).toThrow(/integers/);
  });

  test('rendered strings round-trip through a TOML parser', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), s => {
      expect(plainToml(`k = ${renderValue(s)}\n`).k).toBe(s);
    }));
  });

  test('detectEol follows the majority', () => {
    expect(detectEol('')).toBe('\n');
    expect(detectEol('a\r\nb\r\nc\n')).toBe('\r\n');
    expect(detectEol('a\nb\nc\r\n')).toBe('\n');
  });

  test('stripManagedBlocks rejects a marker not followed by its keys', () => {
    expect(() => stripManagedBlocks(M('a, b') + 'a = 1\nc = 2\n')).toThrow(/lists "b"/);
    expect(stripManagedBlocks('x = 0\n' + M('a') + 'a = 1\ny = 2')).toBe('x = 0\ny = 2');
  });
});

describe('a managed block stays where it is', () => {
  // `cargo add` keeps a sorted table sorted, so `anyhow` lands above the tikv-jemallocator
  // block (between the header and our marker): the next synth must not move the block again.
  const synthesized = apply(`${PACKAGE}\n[dependencies]\n`, [DEPENDENCIES]);

  test.each([
    ['above the block (cargo add, sorted)', (text: string) => text.replace('[dependencies]\n', '[dependencies]\nanyhow = "1.0.86"\n')],
    ['below the block', (text: string) => text + 'zstd = "0.13"\n'],
    ['a comment above the block', (text: string) => text.replace('[dependencies]\n', '[dependencies]\n# pinned for MSRV\n')],
  ])('a user line %s', (_where, userEdit) => {
    const edited = userEdit(synthesized);
    expect(apply(edited, [DEPENDENCIES])).toBe(edited);
  });

  test('a changed managed value is rewritten in place', () => {
    const edited = synthesized.replace('[dependencies]\n', '[dependencies]\nanyhow = "1"\n').replace('"0.6"', '"0.5"');
    expect(apply(edited, [DEPENDENCIES])).toBe(edited.replace('"0.5"', '"0.6"'));
  });

  test('without a marker (adopting), the block goes right after the header', () => {
    expect(apply(`${PACKAGE}\n[dependencies]\nanyhow = "1"\n`, [DEPENDENCIES]))
      .toBe(`${PACKAGE}\n[dependencies]\n${DEPENDENCY_BLOCK}anyhow = "1"\n`);
  });
});
