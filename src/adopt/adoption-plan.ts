import * as fs from 'fs';
import * as path from 'path';
import { AdoptInput, AdoptionSettings } from './adoption-settings';
import { readDockerfile } from './dockerfile-facts';
import { renderProjenrc } from './projenrc-writer';
import { readRepository, RepositoryFacts } from './repository-facts';
import { trialSynth } from './trial-synth';
import { imageTagKind, patternsOverlap, readWorkflow, WorkflowFacts } from './workflow-facts';
import { readToml } from '../cargo/managed-toml';

/** One file the adoption writes. */
export interface PlannedFile {
  readonly path: string;
  /** create: absent today; replace: a hand-kept file becomes projen's; edit: Cargo.toml, only its managed tables. */
  readonly action: 'create' | 'replace' | 'edit';
  /** What the hand-kept file does that the generated one will not. */
  readonly losses: string[];
}

/** A Cargo.toml value the first synth changes. */
export interface CargoChange {
  readonly key: string;
  readonly old?: string;
  readonly new?: string;
}

/** A workflow left in place that does some of what the generated ci.yml does. */
export interface WorkflowOverlap {
  readonly file: string;
  readonly reasons: string[];
  readonly advice: string;
}

/** Everything `adopt` would do, computed without touching the repository. */
export interface AdoptionPlan {
  readonly facts: RepositoryFacts;
  readonly settings: AdoptionSettings;
  /** The `.projenrc.ts` to write. */
  readonly projenrc: string;
  readonly files: PlannedFile[];
  /** The bytes each planned file will have after the first synth (`package-lock.json` excepted: npm writes it). */
  readonly contents: Map<string, Buffer>;
  readonly cargoChanges: CargoChange[];
  /** Hand-kept build files that stay as they are. */
  readonly leftAlone: string[];
  readonly overlaps: WorkflowOverlap[];
}

/** Reads `dir` and computes the plan (two trial synths in throwaway copies; nothing in `dir` is written). */
export function planAdoption(dir: string, input: AdoptInput = {}): AdoptionPlan {
  const facts = readRepository(dir);
  // Round one finds what the generated files do by default; round two adds what today's files do on top.
  const first = trialSynth(facts.dir, new AdoptionSettings(facts, input));
  const settings = new AdoptionSettings(facts, input, {
    dockerfile: readDockerfile(first.files.get('Dockerfile')?.toString('utf-8') ?? ''),
    profiles: readToml(first.files.get('Cargo.toml')!.toString('utf-8')).profile ?? {},
  });
  const projenrc = renderProjenrc(settings);
  const trial = trialSynth(facts.dir, settings);
  trial.files.set('.projenrc.ts', Buffer.from(projenrc));

  const files: PlannedFile[] = [];
  const contents = new Map<string, Buffer>();
  const generatedCi = trial.files.get('.github/workflows/ci.yml');
  const ciFacts = generatedCi ? readWorkflow('.github/workflows/ci.yml', generatedCi.toString('utf-8')) : undefined;
  const newDocker = readDockerfile(trial.files.get('Dockerfile')?.toString('utf-8') ?? '');
  for (const [file, content] of [...trial.files].sort(([a], [b]) => a.localeCompare(b))) {
    const abs = path.join(facts.dir, file);
    const exists = fs.existsSync(abs);
    if (exists && fs.readFileSync(abs).equals(content)) continue;
    contents.set(file, content);
    const action = !exists ? 'create' : file === 'Cargo.toml' || file === 'operator.json' ? 'edit' : 'replace';
    files.push({ path: file, action, losses: exists ? lossesOf(file, fs.readFileSync(abs, 'utf-8'), content.toString('utf-8'), settings) : [] });
  }
  if (!fs.existsSync(path.join(facts.dir, 'package-lock.json'))) files.push({ path: 'package-lock.json', action: 'create', losses: [] });

  const cargoChanges = fs.existsSync(path.join(facts.dir, 'Cargo.toml')) && contents.has('Cargo.toml')
    ? diffValues(readToml(fs.readFileSync(path.join(facts.dir, 'Cargo.toml'), 'utf-8')), readToml(contents.get('Cargo.toml')!.toString('utf-8')))
    : [];
  const planned = new Set(files.map((f) => f.path));
  const leftAlone = facts.workflows.map((w) => w.file).filter((f) => !planned.has(f));
  const overlaps = ciFacts
    ? facts.workflows.filter((w) => !planned.has(w.file)).flatMap((w) => overlapOf(w, ciFacts, newDocker.secretIds, settings))
    : [];
  return { facts, settings, projenrc, files, contents, cargoChanges, leftAlone, overlaps };
}

