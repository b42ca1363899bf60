//! A program from Debian's packages, installed with apt when the machine lacks it (tests run
//! in parallel, and two apt-gets at once fail on apt's lock: one at a time).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, PoisonError};

/// The first of `paths` that exists, after `apt-get install package` when none does.
pub(crate) fn binary(package: &str, paths: &[&str]) -> PathBuf {
    static APT: Mutex<()> = Mutex::new(());
    let _one_at_a_time = APT.lock().unwrap_or_else(PoisonError::into_inner);
    let found = || paths.iter().map(PathBuf::from).find(|path| path.exists());
    if let Some(path) = found() {
        return path;
    }
    for args in [&["update", "-qq"][..], &["install", "-y", "-qq", package]] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .expect("apt-get runs");
        assert!(status.success(), "apt-get {args:?} failed");
    }
    found().unwrap_or_else(|| panic!("{package} is installed"))
}
