//! Local runs: reads WORKFLOW_ID and STEP_ID instead of a Tercen task.
fn main() {
    let workflow = std::env::var("WORKFLOW_ID").unwrap_or_default();
    let step = std::env::var("STEP_ID").unwrap_or_default();
    println!("dev run of workflow {workflow} step {step}");
}
