//! The viewer's pages, one per file: [`load`] (drop files, summary, reconciliation), [`identities`] (the virtualised
//! table) and [`identity`] (one identity in full). Dashboard, frameworks, findings and compare pages join here.

pub mod compare;
pub mod dashboard;
pub mod export;
pub mod findings;
pub mod frameworks;
pub mod identities;
pub mod identity;
pub mod load;
