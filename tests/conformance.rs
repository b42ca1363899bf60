//! Every case of the conformance vectors, produced by running the Python reference.
//!
//! The files are `../shared/conformance/vectors.json` beside the repository (or the one named by
//! `CONFORMANCE_VECTORS`), then this repository's `tests/vectors/*.json`. Each failing case is named with what differed; the last line is
//! `conformance: N passed, M failed`. Sections missing from a file are skipped; unknown
//! sections fail, so a new family of cases cannot pass unnoticed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Map, Value};

#[path = "common/vectors.rs"]
mod vectors;

fn main() -> ExitCode {
    let shared = std::env::var_os("CONFORMANCE_VECTORS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/vectors.json"),
        PathBuf::from,
    );
    // The reference's vectors, then this repository's own (tests/vectors/: the deliberate
    // divergences and their neighbours, each with what the reference does).
    let mut files = vec![shared];
    let own = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut own_files: Vec<PathBuf> = std::fs::read_dir(&own)
        .map(|dir| dir.filter_map(|entry| Some(entry.ok()?.path())).collect())
        .unwrap_or_default();
    own_files.retain(|path| path.extension().is_some_and(|ext| ext == "json"));
    own_files.sort();
    files.extend(own_files);

    let (mut passed, mut failed) = (0, 0);
    for path in &files {
        if let Err(message) = run_file(path, &mut passed, &mut failed) {
            eprintln!("conformance: {message}");
            return ExitCode::FAILURE;
        }
    }
    println!("conformance: {passed} passed, {failed} failed");
    if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Checks every case of one vectors file.
fn run_file(path: &std::path::Path, passed: &mut usize, failed: &mut usize) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        format!(
            "cannot read the vectors file {} ({err}); set CONFORMANCE_VECTORS to its path",
            path.display()
        )
    })?;
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    deserializer.disable_recursion_limit();
    let vectors: Map<String, Value> = serde::Deserialize::deserialize(&mut deserializer)
        .map_err(|err| format!("{} is not a JSON object: {err}", path.display()))?;
    for (section, cases) in &vectors {
        let check = match vectors::checker(section) {
            Some(Some(check)) => check,
            Some(None) => continue,
            None => {
                eprintln!("FAIL section {section}: no checker for this section");
                *failed += 1;
                continue;
            }
        };
        for case in cases.as_array().into_iter().flatten() {
            let name = case.get("name").and_then(Value::as_str).unwrap_or("?");
            match check(case) {
                Ok(()) => *passed += 1,
                Err(diff) => {
                    *failed += 1;
                    eprintln!("FAIL {section}/{name}: {diff}");
                }
            }
        }
    }
    if let Some(namespace) = vectors.get("namespace").and_then(Value::as_str) {
        if namespace == axum_userinfo::identity::USER_ID_NAMESPACE.to_string() {
            *passed += 1;
        } else {
            *failed += 1;
            eprintln!(
                "FAIL namespace: expected {namespace}, have {}",
                axum_userinfo::identity::USER_ID_NAMESPACE
            );
        }
    }
    Ok(())
}
