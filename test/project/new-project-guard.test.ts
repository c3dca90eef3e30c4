/**
 * `projen new` over hand-kept build files is refused in the project's constructor, before projen
 * writes a file or runs git (the real `projen new` run is in test/e2e/adopt.e2e.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { refuseNewOverHandKeptFiles } from '../../src/project/new-project-guard';
import { tempDir, writeFiles } from '../support/synth';

const NEW = { __new__: { fqn: 'projen-rust-operator.RustOperatorProject', args: {} } };

test.each([
  [{ Dockerfile: 'FROM scratch\n' }, 'Dockerfile'],
  [{ 'Cargo.toml': '[package]\nname = "x"\n' }, 'Cargo.toml'],
  [{ '.github/workflows/build.yaml': 'on: push\n' }, '.github/workflows/build.yaml'],
])('refuses a folder holding %j, naming it and pointing at adopt', (files, named) => {
  const dir = tempDir('pro-guard-');
  writeFiles(dir, files);
  expect(() => refuseNewOverHandKeptFiles({ name: 'x', outdir: dir, ...NEW } as any))
    .toThrow(`projen-rust-operator: projen new: this folder already holds hand-kept ${named}: projen new would overwrite them and commit the whole working tree. `
      + 'Nothing was written or committed. Run `npx projen-rust-operator adopt` here instead');
});

test('lets through an empty folder, a projen project, and every synth that is not projen new', () => {
  const dir = tempDir('pro-guard-');
  expect(() => refuseNewOverHandKeptFiles({ name: 'x', outdir: dir, ...NEW } as any)).not.toThrow();
  writeFiles(dir, { Dockerfile: 'FROM scratch\n' });
  expect(() => refuseNewOverHandKeptFiles({ name: 'x', outdir: dir })).not.toThrow();
  fs.mkdirSync(path.join(dir, '.projen'));
  expect(() => refuseNewOverHandKeptFiles({ name: 'x', outdir: dir, ...NEW } as any)).not.toThrow();
});

test('takes back the stub package.json and node_modules/ projen new installed; leaves a package.json of yours', () => {
  const dir = tempDir('pro-guard-');
  writeFiles(dir, {
    'Dockerfile': 'FROM scratch\n',
    'package.json': JSON.stringify({ devDependencies: { 'projen': '^0.103.25', 'projen-rust-operator': 'file:x.tgz' } }),
    'node_modules/projen/package.json': '{}',
  });
  expect(() => refuseNewOverHandKeptFiles({ name: 'x', outdir: dir, ...NEW } as any)).toThrow(/projen new:/);
  expect(fs.readdirSync(dir)).toEqual(['Dockerfile']);

  const own = tempDir('pro-guard-');
  writeFiles(own, { 'Dockerfile': 'FROM scratch\n', 'package.json': JSON.stringify({ name: 'web', devDependencies: { projen: '^0.103.25' } }) });
  expect(() => refuseNewOverHandKeptFiles({ name: 'x', outdir: own, ...NEW } as any)).toThrow(/projen new:/);
  expect(fs.readdirSync(own).sort()).toEqual(['Dockerfile', 'package.json']);
});
