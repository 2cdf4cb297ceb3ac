//! Flagger's API (`flagger.app/v1beta1`) and the facts about it the tool reasons with.

pub mod crds;
pub mod gates;
pub mod routing;
pub mod schemas;
pub mod types;

pub use types::{AlertProvider, Canary, CanarySpec, CanaryStatus, MetricTemplate};
