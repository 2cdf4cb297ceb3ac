//! Kurator's rollout schema (`Application.spec.syncPolicies[].rollout`, reference §2.2–§2.7) as
//! Rust types. Values reach these types only after the schema check, so unknown fields and wrong
//! types were already reported with their location.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RolloutConfig {
    pub test_loader: Option<bool>,
    pub traffic_routing_provider: String,
    pub workload: Workload,
    pub service_name: String,
    pub port: i64,
    pub primary: Option<CustomMetadata>,
    pub preview: Option<CustomMetadata>,
    pub rollout_policy: RolloutPolicy,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub name: String,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
pub struct CustomMetadata {
    pub labels: Option<BTreeMap<String, String>>,
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RolloutPolicy {
    pub traffic_routing: Option<TrafficRouting>,
    pub traffic_analysis: Option<TrafficAnalysis>,
    pub rollout_timeout_seconds: Option<i64>,
    pub skip_traffic_analysis: Option<bool>,
    pub revert_on_deletion: Option<bool>,
    pub suspend: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TrafficRouting {
    pub timeout_seconds: Option<i64>,
    pub gateways: Option<Vec<String>>,
    pub hosts: Option<Vec<String>>,
    pub retries: Option<Value>,
    pub headers: Option<Value>,
    pub cors_policy: Option<Value>,
    pub host: Option<String>,
    pub protocol: Option<String>,
    pub canary_strategy: Option<CanaryStrategy>,
    pub analysis_times: Option<i64>,
    #[serde(rename = "match")]
    pub match_: Option<Vec<Value>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStrategy {
    pub max_weight: Option<i64>,
    pub step_weight: Option<i64>,
    pub step_weights: Option<Vec<i64>>,
    pub step_weight_promotion: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TrafficAnalysis {
    pub check_interval_seconds: Option<i64>,
    pub check_failed_times: Option<i64>,
    pub metrics: Option<Vec<Metric>>,
    pub webhooks: Option<Webhooks>,
    pub session_affinity: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    pub name: String,
    pub interval_seconds: Option<i64>,
    pub threshold_range: Option<ThresholdRange>,
    pub custom_metric: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
pub struct ThresholdRange {
    pub min: Option<serde_json::Number>,
    pub max: Option<serde_json::Number>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Webhooks {
    pub timeout_seconds: Option<i64>,
    pub command: Option<Vec<String>>,
}

/// The built-in metric names; any other name refers to a MetricTemplate.
pub const BUILTIN_METRICS: &[&str] = &["request-success-rate", "request-duration"];

/// Providers Kurator's rollout renders for.
pub const PROVIDERS: &[&str] = &["istio", "kuma", "nginx"];

impl RolloutConfig {
    pub fn namespace(&self) -> &str {
        self.workload.namespace.as_deref().unwrap_or("default")
    }
}
