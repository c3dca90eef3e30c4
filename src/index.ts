// Public exports of projen-rust-operator. Each module is one construct or model.
export {};
