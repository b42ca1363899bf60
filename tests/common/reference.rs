//! What the differential tests of the verified and introspection paths share: a seeded
//! generator, the reference's Python, and running one of its scripts on a JSON spec.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// xorshift64*: enough for drawing cases, and the same on every machine.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub(crate) fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `REFERENCE_PYTHON`, else the venv `scripts/reference-venv.sh` makes, when it is there.
pub(crate) fn reference_python() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var_os("REFERENCE_PYTHON").map_or_else(
        || root.join("target/reference-venv/bin/python"),
        PathBuf::from,
    );
    python.exists().then_some(python)
}

/// `DIFFERENTIAL_SEED`, else one from the clock (printed by the caller, for a replay).
pub(crate) fn seed() -> u64 {
    std::env::var("DIFFERENTIAL_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| now().unsigned_abs() % 1_000_000 + 1)
}

/// Runs `scripts/<script>` with the reference's Python on `spec` (its stdin), and reads its
/// JSON stdout.
pub(crate) async fn run_reference(python: PathBuf, script: &str, spec: Value) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(script);
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        std::io::Write::write_all(&mut stdin, spec.to_string().as_bytes()).unwrap();
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "the reference's script failed");
        serde_json::from_slice(&output.stdout).unwrap()
    })
    .await
    .unwrap()
}

/// How many times each name occurs, in order of first occurrence.
pub(crate) fn tally<'a>(names: &[&'a str]) -> Vec<(&'a str, usize)> {
    let mut named: Vec<(&str, usize)> = Vec::new();
    for name in names {
        match named.iter_mut().find(|(n, _)| n == name) {
            Some((_, count)) => *count += 1,
            None => named.push((name, 1)),
        }
    }
    named
}
