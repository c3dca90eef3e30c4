/**
 * The adopted Dockerfile of a plain Rust HTTP service (test/adopt/repositories.ts) built for real
 * with buildah from the stand-in bases, and run: its real binary, as the uid and with the
 * environment the hand-kept Dockerfile had. The files are the plan's, which
 * test/e2e/adopt.e2e.test.ts proves are the bytes `adopt --yes` writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { planAdoption } from '../../src/adopt/adoption-plan';
import { httpService } from '../adopt/repositories';
import { assertBuildSucceeded, buildImage, ensureStandInImages, hasBuildah, inspectImage, removeImage, runImage } from '../support/image';

jest.setTimeout(60 * 60_000);

const availability = hasBuildah();
if (!availability.ok) {
  throw new Error(`real image builds cannot run here: ${availability.reason}`);
}

/** The same stand-ins as the other image tests (one rust stand-in per store). */
const STAND_INS = { extraImages: { 'tercen/rust-operator-base:latest': 'rust', 'tercen/runtime-base:latest': 'debian' } } as const;
const TAG = 'localhost/pro-adopted-hello-http:test';

beforeAll(() => {
  ensureStandInImages(STAND_INS);
  const repo = httpService();
  const plan = planAdoption(repo.dir);
  // Every file of the plan (the Dockerfile COPYs the operator.json it creates, too).
  for (const [file, content] of plan.contents) {
    fs.mkdirSync(path.dirname(path.join(repo.dir, file)), { recursive: true });
    fs.writeFileSync(path.join(repo.dir, file), content);
  }
  removeImage(TAG);
  assertBuildSucceeded(buildImage(repo.dir, { tag: TAG }));
});

afterAll(() => removeImage(TAG));

test('the image runs the service\'s own binary', () => {
  const result = runImage(TAG, { args: ['--version'] });
  expect(result.stderr).toBe('');
  expect(result.stdout.trim()).toBe('hello_http 1.4.0');
  expect(result.code).toBe(0);
});

test('as the old uid, with the old environment and runtime package', () => {
  const info = inspectImage(TAG);
  expect(info.user).toBe('10001:10001');
  expect(info.env.PORT).toBe('8080');
  expect(runImage(TAG, { entrypoint: ['id', '-u'] }).stdout.trim()).toBe('10001');
  expect(runImage(TAG, { entrypoint: ['curl', '--version'] }).code).toBe(0);
});
