/**
 * Unknown option names are refused with a did-you-mean, for the project's options (projen's
 * inherited ones included), nested option structs and every construct's options; the names come
 * from the TypeScript interfaces, through a generated file that must be current.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LogLevel, Project } from 'projen';
import { renderOptionNames } from '../../projenrc/option-names';
import {
  Allocator, CargoDependabot, CargoManifest, GhcrReleaseWorkflow, JemallocDockerfile, OperatorDockerignore, OperatorInstallTestJob,
  OperatorManifest, RustOperatorProject, TrivyScanJob,
} from '../../src';
import { OptionError } from '../../src/core/errors';
import { checkOptionNames, didYouMean } from '../../src/core/option-names';
import { OPTION_STRUCTS } from '../../src/core/option-names.generated';
import { Dockerfile } from '../../src/docker/dockerfile';
import { REPO_ROOT } from '../support/pack';
import { tempDir, TEST_OPERATOR } from '../support/synth';

function thrown(build: () => unknown): OptionError {
  try {
    build();
  } catch (error) {
    if (error instanceof OptionError) return error;
    throw error;
  }
  throw new Error('expected an OptionError, none was thrown');
}

const bare = () => new Project({ name: 'bare', outdir: tempDir('pro-options-'), logging: { level: LogLevel.OFF } });
const operator = (options: object) => new RustOperatorProject({ ...TEST_OPERATOR, outdir: tempDir('pro-options-'), ...options } as never);

test('the generated option names are what the interfaces declare now', () => {
  expect(fs.readFileSync(path.join(REPO_ROOT, 'src/core/option-names.generated.ts'), 'utf-8')).toBe(renderOptionNames(REPO_ROOT));
});

test('a misspelt project option: the option, the struct and the right name', () => {
  const error = thrown(() => operator({ gitTokenSecrets: 'GH_PAT' }));
  expect(error.subject).toBe('gitTokenSecrets');
  expect(error.message).toBe('projen-rust-operator: gitTokenSecrets: is not an option of RustOperatorProjectOptions. Did you mean "gitTokenSecret"?');
});

test('projen\'s inherited options are options; their nested structs are checked too', () => {
  expect(() => operator({ commitGenerated: true, gitOptions: { lfsPatterns: [] }, logging: { level: LogLevel.OFF } })).not.toThrow();
  expect(thrown(() => operator({ gitOptions: { endOfLines: 'lf' } })).message)
    .toBe('projen-rust-operator: gitOptions.endOfLines: is not an option of projen.GitOptions. Did you mean "endOfLine"?');
  expect(thrown(() => operator({ outDir: '/tmp/x' })).message).toContain('Did you mean "outdir"?');
});

test('nested options of this package: dockerfileOptions', () => {
  expect(thrown(() => operator({ dockerfileOptions: { runtimeUsr: 'app' } })).message)
    .toBe('projen-rust-operator: dockerfileOptions.runtimeUsr: is not an option of JemallocDockerfileOptions. Did you mean "runtimeUser"?');
});

test('a name far from every option lists them instead of guessing', () => {
  const message = thrown(() => operator({ colour: 'blue' })).message;
  expect(message).toMatch(/^projen-rust-operator: colour: is not an option of RustOperatorProjectOptions\. Known options: actionPins, allocator, /);
  expect(message).toContain('gitTokenSecret');
});

test('every construct refuses an unknown option, named after the construct', () => {
  const cases: [string, () => unknown][] = [
    ['Allocator.mallocconf', () => new Allocator({ mallocconf: 'x' } as never)],
    ['Dockerfile.stages', () => new Dockerfile(bare(), { stages: [] } as never)],
    ['JemallocDockerfile.gitTokenSecrets', () => new JemallocDockerfile(bare(), { gitTokenSecrets: 'x' } as never)],
    ['OperatorDockerignore.requiredPath', () => new OperatorDockerignore(bare(), { requiredPath: [] } as never)],
    ['CargoManifest.feature', () => new CargoManifest(bare(), { feature: {} } as never)],
    ['CargoDependabot.schedules', () => new CargoDependabot(bare(), { schedules: 'daily' } as never)],
    ['OperatorManifest.imagename', () => new OperatorManifest(bare(), { imagename: 'x' } as never)],
    ['GhcrReleaseWorkflow.imagename', () => new GhcrReleaseWorkflow(bare(), { imagename: 'x' } as never)],
    ['TrivyScanJob.failOnFinding', () => new TrivyScanJob(new GhcrReleaseWorkflow(bare(), { imageName: 'ghcr.io/acme/x' }), { failOnFinding: true } as never)],
    ['OperatorInstallTestJob.enable', () => new OperatorInstallTestJob(new GhcrReleaseWorkflow(bare(), { imageName: 'ghcr.io/acme/x' }), { enable: true } as never)],
  ];
  for (const [subject, build] of cases) {
    expect({ subject, got: thrown(build).subject }).toEqual({ subject, got: subject });
  }
});

test('values that are not option structs are not checked: a Project as parent, maps, arrays', () => {
  expect(() => checkOptionNames({ parent: bare(), actionPins: { anything: {} }, tags: ['x'] }, 'RustOperatorProjectOptions', '')).not.toThrow();
});

test('options built in another realm (projen new runs .projenrc in a vm) are checked', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const foreign = require('vm').runInNewContext('({ gitTokenSecrets: "x" })');
  expect(() => checkOptionNames(foreign, 'RustOperatorProjectOptions', '')).toThrow(/Did you mean "gitTokenSecret"/);
});

test('an unknown struct name is a bug, not a user error', () => {
  expect(() => checkOptionNames({}, 'NoSuchOptions', '')).toThrow(/unknown options struct "NoSuchOptions"/);
  expect(OPTION_STRUCTS.RustOperatorProjectOptions.repositoryUrl).toBeNull();
});

test('did-you-mean: typos, case and swaps; nothing for unrelated names', () => {
  const known = ['gitTokenSecret', 'registryOwner', 'imageName', 'runsOn'];
  expect(didYouMean('gitTokenSecrets', known)).toBe('gitTokenSecret');
  expect(didYouMean('registryowner', known)).toBe('registryOwner');
  expect(didYouMean('imgaeName', known)).toBe('imageName');
  expect(didYouMean('runOn', known)).toBe('runsOn');
  expect(didYouMean('colour', known)).toBeUndefined();
});
