import { findJsonSyntaxError } from './operator-json-syntax';
import { OptionError } from '../core/errors';
import { ImageReference } from '../core/image-reference';
import { DEFAULT_DESCRIPTION } from '../core/names';

/**
 * How operator.json names the container image Tercen runs.
 */
export enum ContainerPolicy {
  /**
   * `<image>:X.Y.Z`, the exact Cargo package version (the Tercen developers' guide default).
   * Never `:main` or `:latest`; the release task bumps the tag and the Cargo version together.
   */
  EXACT_PIN = 'exact-pin',
  /**
   * `<image>` with no tag and no digest; Tercen resolves the tag itself
   * (what ggrs_plot_operator does).
   */
  UNTAGGED = 'untagged',
}

/** Options for the scaffolded operator.json (`OperatorJson.render`). */
export interface OperatorJsonProps {
  /**
   * Display name of the operator in Tercen's library (e.g. "GGRS Plot").
   */
  readonly name: string;

  /**
   * One sentence saying what the operator does.
   * @default "A Tercen operator written in Rust."
   */
  readonly description?: string;

  /**
   * Library tags (e.g. "data visualisation").
   * @default []
   */
  readonly tags?: string[];

  /**
   * Authors shown in the library.
   * @default []
   */
  readonly authors?: string[];

  /**
   * The repository URL; written to `urls` without a trailing `.git` (SSH and `git+` URLs are
   * rewritten to https).
   * @default - `urls` is empty
   */
  readonly repositoryUrl?: string;

  /**
   * The lowercase image reference without tag, e.g. `ghcr.io/tercen/ggrs_plot_operator`.
   */
  readonly imageName: string;

  /**
   * How `container` names the image.
   * @default ContainerPolicy.EXACT_PIN
   */
  readonly containerPolicy?: ContainerPolicy;

  /**
   * The Cargo package version (`X.Y.Z`, or a pre-release `X.Y.Z-rc.1`), used as the tag under
   * `ContainerPolicy.EXACT_PIN`.
   * @default - none; required when containerPolicy is EXACT_PIN
   */
  readonly version?: string;

  /**
   * Where `version` comes from, named as the subject of an error about it (e.g. `Cargo.toml:3`).
   * @default "version"
   */
  readonly versionSource?: string;
}

/** What an operator.json must agree with: the image this project builds and how it is tagged. */
export interface OperatorJsonExpectations {
  /**
   * The lowercase image reference without tag, e.g. `ghcr.io/tercen/ggrs_plot_operator`.
   */
  readonly imageName: string;

  /**
   * How `container` must name the image.
   */
  readonly policy: ContainerPolicy;

  /**
   * The Cargo package version. Under `ContainerPolicy.EXACT_PIN` the tag must equal it.
   * @default - the tag is only checked to be an exact X.Y.Z version
   */
  readonly version?: string;

  /**
   * Where `version` comes from, named as the subject of an error about it (e.g. `Cargo.toml:3`).
   * @default "version"
   */
  readonly versionSource?: string;
}

/** One thing wrong with an operator.json. */
export interface OperatorJsonProblem {
  /** JSONPath of the offending value, e.g. `$.properties[2].defaultValue`. */
  readonly path: string;
  /** What is wrong and what to change. */
  readonly message: string;
}

/**
 * The Tercen operator manifest (operator.json): the scaffold written once, and the validation
 * run at every synth. All container naming goes through `expectedContainer`, so the scaffold and
 * the validation can never disagree.
 */
export class OperatorJson {
  /** The manifest's file name, at the repository root. */
  public static readonly FILE_NAME = 'operator.json';

  /** The communication protocol of every Rust (tercen-rs) operator. */
  public static readonly COMMUNICATION_PROTOCOL = 'grpc';

  /**
   * The text of a new operator.json: 2-space JSON with a trailing newline and a stable key order,
   * no properties, and an operatorSpec skeleton (one crosstab: Rows, Columns, a numeric Y axis).
   * @throws OptionError when a prop is invalid
   */
  public static render(props: OperatorJsonProps): string {
    return renderOperatorJson(props);
  }

