//! The Kurator hub, pure: what the user's files hold for it (Applications), what the Fleet's
//! plugin asks Kurator to install, and what that means for the rollouts aimed at the Fleet.

pub mod application;
pub mod plugin;
pub mod rollouts;
