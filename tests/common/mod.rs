//! Helpers shared by the integration tests that run the real binary (`tests/cli.rs`,
//! `tests/robustness.rs`). Each test file uses a different subset.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::PathBuf;

pub const BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary under test, run from the repository root.
pub fn riposte() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_riposte"));
    c.current_dir(root());
    c
}

pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = riposte().args(args).output().expect("run riposte");
    Run {
        code: out.status.code().expect("riposte killed by a signal"),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
