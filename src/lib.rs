//! kubectl-kurator-rollout: drive Flagger canaries across a fleet of Kubernetes clusters.
//!
//! The binary is a thin shell (`main.rs`); everything lives here so integration tests and
//! benchmarks can reach the layers directly. Pure logic (`view`, target selection) is kept apart
//! from I/O (`fleet` connection and fan-out, `commands`).

pub mod cli;
pub mod commands;
pub mod completion;
pub mod config;
pub mod confirm;
pub mod dashboard;
pub mod engine;
pub mod exit;
pub mod flagger;
pub mod fleet;
pub mod install;
pub mod interrupt;
pub mod invocation;
pub mod kurator;
pub mod model;
pub mod output;
#[cfg(feature = "playground")]
pub mod playground;
pub mod render;
pub mod tui;
pub mod view;