function lossesOf(file: string, old: string, generated: string, settings: AdoptionSettings): string[] {
  if (file === 'Dockerfile') {
    const before = readDockerfile(old);
    const after = readDockerfile(generated);
    const losses: string[] = [];
    const newPackages = after.stages.flatMap((s) => s.packages);
    const newEnv = Object.assign({}, ...after.stages.map((s) => s.env));
    for (const stage of before.stages) {
      const gone = stage.packages.filter((p) => !newPackages.includes(p));
      if (gone.length > 0) losses.push(`installs ${gone.join(', ')} in ${stage.alias ?? stage.image}`);
      for (const [key, value] of Object.entries(stage.env)) {
        if (newEnv[key] !== value) losses.push(`sets ENV ${key}=${value}${newEnv[key] !== undefined ? ` (generated: ${newEnv[key]})` : ''}`);
      }
      const user = stage.user;
      const newUser = after.stages[after.stages.length - 1]?.user;
      const uidOf = (u?: string) => u?.split(':')[0];
      if (stage === before.stages[before.stages.length - 1] && uidOf(user) !== uidOf(newUser)) {
        losses.push(`runs as ${user ?? 'root (no USER)'} (generated: ${newUser ?? 'no USER, the platform chooses'})`);
      }
    }
    for (const id of before.secretIds.filter((i) => !after.secretIds.includes(i))) losses.push(`mounts the BuildKit secret \`${id}\``);
    if (before.buildProfile !== after.buildProfile) losses.push(`builds with profile ${before.buildProfile} (generated: ${after.buildProfile})`);
    const newImages = after.stages.map((s) => s.image);
    for (const stage of before.stages.filter((s) => !newImages.includes(s.image))) losses.push(`starts a stage FROM ${stage.image}`);
    const newCopies = after.stages.flatMap((s) => s.copied);
    const gone = before.stages.flatMap((s) => s.copied).filter((c) => !newCopies.includes(c) && c !== '.');
    if (gone.length > 0) losses.push(`COPYs ${gone.join(', ')}`);
    const others = before.stages.flatMap((s) => s.instructions).filter((i) => /^(EXPOSE|HEALTHCHECK|CMD|VOLUME|LABEL|STOPSIGNAL)\b/.test(i));
    for (const instruction of others) losses.push(`has \`${instruction}\``);
    return losses;
  }
  if (file.startsWith('.github/workflows/')) {
    const before = readWorkflow(file, old);
    const after = readWorkflow(file, generated);
    const losses: string[] = [];
    const branches = before.pushBranches.filter((b) => !after.pushBranches.includes(b));
    if (branches.length > 0 && !after.pushBranches.some((b) => b === '*' || b === '**')) losses.push(`runs on pushes to ${branches.join(', ')}`);
    const tags = before.pushTags.filter((t) => !after.pushTags.includes(t));
    if (tags.length > 0) losses.push(`runs on tags ${tags.join(', ')}`);
    const newKinds = after.imageTags.map(imageTagKind);
    for (const kind of [...new Set(before.imageTags.map(imageTagKind))].filter((k) => !newKinds.includes(k))) losses.push(`pushes image tags \`${kind}\``);
    for (const event of before.otherEvents.filter((e) => !after.otherEvents.includes(e))) losses.push(`runs on ${event}`);
    for (const secret of before.secrets.filter((s) => !after.secrets.includes(s))) losses.push(`reads the secret ${secret}`);
    if (before.submodules && !after.submodules) losses.push('checks out git submodules');
    for (const t of before.toolchains) losses.push(`sets up Rust \`${t}\` on the runner (generated: rust-toolchain.toml's channel)`);
    if (before.createsRelease && !after.createsRelease) losses.push('creates a GitHub release');
    return losses;
  }
  if (file === '.gitignore' || file === '.dockerignore') {
    return ['ignores nothing the generated file misses: every entry is carried over (its comments are not)'];
  }
  if (file === 'Cargo.toml') return [];
  if (file === 'operator.json') return settings.operatorJsonEdit ? [`names the container ${settings.operatorJsonEdit.from} (becomes ${settings.operatorJsonEdit.to})`] : [];
  return ['its hand-kept content (the generated file replaces it)'];
}

