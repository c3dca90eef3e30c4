/**
 * `npm run bench`: prints numbers, asserts nothing.
 *  1. wall time of `npx projen` in a scaffolded operator against a bare projen Project run by
 *     the same runner (tsx), and of `npx projen drift`;
 *  2. synth time of a project tree with 1, 10 and 50 operator subprojects.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import { RustOperatorProject } from '../src';
import { scaffoldOperator } from '../test/support/scaffold';
import { synthQuietly, tempDir } from '../test/support/synth';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeCommand(dir: string, args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync('npx', ['--no-install', 'projen', ...args], { cwd: dir, encoding: 'utf-8', env: { ...process.env, PROJEN_DISABLE_POST: 'true' } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`npx projen ${args.join(' ')} failed in ${dir}:\n${result.stderr}`);
    times.push(ms);
  }
  return median(times);
}

function bareProject(parent: string, nodeModules: string): string {
  const dir = path.join(parent, 'bare');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, '.projenrc.ts'), [
    "import { Project } from 'projen';",
    "import { ProjenrcTs, TypeScriptRunner } from 'projen/lib/typescript';",
    "const project = new Project({ name: 'bare' });",
    'new ProjenrcTs(project, { runner: TypeScriptRunner.tsx() });',
    'project.synth();',
    '',
  ].join('\n'));
  fs.symlinkSync(nodeModules, path.join(dir, 'node_modules'), 'dir');
  const first = spawnSync(path.join(nodeModules, '.bin', 'tsx'), ['.projenrc.ts'], { cwd: dir, encoding: 'utf-8', env: { ...process.env, PROJEN_DISABLE_POST: 'true' } });
  if (first.status !== 0) throw new Error(first.stderr);
  return dir;
}

function treeSynthMs(operators: number): number {
  const times: number[] = [];
  for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 2)); i++) {
    const dir = tempDir('pro-bench-tree-');
    const start = process.hrtime.bigint();
    const root = new Project({ name: 'tree', outdir: dir });
    for (let n = 0; n < operators; n++) {
      new RustOperatorProject({
        parent: root,
        outdir: `operators/op_${n}_operator`,
        name: `op_${n}_operator`,
        repositoryUrl: `https://github.com/acme/op_${n}_operator`,
      });
    }
    synthQuietly(root);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return median(times);
}

const parent = tempDir('pro-bench-');
process.stdout.write(`Scaffolding an operator from the packed package in ${parent} ...\n`);
const operator = scaffoldOperator(parent).dir;
const bare = bareProject(parent, path.join(operator, 'node_modules'));
timeCommand(operator, []); // warm the file cache once
const operatorMs = timeCommand(operator, []);
const bareMs = timeCommand(bare, []);
const driftMs = timeCommand(operator, ['drift']);

const rows: [string, string][] = [
  ['npx projen, scaffolded operator (median of ' + RUNS + ')', `${operatorMs.toFixed(0)} ms`],
  ['npx projen, bare projen Project + tsx (same runner)', `${bareMs.toFixed(0)} ms`],
  ['overhead of the operator constructs', `${(((operatorMs - bareMs) / bareMs) * 100).toFixed(1)} %`],
  ['npx projen drift, scaffolded operator', `${driftMs.toFixed(0)} ms (${(driftMs / operatorMs).toFixed(2)}x npx projen)`],
];
const tree = [1, 10, 50].map((n) => [n, treeSynthMs(n)] as const);
for (const [n, ms] of tree) {
  rows.push([`synth of a tree with ${n} operator subproject(s)`, `${ms.toFixed(0)} ms (${(ms / n).toFixed(1)} ms per operator)`]);
}
const [, t10] = tree[1];
const [, t50] = tree[2];
rows.push(['growth 10 -> 50 operators (5.0 = linear)', `${(t50 / t10).toFixed(2)}x`]);
const width = Math.max(...rows.map(([label]) => label.length));
process.stdout.write('\n' + rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n') + '\n');
fs.rmSync(parent, { recursive: true, force: true });
