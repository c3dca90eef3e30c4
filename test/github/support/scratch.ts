/** Temp folders of the github tests, removed after each test file (`afterAll(removeScratchDirs)`). */
import * as fs from 'fs';
import { tempDir } from '../../support/synth';

const dirs: string[] = [];

/** A fresh empty folder under the OS temp dir, removed by `removeScratchDirs`. */
export function scratchDir(prefix = 'pro-gh-'): string {
  const dir = tempDir(prefix);
  dirs.push(dir);
  return dir;
}

export function removeScratchDirs(): void {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
