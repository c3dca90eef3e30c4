/**
 * Custom base images by subclassing (the README example in ./tercen-base-dockerfile.ts), and the
 * rule that keeps builder and runtime on compatible Debian releases.
 */
import { Project } from 'projen';
import { DEFAULT_EXPECTATIONS, filesUnder, imageProblems, synthBare, bareProject } from './support';
import { TercenBaseDockerfile, TercenOperatorProject } from './tercen-base-dockerfile';
import { OptionError } from '../../src/core/errors';
import { JemallocDockerfile } from '../../src/docker/jemalloc-dockerfile';
import { BuilderBase, RuntimeBase } from '../../src/plan/base-image';
import { RustOperatorProject, RustOperatorProjectOptions } from '../../src/project/rust-operator-project';
import { attemptOperator, resultOf, synthOperator, synthQuietly, tempDir, TEST_OPERATOR } from '../support/synth';

/** Creates a project, records its warnings, synthesizes it. */
function synthWithWarnings<P extends Project>(create: (outdir: string) => P): { project: P; dir: string; warnings: string[] } {
  const dir = tempDir();
  const project = create(dir);
  const warnings: string[] = [];
  jest.spyOn(project.logger, 'warn').mockImplementation((...text: unknown[]) => {
    warnings.push(text.join(' '));
  });
  synthQuietly(project);
  return { project, dir, warnings };
}

describe('TercenBaseDockerfile through a RustOperatorProject subclass', () => {
  const { project, dir, warnings } = synthWithWarnings((outdir) => new TercenOperatorProject({ ...TEST_OPERATOR, outdir }));
  const result = resultOf(project, dir);
  const dockerfile = result.read('Dockerfile');

  test('the project uses the subclass', () => {
    expect(project.dockerfile).toBeInstanceOf(TercenBaseDockerfile);
    expect(JemallocDockerfile.of(project)).toBe(project.dockerfile);
    expect(dockerfile).toContain('FROM tercen/rust-operator-base:latest AS builder');
    expect(dockerfile).toContain('FROM tercen/runtime-base:latest AS runtime');
  });

  test('only the two FROM lines differ from the default Dockerfile', () => {
    const expected = synthOperator().read('Dockerfile')
      .replace('FROM rust:1.92-slim-bookworm AS builder', 'FROM tercen/rust-operator-base:latest AS builder')
      .replace('FROM debian:bookworm-slim AS runtime', 'FROM tercen/runtime-base:latest AS runtime');
    expect(dockerfile).toBe(expected);
  });

  test('the image is still sound', () => {
    expect(imageProblems(dockerfile, result.read('.dockerignore'), DEFAULT_EXPECTATIONS)).toEqual([]);
  });

  test('declaring the Debian release silences the unknown-release warning', () => {
    expect(warnings.filter((w) => /Debian/.test(w))).toEqual([]);
  });
});