  /**
   * All problems of a parsed operator.json; an empty list when it is valid.
   * @param json the parsed file (`JSON.parse` output)
   * @param expectations the image this project builds and the container policy
   * @throws OptionError when the expectations themselves are invalid
   */
  public static validate(json: unknown, expectations: OperatorJsonExpectations): OperatorJsonProblem[] {
    return validateOperatorJson(json, expectations);
  }

  /**
   * Parses and validates operator.json text, for use at synth time. Throws one `OptionError`
   * naming the file, line and column on a syntax error, or listing every problem
   * (`  $.path: message`, one a line) when the manifest is invalid.
   */
  public static assertValid(text: string, fileName: string, expectations: OperatorJsonExpectations): void {
    assertValidOperatorJson(text, fileName, expectations);
  }

  /**
   * The `container` value operator.json must carry: `<imageName>:<version>` under EXACT_PIN,
   * `<imageName>` under UNTAGGED.
   * @param version the Cargo package version; required under EXACT_PIN
   * @throws OptionError when the image name is not a lowercase reference without tag, or the version is missing or not X.Y.Z
   */
  public static expectedContainer(imageName: string, policy: ContainerPolicy, version?: string): string {
    return operatorJsonContainer(imageName, policy, version);
  }

  private constructor() {}
}

// ---------------------------------------------------------------------------------------------
// Facts (tercen-operators.md)

const PROPERTY_KINDS = ['StringProperty', 'DoubleProperty', 'BooleanProperty', 'EnumeratedProperty'] as const;
type PropertyKind = typeof PROPERTY_KINDS[number];

/** The JSON type `defaultValue` must have, by property kind. */
const DEFAULT_VALUE_TYPE: { readonly [K in PropertyKind]: 'string' | 'number' | 'boolean' } = {
  StringProperty: 'string',
  DoubleProperty: 'number',
  BooleanProperty: 'boolean',
  EnumeratedProperty: 'string',
};

const SPEC_KINDS: readonly string[] = [
  'OperatorSpec', 'CrosstabSpec', 'MetaFactor', 'AxisSpec', 'OperatorJoinSpec',
  'JoinOperator', 'ColumnPair', 'TableRelation', 'Attribute', 'Pair',
];

/**
 * Lists whose elements Tercen parses into one known class: an element there must carry that kind
 * (Tercen's model reads `kind` as a required string, so a missing kind fails the install).
 */
const LIST_ELEMENT_KIND: { readonly [listKey: string]: string } = {
  inputSpecs: 'CrosstabSpec',
  metaFactors: 'MetaFactor',
  axis: 'AxisSpec',
};

const CAPABILITIES: readonly string[] = ['gpu'];

const REQUIRED_KEYS: readonly string[] = ['name', 'description', 'container', 'communicationProtocol', 'properties'];
const TOP_LEVEL_KEYS: readonly string[] = [
  'name', 'description', 'tags', 'authors', 'urls', 'container', 'communicationProtocol',
  'capabilities', 'properties', 'operatorSpec',
];

/**
 * A version an image tag can pin: `X.Y.Z` or a semver pre-release `X.Y.Z-rc.1` (the release
 * workflow pushes both as tags). Build metadata (`+build.5`) cannot be: `+` is not allowed in a tag.
 */
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const MOVING_TAGS = ['main', 'master', 'latest', 'develop', 'dev', 'edge', 'nightly'];


// ---------------------------------------------------------------------------------------------
// Container

/**
 * The `container` value operator.json must carry. The one place that knows the policies;
 * the scaffold and the validation both call it.
 */
export function operatorJsonContainer(imageName: string, policy: ContainerPolicy, version?: string, versionSource: string = 'version'): string {
  checkImageName(imageName);
  switch (checkPolicy(policy)) {
    case ContainerPolicy.UNTAGGED:
      return imageName;
    case ContainerPolicy.EXACT_PIN:
      if (version === undefined) {
        throw new OptionError(versionSource, 'is required with ContainerPolicy.EXACT_PIN: the container tag is the exact Cargo package version.',
          'Pass the Cargo package version (e.g. "0.1.0"), or use ContainerPolicy.UNTAGGED to let Tercen resolve the tag.');
      }
      checkVersion(version, versionSource);
      return `${imageName}:${version}`;
  }
}

