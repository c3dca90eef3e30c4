// Public API of projen-rust-operator: one export per construct or model.
import './core/error-reporter';
export * from './allocator';
export * from './rust-operator-project';
export * from './cargo';
export * from './docker/dockerfile';
export * from './docker/dockerfile-instruction';
export * from './docker/dockerignore';
export * from './docker/jemalloc-dockerfile';
export * from './drift/drift-task';
export * from './github/cargo-dependabot';
export * from './github/ghcr-release-workflow';
export * from './github/operator-install-test-job';
export * from './github/pinned-actions';
export * from './github/trivy-scan-job';
export * from './tercen/operator-json';
export * from './tercen/operator-docs';
export * from './tercen/operator-manifest';
export * from './toolchain/operator-node-package';
