/**
 * Which install task projen runs after synth: `install:ci` (`npm ci`) in CI only once a lock file
 * exists, since `npm ci` refuses to run without one (a fresh `projen new` in a CI job).
 */
import * as fs from 'fs';
import * as path from 'path';
import { InstallReason } from 'projen/lib/javascript';
import { OperatorNodePackage, RustOperatorProject } from '../../src';
import { tempDir, TEST_OPERATOR } from '../support/synth';

function installTaskRun(options: { ci: boolean; lockFile: boolean }): string[] {
  const outdir = tempDir('pro-install-');
  if (options.lockFile) {
    fs.writeFileSync(path.join(outdir, 'package-lock.json'), '{}\n');
  }
  const project = new RustOperatorProject({ ...TEST_OPERATOR, outdir });
  const nodePackage = project.components.find((c): c is OperatorNodePackage => c instanceof OperatorNodePackage);
  expect(nodePackage).toBeDefined();
  const ran: string[] = [];
  jest.spyOn(project.tasks, 'runTask').mockImplementation((name: string) => { ran.push(name); });
  const saved = process.env.CI;
  process.env.CI = options.ci ? 'true' : '';
  try {
    // The hook projen calls from postSynthesize when package.json changed or node_modules is missing.
    (nodePackage as unknown as { installDependencies(t: object): void }).installDependencies({ reason: InstallReason.NO_NODE_MODULES });
  } finally {
    if (saved === undefined) delete process.env.CI; else process.env.CI = saved;
  }
  return ran;
}

test.each([
  { ci: true, lockFile: true, expected: ['install:ci'] },
  { ci: true, lockFile: false, expected: ['install'] },
  { ci: false, lockFile: true, expected: ['install'] },
  { ci: false, lockFile: false, expected: ['install'] },
])('CI=$ci, lock file $lockFile: runs $expected', ({ ci, lockFile, expected }) => {
  expect(installTaskRun({ ci, lockFile })).toEqual(expected);
});
