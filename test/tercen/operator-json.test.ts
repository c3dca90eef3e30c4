import { readFileSync } from 'fs';
import { join } from 'path';
import { OptionError } from '../../src/core/errors';
import {
  assertValidOperatorJson,
  ContainerPolicy,
  OperatorJson,
  OperatorJsonExpectations,
  OperatorJsonProblem,
  operatorJsonContainer,
  renderOperatorJson,
  validateOperatorJson,
} from '../../src/tercen/operator-json';

const FIXTURE_TEXT = readFileSync(join(__dirname, 'fixtures', 'ggrs_plot_operator.operator.json'), 'utf8');
const IMAGE = 'ghcr.io/tercen/ggrs_plot_operator';

/** ggrs: untagged image, Tercen resolves the tag. */
const UNTAGGED: OperatorJsonExpectations = { imageName: IMAGE, policy: ContainerPolicy.UNTAGGED };
/** The developers' guide: exact pin of the Cargo version. */
const PINNED: OperatorJsonExpectations = { imageName: IMAGE, policy: ContainerPolicy.EXACT_PIN, version: '0.3.1' };

/** A fresh copy of the realistic ggrs manifest. */
function ggrs(): any {
  return JSON.parse(FIXTURE_TEXT);
}

/** Problems of the ggrs manifest after one mutation. */
function problemsAfter(mutate: (manifest: any) => void, expectations: OperatorJsonExpectations = UNTAGGED): OperatorJsonProblem[] {
  const manifest = ggrs();
  mutate(manifest);
  return validateOperatorJson(manifest, expectations);
}

function pinned(manifest: any, container: string): void {
  manifest.container = container;
}

/** The error `fn` throws, asserted to be an OptionError. */
function optionError(fn: () => unknown): OptionError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OptionError);
    return e as OptionError;
  }
  throw new Error('expected an OptionError, but nothing was thrown');
}

describe('a valid manifest', () => {
  test('the realistic ggrs_plot_operator manifest (untagged image) has zero problems', () => {
    const manifest = ggrs();
    // the fixture really exercises every property kind several times and a full crosstab
    const kinds = manifest.properties.map((p: any) => p.kind);
    for (const kind of ['StringProperty', 'DoubleProperty', 'BooleanProperty', 'EnumeratedProperty']) {
      expect(kinds.filter((k: string) => k === kind).length).toBeGreaterThanOrEqual(3);
    }
    const mappings = [
      ...manifest.operatorSpec.inputSpecs[0].metaFactors,
      ...manifest.operatorSpec.inputSpecs[0].axis[0].metaFactors,
    ].map((f: any) => f.crosstabMapping);
    expect(mappings).toEqual(expect.arrayContaining(['row', 'column', 'x', 'y']));

    expect(validateOperatorJson(manifest, UNTAGGED)).toEqual([]);
    expect(() => assertValidOperatorJson(FIXTURE_TEXT, 'operator.json', UNTAGGED)).not.toThrow();
  });

  test('the same manifest pinned to the Cargo version has zero problems under EXACT_PIN', () => {
    expect(problemsAfter(m => pinned(m, `${IMAGE}:0.3.1`), PINNED)).toEqual([]);
    // without a known Cargo version any exact X.Y.Z tag is accepted
    expect(problemsAfter(m => pinned(m, `${IMAGE}:12.0.7`), { imageName: IMAGE, policy: ContainerPolicy.EXACT_PIN })).toEqual([]);
  });

  test('optional keys may be absent and capabilities may name gpu', () => {
    expect(problemsAfter(m => {
      delete m.tags;
      delete m.authors;
      delete m.urls;
      delete m.operatorSpec;
      m.capabilities = ['gpu'];
      m.properties = [];
    })).toEqual([]);
  });
});

