/**
 * The README's two set-up commands work, in order, in a fresh clone whose `origin` is a local
 * path (a mirror, a fork on another host, a plain copy), with ../shared beside it as in CI.
 *
 * It clones what is committed (HEAD), not the working tree. Inside the clone the nested
 * `npm test` runs this file too: PRO_FRESH_CLONE_TEST=inside makes that run skip it, so it does
 * not recurse.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../support/pack';
import { tempDir } from '../support/synth';

const INSIDE = process.env.PRO_FRESH_CLONE_TEST === 'inside';
const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf-8');

/** The README's set-up commands, as a user copies them (comments dropped). */
function setupCommands(): string[] {
  const block = /## Set up\n\n```bash\n([\s\S]*?)```/.exec(README);
  if (!block) throw new Error('README.md has no "## Set up" bash block');
  return block[1].split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter((line) => line !== '');
}

(INSIDE ? describe.skip : describe)('a fresh clone with a local-path origin', () => {
  jest.setTimeout(3_600_000);
  let clone: string;

  beforeAll(() => {
    const parent = tempDir('pro-clone-');
    const shared = path.join(REPO_ROOT, '..', 'shared');
    if (fs.existsSync(shared)) {
      fs.symlinkSync(fs.realpathSync(shared), path.join(parent, 'shared'), 'dir');
    }
    clone = path.join(parent, 'projen-rust-operator');
    execFileSync('git', ['clone', '--quiet', REPO_ROOT, clone], { stdio: 'pipe' });
  });

  test('origin is the local path, not a GitHub URL', () => {
    const origin = execFileSync('git', ['remote', 'get-url', 'origin'], { cwd: clone, encoding: 'utf-8' }).trim();
    expect(origin).toBe(REPO_ROOT);
  });

  test('the README\'s two set-up commands, in order, both exit 0', () => {
    const commands = setupCommands();
    expect(commands).toHaveLength(2);
    for (const command of commands) {
      const result = spawnSync('bash', ['-c', command], {
        cwd: clone,
        encoding: 'utf-8',
        maxBuffer: 512 * 1024 * 1024,
        // A user's shell: none of this jest worker's variables, and the guard for the nested run.
        env: { ...process.env, JEST_WORKER_ID: undefined, NODE_ENV: undefined, PRO_FRESH_CLONE_TEST: 'inside' },
      });
      const output = `${result.stdout}\n${result.stderr}`;
      expect({ command, status: result.status, tail: result.status === 0 ? '' : output.slice(-6000) }).toEqual({ command, status: 0, tail: '' });
    }
    // The demo said where it put the operator, and put it there.
    expect(fs.existsSync(path.join(clone, 'demo', 'hello_operator', 'Dockerfile'))).toBe(true);
  });
});
