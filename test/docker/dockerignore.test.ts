/**
 * The .dockerignore matcher against Docker's documented rules (docs.docker.com, "Dockerignore
 * files", and github.com/moby/patternmatcher), then the owned .dockerignore: exclusions by
 * default, and exceptions for every path the build reads whatever exclusions are added.
 * (@balena/dockerignore is not installed, so the cases come from the documentation.)
 */
import { bareProject, synthBare } from './support';
import { coveredBy, dockerignoreExcludes, OperatorDockerignore } from '../../src/docker/dockerignore';
import { synthOperator, synthQuietly } from '../support/synth';

/** [.dockerignore lines, path, excluded?] */
const DOCUMENTED: [string[], string, boolean][] = [
  // `*/temp*`: names starting with temp in any immediate subdirectory of the root.
  [['*/temp*'], 'somedir/temporary.txt', true],
  [['*/temp*'], 'somedir/temp', true],
  [['*/temp*'], 'somedir/temp/inner.txt', true],
  [['*/temp*'], 'temporary.txt', false],
  [['*/temp*'], 'somedir/subdir/temporary.txt', false],
  // `*/*/temp*`: two levels below the root.
  [['*/*/temp*'], 'somedir/subdir/temporary.txt', true],
  [['*/*/temp*'], 'somedir/temporary.txt', false],
  // `temp?`: one-character extension of temp, in the root.
  [['temp?'], 'tempa', true],
  [['temp?'], 'tempb', true],
  [['temp?'], 'temp', false],
  [['temp?'], 'tempab', false],
  [['temp?'], 'dir/tempa', false],
  // `**` matches any number of directories, including zero.
  [['**/*.go'], 'main.go', true],
  [['**/*.go'], 'a/b/c.go', true],
  [['**/*.go'], 'main.gox', false],
  [['**/vendor'], 'vendor/x', true],
  [['**/vendor'], 'a/vendor', true],
  [['**'], 'anything/at/all', true],
  [['foo/**'], 'foo/x', true],
  [['foo/**'], 'foo/a/b', true],
  [['foo/**'], 'foobar', false],
  [['src/**/*.snap'], 'src/a/b/c.snap', true],
  [['src/**/*.snap'], 'src/c.snap', true],
  [['src/**/*.snap'], 'src/main.rs', false],
  // Plain patterns are anchored at the root and cover everything below a matching directory.
  [['*.md'], 'README.md', true],
  [['*.md'], 'docs/guide.md', false],
  [['target'], 'target/release/x', true],
  [['target'], 'src/target', false],
  [['target'], 'targets', false],
  // Exceptions: the last matching line wins.
  [['*.md', '!README.md'], 'README.md', false],
  [['*.md', '!README.md'], 'CHANGES.md', true],
  [['*.md', '!README*.md', 'README-secret.md'], 'README-secret.md', true],
  [['*.md', '!README*.md', 'README-secret.md'], 'README-public.md', false],
  [['*.md', '!README*.md', 'README-secret.md'], 'other.md', true],
  [['*.md', 'README-secret.md', '!README*.md'], 'README-secret.md', false],
  [['docs', '!docs/help.md'], 'docs/help.md', false],
  [['docs', '!docs/help.md'], 'docs/other.md', true],
  [['docs', '!docs'], 'docs/other.md', false],
  // Preprocessing: path cleaning, leading and trailing slashes, whitespace, comments.
  [['/foo/bar/'], 'foo/bar', true],
  [['/foo/bar/'], 'foo/bar/baz', true],
  [['./target'], 'target', true],
  [['a/../target'], 'target/x', true],
  [['  target  '], 'target', true],
  [['# target'], 'target', false],
  [['.'], 'anything', false],
  [['!'], 'anything', false],
  // Character classes and escapes.
  [['[a-c]at'], 'bat', true],
  [['[a-c]at'], 'dat', false],
  [['[^a]x'], 'bx', true],
  [['a\\*b'], 'a*b', true],
  [['a\\*b'], 'axb', false],
  [['file.txt'], 'fileXtxt', false],
  [['a+b'], 'a+b', true],
];

test.each(DOCUMENTED)('%j on %s: excluded %s', (lines, file, excluded) => {
  expect(dockerignoreExcludes(lines.join('\n'), file)).toBe(excluded);
});

