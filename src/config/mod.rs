//! Rollout policies: Kurator's `Application` rollout schema (or a bare rollout block) read from
//! files, checked against the schema, validated, with every problem located by file, line,
//! column and field path.

pub mod diagnostics;
pub mod kurator;
pub mod load;
pub mod model;
pub mod schema;
pub mod validate;
pub mod yaml;

pub use diagnostics::{Diagnostic, Severity};
pub use load::{Input, Policy, load_policies};

#[cfg(test)]
mod mutation_tests;
