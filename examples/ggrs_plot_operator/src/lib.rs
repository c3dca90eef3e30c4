//! Plot rendering (the real repository holds the ggrs integration here).

/// The colour palettes compiled into the binary.
pub const PALETTES: &str = include_str!("../palettes.json");
