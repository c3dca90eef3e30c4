// Compiles the operator's protobuf definitions (tonic-build) in the real repository.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
}
