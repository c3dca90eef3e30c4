// Public (jsii) API of projen-rust-operator: the project type, its constructs and their value
// types. Everything else is internal.
export * from './core/allocator';
export * from './core/submodules';
export * from './project/rust-operator-project';
import './core/error-reporter';
export * from './cargo';
export * from './plan/base-image';
export * from './plan/image-platforms';
export * from './plan/release-policy';
export * from './docker/dockerfile';
export * from './docker/dockerfile-instruction';
export * from './docker/dockerignore';
export * from './docker/jemalloc-dockerfile';
export * from './docs/operator-docs';
export * from './drift/drift-task';
export * from './github/cargo-dependabot';
export * from './github/ghcr-release-workflow';
export * from './github/github-release-job';
export * from './github/operator-install-test-job';
export * from './github/operator-upgrade-workflow';
export * from './github/operator-workflow';
export * from './github/pinned-actions';
export * from './github/trivy-scan-job';
export * from './tercen/operator-json';
export * from './tercen/operator-manifest';
export * from './toolchain/operator-node-package';
export * from './toolchain/rust-toolchain-file';
