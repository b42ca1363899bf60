//! What a `MemoryReplayStore` costs per proof, measured as the growth of this process's
//! resident memory (`VmRSS`) while it takes 1,000,000 proofs (a test binary of its own, so no
//! other test allocates meanwhile). Its documentation says about 80 bytes a proof (about 80 MiB
//! at the default capacity of 1,000,000); this holds it to under 100.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![cfg(target_os = "linux")]

use std::time::Duration;

use axum_userinfo::dpop::{MemoryReplayStore, ProofRecord, ReplayStore};

/// The process's resident memory, in bytes.
fn resident() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test(flavor = "current_thread")]
async fn a_proof_costs_under_100_bytes() {
    const PROOFS: u64 = 1_000_000;
    let store = MemoryReplayStore::new().with_per_key_limit(usize::MAX);
    let before = resident();
    let ttl = Duration::from_secs(120);
    for n in 0..PROOFS {
        let mut key = [0_u8; 32];
        key[..8].copy_from_slice(&n.to_le_bytes());
        let holder = [(n % 251) as u8; 32];
        let proof = ProofRecord::new(&key, &holder, ttl);
        assert_eq!(store.first_use(proof).await, Ok(true));
    }
    let held = resident().saturating_sub(before);
    let per_proof = held as f64 / PROOFS as f64;
    eprintln!("replay_memory: {held} bytes for {PROOFS} proofs: {per_proof:.1} B a proof");
    assert!(per_proof < 100.0, "{per_proof:.1} bytes a proof");
    assert_eq!(store.len(), PROOFS as usize);
}
