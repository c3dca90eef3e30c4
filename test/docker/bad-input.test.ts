/**
 * Bad input is refused with an OptionError naming the option, and nothing is written: the
 * project folder holds exactly the files the test put there.
 */
import { Project } from 'projen';
import { filesUnder } from './support';
import { Allocator, AllocatorMode } from '../../src/core/allocator';
import { OptionError } from '../../src/core/errors';
import { JemallocDockerfile, JemallocDockerfileOptions } from '../../src/docker/jemalloc-dockerfile';
import { RustOperatorProject, RustOperatorProjectOptions } from '../../src/project/rust-operator-project';
import { synthQuietly, tempDir, TEST_OPERATOR, writeFiles } from '../support/synth';

interface BadInput {
  readonly name: string;
  readonly options: Partial<RustOperatorProjectOptions>;
  readonly files?: { [file: string]: string };
  /** The option the error must name. */
  readonly subject: string;
  readonly message: RegExp;
}

const IMAGE_METACHARACTERS = /contains whitespace or shell metacharacters, which no image reference can hold/;

const CASES: BadInput[] = [
  { name: 'an image with a shell command', options: { builderImage: 'rust:1.75; rm -rf /' }, subject: 'builderImage', message: IMAGE_METACHARACTERS },
  { name: 'an image with a space', options: { runtimeImage: 'debian bookworm' }, subject: 'runtimeImage', message: IMAGE_METACHARACTERS },
  { name: 'an image with command substitution', options: { builderImage: 'x$(id)' }, subject: 'builderImage', message: IMAGE_METACHARACTERS },
  { name: 'an image with backticks', options: { runtimeImage: 'debian:`id`' }, subject: 'runtimeImage', message: IMAGE_METACHARACTERS },
  { name: 'an image with a line break', options: { runtimeImage: 'debian:bookworm-slim\nRUN id' }, subject: 'runtimeImage', message: IMAGE_METACHARACTERS },
  { name: 'an empty image', options: { runtimeImage: '' }, subject: 'runtimeImage', message: /is empty/ },
  { name: 'an uppercase image', options: { runtimeImage: 'Debian:bookworm-slim' }, subject: 'runtimeImage', message: /has uppercase letters in the repository part; registries reject them\. Use "debian:bookworm-slim"\./ },
  { name: 'an uppercase image path', options: { builderImage: 'ghcr.io/Tercen/rust-base:1.75-bookworm' }, subject: 'builderImage', message: /Use "ghcr\.io\/tercen\/rust-base:1\.75-bookworm"/ },
  { name: 'a malformed image', options: { builderImage: 'rust::1.75' }, subject: 'builderImage', message: /is not a valid image reference/ },
  { name: 'an apt package with ;', options: { builderPackages: ['libssl-dev;rm'] }, subject: 'builderPackages', message: /"libssl-dev;rm" is not a Debian package name/ },
  { name: 'an apt package with a space', options: { runtimePackages: ['libcairo2 libpango'] }, subject: 'runtimePackages', message: /"libcairo2 libpango" is not a Debian package name/ },
  { name: 'an uppercase apt package', options: { builderPackages: ['LibSSL-dev'] }, subject: 'builderPackages', message: /is not a Debian package name/ },
  { name: 'an apt option passed as a package', options: { runtimePackages: ['--allow-unauthenticated'] }, subject: 'runtimePackages', message: /is not a Debian package name/ },
  { name: 'an unknown allocator mode', options: { allocator: 'jemalloc-ish' as AllocatorMode }, subject: 'allocator', message: /unknown allocator mode "jemalloc-ish"\. Use one of: linked-and-preloaded, linked, preloaded, system\./ },
  { name: 'mallocConf with the system allocator', options: { allocator: AllocatorMode.SYSTEM, mallocConf: 'narenas:2' }, subject: 'mallocConf', message: /has no effect with the system allocator/ },
  { name: 'a mallocConf that is not a jemalloc option string', options: { mallocConf: 'narenas:2; rm -rf /' }, subject: 'mallocConf', message: /is not a jemalloc option string/ },
  { name: 'allocatorCrateVersion that is not a requirement', options: { allocatorCrateVersion: 'latest' }, subject: 'allocatorCrateVersion', message: /"latest" is not a Cargo version requirement/ },
  { name: 'allocatorCrateVersion with nothing linked', options: { allocator: AllocatorMode.PRELOADED, allocatorCrateVersion: '0.6' }, subject: 'allocatorCrateVersion', message: /links nothing/ },
  { name: 'allocatorCrateFeatures with nothing linked', options: { allocator: AllocatorMode.SYSTEM, allocatorCrateFeatures: ['profiling'] }, subject: 'allocatorCrateFeatures', message: /links nothing/ },
  {
    name: 'allocatorCrateVersion that conflicts with the user\'s tikv-jemallocator',
    options: { allocatorCrateVersion: '0.6' },
    files: { 'Cargo.toml': '[package]\nname = "hello_operator"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ntikv-jemallocator = "0.7"\n' },
    subject: 'Cargo.toml:7',
    message: /allocatorCrateVersion is "0\.6".*Set allocatorCrateVersion to "0\.7"/s,
  },
  { name: 'an invalid gitTokenSecret (GitHub secret name)', options: { gitTokenSecret: 'my token' }, subject: 'gitTokenSecret', message: /is not a valid GitHub secret name/ },
  { name: 'an invalid BuildKit secret id', options: { gitTokenSecret: 'GIT_TOKEN', gitTokenBuildSecretId: 'git/token' }, subject: 'gitTokenBuildSecretId', message: /"git\/token" is not a BuildKit secret id/ },
  { name: 'a compile-time file with ..', options: { compileTimeFiles: ['../secrets.json'] }, subject: 'compileTimeFiles', message: /"\.\.\/secrets\.json" is not a plain path inside the project/ },
  { name: 'a compile-time file hidden behind ..', options: { compileTimeFiles: ['protos/../../x'] }, subject: 'compileTimeFiles', message: /not a plain path inside the project/ },
  { name: 'an absolute compile-time file', options: { compileTimeFiles: ['/etc/passwd'] }, subject: 'compileTimeFiles', message: /"\/etc\/passwd" is not a plain path inside the project/ },
  { name: 'a compile-time wildcard', options: { compileTimeFiles: ['protos/*.proto'] }, subject: 'compileTimeFiles', message: /not a plain path/ },
  { name: 'a compile-time file with a space', options: { compileTimeFiles: ['my data.json'] }, subject: 'compileTimeFiles', message: /not a plain path/ },
  { name: 'the project root as a compile-time file', options: { compileTimeFiles: ['./'] }, subject: 'compileTimeFiles', message: /not a plain path/ },
  { name: 'runtimeUid 0', options: { dockerfileOptions: { runtimeUid: 0 } }, subject: 'runtimeUid', message: /0 is not a non-root uid \(0 is root\)/ },
  { name: 'a negative runtimeUid', options: { dockerfileOptions: { runtimeUid: -1 } }, subject: 'runtimeUid', message: /not a non-root uid/ },
  { name: 'a fractional runtimeUid', options: { dockerfileOptions: { runtimeUid: 1000.5 } }, subject: 'runtimeUid', message: /not a non-root uid/ },
  { name: 'a runtimeUid Debian reserves', options: { dockerfileOptions: { runtimeUid: 37 } }, subject: 'runtimeUid', message: /37 is a uid\/gid Debian reserves/ },
  { name: 'the nobody uid', options: { dockerfileOptions: { runtimeUid: 65534 } }, subject: 'runtimeUid', message: /Debian reserves/ },
  { name: 'runtimeUser root', options: { dockerfileOptions: { runtimeUser: 'root' } }, subject: 'runtimeUser', message: /"root" is a Debian system account/ },
  { name: 'an uppercase runtimeUser', options: { dockerfileOptions: { runtimeUser: 'Operator' } }, subject: 'runtimeUser', message: /is not a valid Linux user name/ },
  { name: 'a runtimeUser too long for its group', options: { dockerfileOptions: { runtimeUser: 'a'.repeat(27) } }, subject: 'runtimeUser', message: /at most 26/ },
  { name: 'a binaryName with a shell command', options: { dockerfileOptions: { binaryName: 'op; rm -rf /' } }, subject: 'binaryName', message: /is not a Cargo binary name/ },
  { name: 'a buildProfile with a shell command', options: { dockerfileOptions: { buildProfile: 'release && id' } }, subject: 'buildProfile', message: /is not a valid profile name/ },
  { name: 'a build feature with a space', options: { dockerfileOptions: { buildFeatures: ['a b'] } }, subject: 'buildFeatures', message: /"a b" is not a Cargo feature name/ },
  {
    name: 'a Cargo.toml target outside the project',
    options: {},
    files: { 'Cargo.toml': '[package]\nname = "hello_operator"\nversion = "0.1.0"\nedition = "2021"\n\n[[bin]]\nname = "tool"\npath = "../shared/tool.rs"\n\n[dependencies]\n' },
    subject: 'Cargo.toml',
    message: /the bin target path "\.\.\/shared\/tool\.rs" is not a plain path inside the project/,
  },
  {
    name: 'a Cargo.toml target path with a space',
    options: {},
    files: { 'Cargo.toml': '[package]\nname = "hello_operator"\nversion = "0.1.0"\nedition = "2021"\n\n[[bench]]\nname = "b"\npath = "benches/my bench.rs"\n\n[dependencies]\n' },
    subject: 'Cargo.toml',
    message: /the bench target path "benches\/my bench\.rs"/,
  },
];

