/**
 * Writes src/core/option-names.generated.ts: the option names of every options struct of this
 * package, read from the TypeScript sources (parsed, not type-checked: a fraction of a second)
 * plus projen's jsii assembly for the structs they extend or nest (ProjectOptions, GitOptions,
 * ...). `checkOptionNames` refuses any other name, so the list can never lag the interfaces:
 * `npx projen` regenerates it and a test checks it is current.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJEN_MARKER } from 'projen/lib/common';
import * as ts from 'typescript';

/** Struct name → option name → the struct its value is (for nested checks), or null. */
export type OptionStructs = { [struct: string]: { [option: string]: string | null } };

/** The generated file, relative to the repository root. */
export const OPTION_NAMES_FILE = 'src/core/option-names.generated.ts';

interface JsiiProperty { readonly name: string; readonly type: { readonly fqn?: string } }
interface JsiiType {
  readonly fqn: string;
  readonly datatype?: boolean;
  readonly interfaces?: string[];
  readonly properties?: JsiiProperty[];
}

interface LocalInterface {
  readonly name: string;
  readonly bases: string[];
  readonly properties: { name: string; type: string | undefined }[];
}

/** Every exported interface of `src/` (and the projen structs they reach), flattened. */
export function collectOptionStructs(root: string): OptionStructs {
  const projenTypes: { [fqn: string]: JsiiType } = JSON.parse(fs.readFileSync(require.resolve('projen/.jsii', { paths: [root] }), 'utf-8')).types;
  const locals = new Map<string, LocalInterface>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    if (path.relative(root, file) === OPTION_NAMES_FILE) continue;
    for (const local of interfacesOf(file, projenTypes)) {
      locals.set(local.name, local);
    }
  }
  const structs: OptionStructs = {};
  const resolveType = (type: string | undefined) => type !== undefined && (locals.has(type) || projenTypes[type]?.datatype) ? type : null;
  const addProjen = (fqn: string): { [option: string]: string | null } => {
    if (!structs[fqn]) {
      const type = projenTypes[fqn];
      const own: { [option: string]: string | null } = {};
      structs[fqn] = own;
      for (const base of type.interfaces ?? []) Object.assign(own, addProjen(base));
      for (const property of type.properties ?? []) own[property.name] = resolveType(property.type.fqn);
    }
    return structs[fqn];
  };
  const addLocal = (name: string): { [option: string]: string | null } => {
    if (!structs[name]) {
      const local = locals.get(name)!;
      const own: { [option: string]: string | null } = {};
      structs[name] = own;
      for (const base of local.bases) Object.assign(own, locals.has(base) ? addLocal(base) : projenTypes[base] ? addProjen(base) : {});
      for (const property of local.properties) own[property.name] = resolveType(property.type);
    }
    return structs[name];
  };
  for (const name of locals.keys()) addLocal(name);
  // Nested projen structs (gitOptions: projen.GitOptions, ...) are checked too.
  let added = true;
  while (added) {
    added = false;
    for (const struct of Object.values(structs)) {
      for (const nested of Object.values(struct)) {
        if (nested && !structs[nested]) {
          if (locals.has(nested)) addLocal(nested); else addProjen(nested);
          added = true;
        }
      }
    }
  }
  const sorted = (struct: { [option: string]: string | null }) =>
    Object.fromEntries(Object.keys(struct).sort().map((option) => [option, struct[option]]));
  return Object.fromEntries(Object.keys(structs).sort().map((name) => [name, sorted(structs[name])]));
}

/** The text of the generated file. */
export function renderOptionNames(root: string): string {
  return [
    `// ${PROJEN_MARKER}. To modify, edit .projenrc.ts and run "npx projen".`,
    '// Option names of every options struct, from the TypeScript sources and projen\'s assembly (projenrc/option-names.ts).',
    '/* eslint-disable */',
    '/** Struct name → option name → the options struct its value is (checked too), or null. */',
    `export const OPTION_STRUCTS: { readonly [struct: string]: { readonly [option: string]: string | null } } = ${JSON.stringify(collectOptionStructs(root), null, 2)};`,
    '',
  ].join('\n');
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  }).sort();
}

/** Exported interfaces of one file, with base and property type names resolved to struct names. */
function interfacesOf(file: string, projenTypes: { [fqn: string]: JsiiType }): LocalInterface[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf-8'), ts.ScriptTarget.Latest, true);
  // Names imported from projen's modules, as jsii fqns (projen/lib/javascript → projen.javascript.X).
  const imported = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const module = /^projen(?:\/lib\/(.+))?$/.exec(statement.moduleSpecifier.text);
    const bindings = statement.importClause?.namedBindings;
    if (!module || !bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      const exported = (element.propertyName ?? element.name).text;
      const fqn = ['projen', ...(module[1] ? module[1].split('/') : []), exported].join('.');
      imported.set(element.name.text, projenTypes[fqn] ? fqn : `projen.${exported}`);
    }
  }
  const typeName = (node: ts.TypeNode | ts.ExpressionWithTypeArguments | undefined): string | undefined => {
    if (!node) return undefined;
    const name = ts.isExpressionWithTypeArguments(node) ? node.expression : ts.isTypeReferenceNode(node) ? node.typeName : undefined;
    if (!name || !ts.isIdentifier(name)) return undefined;
    return imported.get(name.text) ?? name.text;
  };
  const found: LocalInterface[] = [];
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement) || !statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    found.push({
      name: statement.name.text,
      bases: (statement.heritageClauses ?? []).flatMap((clause) => clause.types.map(typeName)).filter((name): name is string => name !== undefined),
      properties: statement.members.filter(ts.isPropertySignature).map((member) => ({
        name: (member.name as ts.Identifier).text,
        type: typeName(member.type),
      })),
    });
  }
  return found;
}
