//! Flagger's custom resources as Rust types: `Canary`, `MetricTemplate`, `AlertProvider`.
//!
//! Field names and shapes follow Flagger 1.44's CRD. Optional fields are omitted when unset, so a
//! Canary read from a cluster and written back is unchanged. Mesh-specific sub-objects Flagger
//! copies into Istio / Gateway API objects (`match`, `trafficPolicy`, `corsPolicy`, …) are kept
//! as JSON with their unknown fields preserved, so nothing a user set is lost on a round trip.

use std::collections::BTreeMap;

use kube::CustomResource;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_with::skip_serializing_none;

/// Traffic providers Flagger's `spec.provider` accepts.
pub const PROVIDERS: &[&str] = &[
    "apisix",
    "appmesh",
    "appmesh:v1beta2",
    "contour",
    "gatewayapi:v1",
    "gatewayapi:v1beta1",
    "gloo",
    "istio",
    "knative",
    "kubernetes",
    "kuma",
    "linkerd",
    "nginx",
    "osm",
    "skipper",
    "smi:v1alpha1",
    "smi:v1alpha2",
    "smi:v1alpha3",
    "traefik",
];

pub const WEBHOOK_TYPES: &[&str] = &[
    "",
    "confirm-rollout",
    "pre-rollout",
    "rollout",
    "confirm-traffic-increase",
    "confirm-promotion",
    "post-rollout",
    "rollback",
    "event",
];

/// Every `status.phase` Flagger writes, after the empty one of a Canary it has not seen yet
/// (flagger: pkg/apis/flagger/v1beta1/status.go, the `CanaryPhase` constants).
pub const PHASES: &[&str] = &[
    "",
    "Initializing",
    "Initialized",
    "Waiting",
    "Progressing",
    "WaitingPromotion",
    "Promoting",
    "Finalising",
    "Succeeded",
    "Failed",
    "Terminating",
    "Terminated",
];

fn int_or_string(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"x-kubernetes-int-or-string": true})
}

fn provider_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "enum": PROVIDERS})
}

fn webhook_type_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "enum": WEBHOOK_TYPES})
}

fn phase_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "enum": PHASES})
}

fn duration_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": "^[0-9]+(m|s)"})
}

fn string_map(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "object", "additionalProperties": {"type": "string"}})
}

