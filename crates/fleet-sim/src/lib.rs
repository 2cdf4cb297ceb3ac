//! A simulated Kubernetes fleet for tests, `playground` and `demo`: an API server emulator per
//! cluster (served in-process or on 127.0.0.1), users, impersonation and RBAC from the stored roles and bindings, and fault injection.

pub mod api;
pub mod audit;
pub mod auth;
pub mod builtin;
pub mod cluster;
pub mod controllers;
pub mod core;
pub mod crd;
pub mod discovery;
pub mod error;
pub mod events;
pub mod faults;
pub mod flagger;
pub mod jsonpath;
pub mod kurator;
pub mod managed;
pub mod meta;
pub mod openapi;
pub mod options;
pub mod patch;
pub mod playground;
pub mod protobuf;
pub mod proxy;
pub mod rbac;
pub mod resource;
pub mod reviews;
pub mod sample;
pub mod scale;
pub mod selector;
pub mod server;
pub mod store;
pub mod table;
pub mod validation;

pub use auth::{Rule, User};
pub use cluster::{InProcess, SimCluster};
// The kubeconfig a playground writes is printed with the YAML printer the plugin uses.
pub use apimachinery::to_yaml;
pub use playground::{KubeconfigEntry, Playground, PlaygroundOptions, kubeconfig, member_name};
pub use proxy::{ProxyHandler, ProxyRequest, ProxyResponse};
pub mod tls;