test('coveredBy matches a path or one of its parent directories, one pattern at a time', () => {
  expect(coveredBy('operator.json', '**/*.json')).toBe(true);
  expect(coveredBy('protos/tercen.proto', 'protos')).toBe(true);
  expect(coveredBy('protos', 'protos/*.proto')).toBe(false);
  expect(coveredBy('./src/', 'src')).toBe(true);
  expect(coveredBy('src/main.rs', '*.rs')).toBe(false);
});

describe('OperatorDockerignore', () => {
  test('leaves out the usual clutter and local secrets, and nothing the build reads', () => {
    const text = synthOperator().read('.dockerignore');
    for (const file of ['.git/config', '.github/workflows/ci.yml', 'node_modules/x', 'target/release/x', 'docs/OPERATOR.md', 'tests/test.json', 'README.md', '.env', '.env.local', 'key.pem', '.projenrc.ts']) {
      expect([file, dockerignoreExcludes(text, file)]).toEqual([file, true]);
    }
    for (const file of ['Cargo.toml', 'Cargo.lock', 'src/main.rs', 'src/bin/dev.rs', 'operator.json', 'build.rs', 'protos/a.proto', 'palettes.json', 'Dockerfile']) {
      expect([file, dockerignoreExcludes(text, file)]).toEqual([file, false]);
    }
  });

  test('a required path an exclusion covers gets an exception after every exclusion', () => {
    const result = synthOperator({ compileTimeFiles: ['docs/help.md', 'tests/fixture.json', 'NOTICE.md'] }, {});
    const text = result.read('.dockerignore');
    expect(text.endsWith('# Read by the build; never excluded.\n!docs/help.md\n!tests/fixture.json\n!NOTICE.md\n')).toBe(true);
    for (const file of ['docs/help.md', 'tests/fixture.json', 'NOTICE.md']) {
      expect([file, dockerignoreExcludes(text, file)]).toEqual([file, false]);
    }
    expect(dockerignoreExcludes(text, 'docs/OPERATOR.md')).toBe(true);
  });

  test('added wildcard exclusions never hide what the build reads', () => {
    const { project } = bareProject();
    const ignore = new OperatorDockerignore(project, { extraExclusions: ['**/*.json', '**/*.proto', '*/temp*', 'src/**/*.snap', '**/build.rs'] });
    for (const file of ['protos', 'build.rs', 'palettes.json']) ignore.addRequiredPath(file);
    expect(ignore.exceptions).toEqual(['src', 'operator.json', 'protos', 'build.rs', 'palettes.json']);
    const text = synthBare(project, '.dockerignore');
    for (const file of ['operator.json', 'palettes.json', 'protos/a.proto', 'protos/temp.proto', 'src/temp.rs', 'build.rs', 'Cargo.toml', 'Cargo.lock']) {
      expect([file, dockerignoreExcludes(text, file)]).toEqual([file, false]);
    }
    // A deliberate exclusion inside a required folder stays, repeated after the exceptions.
    expect(text.endsWith('!palettes.json\n# Excluded inside those on purpose.\nsrc/**/*.snap\n')).toBe(true);
    expect(dockerignoreExcludes(text, 'src/__snapshots__/x.snap')).toBe(true);
    expect(dockerignoreExcludes(text, 'other/config.json')).toBe(true);
  });

  test('exclusions added from .projenrc.ts through the operator\'s Dockerfile are handled the same way', () => {
    const result = synthOperator({}, {});
    result.project.dockerfile.dockerignore.addExclusion('**/*.json');
    synthQuietly(result.project);
    const text = result.read('.dockerignore');
    expect(text).toContain('**/*.json\n# Read by the build; never excluded.\n!src\n!operator.json\n');
    expect(dockerignoreExcludes(text, 'operator.json')).toBe(false);
  });

  test('required paths are normalized and kept once; malformed patterns are refused', () => {
    const { project } = bareProject();
    const ignore = new OperatorDockerignore(project);
    ignore.addRequiredPath('./protos/');
    ignore.addRequiredPath('protos');
    expect(ignore.requiredPaths).toEqual(['Cargo.toml', 'Cargo.lock', 'src', 'operator.json', 'protos']);
    expect(() => ignore.addExclusion('a\nb')).toThrow(/single non-empty line/);
    expect(() => ignore.addExclusion('# comment')).toThrow(/not a comment/);
    expect(() => ignore.addExclusion('  ')).toThrow(/non-empty/);
  });
});
