//! Idlens core: turns the bytes of exported cloud inventory files into facts an auditor can use.
//!
//! # Brief overview
//!
//! - [`sniff`] decides a file's encoding and container (JSON array, JSON object, CSV, zip) from its first bytes,
//!   never from its name.
//! - [`text`] turns UTF-16 and BOM-prefixed input into plain UTF-8, chunk by chunk.
//! - [`frame`] splits a JSON stream into records (array elements, envelope `value`/`data` elements, concatenated
//!   documents, NDJSON lines) without holding the whole file, remembering each record's byte offset and line.
//! - [`catalog`] holds the 35 checks of CONTROLS.md §8 (documented once) and [`frameworks`] the valid control ids;
//!   [`checks::evaluate`] runs them over a snapshot under a [`policy::Policy`] at an as-of instant, [`score`] turns
//!   findings into per-identity risk and framework posture, and [`remediate::plan`] ranks fixes by re-scoring.
//!
//! **Architecture invariant:** this crate does no I/O, touches no DOM and reads no clock. Callers hand it bytes and,
//! where time matters, the "as of" instant. It builds unchanged for `wasm32-unknown-unknown` and natively.

pub mod catalog;
pub mod charts;
pub mod checks;
pub mod diff;
pub mod digest;
pub mod export;
pub mod findings;
pub mod frame;
pub mod frameworks;
pub mod generate;
pub mod ids;
pub mod ingest;
pub mod model;
pub mod order;
pub mod policy;
pub mod pseudo;
pub mod remediate;
pub mod report;
pub mod score;
pub mod sniff;
mod swar;
pub mod text;
pub mod time;
pub mod view;
