//! The scenario runner: runs scenario files and says which pass.
//!
//! ```text
//! cargo run --example scenario -- path/to/scenario.toml [more files or folders]
//! ```
//!
//! Each argument is a scenario file (`.toml` or `.json`) or a folder whose
//! scenario files run in name order. Without arguments it runs the
//! scenarios in `examples/scenarios/`. It prints one line per scenario, the
//! failed checks under it, and `N passed, M failed`; it exits with status 1
//! when any scenario fails or cannot be read. The format is documented in
//! `loyalty::scenario`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use loyalty::scenario::{Report, ScenarioError, run_file};

/// The runner is the one place that reads files: the library reads none.
#[allow(clippy::disallowed_methods)]
fn read(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// The scenario files an argument names: the file, or a folder's `.toml`
/// and `.json` files in name order.
fn scenario_files(argument: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !argument.is_dir() {
        return Ok(vec![argument.to_owned()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(argument)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|path| {
        path.is_file() && path.extension().is_some_and(|e| e == "toml" || e == "json")
    });
    files.sort();
    Ok(files)
}

fn line(path: &Path, outcome: &Result<Report, ScenarioError>) -> String {
    match outcome {
        Ok(report) if report.passed() => format!(
            "ok   {}: {} ({} steps, {} checks)",
            path.display(),
            report.name,
            report.steps,
            report.checks.len()
        ),
        Ok(report) => {
            let mut text = format!(
                "FAIL {}: {} ({} of {} checks failed)",
                path.display(),
                report.name,
                report.failures().count(),
                report.checks.len()
            );
            for check in report.failures() {
                text.push_str(&format!("\n     {check}"));
            }
            text
        }
        Err(error) => format!("FAIL {error}"),
    }
}

fn main() -> ExitCode {
    let mut arguments: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if arguments.is_empty() {
        let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
        // Shown relative to where the runner was started, when it can be.
        let here = std::env::current_dir().unwrap_or_default();
        arguments.push(match bundled.strip_prefix(&here) {
            Ok(relative) => relative.to_owned(),
            Err(_) => bundled,
        });
    }
    let (mut passed, mut failed) = (0_usize, 0_usize);
    for argument in &arguments {
        let files = match scenario_files(argument) {
            Ok(files) => files,
            Err(error) => {
                println!("FAIL {}: cannot read: {error}", argument.display());
                failed += 1;
                continue;
            }
        };
        for path in files {
            let outcome = run_file(&path, read);
            println!("{}", line(&path, &outcome));
            match outcome {
                Ok(report) if report.passed() => passed += 1,
                _ => failed += 1,
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