function checkPolicy(policy: ContainerPolicy): ContainerPolicy {
  const policies = Object.values(ContainerPolicy) as string[];
  if (!policies.includes(policy)) {
    throw new OptionError('containerPolicy', `unknown container policy "${policy}".`, `Use one of: ${policies.join(', ')}.`);
  }
  return policy;
}

function checkVersion(version: string, subject: string = 'version'): void {
  if (EXACT_VERSION.test(version)) {
    return;
  }
  const fix = /^v\d+\.\d+\.\d+$/.test(version)
    ? `Drop the "v": use "${version.slice(1)}".`
    : 'Use a release version X.Y.Z (e.g. "0.1.0") or a pre-release X.Y.Z-rc.1; build metadata ("+...") cannot be in an image tag. Or use ContainerPolicy.UNTAGGED.';
  throw new OptionError(subject, `version "${version}" is neither X.Y.Z nor a pre-release X.Y.Z-rc.1, so it cannot be the container tag.`, fix);
}


function checkImageName(imageName: string): void {
  const fail = (problem: string, fix: string) => new OptionError('imageName', problem, fix);
  if (imageName.trim() === '') {
    throw fail('is empty.', 'Give the image reference without tag, e.g. "ghcr.io/tercen/my_operator".');
  }
  if (imageName !== imageName.toLowerCase()) {
    throw fail(`"${imageName}" has uppercase letters; image references must be lowercase.`, `Use "${imageName.toLowerCase()}".`);
  }
  const ref = splitReference(imageName);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw fail(`"${imageName}" carries a tag or digest; the container policy decides the tag.`, `Use "${ref.image}".`);
  }
  try {
    // One reference grammar for every construct: the Dockerfile's.
    ImageReference.parse(imageName, 'imageName');
  } catch {
    throw fail(`"${imageName}" is not a valid image reference.`,
      'Use lowercase letters, digits and single separators (".", "_", "__", "-") between "/", e.g. "ghcr.io/tercen/my_operator".');
  }
}

interface SplitReference {
  readonly image: string;
  readonly tag?: string;
  readonly digest?: string;
}

function splitReference(reference: string): SplitReference {
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { image: rest, tag, digest };
}

// ---------------------------------------------------------------------------------------------
// Scaffold

/** See `OperatorJson.render`. */
export function renderOperatorJson(props: OperatorJsonProps): string {
  if (typeof props.name !== 'string' || props.name.trim() === '') {
    throw new OptionError('operatorJson.name', 'is empty; Tercen lists the operator under this name.', 'Give a display name, e.g. "GGRS Plot".');
  }
  const policy = props.containerPolicy ?? ContainerPolicy.EXACT_PIN;
  const manifest = {
    name: props.name,
    description: props.description ?? DEFAULT_DESCRIPTION,
    tags: [...(props.tags ?? [])],
    authors: [...(props.authors ?? [])],
    urls: props.repositoryUrl === undefined ? [] : [httpsRepositoryUrl(props.repositoryUrl)],
    container: operatorJsonContainer(props.imageName, policy, props.version, props.versionSource),
    communicationProtocol: OperatorJson.COMMUNICATION_PROTOCOL,
    properties: [],
    operatorSpec: operatorSpecSkeleton(),
  };
  const text = `${JSON.stringify(manifest, undefined, 2)}\n`;
  // The scaffold must pass the validation it will face at every synth.
  const problems = validateOperatorJson(JSON.parse(text), { imageName: props.imageName, policy, version: props.version });
  if (problems.length > 0) {
    throw new OptionError('operatorJson', 'the scaffolded manifest would be invalid:',
      `\n${formatProblems(problems)}\nFix the options these lines point at.`);
  }
  return text;
}

