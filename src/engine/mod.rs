//! The fleet engine: the only caller of the fan-out. Reads and watches the fleet, plans and
//! runs actions, releases, applies policies, installs Flagger.

pub mod actions;
pub mod apply;
pub mod inputs;
pub mod live;
pub mod names;
pub mod policies;
pub mod release;
pub mod setup;