describe('top-level keys', () => {
  test.each([
    ['name', 'missing; add "name": "<display name>" (the name Tercen lists the operator under).'],
    ['description', 'missing; add "description": "<what the operator does>".'],
    ['container', `missing; add "container": "${IMAGE}".`],
    ['communicationProtocol', 'missing; add "communicationProtocol": "grpc" (Rust operators talk to Tercen over gRPC).'],
    ['properties', 'missing; add "properties": [] (an empty list when the operator has no settings).'],
  ])('missing %s', (key, message) => {
    expect(problemsAfter(m => delete m[key])).toEqual([{ path: `$.${key}`, message }]);
  });

  test('a missing container under EXACT_PIN shows the pinned reference to add', () => {
    expect(problemsAfter(m => delete m.container, PINNED)).toEqual([
      { path: '$.container', message: `missing; add "container": "${IMAGE}:0.3.1".` },
    ]);
  });

  test('empty name', () => {
    expect(problemsAfter(m => m.name = '  ')).toEqual([
      { path: '$.name', message: 'is empty; write the display name Tercen lists the operator under.' },
    ]);
  });

  test('non-string description', () => {
    expect(problemsAfter(m => m.description = 42)).toEqual([
      { path: '$.description', message: 'is the number 42; it must be a string: write "42".' },
    ]);
  });

  test('non-string container', () => {
    expect(problemsAfter(m => m.container = ['ghcr.io/x'])).toEqual([
      { path: '$.container', message: 'is an array; it must be a string.' },
    ]);
  });

  test('communicationProtocol other than grpc', () => {
    expect(problemsAfter(m => m.communicationProtocol = 'http')).toEqual([
      { path: '$.communicationProtocol', message: 'is "http", but Rust operators (tercen-rs) talk to Tercen over gRPC; write "grpc".' },
    ]);
  });

  test('properties that is not an array', () => {
    expect(problemsAfter(m => m.properties = {})).toEqual([
      { path: '$.properties', message: 'is an object; it must be an array of properties ([] when the operator has no settings).' },
    ]);
  });

  test('tags given as one string, and a non-string author', () => {
    expect(problemsAfter(m => {
      m.tags = 'plot';
      m.authors = ['Tercen', 7];
    })).toEqual([
      { path: '$.tags', message: 'is the string "plot"; it must be an array of strings: write ["plot"].' },
      { path: '$.authors[1]', message: 'is the number 7; every element must be a string.' },
    ]);
  });

  test('unknown capability, with and without a near miss', () => {
    expect(problemsAfter(m => m.capabilities = ['GPU', 'cuda'])).toEqual([
      { path: '$.capabilities[0]', message: 'unknown capability "GPU"; did you mean "gpu"? known capabilities: gpu.' },
      { path: '$.capabilities[1]', message: 'unknown capability "cuda"; known capabilities: gpu.' },
    ]);
  });

  test('operatorSpec that is not an object', () => {
    expect(problemsAfter(m => m.operatorSpec = [])).toEqual([
      { path: '$.operatorSpec', message: 'is an array; it must be an object with "kind": "OperatorSpec", or be removed.' },
    ]);
  });

  test('unknown key with a near miss: propertys', () => {
    expect(problemsAfter(m => {
      m.propertys = m.properties;
      delete m.properties;
    })).toEqual([
      { path: '$.properties', message: 'missing; add "properties": [] (an empty list when the operator has no settings).' },
      { path: '$.propertys', message: 'unknown key "propertys"; did you mean "properties"? Rename it (keys are case-sensitive; Tercen silently ignores unknown keys).' },
    ]);
  });

  test('unknown key differing only in case: Container', () => {
    expect(problemsAfter(m => {
      m.Container = m.container;
      delete m.container;
    })).toEqual([
      { path: '$.container', message: `missing; add "container": "${IMAGE}".` },
      { path: '$.Container', message: 'unknown key "Container"; did you mean "container"? Rename it (keys are case-sensitive; Tercen silently ignores unknown keys).' },
    ]);
  });

  test('unknown key without a near miss, with a path that needs quoting', () => {
    expect(problemsAfter(m => m['build info'] = 'x')).toEqual([
      {
        path: '$["build info"]',
        message: 'unknown key "build info"; Tercen ignores it. Remove it, or use one of: name, description, tags, authors, urls, container, communicationProtocol, capabilities, properties, operatorSpec.',
      },
    ]);
  });

  test('a manifest that is not an object', () => {
    expect(validateOperatorJson([], UNTAGGED)).toEqual([
      { path: '$', message: 'is an array; operator.json must be one JSON object ({ "name": ..., "container": ..., ... }).' },
    ]);
  });
});