/** `git@github.com:o/r.git`, `git+https://github.com/o/r.git`, `https://github.com/o/r/` → `https://github.com/o/r`. */
function httpsRepositoryUrl(url: string): string {
  let u = url.trim();
  const scp = /^[\w.-]+@([^:/]+):(.+)$/.exec(u);
  if (scp) {
    u = `https://${scp[1]}/${scp[2]}`;
  }
  u = u.replace(/^git\+/, '').replace(/^(?:git|ssh):\/\/(?:[^@/]+@)?/, 'https://');
  u = u.replace(/\/+$/, '').replace(/\.git$/, '');
  if (!/^https?:\/\/[^/\s]+\/\S+$/.test(u)) {
    throw new OptionError('operatorJson.repositoryUrl', `"${url}" is not a repository URL.`, 'Give the https URL, e.g. "https://github.com/tercen/my_operator".');
  }
  return u;
}

/**
 * The smallest spec shaped like Tercen's own manifests (ggrs_plot_operator, asinh_operator):
 * one crosstab with optional row and column factors and one required numeric Y axis, and no
 * declared outputs. Every object carries its kind, and every MetaFactor all the fields
 * Tercen's model reads, so what a user adds later has an example to copy.
 */
function operatorSpecSkeleton() {
  const metaFactor = (name: string, type: string, description: string, crosstabMapping: string, cardinality: string) => ({
    kind: 'MetaFactor',
    name,
    type,
    description,
    ontologyMapping: '',
    crosstabMapping,
    cardinality,
    factors: [],
  });
  return {
    kind: 'OperatorSpec',
    ontologyUri: 'https://tercen.com/_ontology/tercen',
    ontologyVersion: '0.0.1',
    inputSpecs: [
      {
        kind: 'CrosstabSpec',
        metaFactors: [
          metaFactor('Rows', '', 'Factor(s) to stratify per row.', 'row', '0..n'),
          metaFactor('Columns', '', 'Factor(s) to stratify per column.', 'column', '0..n'),
        ],
        axis: [
          {
            kind: 'AxisSpec',
            metaFactors: [
              metaFactor('Y Axis', 'numeric', 'The values the operator computes on.', 'y', '1'),
            ],
          },
        ],
      },
    ],
    outputSpecs: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Validation

/** See `OperatorJson.validate`. */
export function validateOperatorJson(json: unknown, expectations: OperatorJsonExpectations): OperatorJsonProblem[] {
  checkExpectations(expectations);
  const problems: OperatorJsonProblem[] = [];
  const report = (path: string, message: string) => problems.push({ path, message });

  if (!isObject(json)) {
    report('$', `is ${describeType(json)}; operator.json must be one JSON object ({ "name": ..., "container": ..., ... }).`);
    return problems;
  }

  for (const key of REQUIRED_KEYS) {
    if (!(key in json)) {
      report(childPath('$', key), missingKeyMessage(key, expectations));
    }
  }
  for (const key of Object.keys(json)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      const suggestion = didYouMean(key, TOP_LEVEL_KEYS);
      report(childPath('$', key), suggestion
        ? `unknown key "${key}"; did you mean "${suggestion}"? Rename it (keys are case-sensitive; Tercen silently ignores unknown keys).`
        : `unknown key "${key}"; Tercen ignores it. Remove it, or use one of: ${TOP_LEVEL_KEYS.join(', ')}.`);
    }
  }

  if ('name' in json) {
    checkNonEmptyString(json.name, '$.name', 'the display name Tercen lists the operator under', report);
  }
  if ('description' in json) {
    checkString(json.description, '$.description', report);
  }
  for (const key of ['tags', 'authors', 'urls']) {
    if (key in json) {
      checkStringArray(json[key], childPath('$', key), report);
    }
  }
  if ('communicationProtocol' in json) {
    const protocol = json.communicationProtocol;
    if (protocol !== OperatorJson.COMMUNICATION_PROTOCOL) {
      report('$.communicationProtocol', `is ${describeValue(protocol)}, but Rust operators (tercen-rs) talk to Tercen over gRPC; write "grpc".`);
    }
  }
  if ('capabilities' in json) {
    const capabilities = json.capabilities;
    if (checkStringArray(capabilities, '$.capabilities', report)) {
      capabilities.forEach((c, i) => {
        if (!CAPABILITIES.includes(c)) {
          const suggestion = didYouMean(c, CAPABILITIES);
          report(`$.capabilities[${i}]`, `unknown capability "${c}"; ${suggestion ? `did you mean "${suggestion}"? ` : ''}known capabilities: ${CAPABILITIES.join(', ')}.`);
        }
      });
    }
  }
  if ('container' in json && checkString(json.container, '$.container', report)) {
    checkContainer(json.container, expectations, report);
  }
  if ('properties' in json) {
    const properties = json.properties;
    if (!Array.isArray(properties)) {
      report('$.properties', `is ${describeType(properties)}; it must be an array of properties ([] when the operator has no settings).`);
    } else {
      checkProperties(properties, report);
    }
  }
  if ('operatorSpec' in json) {
    const spec = json.operatorSpec;
    if (!isObject(spec)) {
      report('$.operatorSpec', `is ${describeType(spec)}; it must be an object with "kind": "OperatorSpec", or be removed.`);
    } else {
      checkOperatorSpec(spec, report);
    }
  }
  return problems;
}

/** See `OperatorJson.assertValid`. */
export function assertValidOperatorJson(text: string, fileName: string, expectations: OperatorJsonExpectations): void {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const error = findJsonSyntaxError(text);
    if (error === undefined) {
      // Not reachable while the scanner matches JSON.parse; keep the engine's message if it ever does not.
      throw new OptionError(fileName, `is not valid JSON: ${(e as Error).message}.`, `Fix the syntax of ${fileName}.`);
    }
    throw new OptionError(`${fileName}:${error.line}:${error.column}`, `is not valid JSON: ${error.message}.`,
      `Fix the syntax at line ${error.line}, column ${error.column} of ${fileName}.`);
  }
  const problems = validateOperatorJson(json, expectations);
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    // OptionError joins problem and fix with a space: keep the header on the first line, the list
    // and what to do below it.
    throw new OptionError(fileName, `is not a valid Tercen operator manifest (${count}):`,
      `\n${formatProblems(problems)}\nEdit ${fileName} as each line says: it was scaffolded once and is yours; synth only validates it.`);
  }
}

