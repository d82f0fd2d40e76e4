//! Records the compiler version, the git commit and the profile for the report's `env` block.

use std::path::Path;
use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = output(Command::new(rustc).arg("--version")).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=CONCBENCH_RUSTC={version}");

    let sha = output(Command::new("git").args(["rev-parse", "--short=12", "HEAD"]));
    // `--no-optional-locks`: a plain `git status` refreshes and rewrites .git/index, which this
    // script watches, so the next cargo invocation (the runner's own build of the models, or the
    // tests) would run it again and recompile every crate above core for nothing.
    let dirty = output(Command::new("git").args([
        "--no-optional-locks",
        "status",
        "--porcelain",
        "--untracked-files=no",
    ]))
    .is_some_and(|s| !s.is_empty());
    let sha = match sha {
        Some(sha) if dirty => format!("{sha}-dirty"),
        Some(sha) => sha,
        None => "unknown".into(),
    };
    println!("cargo:rustc-env=CONCBENCH_GIT_SHA={sha}");

    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=CONCBENCH_PROFILE={profile}");

    // Rerun when the commit moves: HEAD names the branch, refs/ holds where it points (a folder
    // is scanned whole), the index changes with every commit and `git add`. Only existing paths
    // are named, since a missing one would rerun this script on every build.
    let git = Path::new("../../.git");
    for file in ["HEAD", "refs", "packed-refs", "index"] {
        if git.join(file).exists() {
            println!("cargo:rerun-if-changed=../../.git/{file}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok().filter(|o| o.status.success())?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