describe('properties', () => {
  test('EnumerationProperty (a real-world mistake) suggests EnumeratedProperty', () => {
    expect(problemsAfter(m => m.properties[0].kind = 'EnumerationProperty')).toEqual([
      { path: '$.properties[0].kind', message: '"EnumerationProperty" is not a Tercen property kind; write "EnumeratedProperty" (with "values" listing the choices).' },
    ]);
  });

  test('IntegerProperty does not exist; DoubleProperty is suggested', () => {
    expect(problemsAfter(m => m.properties[6].kind = 'IntegerProperty')).toEqual([
      {
        path: '$.properties[6].kind',
        message: 'Tercen has no "IntegerProperty"; write "DoubleProperty" with a number defaultValue and parse the value as an integer in the operator (every value reaches it as a string).',
      },
    ]);
  });

  test('an unknown kind with a near miss, and one without', () => {
    expect(problemsAfter(m => {
      m.properties[3].kind = 'StrngProperty';
      m.properties[4].kind = 'TextField';
    })).toEqual([
      { path: '$.properties[3].kind', message: '"StrngProperty" is not a Tercen property kind; did you mean "StringProperty"? Use one of: StringProperty, DoubleProperty, BooleanProperty, EnumeratedProperty.' },
      { path: '$.properties[4].kind', message: '"TextField" is not a Tercen property kind; use one of: StringProperty, DoubleProperty, BooleanProperty, EnumeratedProperty.' },
    ]);
  });

  test('missing kind', () => {
    expect(problemsAfter(m => delete m.properties[9].kind)).toEqual([
      { path: '$.properties[9]', message: 'has no "kind"; add "kind" with one of: StringProperty, DoubleProperty, BooleanProperty, EnumeratedProperty.' },
    ]);
  });

  test('a property that is not an object', () => {
    expect(problemsAfter(m => m.properties[1] = 'plot.type')).toEqual([
      { path: '$.properties[1]', message: 'is the string "plot.type"; each property must be an object with "kind", "name", "description" and "defaultValue".' },
    ]);
  });

  test('missing and empty names', () => {
    expect(problemsAfter(m => {
      delete m.properties[3].name;
      m.properties[4].name = '';
    })).toEqual([
      { path: '$.properties[3]', message: 'has no "name"; add "name": "<setting name>" (the key the operator reads the value by).' },
      { path: '$.properties[4].name', message: 'is empty; write the key the operator reads the value by.' },
    ]);
  });

  test('duplicate property names', () => {
    expect(problemsAfter(m => m.properties[10].name = 'legend.show')).toEqual([
      { path: '$.properties[10].name', message: 'duplicate property name "legend.show" (also $.properties[9].name); property names must be unique: rename or remove one.' },
    ]);
  });

  test('missing and non-string description', () => {
    expect(problemsAfter(m => {
      delete m.properties[5].description;
      m.properties[6].description = null;
    })).toEqual([
      { path: '$.properties[5]', message: 'has no "description"; add "description": "<what the setting does>" (Tercen shows it next to the setting).' },
      { path: '$.properties[6].description', message: 'is null; it must be a string.' },
    ]);
  });

  test('a DoubleProperty with a string default', () => {
    expect(problemsAfter(m => m.properties[6].defaultValue = '4')).toEqual([
      { path: '$.properties[6].defaultValue', message: 'is "4", but a DoubleProperty needs a number defaultValue; write 4 without quotes.' },
    ]);
    expect(problemsAfter(m => m.properties[7].defaultValue = 'auto')).toEqual([
      { path: '$.properties[7].defaultValue', message: 'is "auto", but a DoubleProperty needs a number defaultValue; write a JSON number, e.g. 0.' },
    ]);
  });

  test('a BooleanProperty with a string default', () => {
    expect(problemsAfter(m => m.properties[11].defaultValue = 'false')).toEqual([
      { path: '$.properties[11].defaultValue', message: 'is "false", but a BooleanProperty needs a boolean defaultValue; write false without quotes.' },
    ]);
  });

  test('a StringProperty with a number default', () => {
    expect(problemsAfter(m => m.properties[3].defaultValue = 800)).toEqual([
      { path: '$.properties[3].defaultValue', message: 'is the number 800, but a StringProperty needs a string defaultValue; write "800" in quotes.' },
    ]);
  });

  test('a missing defaultValue names the JSON type the kind needs', () => {
    expect(problemsAfter(m => delete m.properties[10].defaultValue)).toEqual([
      { path: '$.properties[10]', message: 'has no "defaultValue"; add "defaultValue": false (a JSON boolean for BooleanProperty).' },
    ]);
  });

  test('an enumerated default not among the values', () => {
    expect(problemsAfter(m => m.properties[0].defaultValue = 'grey')).toEqual([
      {
        path: '$.properties[0].defaultValue',
        message: '"grey" is not among the values ["gray","bw","minimal","classic","light","dark"]; use one of them, or add "grey" to "values".',
      },
    ]);
  });

  test('EnumeratedProperty values: missing, empty, not strings, duplicated', () => {
    expect(problemsAfter(m => delete m.properties[1].values)).toEqual([
      { path: '$.properties[1]', message: 'is an EnumeratedProperty without "values"; add "values": ["<choice>", ...] listing the choices, including the defaultValue.' },
    ]);
    expect(problemsAfter(m => m.properties[1].values = [])).toEqual([
      { path: '$.properties[1].values', message: 'is empty; list the choices of this EnumeratedProperty, including the defaultValue.' },
    ]);
    expect(problemsAfter(m => m.properties[1].values = ['png', 300])).toEqual([
      { path: '$.properties[1].values[1]', message: 'is the number 300; every element must be a string.' },
    ]);
    expect(problemsAfter(m => m.properties[2].values = ['right', 'left', 'right'])).toEqual([
      { path: '$.properties[2].values[2]', message: 'duplicate value "right" (also $.properties[2].values[0]); remove one.' },
    ]);
  });

  test('values are only required of EnumeratedProperty', () => {
    expect(problemsAfter(m => m.properties.push({ kind: 'StringProperty', name: 'x', description: '', defaultValue: '' }))).toEqual([]);
  });
});