function formatProblems(problems: OperatorJsonProblem[]): string {
  return problems.map(p => `  ${p.path}: ${p.message}`).join('\n');
}

function checkExpectations(expectations: OperatorJsonExpectations): void {
  checkImageName(expectations.imageName);
  const policy = checkPolicy(expectations.policy);
  if (policy === ContainerPolicy.EXACT_PIN && expectations.version !== undefined) {
    checkVersion(expectations.version, expectations.versionSource);
  }
}

function missingKeyMessage(key: string, expectations: OperatorJsonExpectations): string {
  switch (key) {
    case 'name':
      return 'missing; add "name": "<display name>" (the name Tercen lists the operator under).';
    case 'description':
      return 'missing; add "description": "<what the operator does>".';
    case 'container':
      return `missing; add "container": "${containerExample(expectations)}".`;
    case 'communicationProtocol':
      return 'missing; add "communicationProtocol": "grpc" (Rust operators talk to Tercen over gRPC).';
    default: // properties
      return 'missing; add "properties": [] (an empty list when the operator has no settings).';
  }
}

function containerExample(expectations: OperatorJsonExpectations): string {
  if (expectations.policy === ContainerPolicy.EXACT_PIN && expectations.version === undefined) {
    return `${expectations.imageName}:X.Y.Z`;
  }
  return operatorJsonContainer(expectations.imageName, expectations.policy, expectations.version, expectations.versionSource);
}

type Report = (path: string, message: string) => void;

