//! What both sides of the Kubernetes API share, named after Kubernetes' own `k8s.io/apimachinery`:
//! the plugin checks user input against CRD schemas and prints YAML and ages as kubectl does, and
//! the simulated API server (`fleet-sim`) validates and answers with the same rules. Kept apart
//! from both so the plugin builds without its simulator.

pub mod duration;
pub mod field;
pub mod schema;
pub mod yaml;

pub use duration::human_duration;
pub use field::FieldError;
pub use yaml::to_yaml;