describe('operatorSpec kinds', () => {
  test('a wrong kind deep in the tree is reported at its path, with a suggestion', () => {
    expect(problemsAfter(m => m.operatorSpec.inputSpecs[0].axis[0].metaFactors[2].kind = 'Metafactor')).toEqual([
      {
        path: '$.operatorSpec.inputSpecs[0].axis[0].metaFactors[2].kind',
        message: '"Metafactor" is not an operatorSpec kind; did you mean "MetaFactor"? use one of: OperatorSpec, CrosstabSpec, MetaFactor, AxisSpec, OperatorJoinSpec, JoinOperator, ColumnPair, TableRelation, Attribute, Pair.',
      },
    ]);
  });

  test('a property kind used inside operatorSpec is caught (the EnumerationProperty class of mistake)', () => {
    expect(problemsAfter(m => m.operatorSpec.inputSpecs[0].metaFactors[1].kind = 'EnumerationProperty')).toEqual([
      {
        path: '$.operatorSpec.inputSpecs[0].metaFactors[1].kind',
        message: '"EnumerationProperty" is not an operatorSpec kind; use one of: OperatorSpec, CrosstabSpec, MetaFactor, AxisSpec, OperatorJoinSpec, JoinOperator, ColumnPair, TableRelation, Attribute, Pair.',
      },
    ]);
  });

  test('a valid output join spec passes; a misspelled kind inside it is reported', () => {
    const outputSpec = () => ({
      kind: 'OperatorJoinSpec',
      joinOperators: [{
        kind: 'JoinOperator',
        joinType: 'left',
        leftPair: { kind: 'ColumnPair', lColumns: ['Row'], rColumns: ['Row'] },
        rightRelation: { kind: 'TableRelation', attributes: [{ kind: 'Attribute', name: 'plot', type: 'string' }] },
      }],
    });
    expect(problemsAfter(m => m.operatorSpec.outputSpecs = [outputSpec()])).toEqual([]);
    expect(problemsAfter(m => {
      const spec = outputSpec();
      spec.joinOperators[0].rightRelation.kind = 'TableRelations';
      m.operatorSpec.outputSpecs = [spec];
    })).toEqual([
      {
        path: '$.operatorSpec.outputSpecs[0].joinOperators[0].rightRelation.kind',
        message: '"TableRelations" is not an operatorSpec kind; did you mean "TableRelation"? use one of: OperatorSpec, CrosstabSpec, MetaFactor, AxisSpec, OperatorJoinSpec, JoinOperator, ColumnPair, TableRelation, Attribute, Pair.',
      },
    ]);
  });

  test('the root must be OperatorSpec', () => {
    expect(problemsAfter(m => m.operatorSpec.kind = 'CrosstabSpec')).toEqual([
      { path: '$.operatorSpec.kind', message: 'is "CrosstabSpec", but the root of operatorSpec must be "OperatorSpec"; write "OperatorSpec" and move this object into "inputSpecs" or "outputSpecs".' },
    ]);
    expect(problemsAfter(m => delete m.operatorSpec.kind)).toEqual([
      { path: '$.operatorSpec', message: 'has no "kind"; add "kind": "OperatorSpec".' },
    ]);
    expect(problemsAfter(m => m.operatorSpec.kind = 'Operatorspec')).toEqual([
      {
        path: '$.operatorSpec.kind',
        message: '"Operatorspec" is not an operatorSpec kind; did you mean "OperatorSpec"? use one of: OperatorSpec, CrosstabSpec, MetaFactor, AxisSpec, OperatorJoinSpec, JoinOperator, ColumnPair, TableRelation, Attribute, Pair.',
      },
    ]);
  });

  test('a kind that is not a string', () => {
    expect(problemsAfter(m => m.operatorSpec.inputSpecs[0].axis[0].kind = 3)).toEqual([
      {
        path: '$.operatorSpec.inputSpecs[0].axis[0].kind',
        message: 'is the number 3; it must be a string naming one of: OperatorSpec, CrosstabSpec, MetaFactor, AxisSpec, OperatorJoinSpec, JoinOperator, ColumnPair, TableRelation, Attribute, Pair.',
      },
    ]);
  });

  test('elements of inputSpecs, metaFactors and axis must carry their kind', () => {
    expect(problemsAfter(m => {
      delete m.operatorSpec.inputSpecs[0].metaFactors[0].kind;
      delete m.operatorSpec.inputSpecs[0].axis[0].kind;
    })).toEqual([
      { path: '$.operatorSpec.inputSpecs[0].metaFactors[0]', message: 'has no "kind"; add "kind": "MetaFactor" (Tercen cannot read an object of this list without it).' },
      { path: '$.operatorSpec.inputSpecs[0].axis[0]', message: 'has no "kind"; add "kind": "AxisSpec" (Tercen cannot read an object of this list without it).' },
    ]);
  });

  test('a valid kind in the wrong list', () => {
    expect(problemsAfter(m => m.operatorSpec.inputSpecs[0].axis[0].metaFactors[0].kind = 'AxisSpec')).toEqual([
      {
        path: '$.operatorSpec.inputSpecs[0].axis[0].metaFactors[0].kind',
        message: 'is "AxisSpec", but this list holds MetaFactor objects; write "MetaFactor" or move the object where a AxisSpec belongs.',
      },
    ]);
  });
});