function checkContainer(container: string, expectations: OperatorJsonExpectations, report: Report): void {
  const path = '$.container';
  const expected = containerExample(expectations);
  if (/\s/.test(container)) {
    report(path, `${JSON.stringify(container)} contains whitespace; write "${expected}".`);
    container = container.trim();
  }
  const ref = splitReference(container);
  const image = ref.image;
  const expectedImage = expectations.imageName;

  if (image !== expectedImage) {
    if (image.toLowerCase() === expectedImage) {
      report(path, `image "${image}" has uppercase letters, but image references must be lowercase (registries reject uppercase repository names); write "${expectedImage}".`);
    } else {
      report(path, `image "${image}" is not the image this project builds and pushes ("${expectedImage}"); write "${expected}", or change the image name in .projenrc.ts if the image moved.`);
    }
  }

  const tagText = ref.tag === undefined ? '' : `:${ref.tag}`;
  if (expectations.policy === ContainerPolicy.UNTAGGED) {
    if (ref.tag !== undefined) {
      report(path, `has the tag "${tagText}", but ContainerPolicy.UNTAGGED expects the bare image so Tercen resolves the tag; remove "${tagText}" (write "${expectedImage}"), or choose ContainerPolicy.EXACT_PIN in .projenrc.ts.`);
    }
    if (ref.digest !== undefined) {
      report(path, `has the digest "@${ref.digest}", but ContainerPolicy.UNTAGGED expects the bare image so Tercen resolves the tag; remove "@${ref.digest}".`);
    }
    return;
  }

  // EXACT_PIN
  const versionText = expectations.version ?? 'X.Y.Z';
  if (ref.digest !== undefined) {
    report(path, ref.tag === undefined
      ? `pins only the digest "@${ref.digest}"; ContainerPolicy.EXACT_PIN pins the exact version tag, which the release task updates: write "${expected}".`
      : `has the digest "@${ref.digest}" besides the tag; ContainerPolicy.EXACT_PIN pins by tag only (the release task updates the tag, a digest would go stale): remove "@${ref.digest}".`);
  }
  if (ref.tag === undefined) {
    if (ref.digest === undefined) {
      report(path, `has no tag, but ContainerPolicy.EXACT_PIN pins the exact version: write "${expected}", or choose ContainerPolicy.UNTAGGED in .projenrc.ts to let Tercen resolve the tag.`);
    }
    return;
  }
  const tag = ref.tag;
  if (MOVING_TAGS.includes(tag.toLowerCase())) {
    report(path, `tag "${tagText}" moves with every push, so installs are not reproducible; pin the exact version: write "${expected}".`);
  } else if (/^[vV]\d+\.\d+\.\d+$/.test(tag)) {
    report(path, `tag "${tagText}" has a "v" prefix, but image tags are plain X.Y.Z versions; write "${expectedImage}:${tag.slice(1)}".`);
  } else if (!EXACT_VERSION.test(tag)) {
    report(path, `tag "${tagText}" is not an exact X.Y.Z version; ContainerPolicy.EXACT_PIN needs the release version: write "${expected}".`);
  } else if (expectations.version !== undefined && tag !== expectations.version) {
    report(path, `tag "${tagText}" differs from the Cargo package version ${expectations.version}; change the tag to "${versionText}" (or the version in Cargo.toml to ${tag}). The release task bumps both together, so they only drift when one is edited by hand.`);
  }
}

function checkProperties(properties: unknown[], report: Report): void {
  const firstByName = new Map<string, number>();
  properties.forEach((property, i) => {
    const path = `$.properties[${i}]`;
    if (!isObject(property)) {
      report(path, `is ${describeType(property)}; each property must be an object with "kind", "name", "description" and "defaultValue".`);
      return;
    }
    const kind = checkPropertyKind(property, path, report);

    if (!('name' in property)) {
      report(path, 'has no "name"; add "name": "<setting name>" (the key the operator reads the value by).');
    } else if (checkNonEmptyString(property.name, `${path}.name`, 'the key the operator reads the value by', report)) {
      const first = firstByName.get(property.name);
      if (first === undefined) {
        firstByName.set(property.name, i);
      } else {
        report(`${path}.name`, `duplicate property name "${property.name}" (also $.properties[${first}].name); property names must be unique: rename or remove one.`);
      }
    }

    if (!('description' in property)) {
      report(path, 'has no "description"; add "description": "<what the setting does>" (Tercen shows it next to the setting).');
    } else {
      checkString(property.description, `${path}.description`, report);
    }

    if (kind === undefined) {
      return; // the expected type of defaultValue is unknown
    }
    const expectedType = DEFAULT_VALUE_TYPE[kind];
    if (!('defaultValue' in property)) {
      report(path, `has no "defaultValue"; add "defaultValue": ${exampleDefault(expectedType)} (a JSON ${expectedType} for ${kind}).`);
    } else {
      checkDefaultValue(property.defaultValue, kind, `${path}.defaultValue`, report);
    }
    if (kind === 'EnumeratedProperty') {
      checkEnumeratedValues(property, path, report);
    }
  });
}

