//! Connecting to a fleet: kubeconfig loading as kubectl does it, target selection, one client per
//! cluster built up front, and a concurrent fan-out with per-cluster timeouts.

pub mod apply;
pub mod conflict;
pub mod connect;
pub mod error;
pub mod fanout;
pub mod handshake;
pub mod kubeconfig;
pub mod kurator;
pub mod ownership;
pub mod request_timeout;
pub mod request_trace;
pub mod retry;
pub mod source;
pub mod targets;
pub mod transport;

pub use connect::{ClusterHandle, ConnectOptions, Fleet};
pub use error::ClusterError;
pub use fanout::ClusterOutcome;
pub use targets::{Selection, Target};