describe('container', () => {
  test.each(['main', 'latest'])('":%s" under EXACT_PIN', tag => {
    expect(problemsAfter(m => pinned(m, `${IMAGE}:${tag}`), PINNED)).toEqual([
      { path: '$.container', message: `tag ":${tag}" moves with every push, so installs are not reproducible; pin the exact version: write "${IMAGE}:0.3.1".` },
    ]);
  });

  test('a version mismatch says which to change and that the release task bumps both', () => {
    expect(problemsAfter(m => pinned(m, `${IMAGE}:0.3.0`), PINNED)).toEqual([
      {
        path: '$.container',
        message: 'tag ":0.3.0" differs from the Cargo package version 0.3.1; change the tag to "0.3.1" (or the version in Cargo.toml to 0.3.0). The release task bumps both together, so they only drift when one is edited by hand.',
      },
    ]);
  });

  test('a "v" prefix under EXACT_PIN', () => {
    expect(problemsAfter(m => pinned(m, `${IMAGE}:v0.3.1`), PINNED)).toEqual([
      { path: '$.container', message: `tag ":v0.3.1" has a "v" prefix, but image tags are plain X.Y.Z versions; write "${IMAGE}:0.3.1".` },
    ]);
  });

  test('a partial version under EXACT_PIN', () => {
    expect(problemsAfter(m => pinned(m, `${IMAGE}:0.3`), PINNED)).toEqual([
      { path: '$.container', message: `tag ":0.3" is not an exact X.Y.Z version; ContainerPolicy.EXACT_PIN needs the release version: write "${IMAGE}:0.3.1".` },
    ]);
  });

  test('no tag under EXACT_PIN (with and without a known version)', () => {
    expect(problemsAfter(() => undefined, PINNED)).toEqual([
      { path: '$.container', message: `has no tag, but ContainerPolicy.EXACT_PIN pins the exact version: write "${IMAGE}:0.3.1", or choose ContainerPolicy.UNTAGGED in .projenrc.ts to let Tercen resolve the tag.` },
    ]);
    expect(problemsAfter(() => undefined, { imageName: IMAGE, policy: ContainerPolicy.EXACT_PIN })).toEqual([
      { path: '$.container', message: `has no tag, but ContainerPolicy.EXACT_PIN pins the exact version: write "${IMAGE}:X.Y.Z", or choose ContainerPolicy.UNTAGGED in .projenrc.ts to let Tercen resolve the tag.` },
    ]);
  });

  test('a digest-only reference under EXACT_PIN', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(problemsAfter(m => pinned(m, `${IMAGE}@${digest}`), PINNED)).toEqual([
      { path: '$.container', message: `pins only the digest "@${digest}"; ContainerPolicy.EXACT_PIN pins the exact version tag, which the release task updates: write "${IMAGE}:0.3.1".` },
    ]);
    expect(problemsAfter(m => pinned(m, `${IMAGE}:0.3.1@${digest}`), PINNED)).toEqual([
      { path: '$.container', message: `has the digest "@${digest}" besides the tag; ContainerPolicy.EXACT_PIN pins by tag only (the release task updates the tag, a digest would go stale): remove "@${digest}".` },
    ]);
  });

  test('an uppercase image is reported as a case problem', () => {
    expect(problemsAfter(m => m.container = 'ghcr.io/Tercen/GGRS_plot_operator')).toEqual([
      {
        path: '$.container',
        message: `image "ghcr.io/Tercen/GGRS_plot_operator" has uppercase letters, but image references must be lowercase (registries reject uppercase repository names); write "${IMAGE}".`,
      },
    ]);
  });

  test('another image', () => {
    expect(problemsAfter(m => pinned(m, 'ghcr.io/tercen/plot_operator:0.3.1'), PINNED)).toEqual([
      {
        path: '$.container',
        message: `image "ghcr.io/tercen/plot_operator" is not the image this project builds and pushes ("${IMAGE}"); write "${IMAGE}:0.3.1", or change the image name in .projenrc.ts if the image moved.`,
      },
    ]);
  });

  test('a tagged image under UNTAGGED', () => {
    expect(problemsAfter(m => pinned(m, `${IMAGE}:0.3.1`))).toEqual([
      {
        path: '$.container',
        message: `has the tag ":0.3.1", but ContainerPolicy.UNTAGGED expects the bare image so Tercen resolves the tag; remove ":0.3.1" (write "${IMAGE}"), or choose ContainerPolicy.EXACT_PIN in .projenrc.ts.`,
      },
    ]);
  });

  test('a digest under UNTAGGED', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    expect(problemsAfter(m => pinned(m, `${IMAGE}@${digest}`))).toEqual([
      { path: '$.container', message: `has the digest "@${digest}", but ContainerPolicy.UNTAGGED expects the bare image so Tercen resolves the tag; remove "@${digest}".` },
    ]);
  });

  test('the manifest ggrs actually shipped (":main") fails under both policies', () => {
    expect(problemsAfter(m => pinned(m, `${IMAGE}:main`)).map(p => p.path)).toEqual(['$.container']);
    expect(problemsAfter(m => pinned(m, `${IMAGE}:main`), PINNED).map(p => p.path)).toEqual(['$.container']);
  });

  test('a registry port is not mistaken for a tag', () => {
    const local = { imageName: 'localhost:5000/tercen/my_operator', policy: ContainerPolicy.UNTAGGED };
    expect(problemsAfter(m => m.container = 'localhost:5000/tercen/my_operator', local)).toEqual([]);
  });

  test('uppercase image and moving tag are two problems', () => {
    expect(problemsAfter(m => m.container = 'ghcr.io/tercen/GGRS_plot_operator:latest', PINNED).map(p => p.message)).toEqual([
      expect.stringContaining('must be lowercase'),
      expect.stringContaining('moves with every push'),
    ]);
  });
});