function checkPropertyKind(property: { [key: string]: unknown }, path: string, report: Report): PropertyKind | undefined {
  const known = PROPERTY_KINDS.join(', ');
  if (!('kind' in property)) {
    report(path, `has no "kind"; add "kind" with one of: ${known}.`);
    return undefined;
  }
  const kind = property.kind;
  if (typeof kind !== 'string') {
    report(`${path}.kind`, `is ${describeType(kind)}; it must be one of the strings: ${known}.`);
    return undefined;
  }
  if ((PROPERTY_KINDS as readonly string[]).includes(kind)) {
    return kind as PropertyKind;
  }
  if (kind === 'EnumerationProperty') {
    report(`${path}.kind`, '"EnumerationProperty" is not a Tercen property kind; write "EnumeratedProperty" (with "values" listing the choices).');
  } else if (kind === 'IntegerProperty') {
    report(`${path}.kind`, 'Tercen has no "IntegerProperty"; write "DoubleProperty" with a number defaultValue and parse the value as an integer in the operator (every value reaches it as a string).');
  } else {
    const suggestion = didYouMean(kind, PROPERTY_KINDS);
    report(`${path}.kind`, `"${kind}" is not a Tercen property kind; ${suggestion ? `did you mean "${suggestion}"? Use` : 'use'} one of: ${known}.`);
  }
  return undefined;
}

function checkDefaultValue(value: unknown, kind: PropertyKind, path: string, report: Report): void {
  const expectedType = DEFAULT_VALUE_TYPE[kind];
  if (typeof value === expectedType) {
    return;
  }
  let fix: string;
  if (expectedType === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    fix = `write ${Number(value)} without quotes`;
  } else if (expectedType === 'boolean' && (value === 'true' || value === 'false')) {
    fix = `write ${value} without quotes`;
  } else if (expectedType === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    fix = `write "${value}" in quotes`;
  } else {
    fix = `write a JSON ${expectedType}, e.g. ${exampleDefault(expectedType)}`;
  }
  report(path, `is ${describeValue(value)}, but a ${kind} needs a ${expectedType} defaultValue; ${fix}.`);
}

function checkEnumeratedValues(property: { [key: string]: unknown }, path: string, report: Report): void {
  const valuesPath = `${path}.values`;
  if (!('values' in property)) {
    report(path, 'is an EnumeratedProperty without "values"; add "values": ["<choice>", ...] listing the choices, including the defaultValue.');
    return;
  }
  const values = property.values;
  if (!checkStringArray(values, valuesPath, report)) {
    return;
  }
  if (values.length === 0) {
    report(valuesPath, 'is empty; list the choices of this EnumeratedProperty, including the defaultValue.');
    return;
  }
  const seen = new Map<string, number>();
  values.forEach((v, j) => {
    const first = seen.get(v);
    if (first === undefined) {
      seen.set(v, j);
    } else {
      report(`${valuesPath}[${j}]`, `duplicate value "${v}" (also ${valuesPath}[${first}]); remove one.`);
    }
  });
  const defaultValue = property.defaultValue;
  if (typeof defaultValue === 'string' && !values.includes(defaultValue)) {
    report(`${path}.defaultValue`, `"${defaultValue}" is not among the values ${JSON.stringify(values)}; use one of them, or add "${defaultValue}" to "values".`);
  }
}

