/** Project files the Dockerfile tests synthesize against. */

/** A crate with a library, two binaries, a bench outside src/ and a declared build script. */
export const SHAPES_CARGO_TOML = `[package]
name = "shape_operator"
version = "0.2.0"
edition = "2021"
build = "build.rs"

[lib]
name = "shape_core"
path = "src/lib.rs"

[[bin]]
name = "shape_operator"
path = "src/main.rs"

# Local runs without Tercen
[[bin]]
name = "dev"
path = "src/bin/dev.rs"

[[bench]]
name = "throughput"
path = "perf/throughput.rs"
harness = false

[dependencies]
`;

/** Sources of SHAPES_CARGO_TOML that prove at run time that the real code was built, not a stub. */
export const SHAPES_SOURCES: { [file: string]: string } = {
  'src/lib.rs': 'pub fn answer() -> u32 { 42 }\n',
  'src/main.rs': [
    'const MANIFEST: &str = include_str!("../operator.json");',
    'fn main() {',
    '    println!("real main answer={} build={} manifest={}", shape_core::answer(), env!("SHAPE_BUILD"), MANIFEST.len() > 0);',
    '}',
    '',
  ].join('\n'),
  'src/bin/dev.rs': 'fn main() { println!("dev answer={}", shape_core::answer()); }\n',
  'perf/throughput.rs': 'fn main() {}\n',
  'build.rs': 'fn main() { println!("cargo:rustc-env=SHAPE_BUILD=real"); println!("cargo:rerun-if-changed=build.rs"); }\n',
};
