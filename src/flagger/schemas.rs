//! Schemas of the Canary fields the Rust types keep as raw JSON (so a round trip loses nothing),
//! shaped as Flagger v1.44's own CRD declares them: the API server then prunes and type-checks
//! inside them as it would with Flagger's CRD installed. tests/cli/crd_fidelity.rs compares every
//! path with the list taken from upstream (testdata/flagger-crd-paths.txt).

use schemars::{Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

use crate::config::schema::{boolean, integer, string, strings};

fn object(properties: Value) -> Value {
    json!({"type": "object", "properties": properties})
}

fn map_of(values: Value) -> Value {
    json!({"type": "object", "additionalProperties": values})
}

fn array_of(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

/// Istio's StringMatch: one of exact, prefix or regex.
fn string_match() -> Value {
    object(json!({"exact": string(), "prefix": string(), "regex": string()}))
}

/// A Gateway API reference to a parent or backend.
fn object_reference() -> Value {
    object(json!({
        "group": string(), "kind": string(), "name": string(), "namespace": string(), "port": integer()
    }))
}

fn schema(value: Value) -> Schema {
    // A JSON object is always a schema; the values above are all objects.
    Schema::try_from(value).unwrap_or_else(|_| json_schema!({"type": "object"}))
}

/// Flagger declares counts and weights as `number` (its Go types are ints; the CRD is written
/// by hand), so 5.0 passes its validation.
pub fn number(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "number"})
}

pub fn numbers(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "array", "items": {"type": "number"}})
}

/// `spec.service.gatewayRefs`.
pub fn gateway_refs(_: &mut SchemaGenerator) -> Schema {
    schema(array_of(object(json!({
        "group": string(), "kind": string(), "name": string(), "namespace": string(),
        "port": integer(), "sectionName": string()
    }))))
}

/// `spec.service.match`: Istio HTTPMatchRequest.
pub fn service_match(_: &mut SchemaGenerator) -> Schema {
    schema(array_of(object(json!({
        "name": string(),
        "uri": string_match(), "scheme": string_match(), "method": string_match(),
        "authority": string_match(),
        "headers": map_of(string_match()), "queryParams": map_of(string_match()),
        "withoutHeaders": map_of(string_match()),
        "port": integer(), "sourceLabels": map_of(string()), "gateways": strings(),
        "ignoreUriCase": boolean(), "sourceNamespace": string()
    }))))
}

/// `spec.analysis.match`: header, query and source conditions for A/B testing.
pub fn analysis_match(_: &mut SchemaGenerator) -> Schema {
    let header = object(json!({"exact": string(), "prefix": string(), "regex": string(), "suffix": string()}));
    schema(array_of(object(json!({
        "headers": map_of(header), "queryParams": map_of(string_match()), "sourceLabels": map_of(string())
    }))))
}

/// `spec.service.rewrite`.
pub fn rewrite(_: &mut SchemaGenerator) -> Schema {
    schema(object(
        json!({"uri": string(), "authority": string(), "type": string()}),
    ))
}

/// `spec.service.retries`.
pub fn retries(_: &mut SchemaGenerator) -> Schema {
    schema(object(
        json!({"attempts": integer(), "perTryTimeout": string(), "retryOn": string()}),
    ))
}

/// `spec.service.headers`: request and response header operations.
pub fn headers(_: &mut SchemaGenerator) -> Schema {
    let operations = || object(json!({"add": map_of(string()), "set": map_of(string()), "remove": strings()}));
    schema(object(json!({"request": operations(), "response": operations()})))
}

/// `spec.service.mirror`.
pub fn mirror(_: &mut SchemaGenerator) -> Schema {
    schema(array_of(object(json!({"backendRef": object_reference()}))))
}

/// `spec.service.corsPolicy`.
pub fn cors_policy(_: &mut SchemaGenerator) -> Schema {
    schema(object(json!({
        "allowOrigin": strings(), "allowOrigins": array_of(string_match()),
        "allowMethods": strings(), "allowHeaders": strings(), "exposeHeaders": strings(),
        "maxAge": string(), "allowCredentials": boolean()
    })))
}

/// `spec.service.trafficPolicy`: Istio DestinationRule traffic policy, as far as Flagger passes it.
pub fn traffic_policy(_: &mut SchemaGenerator) -> Schema {
    let http = object(json!({
        "http1MaxPendingRequests": integer(), "http2MaxRequests": integer(),
        "maxRequestsPerConnection": integer(), "maxRetries": integer(),
        "idleTimeout": string(), "h2UpgradePolicy": string()
    }));
    let consistent_hash = object(json!({
        "httpHeaderName": string(),
        "httpCookie": object(json!({"name": string(), "path": string(), "ttl": string()})),
        "useSourceIp": boolean(), "httpQueryParameterName": string(), "minimumRingSize": integer()
    }));
    let locality = object(json!({
        "enabled": boolean(),
        "distribute": array_of(object(json!({"from": string(), "to": map_of(integer())}))),
        "failover": array_of(object(json!({"from": string(), "to": string()})))
    }));
    let load_balancer = object(json!({
        "simple": string(), "consistentHash": consistent_hash, "localityLbSetting": locality,
        "warmupDurationSecs": string()
    }));
    let outlier = object(json!({
        "consecutiveErrors": integer(), "consecutive5xxErrors": integer(),
        "consecutiveGatewayErrors": integer(), "consecutiveLocalOriginFailures": integer(),
        "splitExternalLocalOriginErrors": boolean(), "interval": string(),
        "baseEjectionTime": string(), "maxEjectionPercent": integer(), "minHealthPercent": integer()
    }));
    let tls = object(json!({
        "mode": string(), "clientCertificate": string(), "privateKey": string(),
        "caCertificates": string(), "subjectAltNames": strings(), "sni": string()
    }));
    schema(object(json!({
        "connectionPool": object(json!({"http": http})), "loadBalancer": load_balancer,
        "outlierDetection": outlier, "tls": tls
    })))
}

/// `spec.analysis.sessionAffinity`.
pub fn session_affinity(_: &mut SchemaGenerator) -> Schema {
    schema(object(json!({
        "cookieName": string(), "primaryCookieName": string(), "maxAge": {"type": "number"},
        "domain": string(), "path": string(), "sameSite": string(),
        "httpOnly": boolean(), "secure": boolean(), "partitioned": boolean()
    })))
}

/// MetricTemplate `spec.provider.headers`: header name to values.
pub fn provider_headers(_: &mut SchemaGenerator) -> Schema {
    schema(map_of(strings()))
}
