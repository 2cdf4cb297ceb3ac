//! Pure state → text: tables and (later) progress bars and transition lines. No I/O here.

pub mod actions;
pub mod canaries;
pub mod color;
pub mod detail;
pub mod diff;
pub mod jsonpath;
pub mod live;
pub mod policies;
pub mod progress;
pub mod release;
pub mod setup;
pub mod table;
pub mod terminal;