describe.each(CASES)('$name', ({ options, files, subject, message }) => {
  test(`is refused naming ${subject}, and nothing is written`, () => {
    const dir = tempDir();
    writeFiles(dir, files ?? {});
    const before = filesUnder(dir);
    let error: unknown;
    try {
      const project = new RustOperatorProject({ ...TEST_OPERATOR, ...options, outdir: dir } as RustOperatorProjectOptions);
      synthQuietly(project);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).subject).toBe(subject);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(`projen-rust-operator: ${subject}: `)).toBe(true);
    expect(filesUnder(dir)).toEqual(before);
  });
});

describe('JemallocDockerfile on its own', () => {
  const refuse = (create: (project: Project) => void): OptionError => {
    const dir = tempDir();
    let error: unknown;
    try {
      const project = new Project({ name: 'bare_operator', outdir: dir });
      create(project);
      synthQuietly(project);
    } catch (e) {
      error = e;
    }
    expect(filesUnder(dir)).toEqual([]);
    expect(error).toBeInstanceOf(OptionError);
    return error as OptionError;
  };

  test('an unknown allocator mode cast to AllocatorMode', () => {
    const error = refuse((project) => new JemallocDockerfile(project, { allocator: new Allocator({ mode: 'jemalloc-ish' as AllocatorMode }) }));
    expect(error.subject).toBe('allocator.mode');
  });

  test.each<[string, JemallocDockerfileOptions, string]>([
    ['builderImage', { builderImage: 'rust:1.75 AS evil' }, 'builderImage'],
    ['builderPackages', { builderPackages: ['a;b'] }, 'builderPackages'],
    ['compileTimeFiles', { compileTimeFiles: ['C:\\secrets'] }, 'compileTimeFiles'],
    ['runtimeUid', { runtimeUid: 0 }, 'runtimeUid'],
    ['gitTokenBuildSecretId', { gitTokenBuildSecretId: '' }, 'gitTokenBuildSecretId'],
  ])('%s', (_name, options, subject) => {
    expect(refuse((project) => new JemallocDockerfile(project, options)).subject).toBe(subject);
  });
});
