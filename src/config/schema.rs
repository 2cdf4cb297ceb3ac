//! The structural schema of Kurator's rollout block and Application, in the OpenAPI form the
//! simulated API server validates with, so unknown fields and wrong types are found by the same
//! code that prunes custom resources.

use serde_json::{Value, json};

// The primitive schema builders are shared with `flagger::schemas` (one spelling of each type).

pub(crate) fn string() -> Value {
    json!({"type": "string"})
}
pub(crate) fn integer() -> Value {
    json!({"type": "integer"})
}
pub(crate) fn boolean() -> Value {
    json!({"type": "boolean"})
}
pub(crate) fn strings() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}
fn string_map() -> Value {
    json!({"type": "object", "additionalProperties": {"type": "string"}})
}
fn string_match() -> Value {
    json!({"type": "object", "properties": {"exact": string(), "prefix": string(), "suffix": string(), "regex": string()}})
}
fn string_match_map() -> Value {
    json!({"type": "object", "additionalProperties": string_match()})
}
fn custom_metadata() -> Value {
    json!({"type": "object", "properties": {"labels": string_map(), "annotations": string_map()}})
}
fn header_operations() -> Value {
    json!({"type": "object", "properties": {"set": string_map(), "add": string_map(), "remove": strings()}})
}

fn http_match_request() -> Value {
    json!({"type": "object", "properties": {
        "name": string(), "uri": string_match(), "scheme": string_match(), "method": string_match(),
        "authority": string_match(), "headers": string_match_map(), "port": integer(),
        "sourceLabels": string_map(), "gateways": strings(), "queryParams": string_match_map(),
        "ignoreUriCase": boolean(), "withoutHeaders": string_match_map(), "sourceNamespace": string()
    }})
}

fn traffic_routing() -> Value {
    json!({"type": "object", "properties": {
        "timeoutSeconds": {"type": "integer", "minimum": 0},
        "gateways": strings(),
        "hosts": strings(),
        "retries": {"type": "object", "properties": {"attempts": integer(), "perTryTimeout": string(), "retryOn": string()}},
        "headers": {"type": "object", "properties": {"request": header_operations(), "response": header_operations()}},
        "corsPolicy": {"type": "object", "properties": {
            "allowOrigin": strings(), "allowOrigins": {"type": "array", "items": string_match()},
            "allowMethods": strings(), "allowHeaders": strings(), "exposeHeaders": strings(),
            "maxAge": string(), "allowCredentials": boolean()
        }},
        "host": string(),
        "protocol": string(),
        "canaryStrategy": {"type": "object", "properties": {
            "maxWeight": integer(), "stepWeight": integer(),
            "stepWeights": {"type": "array", "items": integer()}, "stepWeightPromotion": integer()
        }},
        "analysisTimes": {"type": "integer", "minimum": 0},
        "match": {"type": "array", "items": http_match_request()}
    }})
}

fn metric() -> Value {
    json!({"type": "object", "required": ["name"], "properties": {
        "name": string(),
        "intervalSeconds": {"type": "integer", "minimum": 1},
        "thresholdRange": {"type": "object", "properties": {"min": {"type": "number"}, "max": {"type": "number"}}},
        "customMetric": {"type": "object", "properties": {
            "provider": {"type": "object", "properties": {
                "type": string(), "address": string(),
                "secretRef": {"type": "object", "properties": {"name": string()}},
                "region": string(), "insecureSkipVerify": boolean(), "headers": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
            }},
            "query": string()
        }}
    }})
}

fn traffic_analysis() -> Value {
    json!({"type": "object", "required": ["checkIntervalSeconds", "checkFailedTimes"], "properties": {
        "checkIntervalSeconds": {"type": "integer", "minimum": 1},
        "checkFailedTimes": {"type": "integer", "minimum": 0},
        "metrics": {"type": "array", "items": metric()},
        "webhooks": {"type": "object", "properties": {"timeoutSeconds": {"type": "integer", "minimum": 1}, "command": strings()}},
        "sessionAffinity": {"type": "object", "properties": {"cookieName": string(), "maxAge": integer()}}
    }})
}

pub fn rollout() -> Value {
    json!({
        "type": "object",
        "required": ["trafficRoutingProvider", "workload", "serviceName", "port", "rolloutPolicy"],
        "properties": {
            "testLoader": boolean(),
            "trafficRoutingProvider": string(),
            "workload": {"type": "object", "required": ["name"], "properties": {
                "apiVersion": string(), "kind": string(), "name": string(), "namespace": string()
            }},
            "serviceName": string(),
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "primary": custom_metadata(),
            "preview": custom_metadata(),
            "rolloutPolicy": {"type": "object", "properties": {
                "trafficRouting": traffic_routing(),
                "trafficAnalysis": traffic_analysis(),
                "rolloutTimeoutSeconds": {"type": "integer", "minimum": 1},
                "skipTrafficAnalysis": boolean(),
                "revertOnDeletion": boolean(),
                "suspend": boolean()
            }}
        }
    })
}

/// An Application: its own fields are checked loosely (sources are Flux's), its rollouts fully.
pub fn application() -> Value {
    let destination = json!({"type": "object", "properties": {
        "fleet": string(),
        "clusterSelector": {"type": "object", "properties": {"matchLabels": string_map()}}
    }});
    json!({
        "type": "object",
        "required": ["spec"],
        "properties": {
            "spec": {"type": "object", "required": ["syncPolicies"], "properties": {
                "source": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "destination": destination,
                "syncPolicies": {"type": "array", "items": {"type": "object", "properties": {
                    "name": string(),
                    "kustomization": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "helm": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "destination": destination,
                    "rollout": rollout()
                }}}
            }},
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
        }
    })
}
