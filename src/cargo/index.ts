// Public (jsii) exports of the Cargo.toml part. managed-toml and profile-rules are internal.
export * from './cargo-manifest';
export * from './cargo-profile';
export * from './cargo-target';
export * from './cargo-package';