/// A Flagger Canary: how to release a workload progressively.
// Each printcolumn repeats `type_`/`priority` keys, which clippy mistakes for duplicated attributes.
#[allow(clippy::duplicated_attributes)]
#[skip_serializing_none]
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "flagger.app",
    version = "v1beta1",
    kind = "Canary",
    namespaced,
    status = "CanaryStatus",
    category = "all",
    derive = "PartialEq",
    derive = "Default",
    printcolumn(name = "Status", type_ = "string", json_path = ".status.phase"),
    printcolumn(name = "Weight", type_ = "string", json_path = ".status.canaryWeight"),
    printcolumn(name = "Suspended", type_ = "boolean", json_path = ".spec.suspend", priority = "1"),
    printcolumn(
        name = "FailedChecks",
        type_ = "string",
        json_path = ".status.failedChecks",
        priority = "1"
    ),
    printcolumn(
        name = "Interval",
        type_ = "string",
        json_path = ".spec.analysis.interval",
        priority = "1"
    ),
    printcolumn(
        name = "Mirror",
        type_ = "boolean",
        json_path = ".spec.analysis.mirror",
        priority = "1"
    ),
    printcolumn(
        name = "StepWeight",
        type_ = "string",
        json_path = ".spec.analysis.stepWeight",
        priority = "1"
    ),
    printcolumn(
        name = "StepWeights",
        type_ = "string",
        json_path = ".spec.analysis.stepWeights",
        priority = "1"
    ),
    printcolumn(
        name = "MaxWeight",
        type_ = "string",
        json_path = ".spec.analysis.maxWeight",
        priority = "1"
    ),
    printcolumn(
        name = "LastTransitionTime",
        type_ = "string",
        json_path = ".status.lastTransitionTime"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct CanarySpec {
    #[schemars(schema_with = "provider_schema")]
    #[serde(default)]
    pub provider: Option<String>,
    pub metrics_server: Option<String>,
    pub target_ref: TargetRef,
    pub autoscaler_ref: Option<AutoscalerRef>,
    pub ingress_ref: Option<ObjectRef>,
    pub route_ref: Option<ObjectRef>,
    pub upstream_ref: Option<CrossNamespaceRef>,
    pub service: Option<CanaryService>,
    pub analysis: CanaryAnalysis,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub progress_deadline_seconds: Option<i32>,
    pub skip_analysis: Option<bool>,
    pub revert_on_deletion: Option<bool>,
    pub suspend: Option<bool>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub name: String,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CrossNamespaceRef {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub name: String,
    pub namespace: Option<String>,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AutoscalerRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    #[schemars(schema_with = "string_map")]
    #[serde(default)]
    pub primary_scaler_queries: Option<BTreeMap<String, String>>,
    pub primary_scaler_replicas: Option<ScalerReplicas>,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScalerReplicas {
    pub min_replicas: Option<i32>,
    pub max_replicas: Option<i32>,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomMetadata {
    #[schemars(schema_with = "string_map")]
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    #[schemars(schema_with = "string_map")]
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnmanagedMetadata {
    pub annotations: Option<Vec<String>>,
    pub labels: Option<Vec<String>>,
}

/// `spec.service`: how Flagger generates the Services and the mesh or ingress objects.
#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryService {
    pub name: Option<String>,
    #[schemars(schema_with = "super::schemas::number")]
    pub port: i32,
    pub port_name: Option<String>,
    #[schemars(schema_with = "int_or_string")]
    #[serde(default)]
    pub target_port: Option<Value>,
    pub app_protocol: Option<String>,
    pub traffic_distribution: Option<String>,
    pub port_discovery: Option<bool>,
    pub headless: Option<bool>,
    pub timeout: Option<String>,
    pub backend_timeout: Option<String>,
    pub gateways: Option<Vec<String>>,
    #[schemars(schema_with = "super::schemas::gateway_refs")]
    #[serde(default)]
    pub gateway_refs: Option<Vec<Value>>,
    pub hosts: Option<Vec<String>>,
    pub delegation: Option<bool>,
    #[serde(rename = "match")]
    #[schemars(schema_with = "super::schemas::service_match")]
    #[serde(default)]
    pub match_: Option<Vec<Value>>,
    #[schemars(schema_with = "super::schemas::rewrite")]
    #[serde(default)]
    pub rewrite: Option<Value>,
    #[schemars(schema_with = "super::schemas::retries")]
    #[serde(default)]
    pub retries: Option<Value>,
    #[schemars(schema_with = "super::schemas::headers")]
    #[serde(default)]
    pub headers: Option<Value>,
    #[schemars(schema_with = "super::schemas::mirror")]
    #[serde(default)]
    pub mirror: Option<Vec<Value>>,
    #[schemars(schema_with = "super::schemas::cors_policy")]
    #[serde(default)]
    pub cors_policy: Option<Value>,
    #[schemars(schema_with = "super::schemas::traffic_policy")]
    #[serde(default)]
    pub traffic_policy: Option<Value>,
    pub mesh_name: Option<String>,
    pub backends: Option<Vec<String>>,
    pub apex: Option<CustomMetadata>,
    pub primary: Option<CustomMetadata>,
    pub canary: Option<CustomMetadata>,
    pub unmanaged_metadata: Option<UnmanagedMetadata>,
}

/// `spec.analysis`: the validation process of each release.
#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryAnalysis {
    #[schemars(schema_with = "duration_schema")]
    #[serde(default)]
    pub interval: Option<String>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub threshold: Option<i32>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub iterations: Option<i32>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub max_weight: Option<i32>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub step_weight: Option<i32>,
    #[schemars(schema_with = "super::schemas::numbers")]
    #[serde(default)]
    pub step_weights: Option<Vec<i32>>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub step_weight_promotion: Option<i32>,
    pub mirror: Option<bool>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub mirror_weight: Option<i32>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub primary_ready_threshold: Option<i32>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub canary_ready_threshold: Option<i32>,
    #[serde(rename = "match")]
    #[schemars(schema_with = "super::schemas::analysis_match")]
    #[serde(default)]
    pub match_: Option<Vec<Value>>,
    pub metrics: Option<Vec<CanaryMetric>>,
    pub webhooks: Option<Vec<CanaryWebhook>>,
    pub alerts: Option<Vec<CanaryAlert>>,
    #[schemars(schema_with = "super::schemas::session_affinity")]
    #[serde(default)]
    pub session_affinity: Option<Value>,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryMetric {
    pub name: String,
    #[schemars(schema_with = "duration_schema")]
    #[serde(default)]
    pub interval: Option<String>,
    pub threshold_range: Option<ThresholdRange>,
    pub threshold: Option<serde_json::Number>,
    pub query: Option<String>,
    pub template_ref: Option<TemplateRef>,
    #[schemars(schema_with = "string_map")]
    #[serde(default)]
    pub template_variables: Option<BTreeMap<String, String>>,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct ThresholdRange {
    pub min: Option<serde_json::Number>,
    pub max: Option<serde_json::Number>,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct TemplateRef {
    pub name: String,
    pub namespace: Option<String>,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryWebhook {
    pub name: String,
    #[serde(rename = "type")]
    #[schemars(schema_with = "webhook_type_schema")]
    #[serde(default)]
    pub type_: Option<String>,
    pub url: String,
    #[schemars(schema_with = "duration_schema")]
    #[serde(default)]
    pub timeout: Option<String>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub retries: Option<i32>,
    #[serde(rename = "disableTLS")]
    pub disable_tls: Option<bool>,
    pub mute_alert: Option<bool>,
    #[schemars(schema_with = "string_map")]
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryAlert {
    pub name: String,
    pub severity: Option<String>,
    pub provider_ref: TemplateRef,
}

/// `status`, written by Flagger through the status subresource.
#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStatus {
    #[schemars(schema_with = "phase_schema")]
    #[serde(default)]
    pub phase: Option<String>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub failed_checks: Option<i32>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub canary_weight: Option<i32>,
    #[schemars(schema_with = "super::schemas::number")]
    #[serde(default)]
    pub iterations: Option<i32>,
    #[schemars(schema_with = "string_map")]
    #[serde(default)]
    pub tracked_configs: Option<BTreeMap<String, String>>,
    pub last_applied_spec: Option<String>,
    pub last_promoted_spec: Option<String>,
    pub last_transition_time: Option<String>,
    pub conditions: Option<Vec<CanaryCondition>>,
    pub session_affinity_cookie: Option<String>,
    pub primary_session_affinity_cookie: Option<String>,
    pub previous_session_affinity_cookie: Option<String>,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryCondition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub last_update_time: Option<String>,
    pub last_transition_time: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
}

fn metric_provider_type_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "enum": [
        "prometheus", "influxdb", "datadog", "externalmetrics", "stackdriver", "cloudwatch",
        "newrelic", "graphite", "dynatrace", "keptn", "splunk"
    ]})
}

/// A query against a metrics provider, referenced by `analysis.metrics[].templateRef`.
#[skip_serializing_none]
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "flagger.app",
    version = "v1beta1",
    kind = "MetricTemplate",
    namespaced,
    status = "PreservedStatus",
    category = "all",
    derive = "PartialEq",
    derive = "Default",
    printcolumn(name = "Provider", type_ = "string", json_path = ".spec.provider.type")
)]
#[serde(rename_all = "camelCase")]
pub struct MetricTemplateSpec {
    pub provider: MetricProvider,
    pub query: String,
}

#[skip_serializing_none]
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricProvider {
    #[serde(rename = "type")]
    #[schemars(schema_with = "metric_provider_type_schema")]
    pub type_: String,
    pub address: Option<String>,
    pub secret_ref: Option<SecretRef>,
    #[schemars(schema_with = "super::schemas::provider_headers")]
    #[serde(default)]
    pub headers: Option<Value>,
    pub region: Option<String>,
    pub insecure_skip_verify: Option<bool>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct SecretRef {
    pub name: String,
}

/// Status of MetricTemplate and AlertProvider: conditions Flagger does not read.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct PreservedStatus {
    #[serde(flatten)]
    #[schemars(skip)]
    pub fields: BTreeMap<String, Value>,
}

fn alert_type_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "enum": ["slack", "msteams", "discord", "rocket", "gchat"]})
}

/// Where per-canary alerts are sent.
#[skip_serializing_none]
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "flagger.app",
    version = "v1beta1",
    kind = "AlertProvider",
    namespaced,
    status = "PreservedStatus",
    category = "all",
    derive = "PartialEq",
    derive = "Default",
    printcolumn(name = "Type", type_ = "string", json_path = ".spec.type")
)]
#[serde(rename_all = "camelCase")]
pub struct AlertProviderSpec {
    #[serde(rename = "type")]
    #[schemars(schema_with = "alert_type_schema")]
    pub type_: String,
    pub channel: Option<String>,
    pub username: Option<String>,
    pub proxy: Option<String>,
    pub address: Option<String>,
    pub secret_ref: Option<SecretRef>,
}
