//! Actions on a fleet built from the layers below: reading what rendering needs from a cluster,
//! and applying rendered policies.

pub mod apply;
pub mod control;
pub mod facts;
pub mod hub_watch;
pub mod snapshot;
pub mod start;
pub mod watch;
