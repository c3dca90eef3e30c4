/**
 * Test-only infrastructure for REAL image builds of generated Dockerfiles with buildah
 * (run by `npm run test:image`, not by `npm test`). See README.md beside this file.
 */
export * from './exec';
export * from './buildah';
export * from './cargo-stub';
export * from './standins';
export * from './crate-sources';
export * from './distroless-standin';
export * from './jemalloc-stats';
