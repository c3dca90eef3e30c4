//! ggrs_plot_operator: a Tercen operator.
//!
//! Tercen starts the container as
//! `ggrs_plot_operator --taskId <id> --serviceUri <uri> --token <token>`.
//! The flags are mapped to the `TERCEN_*` variables the SDK reads; unknown flags are ignored.

use std::env;
use std::process::ExitCode;

#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Tercen's command-line flags and the variables they set.
const TERCEN_FLAGS: [(&str, &str); 3] = [
    ("--taskId", "TERCEN_TASK_ID"),
    ("--serviceUri", "TERCEN_URI"),
    ("--token", "TERCEN_TOKEN"),
];

/// Returns the `(variable, value)` pairs for the Tercen flags found in `args`
/// (`--flag value` or `--flag=value`).
fn tercen_variables(args: &[String]) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let (flag, inline_value) = match args[i].split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_string())),
            None => (args[i].as_str(), None),
        };
        let mut step = 1;
        if let Some((_, variable)) = TERCEN_FLAGS.iter().find(|(name, _)| *name == flag) {
            let value = match inline_value {
                Some(value) => Some(value),
                None => {
                    step = 2;
                    args.get(i + 1).cloned()
                }
            };
            if let Some(value) = value {
                found.push((*variable, value));
            }
        }
        i += step;
    }
    found
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    for (variable, value) in tercen_variables(&args) {
        env::set_var(variable, value);
    }
    let task_id = match env::var("TERCEN_TASK_ID") {
        Ok(task_id) if !task_id.is_empty() => task_id,
        _ => {
            eprintln!(
                "error: TERCEN_TASK_ID is not set. Tercen starts this operator with --taskId <id> --serviceUri <uri> --token <token>."
            );
            return ExitCode::from(1);
        }
    };
    let uri = env::var("TERCEN_URI").unwrap_or_default();
    let token_set = env::var("TERCEN_TOKEN").is_ok_and(|token| !token.is_empty());
    println!("TERCEN_TASK_ID={task_id} TERCEN_URI={uri} TERCEN_TOKEN set={token_set}");
    // The operator's work starts here.
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(values: &[&str]) -> Vec<String> {
        values.iter().map(|value| value.to_string()).collect()
    }

    #[test]
    fn maps_tercen_flags_and_ignores_others() {
        let found = tercen_variables(&args(&[
            "--taskId",
            "t1",
            "--verbose",
            "--serviceUri=https://tercen.com",
            "--token",
            "secret",
        ]));
        assert_eq!(
            found,
            vec![
                ("TERCEN_TASK_ID", "t1".to_string()),
                ("TERCEN_URI", "https://tercen.com".to_string()),
                ("TERCEN_TOKEN", "secret".to_string()),
            ]
        );
    }

    #[test]
    fn a_flag_without_value_sets_nothing() {
        assert!(tercen_variables(&args(&["--taskId"])).is_empty());
    }
}
