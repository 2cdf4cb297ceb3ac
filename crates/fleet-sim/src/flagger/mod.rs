//! Flagger and its load tester, simulated: a pure state machine that follows Flagger 1.44's tick
//! procedure (`machine`), the controller that runs it against a simulated cluster's objects
//! (`controller`), and the load tester's HTTP API (`loadtester`).

pub mod configs;
pub mod controller;
pub mod hash;
pub mod loadtester;
pub mod machine;
pub mod messages;
pub mod metrics;
pub mod recorder;
pub mod routing;
pub mod workload;
