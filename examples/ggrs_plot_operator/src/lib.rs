//! Plot rendering (the real repository holds the ggrs integration here).

/// The plot formats the operator renders.
pub const FORMATS: &[&str] = &["png", "svg"];