describe('builder and runtime Debian releases', () => {
  const refuse = (options: Partial<RustOperatorProjectOptions>) => {
    const { error, dir } = attemptOperator(options);
    expect(filesUnder(dir)).toEqual([]);
    return error;
  };

  test('a builder on a newer release than the runtime is refused with a clear error, and nothing is written', () => {
    const error = refuse({ builderImage: 'rust:1.75-slim-trixie', runtimeImage: 'debian:bookworm-slim' });
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).subject).toBe('builderImage');
    expect((error as Error).message).toBe('projen-rust-operator: builderImage: "rust:1.75-slim-trixie" is Debian trixie but the runtime '
      + '"debian:bookworm-slim" is the older bookworm: the binary would need a newer glibc and fail at start-up with "GLIBC_2.xx not found". '
      + 'Use a bookworm builder (e.g. "rust:1.75-slim-bookworm") or a trixie runtime (e.g. "debian:trixie-slim"), '
      + 'or set allowNewerBuilderRelease if the binary is known not to need the newer glibc.');
    // Releases given by version number count too.
    expect(refuse({ builderImage: 'rust:1.75-slim-trixie', runtimeImage: 'gcr.io/distroless/cc-debian12' })).toBeInstanceOf(OptionError);
    expect(refuse({ builderImage: 'rust:1.75-slim-bookworm', runtimeImage: 'debian:11-slim' })).toBeInstanceOf(OptionError);
  });

  test('allowNewerBuilderRelease lets it through', () => {
    const result = synthOperator({ builderImage: 'rust:1.75-slim-trixie', dockerfileOptions: { allowNewerBuilderRelease: true } });
    expect(result.read('Dockerfile')).toContain('FROM rust:1.75-slim-trixie AS builder');
  });

  test('the same release, or an older builder, is accepted; the older builder with a warning', () => {
    const same = synthWithWarnings((outdir) => new RustOperatorProject({ ...TEST_OPERATOR, outdir, builderImage: 'rust:1.80-slim-trixie', runtimeImage: 'debian:trixie-slim' }));
    expect(same.warnings).toEqual([]);
    const older = synthWithWarnings((outdir) => new RustOperatorProject({ ...TEST_OPERATOR, outdir, builderImage: 'rust:1.75-slim-bullseye' }));
    expect(older.warnings).toEqual([expect.stringMatching(/"rust:1.75-slim-bullseye" \(Debian bullseye\) is older than runtimeImage "debian:bookworm-slim"/)]);
  });

  test('images whose tags do not say the release are accepted with a warning', () => {
    class CustomImages extends JemallocDockerfile {
      protected builderBase(): BuilderBase {
        return BuilderBase.custom('tercen/rust-operator-base:latest');
      }
      protected runtimeBase(): RuntimeBase {
        return RuntimeBase.custom('tercen/runtime-base:latest');
      }
    }
    class CustomProject extends RustOperatorProject {
      protected createDockerfile(options: object): JemallocDockerfile {
        return new CustomImages(this, options);
      }
    }
    const { warnings } = synthWithWarnings((outdir) => new CustomProject({ ...TEST_OPERATOR, outdir }));
    expect(warnings).toEqual([
      'Cannot tell which Rust builderImage "tercen/rust-operator-base:latest" carries; rust-toolchain.toml (CI) pins 1.92. Declare it with BuilderBase.custom(image, { rustVersion }) so both are checked to agree.',
      expect.stringMatching(/^Cannot tell whether builderImage "tercen\/rust-operator-base:latest" \(Debian release unknown\) and runtimeImage "tercen\/runtime-base:latest" \(Debian release unknown\) share a Debian release.*BuilderBase\.custom\(image, \{ debianRelease \}\) and RuntimeBase\.custom\(image, \{ debianRelease \}\)/),
    ]);
  });

  test('a subclass declaring releases is held to the same rule', () => {
    class NewerBuilder extends TercenBaseDockerfile {
      protected builderBase(): BuilderBase {
        return BuilderBase.custom(TercenBaseDockerfile.BUILDER_IMAGE, { debianRelease: 'trixie' });
      }
    }
    const { project, dir } = bareProject();
    new NewerBuilder(project);
    expect(() => synthQuietly(project)).toThrow(/builderImage: "tercen\/rust-operator-base:latest" is Debian trixie but the runtime "tercen\/runtime-base:latest" is the older bookworm/);
    expect(filesUnder(dir)).toEqual([]);
  });
});

test('a subclass may compute its images from its own fields: they are read after its constructor ran', () => {
  class Pinned extends JemallocDockerfile {
    constructor(project: Project, private readonly baseTag: string) {
      super(project, {});
    }
    protected builderBase(): BuilderBase {
      return BuilderBase.fromImage(`tercen/rust-operator-base:${this.baseTag}-bookworm`);
    }
  }
  const { project } = bareProject();
  new Pinned(project, '1.80');
  expect(synthBare(project)).toContain('FROM tercen/rust-operator-base:1.80-bookworm AS builder');
});

test('an invalid image from an overridden base is refused by option name before anything is written', () => {
  class Bad extends JemallocDockerfile {
    protected runtimeBase(): RuntimeBase {
      return RuntimeBase.fromImage('debian:bookworm-slim; rm -rf /');
    }
  }
  const { project, dir } = bareProject();
  new Bad(project);
  expect(() => synthQuietly(project)).toThrow(/runtimeImage: "debian:bookworm-slim; rm -rf \/" contains whitespace or shell metacharacters/);
  expect(filesUnder(dir)).toEqual([]);
});