describe('expected container (one place for both policies)', () => {
  test('EXACT_PIN appends the version; UNTAGGED is the bare image', () => {
    expect(operatorJsonContainer(IMAGE, ContainerPolicy.EXACT_PIN, '1.2.3')).toBe(`${IMAGE}:1.2.3`);
    expect(operatorJsonContainer(IMAGE, ContainerPolicy.UNTAGGED, '1.2.3')).toBe(IMAGE);
    expect(operatorJsonContainer(IMAGE, ContainerPolicy.UNTAGGED)).toBe(IMAGE);
    expect(OperatorJson.expectedContainer(IMAGE, ContainerPolicy.EXACT_PIN, '1.2.3')).toBe(`${IMAGE}:1.2.3`);
  });

  test('EXACT_PIN without a version', () => {
    const e = optionError(() => operatorJsonContainer(IMAGE, ContainerPolicy.EXACT_PIN));
    expect(e.subject).toBe('version');
    expect(e.message).toContain('is required with ContainerPolicy.EXACT_PIN');
  });

  test.each([
    ['v1.2.3', 'Drop the "v": use "1.2.3".'],
    ['1.2', 'Use a release version X.Y.Z'],
    ['1.2.3+build.5', 'build metadata ("+...") cannot be in an image tag'],
  ])('EXACT_PIN with version %s', (version, fix) => {
    const e = optionError(() => operatorJsonContainer(IMAGE, ContainerPolicy.EXACT_PIN, version));
    expect(e.subject).toBe('version');
    expect(e.message).toContain(`version "${version}" is neither X.Y.Z nor a pre-release X.Y.Z-rc.1`);
    expect(e.message).toContain(fix);
    // Named as where the version comes from, when the caller knows it.
    expect(optionError(() => operatorJsonContainer(IMAGE, ContainerPolicy.EXACT_PIN, version, 'Cargo.toml:3')).subject).toBe('Cargo.toml:3');
  });

  test('EXACT_PIN pins a pre-release as its tag (the release workflow pushes pre-release tags)', () => {
    expect(operatorJsonContainer(IMAGE, ContainerPolicy.EXACT_PIN, '1.2.3-rc.1')).toBe(`${IMAGE}:1.2.3-rc.1`);
  });

  test.each([
    ['ghcr.io/Tercen/ggrs_plot_operator', 'has uppercase letters; image references must be lowercase. Use "ghcr.io/tercen/ggrs_plot_operator".'],
    [`${IMAGE}:0.1.0`, 'carries a tag or digest; the container policy decides the tag. Use "ghcr.io/tercen/ggrs_plot_operator".'],
    ['ghcr.io/tercen/my operator', 'is not a valid image reference.'],
    ['', 'is empty.'],
  ])('image name %j is rejected', (imageName, text) => {
    const e = optionError(() => operatorJsonContainer(imageName, ContainerPolicy.UNTAGGED));
    expect(e.subject).toBe('imageName');
    expect(e.message).toContain(text);
  });

  test('an unknown policy string (e.g. from a CLI flag) is rejected', () => {
    const e = optionError(() => operatorJsonContainer(IMAGE, 'pinned' as ContainerPolicy));
    expect(e.subject).toBe('containerPolicy');
    expect(e.message).toContain('Use one of: exact-pin, untagged.');
  });

  test('validation rejects broken expectations instead of reporting the manifest', () => {
    expect(optionError(() => validateOperatorJson(ggrs(), { imageName: 'GHCR.io/x', policy: ContainerPolicy.UNTAGGED })).subject).toBe('imageName');
    expect(optionError(() => validateOperatorJson(ggrs(), { imageName: IMAGE, policy: ContainerPolicy.EXACT_PIN, version: 'main' })).subject).toBe('version');
  });
});

