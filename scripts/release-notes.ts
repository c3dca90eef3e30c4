/**
 * Release notes of generated files, run by the release task right after `bump` (spawned by it):
 *
 *  1. synthesizes a matrix of operator configurations with the sources of the previous release
 *     tag (a git worktree) and with HEAD, and lists every generated file whose content changes,
 *     in which configurations, with the commits since the tag that touched src/ (the "why");
 *     a change in the `defaults` configuration is flagged as a changed default (notable);
 *  2. adds the committed examples/ diff (git diff --numstat <tag> HEAD -- examples/);
 *  3. applies the deprecation rule: an option of RustOperatorProjectOptions that disappears must
 *     have been `@deprecated` in the previous release, else the release fails here;
 *  4. appends the section to dist/changelog.md (the GitHub release notes) and writes
 *     CHANGELOG.md (shipped in the npm package, read by the operators' upgrade pull requests):
 *     this release's notes on top of the previous package's CHANGELOG.md.
 *
 * `tsx scripts/release-notes.ts [--dry-run]` (dry run: print, write nothing).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const PACKAGE = 'projen-rust-operator';

/** Configurations whose generated files are compared; `defaults` sets only what is required. */
export const MATRIX: { [name: string]: { [option: string]: unknown } } = {
  'defaults': {},
  'linked allocator, maxperf': { allocator: 'linked', buildProfile: 'maxperf' },
  'preloaded, packages': { allocator: 'preloaded', builderPackages: ['libcairo2-dev'], runtimePackages: ['libcairo2'] },
  'system allocator, untagged': { allocator: 'system', containerPolicy: 'untagged' },
  'git token, dev-release': { gitTokenSecret: 'GIT_TOKEN', devReleaseProfile: true, buildProfile: 'dev-release' },
  'tercen sdk, install test': { tercenSdk: true, operatorInstallTest: true, failOnCriticalVulnerabilities: true },
};

function git(args: string[], cwd = ROOT): string {
  return execFileSync('git', args, { cwd, encoding: 'utf-8' }).trim();
}

/** The synth driver, run with each tree's sources (older trees may not know every option). */
const DRIVER = `
const path = require('path');
process.env.PROJEN_DISABLE_POST = 'true';
const [srcDir, outDir, matrixJson] = process.argv.slice(2);
const { RustOperatorProject } = require(path.join(srcDir, 'index'));
for (const [name, options] of Object.entries(JSON.parse(matrixJson))) {
  const outdir = path.join(outDir, name.replace(/[^A-Za-z0-9]+/g, '-'));
  try {
    new RustOperatorProject({ name: 'hello_operator', repositoryUrl: 'https://github.com/acme/hello_operator.git', ...options, outdir }).synth();
  } catch (e) {
    require('fs').mkdirSync(outdir, { recursive: true });
    require('fs').writeFileSync(path.join(outdir, '.synth-error'), String(e && e.message || e));
  }
}
`;

function synthMatrix(tree: string, out: string): void {
  const driver = path.join(out, '..', `driver-${path.basename(out)}.cjs`);
  fs.writeFileSync(driver, DRIVER);
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const result = spawnSync(tsx, [driver, path.join(tree, 'src'), out, JSON.stringify(MATRIX)], { cwd: tree, encoding: 'utf-8', env: { ...process.env, NODE_ENV: undefined } });
  if (result.status !== 0) throw new Error(`synthesizing the matrix in ${tree} failed:\n${result.stderr}`);
}

function files(dir: string, rel = ''): string[] {
  if (!fs.existsSync(path.join(dir, rel))) return [];
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const file = path.posix.join(rel, e.name);
    if (e.isDirectory()) return files(dir, file);
    return e.name === '.synth-error' ? [] : [file];
  });
}

/** The options of RustOperatorProjectOptions in a source file, and whether each is deprecated. */
export function projectOptions(source: string): Map<string, boolean> {
  const file = ts.createSourceFile('rust-operator-project.ts', source, ts.ScriptTarget.Latest, true);
  const options = new Map<string, boolean>();
  file.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'RustOperatorProjectOptions') {
      for (const member of node.members) {
        if (ts.isPropertySignature(member) && member.name && ts.isIdentifier(member.name)) {
          options.set(member.name.text, ts.getJSDocTags(member).some((tag) => tag.tagName.text === 'deprecated'));
        }
      }
    }
  });
  return options;
}

interface Notes {
  readonly section: string;
  readonly errors: string[];
}