function checkOperatorSpec(spec: { [key: string]: unknown }, report: Report): void {
  const rootPath = '$.operatorSpec';
  if (!('kind' in spec)) {
    report(rootPath, 'has no "kind"; add "kind": "OperatorSpec".');
  } else if (spec.kind !== 'OperatorSpec' && typeof spec.kind === 'string' && SPEC_KINDS.includes(spec.kind)) {
    report(`${rootPath}.kind`, `is "${spec.kind}", but the root of operatorSpec must be "OperatorSpec"; write "OperatorSpec" and move this object into "inputSpecs" or "outputSpecs".`);
  }
  walkSpec(spec, rootPath, undefined, report);
}

/** Checks the kind of every object in the spec tree; `expectedKind` is set for elements of typed lists. */
function walkSpec(node: unknown, path: string, expectedKind: string | undefined, report: Report): void {
  if (Array.isArray(node)) {
    node.forEach((element, i) => walkSpec(element, `${path}[${i}]`, expectedKind, report));
    return;
  }
  if (!isObject(node)) {
    return;
  }
  if ('kind' in node) {
    const kind = node.kind;
    if (typeof kind !== 'string') {
      report(`${path}.kind`, `is ${describeType(kind)}; it must be a string naming one of: ${SPEC_KINDS.join(', ')}.`);
    } else if (!SPEC_KINDS.includes(kind)) {
      const suggestion = didYouMean(kind, expectedKind ? [expectedKind] : SPEC_KINDS) ?? didYouMean(kind, SPEC_KINDS);
      report(`${path}.kind`, `"${kind}" is not an operatorSpec kind; ${suggestion ? `did you mean "${suggestion}"? ` : ''}use one of: ${SPEC_KINDS.join(', ')}.`);
    } else if (expectedKind !== undefined && kind !== expectedKind) {
      report(`${path}.kind`, `is "${kind}", but this list holds ${expectedKind} objects; write "${expectedKind}" or move the object where a ${kind} belongs.`);
    }
  } else if (expectedKind !== undefined) {
    report(path, `has no "kind"; add "kind": "${expectedKind}" (Tercen cannot read an object of this list without it).`);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'kind') {
      walkSpec(value, childPath(path, key), Array.isArray(value) ? LIST_ELEMENT_KIND[key] : undefined, report);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkString(value: unknown, path: string, report: Report): value is string {
  if (typeof value === 'string') {
    return true;
  }
  report(path, `is ${describeType(value)}; it must be a string${typeof value === 'number' || typeof value === 'boolean' ? `: write "${value}"` : ''}.`);
  return false;
}

function checkNonEmptyString(value: unknown, path: string, what: string, report: Report): value is string {
  if (!checkString(value, path, report)) {
    return false;
  }
  if (value.trim() === '') {
    report(path, `is empty; write ${what}.`);
    return false;
  }
  return true;
}

function checkStringArray(value: unknown, path: string, report: Report): value is string[] {
  if (!Array.isArray(value)) {
    report(path, `is ${describeType(value)}; it must be an array of strings${typeof value === 'string' ? `: write [${JSON.stringify(value)}]` : ''}.`);
    return false;
  }
  let ok = true;
  value.forEach((element, i) => {
    if (typeof element !== 'string') {
      report(`${path}[${i}]`, `is ${describeType(element)}; every element must be a string.`);
      ok = false;
    }
  });
  return ok;
}

function describeType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return `the string ${JSON.stringify(value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `the boolean ${value}`;
    default:
      return typeof value;
  }
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : describeType(value);
}

function exampleDefault(type: 'string' | 'number' | 'boolean'): string {
  return type === 'string' ? '""' : type === 'number' ? '0' : 'false';
}

function childPath(parent: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** The closest candidate: same letters ignoring case, or within a small edit distance. */
function didYouMean(value: string, candidates: readonly string[]): string | undefined {
  const lower = value.toLowerCase();
  const sameCase = candidates.find(c => c.toLowerCase() === lower);
  if (sameCase !== undefined) {
    return sameCase;
  }
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(value.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