function overlapOf(w: WorkflowFacts, ci: WorkflowFacts, mountedIds: string[], settings: AdoptionSettings): WorkflowOverlap[] {
  const reasons: string[] = [];
  if (w.pushTags.length > 0 && patternsOverlap(w.pushTags, ci.pushTags)) reasons.push(`runs on the same tags (${w.pushTags.join(', ')})`);
  if (w.pushBranches.length > 0 && patternsOverlap(w.pushBranches, ci.pushBranches)) reasons.push(`runs on the same branch pushes (${w.pushBranches.join(', ')})`);
  if (w.pushesImage) {
    const image = settings.options.find((o) => o.name === 'imageName')?.value;
    reasons.push(`pushes an image${w.images.length > 0 ? ` (${w.images.join(', ')})` : ''}${image ? `, as ci.yml pushes ${image}` : ''}`);
  }
  const shared = w.secrets.filter((s) => ci.secrets.includes(s));
  if (shared.length > 0) reasons.push(`uses the same secrets (${shared.join(', ')})`);
  for (const s of w.buildSecrets.filter((b) => !mountedIds.includes(b.id))) reasons.push(`hands the BuildKit secret id \`${s.id}\`, which the generated Dockerfile does not mount`);
  if (reasons.length === 0 || (!w.pushesImage && w.pushTags.length === 0 && shared.length === 0)) return [];
  const advice = w.pushesImage
    ? `Delete ${w.file} once the generated ci.yml publishes what it did (both would push the same image tags)${w.createsRelease ? (settings.options.some((o) => o.name === 'githubRelease' && o.value === true) ? '; its GitHub release is made by the generated github-release job (githubRelease: true)' : '; keep its GitHub release step in a workflow that pushes no image') : ''}.`
    : `Check that ${w.file} still has what it needs (the Dockerfile and ci.yml are now generated).`;
  return [{ file: w.file, reasons, advice }];
}

/** Every value that differs between two parsed TOML documents, by dotted key. */
export function diffValues(before: { [key: string]: any }, after: { [key: string]: any }): CargoChange[] {
  const flat = (value: any, prefix: string, out: Map<string, string>) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      for (const [k, v] of Object.entries(value)) flat(v, prefix ? `${prefix}.${k}` : k, out);
    } else {
      out.set(prefix, JSON.stringify(value));
    }
    return out;
  };
  const a = flat(before, '', new Map());
  const b = flat(after, '', new Map());
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.filter((k) => a.get(k) !== b.get(k)).map((k) => ({ key: k, old: a.get(k), new: b.get(k) }));
}

/** The plan as printed before anything is written. */
export function formatPlan(plan: AdoptionPlan): string {
  const out: string[] = [`Adoption plan for ${plan.facts.dir}`, ''];
  const section = (title: string, action: PlannedFile['action']) => {
    const list = plan.files.filter((f) => f.action === action);
    if (list.length === 0) return;
    out.push(title);
    for (const f of list) {
      out.push(`  ${f.path}`);
      for (const loss of f.losses) out.push(`      today it ${loss}`);
    }
    out.push('');
  };
  section('Create:', 'create');
  section('Replace (the hand-kept file becomes projen\'s; what it does that the generated one will not):', 'replace');
  section('Edit (only the values listed below; every other byte stays):', 'edit');
  if (plan.cargoChanges.length > 0) {
    out.push('Cargo.toml values that change:');
    for (const c of plan.cargoChanges) out.push(`  ${c.key}: ${c.old ?? '(absent)'} -> ${c.new ?? '(removed)'}`);
    out.push('');
  }
  if (plan.leftAlone.length > 0) out.push('Left alone:', ...plan.leftAlone.map((f) => `  ${f}`), '');
  if (plan.overlaps.length > 0) {
    out.push('Workflows that overlap the generated ci.yml:');
    for (const o of plan.overlaps) {
      out.push(`  ${o.file}`);
      for (const r of o.reasons) out.push(`      ${r}`);
      out.push(`      advice: ${o.advice}`);
    }
    out.push('');
  }
  if (plan.settings.notCarried.length > 0) out.push('Not carried over (no option reproduces it):', ...plan.settings.notCarried.map((n) => `  - ${n}`), '');
  out.push('Nothing is committed or staged. Review with `git status` and `git diff`, then commit yourself.');
  return out.join('\n') + '\n';
}
