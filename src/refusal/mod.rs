//! The refusal of a request, built once, from the resolver's configuration: its status, every
//! `WWW-Authenticate` challenge, its other headers and its body. The adapters (the layer, the
//! extractors, guards, the WebSocket reply) only send it, so one credential gets one answer
//! whichever refused it.
//!
//! | file | concern |
//! | --- | --- |
//! | `challenges.rs` | which schemes a resolver offers, and their parameters (`algs`, `resource_metadata`) |
//! | `answer.rs` | [`Refusal`]: status, headers and body of one refusal |

mod answer;
mod challenges;

pub use answer::{Reason, Refusal};
pub use challenges::Challenges;
