import { AdoptionSettings, PROFILE_ENUMS } from './adoption-settings';

/** Renders the `.projenrc.ts` that reproduces the adopted repository's behaviour. */
export function renderProjenrc(settings: AdoptionSettings): string {
  const imports = new Set(settings.imports);
  for (const statement of settings.statements) {
    for (const name of PROFILE_ENUMS) if (statement.code.includes(`${name}.`)) imports.add(name);
  }
  const lines: string[] = [
    `import { ${[...imports].sort().join(', ')} } from "projen-rust-operator";`,
    '',
    '// Written by `npx projen-rust-operator adopt` from the repository as it was: every setting below',
    '// keeps what its hand-kept Dockerfile, workflows and Cargo.toml did.',
    'const project = new RustOperatorProject({',
  ];
  for (const option of settings.options) {
    if (option.comment) lines.push(`  // ${option.comment}`);
    lines.push(`  ${option.name}: ${option.code},`);
  }
  if (settings.keptDefaults.length > 0) {
    lines.push('  // Defaults kept, because they already do what the repository did:');
    for (const kept of settings.keptDefaults) lines.push(`  //   ${kept}`);
  }
  lines.push('});');
  for (const statement of settings.statements) {
    lines.push('');
    if (statement.comment) lines.push(`// ${statement.comment}`);
    lines.push(statement.code);
  }
  if (settings.notCarried.length > 0) {
    lines.push('', '// Not carried over (no option reproduces it):');
    for (const item of settings.notCarried) lines.push(`//   - ${item}`);
  }
  lines.push('', 'project.synth();', '');
  return lines.join('\n');
}
