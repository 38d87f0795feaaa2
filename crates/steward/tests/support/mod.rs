//! Runs the real `steward` binary, as a user would.

#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Fails with everything printed unless the command exited 0.
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        self
    }

    /// Asserts a failure with exit `code` and exactly one stderr line containing `needle`.
    pub fn fails(self, code: i32, needle: &str) -> Self {
        assert_eq!(self.code, code, "exit code\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        assert!(self.stderr.contains(needle), "stderr should mention {needle:?}: {}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "panicked: {}", self.stderr);
        if code == 1 {
            assert_eq!(self.stderr.trim_end().lines().count(), 1, "one line on stderr: {}", self.stderr);
            assert!(self.stdout.is_empty(), "nothing on stdout: {}", self.stdout);
        }
        self
    }
}

pub fn steward(data_dir: &Path, args: &[&str]) -> Outcome {
    steward_with_input(data_dir, args, "")
}

pub fn steward_with_input(data_dir: &Path, args: &[&str], stdin: &str) -> Outcome {
    steward_full(data_dir, args, stdin, &[])
}

/// Runs steward with extra environment variables.
pub fn steward_env(data_dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Outcome {
    steward_full(data_dir, args, "", env)
}

fn steward_full(data_dir: &Path, args: &[&str], stdin: &str, env: &[(&str, &Path)]) -> Outcome {
    let mut command = Command::new(env!("CARGO_BIN_EXE_steward"));
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("STEWARD_DATABASE_URL")
        .env_remove("STEWARD_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run steward");
    // The command may exit before reading its input (e.g. on a bad argument): ignore a broken pipe.
    let _ = child.stdin.take().expect("stdin").write_all(stdin.as_bytes());
    let out = child.wait_with_output().expect("wait for steward");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every file below `dir`, at any depth.
pub fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { stack.push(path) } else { files.push(path) }
        }
    }
    files
}
