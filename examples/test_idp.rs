//! The test kit's identity provider as a process, for load tests of verified tokens
//! (`benches/load.sh`): serves OIDC discovery and a JWKS on 127.0.0.1, writes its issuer and
//! `--tokens N` distinct RS256 tokens (one an hour valid, audience `api`; with
//! `--claim-bytes B`, each with a `pad` claim of B bytes) to `--out DIR` (`issuer`, `tokens`),
//! and runs until interrupted.
//!
//! ```text
//! cargo run --release --example test_idp --features test-util -- --tokens 1000 --out target/load
//! ```
//!
//! Its keys are public (they are in the crate's source): never trust them outside tests.

use std::path::PathBuf;

use axum_userinfo::test_util::TestIdp;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut tokens, mut out) = (1000usize, PathBuf::from("target/load"));
    let mut claim_bytes = 0usize;
    while let Some(arg) = args.next() {
        let value = args.next();
        match (arg.as_str(), value) {
            ("--tokens", Some(n)) => tokens = n.parse().map_err(std::io::Error::other)?,
            ("--out", Some(dir)) => out = dir.into(),
            ("--claim-bytes", Some(n)) => claim_bytes = n.parse().map_err(std::io::Error::other)?,
            _ => {
                eprintln!("usage: test_idp [--tokens N] [--claim-bytes B] [--out DIR]");
                std::process::exit(2);
            }
        }
    }
    let idp = TestIdp::start().await;
    let pad = "p".repeat(claim_bytes);
    let minted: Vec<String> = (0..tokens)
        .map(|i| {
            let mut token = idp.token().subject(&format!("user-{i}")).audience("api");
            if claim_bytes > 0 {
                token = token.claim("pad", pad.as_str());
            }
            token.expires_in(3600).sign()
        })
        .collect();
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("tokens"), minted.join("\n") + "\n")?;
    std::fs::write(out.join("issuer"), idp.issuer())?; // written last: the tokens are ready
    println!("{}", idp.issuer());
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}
