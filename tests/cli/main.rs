//! Integration tests: the real binary (and real kubectl) against simulated clusters.
//! One test binary with modules per area keeps link time down.

mod support;

mod bad_input;
mod check_loadtester;
mod check_needs;
mod clusters;
mod conflicts;
mod control;
mod crd_fidelity;
mod daemonset;
mod dashboard;
mod exit_contract;
mod flagger_events;
mod flagger_sim;
mod flagger_status;
mod hub_dry_run;
mod hub_truth;
mod identity;
mod install;
mod install_names;
mod interrupt;
mod kubectl;
mod kubectl_ownership;
mod kubectl_proxy;
mod kubectl_reads;
mod kubectl_workloads;
mod kubectl_writes;
mod kurator;
mod kurator_fidelity;
mod live;
mod live_keys;
mod output_truth;
mod packaging;
mod pending;
mod playground;
mod promises;
mod python_client;
mod rollout_policy;
mod security;
mod start_apply;
mod uninstall_finalizers;
mod version_server;
