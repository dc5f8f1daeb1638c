//! Pieces shared by the pages, one per file: [`nav`] (the top navigation), [`crash`] (a panic becomes a visible
//! message, never a blank page), [`badges`] (severity, band and environment chips), [`empty`] (what a page says before anything is loaded)
//! [`source`] (where a fact was read), [`search`] (the search boxes' handler), [`dates`] (the audit date and the baseline's date)
//! and [`choices`] (several values for one filter).

pub mod badges;
pub mod choices;
pub mod crash;
pub mod dates;
pub mod empty;
pub mod nav;
pub mod search;
pub mod source;
