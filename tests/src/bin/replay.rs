//! `replay PATH...`: replays conformance scenario files (or directories of
//! them) through scope's runtime; prints each failing scenario with its first
//! differing result and ends with `N passed, M failed`. Exit status 1 if any
//! scenario failed.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use scope_tests::{collect_scenario_files, replay_file};

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.is_empty() {
        eprintln!("usage: replay PATH... (scenario files or directories of them)");
        return ExitCode::from(2);
    }
    let files = match collect_scenario_files(&args) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("replay: {e}");
            return ExitCode::from(2);
        }
    };
    // Scenario panics are caught and reported; keep the default hook quiet.
    std::panic::set_hook(Box::new(|_| {}));
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &files {
        let outcome = replay_file(file);
        match outcome.result {
            Ok(()) => passed += 1,
            Err(why) => {
                failed += 1;
                println!("FAIL {} ({})\n  {}", outcome.name, file.display(), why);
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
