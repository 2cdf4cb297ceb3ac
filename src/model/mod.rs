//! Pure model types, no I/O: what a canary is and how it stands (`canary`, `event`), the fleet folded
//! from updates (`fleet_state`, `update`), what an action would do (`plan`), a release's
//! waves and events (`release`), and the rows actions produce (`action_row`).

pub mod action_row;
pub mod canary;
pub mod event;
pub mod fleet_state;
pub mod pending;
pub mod plan;
pub mod policy;
pub mod release;
pub mod setup;
pub mod update;
pub mod verdict;
pub mod words;
