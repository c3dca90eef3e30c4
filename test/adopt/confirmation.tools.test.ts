/**
 * On a terminal, plain `adopt` asks before it writes (util-linux `script` gives the command a
 * pseudo-terminal). Answering no, or just Enter, writes nothing; off a terminal it never asks.
 * The write itself (`--yes`, the same code path after the question) is test/e2e/adopt.e2e.test.ts.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { git, httpService } from './repositories';
import { snapshotTree } from '../support/synth';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = path.join(REPO_ROOT, 'src', 'cli.ts');

/** `adopt --dir <dir>` on a pseudo-terminal, with `answer` typed at the prompt. */
function adoptOnTerminal(dir: string, answer: string): { status: number | null; output: string } {
  const command = `${TSX} ${CLI} adopt --dir ${dir}`;
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { input: `${answer}\n`, encoding: 'utf-8', timeout: 120_000 });
  return { status: result.status, output: result.stdout + result.stderr };
}

test.each([['n'], ['no'], ['']])('answering %j at the prompt writes nothing', (answer) => {
  const repo = httpService();
  const before = snapshotTree(repo.dir);
  const { status, output } = adoptOnTerminal(repo.dir, answer);
  expect(output).toContain('Adoption plan for');
  expect(output).toContain('Write these files? [y/N]');
  expect(output).toContain('Nothing written.');
  expect(status).toBe(0);
  expect(snapshotTree(repo.dir)).toEqual(before);
  expect(git(repo.dir, ['status', '--porcelain']).stdout).toBe('');
});

test('off a terminal it does not ask, and says how to write', () => {
  const repo = httpService();
  const result = spawnSync(TSX, [CLI, 'adopt', '--dir', repo.dir], { input: 'y\n', encoding: 'utf-8', timeout: 120_000 });
  expect(result.stdout).not.toContain('[y/N]');
  expect(result.stdout).toContain('Nothing written. Run again with --yes to write these files.');
  expect(result.status).toBe(0);
  expect(git(repo.dir, ['status', '--porcelain']).stdout).toBe('');
});