export function generatedFileNotes(previousTag: string | undefined): Notes {
  if (!previousTag) return { section: '### Generated files changed\n\nFirst release: every generated file is new.\n', errors: [] };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pro-release-notes-'));
  const errors: string[] = [];
  try {
    const prevTree = path.join(work, 'previous');
    git(['worktree', 'add', '--detach', prevTree, previousTag]);
    try {
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(prevTree, 'node_modules'));
      synthMatrix(prevTree, path.join(work, 'before'));
      synthMatrix(ROOT, path.join(work, 'after'));
      // The deprecation rule.
      const before = projectOptions(fs.readFileSync(projectOptionsFile(prevTree), 'utf-8'));
      const after = projectOptions(fs.readFileSync(projectOptionsFile(ROOT), 'utf-8'));
      const removed = [...before.keys()].filter((o) => !after.has(o));
      for (const option of removed.filter((o) => !before.get(o))) {
        errors.push(`option "${option}" was removed without being @deprecated in ${previousTag}: deprecate it for one release first (README, "Deprecation rule")`);
      }
      const deprecated = [...after.entries()].filter(([o, d]) => d && !before.get(o)).map(([o]) => o);
      const lines: string[] = ['### Generated files changed', ''];
      const changes = new Map<string, string[]>();
      let defaultsChanged = false;
      for (const name of Object.keys(MATRIX)) {
        const dir = name.replace(/[^A-Za-z0-9]+/g, '-');
        const a = path.join(work, 'before', dir);
        const b = path.join(work, 'after', dir);
        if (fs.existsSync(path.join(b, '.synth-error'))) errors.push(`configuration "${name}" no longer synthesizes: ${fs.readFileSync(path.join(b, '.synth-error'), 'utf-8')}`);
        if (fs.existsSync(path.join(a, '.synth-error'))) continue; // options newer than the previous release
        for (const file of new Set([...files(a), ...files(b)])) {
          const x = fs.existsSync(path.join(a, file)) ? fs.readFileSync(path.join(a, file)) : undefined;
          const y = fs.existsSync(path.join(b, file)) ? fs.readFileSync(path.join(b, file)) : undefined;
          if (x && y && x.equals(y)) continue;
          const what = !x ? 'new' : !y ? 'removed' : 'changed';
          changes.set(`${file} (${what})`, [...(changes.get(`${file} (${what})`) ?? []), name]);
          if (name === 'defaults') defaultsChanged = true;
        }
      }
      if (changes.size === 0) lines.push('No generated file changes in any configuration of the matrix.');
      for (const [file, names] of [...changes.entries()].sort()) lines.push(`* \`${file}\` in: ${names.join('; ')}`);
      if (defaultsChanged) lines.push('', '**Notable: a default changed** (the `defaults` configuration, which sets only the required options, generates different files).');
      const examples = git(['diff', '--numstat', previousTag, 'HEAD', '--', 'examples/']);
      if (examples) lines.push('', 'In examples/ (+/- lines):', '', ...examples.split('\n').map((l) => { const [p, m, f] = l.split('\t'); return `* \`${f}\` +${p} -${m}`; }));
      const why = git(['log', '--no-merges', '--format=%h %s', `${previousTag}..HEAD`, '--', 'src/']);
      lines.push('', 'Why (commits that changed src/):', '', ...(why ? why.split('\n').map((l) => `* ${l}`) : ['* (none)']));
      if (deprecated.length > 0) lines.push('', `Deprecated options (removed in a later release): ${deprecated.map((o) => `\`${o}\``).join(', ')}`);
      return { section: lines.join('\n') + '\n', errors };
    } finally {
      git(['worktree', 'remove', '--force', prevTree]);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The previous package's CHANGELOG.md from the registry, or '' (first release, or not published). */
function previousChangelog(previousVersion: string | undefined): string {
  if (!previousVersion) return '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pro-prev-pkg-'));
  try {
    const packed = spawnSync('npm', ['pack', `${PACKAGE}@${previousVersion}`, '--pack-destination', dir, '--silent'], { encoding: 'utf-8' });
    if (packed.status !== 0) return '';
    const tarball = path.join(dir, packed.stdout.trim().split('\n').pop()!);
    const text = spawnSync('tar', ['-xzOf', tarball, 'package/CHANGELOG.md'], { encoding: 'utf-8' });
    return text.status === 0 ? text.stdout : '';
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main(): number {
  const dryRun = process.argv.includes('--dry-run');
  const tags = git(['tag', '--list', 'v[0-9]*', '--sort=-version:refname']).split('\n').filter(Boolean);
  const previousTag = tags.find((t) => spawnSync('git', ['merge-base', '--is-ancestor', t, 'HEAD'], { cwd: ROOT }).status === 0);
  const notes = generatedFileNotes(previousTag);
  if (notes.errors.length > 0) {
    process.stderr.write(notes.errors.map((e) => `release-notes: ${e}\n`).join(''));
    return 1;
  }
  if (dryRun) {
    process.stdout.write(notes.section);
    return 0;
  }
  const changelogFile = path.join(ROOT, 'dist', 'changelog.md');
  const entry = `${fs.readFileSync(changelogFile, 'utf-8').trimEnd()}\n\n${notes.section}`;
  fs.writeFileSync(changelogFile, entry);
  const previous = previousChangelog(previousTag?.replace(/^v/, ''));
  fs.writeFileSync(path.join(ROOT, 'CHANGELOG.md'), `${entry.trimEnd()}\n\n${previous}`.trimEnd() + '\n');
  process.stdout.write(notes.section);
  return 0;
}

if (require.main === module) process.exitCode = main();

/** The file declaring RustOperatorProjectOptions in a source tree (it moved to src/project/). */
export function projectOptionsFile(tree: string): string {
  const candidates = ['src/project/rust-operator-project.ts', 'src/rust-operator-project.ts'].map((file) => path.join(tree, file));
  return candidates.find((file) => fs.existsSync(file)) ?? candidates[0];
}
