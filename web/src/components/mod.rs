//! Pieces shared by the pages, one per file: [`nav`] (the top navigation), [`crash`] (a panic becomes a visible
//! message, never a blank page), [`badges`] (severity, band and environment chips) and [`source`] (where a fact was
//! read).

pub mod badges;
pub mod crash;
pub mod nav;
pub mod source;