describe('scaffold', () => {
  const props = {
    name: 'GGRS Plot',
    description: 'High-performance faceted plotting using the GGRS library',
    tags: ['data visualisation'],
    authors: ['Tercen'],
    repositoryUrl: 'https://github.com/tercen/ggrs_plot_operator.git',
    imageName: IMAGE,
    version: '0.1.0',
  };

  test('EXACT_PIN (the default) output passes its own validation', () => {
    const text = renderOperatorJson(props);
    const expectations = { imageName: IMAGE, policy: ContainerPolicy.EXACT_PIN, version: '0.1.0' };
    expect(validateOperatorJson(JSON.parse(text), expectations)).toEqual([]);
    expect(() => assertValidOperatorJson(text, 'operator.json', expectations)).not.toThrow();
    expect(JSON.parse(text).container).toBe(`${IMAGE}:0.1.0`);
  });

  test('UNTAGGED output passes its own validation', () => {
    const text = OperatorJson.render({ ...props, containerPolicy: ContainerPolicy.UNTAGGED });
    expect(validateOperatorJson(JSON.parse(text), UNTAGGED)).toEqual([]);
    expect(JSON.parse(text).container).toBe(IMAGE);
  });

  test('each policy\'s scaffold fails the other policy, so the check is not vacuous', () => {
    const exact = JSON.parse(renderOperatorJson(props));
    const untagged = JSON.parse(renderOperatorJson({ ...props, containerPolicy: ContainerPolicy.UNTAGGED }));
    expect(validateOperatorJson(exact, UNTAGGED).map(p => p.path)).toEqual(['$.container']);
    expect(validateOperatorJson(untagged, { ...PINNED, version: '0.1.0' }).map(p => p.path)).toEqual(['$.container']);
  });

  test('2-space JSON, trailing newline, stable key order, urls without .git', () => {
    const text = renderOperatorJson(props);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), undefined, 2)}\n`);
    const manifest = JSON.parse(text);
    expect(Object.keys(manifest)).toEqual([
      'name', 'description', 'tags', 'authors', 'urls', 'container', 'communicationProtocol', 'properties', 'operatorSpec',
    ]);
    expect(manifest.urls).toEqual(['https://github.com/tercen/ggrs_plot_operator']);
    expect(manifest.communicationProtocol).toBe('grpc');
    expect(manifest.properties).toEqual([]);
    expect(renderOperatorJson(props)).toBe(text);
  });

  test('the operatorSpec skeleton: one crosstab with rows, columns and a numeric y axis, no outputs', () => {
    const spec = JSON.parse(renderOperatorJson(props)).operatorSpec;
    expect(spec.kind).toBe('OperatorSpec');
    expect(spec.outputSpecs).toEqual([]);
    expect(spec.inputSpecs).toHaveLength(1);
    const crosstab = spec.inputSpecs[0];
    expect(crosstab.kind).toBe('CrosstabSpec');
    const describe = (f: any) => [f.kind, f.name, f.crosstabMapping, f.cardinality, f.type];
    expect(crosstab.metaFactors.map(describe)).toEqual([
      ['MetaFactor', 'Rows', 'row', '0..n', ''],
      ['MetaFactor', 'Columns', 'column', '0..n', ''],
    ]);
    expect(crosstab.axis.map((a: any) => a.kind)).toEqual(['AxisSpec']);
    expect(crosstab.axis[0].metaFactors.map(describe)).toEqual([['MetaFactor', 'Y Axis', 'y', '1', 'numeric']]);
    for (const f of [...crosstab.metaFactors, ...crosstab.axis[0].metaFactors]) {
      expect(Object.keys(f)).toEqual(['kind', 'name', 'type', 'description', 'ontologyMapping', 'crosstabMapping', 'cardinality', 'factors']);
      expect(typeof f.description).toBe('string');
      expect(f.factors).toEqual([]);
    }
  });

  test('defaults: description, empty tags/authors/urls', () => {
    const manifest = JSON.parse(renderOperatorJson({ name: 'X', imageName: 'ghcr.io/acme/x_operator', version: '0.1.0' }));
    expect(manifest.description).toBe('A Tercen operator written in Rust.');
    expect([manifest.tags, manifest.authors, manifest.urls]).toEqual([[], [], []]);
  });

  test.each([
    ['git@github.com:tercen/x_operator.git', 'https://github.com/tercen/x_operator'],
    ['git+https://github.com/tercen/x_operator.git', 'https://github.com/tercen/x_operator'],
    ['https://github.com/tercen/x_operator/', 'https://github.com/tercen/x_operator'],
    ['ssh://git@github.com/tercen/x_operator.git', 'https://github.com/tercen/x_operator'],
  ])('repository URL %s becomes %s', (repositoryUrl, url) => {
    expect(JSON.parse(renderOperatorJson({ ...props, repositoryUrl })).urls).toEqual([url]);
  });

  test('invalid props throw OptionError naming the option', () => {
    expect(optionError(() => renderOperatorJson({ ...props, name: ' ' })).subject).toBe('operatorJson.name');
    expect(optionError(() => renderOperatorJson({ ...props, version: undefined })).subject).toBe('version');
    expect(optionError(() => renderOperatorJson({ ...props, imageName: 'ghcr.io/Tercen/x' })).subject).toBe('imageName');
    expect(optionError(() => renderOperatorJson({ ...props, repositoryUrl: 'not a url' })).subject).toBe('operatorJson.repositoryUrl');
  });
});

describe('assertValidOperatorJson (synth time)', () => {
  test('a syntax error names the file, line and column', () => {
    const text = '{\n  "name": "X",\n  "description": "y"\n  "container": "z"\n}\n';
    const e = optionError(() => assertValidOperatorJson(text, 'operator.json', UNTAGGED));
    expect(e.subject).toBe('operator.json:4:3');
    expect(e.message).toBe(
      'projen-rust-operator: operator.json:4:3: is not valid JSON: expected \',\' or \'}\' after the property value (is a comma missing?), found \'"\'. '
      + 'Fix the syntax at line 4, column 3 of operator.json.');
  });

  test('a trailing comma is located at the comma, a comment at its start', () => {
    const trailing = '{\n  "properties": [\n    {"kind": "StringProperty"},\n  ]\n}\n';
    expect(optionError(() => assertValidOperatorJson(trailing, 'operator.json', UNTAGGED)).message).toBe(
      'projen-rust-operator: operator.json:3:31: is not valid JSON: trailing comma before \']\'; remove this \',\' (JSON allows no trailing commas). '
      + 'Fix the syntax at line 3, column 31 of operator.json.');
    const comment = '{\n  "properties": [\n    // ... more properties\n  ]\n}\n';
    expect(optionError(() => assertValidOperatorJson(comment, 'operator.json', UNTAGGED)).subject).toBe('operator.json:3:5');
  });

  test('an unexpected end names the last position', () => {
    const e = optionError(() => assertValidOperatorJson('{\n  "name": "x",', 'ops/operator.json', UNTAGGED));
    expect(e.subject).toBe('ops/operator.json:2:15');
    expect(e.message).toContain('the end of the file');
  });

  test('all problems are listed in one OptionError, one "  $.path: message" line each', () => {
    const manifest = ggrs();
    manifest.container = `${IMAGE}:latest`;
    manifest.properties[0].kind = 'EnumerationProperty';
    manifest.properties[6].defaultValue = '4';
    const e = optionError(() => assertValidOperatorJson(JSON.stringify(manifest, undefined, 2), 'operator.json', PINNED));
    expect(e.subject).toBe('operator.json');
    expect(e.message.split('\n')).toEqual([
      'projen-rust-operator: operator.json: is not a valid Tercen operator manifest (3 problems): ',
      `  $.container: tag ":latest" moves with every push, so installs are not reproducible; pin the exact version: write "${IMAGE}:0.3.1".`,
      '  $.properties[0].kind: "EnumerationProperty" is not a Tercen property kind; write "EnumeratedProperty" (with "values" listing the choices).',
      '  $.properties[6].defaultValue: is "4", but a DoubleProperty needs a number defaultValue; write 4 without quotes.',
      'Edit operator.json as each line says: it was scaffolded once and is yours; synth only validates it.',
    ]);
  });

  test('the class API is the same code path', () => {
    expect(OperatorJson.validate(ggrs(), UNTAGGED)).toEqual([]);
    expect(() => OperatorJson.assertValid('{', 'operator.json', UNTAGGED)).toThrow(/operator\.json:1:2: is not valid JSON/);
    expect(OperatorJson.FILE_NAME).toBe('operator.json');
  });
});
