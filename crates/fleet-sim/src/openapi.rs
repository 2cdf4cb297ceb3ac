//! Schemas of the OpenAPI v3 group-version documents (`/openapi/v3/apis/<g>/<v>`), which is what
//! `kubectl explain` (1.32, OpenAPI v3) reads: it finds the resource's kind through the
//! `x-kubernetes-group-version-kind` of a path operation, then the component schema carrying the
//! same GVK, and follows `properties`, `$ref` and `allOf` down the field path.
//!
//! Custom resources get the CRD's `openAPIV3Schema` with `metadata` pointing at ObjectMeta, as
//! apiextensions-apiserver's builder does (apiextensions-apiserver: pkg/controller/openapi/builder/
//! builder.go, func BuildOpenAPIV3). Built-ins have hand-written schemas for the types this tool
//! touches (Deployment, Service, Namespace, ConfigMap, core and events.k8s.io Event, with the
//! shared ObjectMeta, LabelSelector, PodTemplateSpec, Container, ObjectReference); any other
//! built-in gets a schema with its standard top-level fields only. Descriptions are our own words.

use serde_json::{Map, Value, json};

use crate::resource::ResourceType;

const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1";
const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// `allOf` around a `$ref`, the form upstream uses where a field adds its own description.
fn described_ref(name: &str, description: &str) -> Value {
    json!({"allOf": [reference(name)], "description": description})
}

fn string(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn enumerated(description: &str, values: &[&str]) -> Value {
    json!({"type": "string", "description": description, "enum": values})
}

fn integer(description: &str) -> Value {
    json!({"type": "integer", "format": "int32", "description": description})
}

fn time(description: &str) -> Value {
    described_ref(&format!("{META}.Time"), description)
}

fn string_map(description: &str) -> Value {
    json!({"type": "object", "additionalProperties": {"type": "string", "default": ""}, "description": description})
}

fn array_of(items: Value, description: &str) -> Value {
    json!({"type": "array", "items": items, "description": description})
}

/// The reverse-domain component name of a kind (`io.k8s.api.apps.v1.Deployment`,
/// `app.flagger.v1beta1.Canary`).
pub fn component_name(t: &ResourceType) -> String {
    let prefix = match t.group.as_str() {
        "" => "io.k8s.api.core".to_string(),
        g if g.ends_with(".k8s.io") => format!("io.k8s.api.{}", g.split('.').next().unwrap_or(g)),
        "apps" | "batch" | "autoscaling" | "policy" => format!("io.k8s.api.{}", t.group),
        g => g.split('.').rev().collect::<Vec<_>>().join("."),
    };
    let prefix = match t.group.as_str() {
        "apiextensions.k8s.io" => "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions".to_string(),
        _ => prefix,
    };
    format!("{prefix}.{}.{}", t.version, t.kind)
}

/// The `apiVersion`, `kind` and `metadata` properties every top-level object schema has, built-in
/// or custom (set over whatever a CRD's own schema says of them).
fn insert_type_and_object_meta(props: &mut Map<String, Value>) {
    props.insert(
        "apiVersion".into(),
        string("The versioned schema of this representation of an object (group/version)."),
    );
    props.insert(
        "kind".into(),
        string("The REST resource this object represents, in CamelCase."),
    );
    props.insert(
        "metadata".into(),
        described_ref(
            OBJECT_META,
            "Standard object metadata: name, namespace, labels, annotations...",
        ),
    );
}

/// The `x-kubernetes-group-version-kind` extension of a top-level schema.
fn group_version_kind(t: &ResourceType) -> Value {
    json!([{"group": t.group, "kind": t.kind, "version": t.version}])
}

fn top_level(t: &ResourceType, description: &str, properties: Vec<(&str, Value)>, required: &[&str]) -> Value {
    let mut props = Map::new();
    insert_type_and_object_meta(&mut props);
    for (name, schema) in properties {
        props.insert(name.to_string(), schema);
    }
    let mut schema = json!({
        "type": "object",
        "description": description,
        "properties": props,
        "x-kubernetes-group-version-kind": group_version_kind(t),
    });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

/// The component schema of a resource type, plus the schemas it refers to, by name.
pub fn schemas_for(t: &ResourceType) -> Vec<(String, Value)> {
    let name = component_name(t);
    if let Some(crd_schema) = &t.schema {
        let mut schema = crd_schema.clone();
        if !schema.is_object() {
            schema = json!({"type": "object"});
        }
        let props = schema
            .as_object_mut()
            .map(|o| o.entry("properties").or_insert_with(|| json!({})));
        if let Some(Value::Object(props)) = props {
            insert_type_and_object_meta(props);
        }
        schema["x-kubernetes-group-version-kind"] = group_version_kind(t);
        let mut out = vec![(name, schema)];
        out.extend(meta_schemas());
        return out;
    }
    let mut out = vec![(name, builtin_schema(t))];
    out.extend(meta_schemas());
    out.extend(shared_schemas(t));
    out
}

fn builtin_schema(t: &ResourceType) -> Value {
    match (t.group.as_str(), t.plural.as_str()) {
        ("apps", "deployments") => top_level(
            t,
            "A Deployment keeps a set of identical Pods running and rolls out changes to them declaratively.",
            vec![
                (
                    "spec",
                    described_ref(
                        "io.k8s.api.apps.v1.DeploymentSpec",
                        "The desired state of the Deployment.",
                    ),
                ),
                (
                    "status",
                    described_ref(
                        "io.k8s.api.apps.v1.DeploymentStatus",
                        "The last observed state of the Deployment.",
                    ),
                ),
            ],
            &[],
        ),
        ("", "services") => top_level(
            t,
            "A Service gives a set of Pods, chosen by a label selector, one stable name and virtual address.",
            vec![
                (
                    "spec",
                    described_ref("io.k8s.api.core.v1.ServiceSpec", "How the Service is exposed."),
                ),
                (
                    "status",
                    json!({"type": "object", "description": "Observed state (load balancer ingress points).",
                           "properties": {"loadBalancer": {"type": "object", "description": "Load balancer status, if any."}}}),
                ),
            ],
            &[],
        ),
        ("", "namespaces") => top_level(
            t,
            "A Namespace scopes the names of the objects created in it.",
            vec![
                (
                    "spec",
                    json!({"type": "object", "description": "What the Namespace needs before it can be removed.",
                           "properties": {"finalizers": array_of(json!({"type": "string"}), "Finalizers that must be cleared before the Namespace is deleted.")}}),
                ),
                (
                    "status",
                    json!({"type": "object", "description": "The current lifecycle state of the Namespace.",
                           "properties": {"phase": enumerated("Active, or Terminating while it is being deleted.", &["Active", "Terminating"])}}),
                ),
            ],
            &[],
        ),
        ("", "configmaps") => top_level(
            t,
            "A ConfigMap holds non-confidential configuration data for Pods to consume.",
            vec![
                ("data", string_map("UTF-8 configuration values by key.")),
                (
                    "binaryData",
                    json!({"type": "object", "additionalProperties": {"type": "string", "format": "byte"}, "description": "Binary configuration values by key."}),
                ),
                (
                    "immutable",
                    json!({"type": "boolean", "description": "When true, data and binaryData can no longer be changed."}),
                ),
            ],
            &[],
        ),
        ("", "events") => top_level(
            t,
            "An Event reports something that happened to an object (core/v1 form).",
            vec![
                (
                    "involvedObject",
                    described_ref("io.k8s.api.core.v1.ObjectReference", "The object this Event is about."),
                ),
                (
                    "reason",
                    string("A short, machine-readable CamelCase cause of the transition."),
                ),
                ("message", string("A human-readable account of what happened.")),
                (
                    "source",
                    json!({"type": "object", "description": "The component reporting the Event.",
                           "properties": {"component": string("Component name."), "host": string("Node name.")}}),
                ),
                ("firstTimestamp", time("When the Event was first recorded.")),
                ("lastTimestamp", time("When the Event was most recently recorded.")),
                ("count", integer("How many times the Event occurred.")),
                ("type", string("Normal or Warning; new types may be added.")),
                (
                    "eventTime",
                    described_ref(&format!("{META}.MicroTime"), "When the Event was first observed."),
                ),
                (
                    "series",
                    json!({"type": "object", "description": "Data about a series of repeated Events.",
                           "properties": {"count": integer("Occurrences in the series so far."),
                                          "lastObservedTime": described_ref(&format!("{META}.MicroTime"), "When the last occurrence was seen.")}}),
                ),
                ("action", string("What was done (or failed) to the regarding object.")),
                (
                    "related",
                    described_ref("io.k8s.api.core.v1.ObjectReference", "A second object, if any."),
                ),
                ("reportingComponent", string("The controller that emitted the Event.")),
                ("reportingInstance", string("The instance of that controller.")),
            ],
            &["metadata", "involvedObject"],
        ),
        ("events.k8s.io", "events") => top_level(
            t,
            "An Event reports something that happened to an object (events.k8s.io/v1 form).",
            vec![
                (
                    "eventTime",
                    described_ref(&format!("{META}.MicroTime"), "When the Event was first observed."),
                ),
                (
                    "series",
                    json!({"type": "object", "description": "Data about a series of repeated Events.",
                           "properties": {"count": integer("Occurrences in the series so far."),
                                          "lastObservedTime": described_ref(&format!("{META}.MicroTime"), "When the last occurrence was seen.")},
                           "required": ["count", "lastObservedTime"]}),
                ),
                ("reportingController", string("The controller that emitted the Event.")),
                ("reportingInstance", string("The instance of that controller.")),
                ("action", string("What was done (or failed) to the regarding object.")),
                ("reason", string("Why the action was taken.")),
                (
                    "regarding",
                    described_ref("io.k8s.api.core.v1.ObjectReference", "The object this Event is about."),
                ),
                (
                    "related",
                    described_ref("io.k8s.api.core.v1.ObjectReference", "A second object, if any."),
                ),
                ("note", string("A human-readable account of what happened.")),
                ("type", string("Normal or Warning; new types may be added.")),
                (
                    "deprecatedSource",
                    json!({"type": "object", "description": "The core/v1 source field, kept for compatibility.",
                           "properties": {"component": string("Component name."), "host": string("Node name.")}}),
                ),
                (
                    "deprecatedFirstTimestamp",
                    time("The core/v1 firstTimestamp, kept for compatibility."),
                ),
                (
                    "deprecatedLastTimestamp",
                    time("The core/v1 lastTimestamp, kept for compatibility."),
                ),
                ("deprecatedCount", integer("The core/v1 count, kept for compatibility.")),
            ],
            &["eventTime"],
        ),
        _ => top_level(
            t,
            &format!(
                "{} ({}); this simulator documents only its standard fields.",
                t.kind,
                t.api_version()
            ),
            vec![
                (
                    "spec",
                    json!({"type": "object", "description": "The desired state.", "x-kubernetes-preserve-unknown-fields": true}),
                ),
                (
                    "status",
                    json!({"type": "object", "description": "The observed state.", "x-kubernetes-preserve-unknown-fields": true}),
                ),
            ],
            &[],
        ),
    }
}

fn meta_schemas() -> Vec<(String, Value)> {
    vec![
        (
            OBJECT_META.to_string(),
            json!({
                "type": "object",
                "description": "Metadata every persisted object has.",
                "properties": {
                    "name": string("Unique name within the namespace; required when creating unless generateName is set."),
                    "generateName": string("Prefix from which the server generates a unique name when name is empty."),
                    "namespace": string("The namespace the object lives in; empty for cluster-scoped objects."),
                    "uid": string("Server-assigned unique identifier of this incarnation of the object."),
                    "resourceVersion": string("Opaque version of the object, for optimistic concurrency and watches."),
                    "generation": {"type": "integer", "format": "int64", "description": "Sequence number of changes to the desired state."},
                    "creationTimestamp": time("When the server created the object."),
                    "deletionTimestamp": time("When the object is to be (or is being) deleted; set by the server."),
                    "deletionGracePeriodSeconds": {"type": "integer", "format": "int64", "description": "Seconds allowed for graceful termination."},
                    "labels": string_map("Key/value pairs for selecting and organising objects."),
                    "annotations": string_map("Unstructured key/value data for tools and libraries."),
                    "finalizers": array_of(json!({"type": "string", "default": ""}), "Conditions that must be cleared before the object is removed from storage."),
                    "ownerReferences": array_of(json!({"type": "object", "properties": {
                        "apiVersion": string("API version of the owner."), "kind": string("Kind of the owner."),
                        "name": string("Name of the owner."), "uid": string("UID of the owner."),
                        "controller": {"type": "boolean", "description": "Whether the owner is the managing controller."},
                        "blockOwnerDeletion": {"type": "boolean", "description": "Whether the owner waits for this object in foreground deletion."}},
                        "required": ["apiVersion", "kind", "name", "uid"]}), "Objects this one depends on."),
                    "managedFields": array_of(json!({"type": "object", "properties": {
                        "manager": string("The workflow that manages these fields."), "operation": string("Apply or Update."),
                        "apiVersion": string("Version of the fieldset."), "time": time("When the fields were last changed."),
                        "fieldsType": string("Format of fieldsV1."), "fieldsV1": {"type": "object", "description": "The set of managed fields."},
                        "subresource": string("Subresource the fields were written through.")}}), "Which manager owns which fields.")
                }
            }),
        ),
        (
            format!("{META}.Time"),
            json!({"type": "string", "format": "date-time", "description": "A timestamp in RFC 3339 form, second precision."}),
        ),
        (
            format!("{META}.MicroTime"),
            json!({"type": "string", "format": "date-time", "description": "A timestamp in RFC 3339 form, microsecond precision."}),
        ),
    ]
}

fn label_selector() -> (String, Value) {
    (
        format!("{META}.LabelSelector"),
        json!({
            "type": "object",
            "description": "A query over labels; all requirements must hold. Empty matches everything.",
            "properties": {
                "matchLabels": string_map("Labels that must be present with exactly these values."),
                "matchExpressions": array_of(json!({"type": "object", "properties": {
                    "key": string("The label key."),
                    "operator": enumerated("How the key relates to the values.", &["In", "NotIn", "Exists", "DoesNotExist"]),
                    "values": array_of(json!({"type": "string"}), "Values for In and NotIn; empty for Exists and DoesNotExist.")},
                    "required": ["key", "operator"]}), "Set-based requirements.")
            },
            "x-kubernetes-map-type": "atomic"
        }),
    )
}

fn shared_schemas(t: &ResourceType) -> Vec<(String, Value)> {
    let int_or_string = (
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString".to_string(),
        json!({"type": "string", "format": "int-or-string", "description": "Either an integer or a string."}),
    );
    let object_reference = (
        "io.k8s.api.core.v1.ObjectReference".to_string(),
        json!({"type": "object", "description": "Points at another object.", "properties": {
            "apiVersion": string("API version of the referent."), "kind": string("Kind of the referent."),
            "name": string("Name of the referent."), "namespace": string("Namespace of the referent."),
            "uid": string("UID of the referent."), "resourceVersion": string("Version of the referent this refers to."),
            "fieldPath": string("A field within the referent, e.g. a container.")},
            "x-kubernetes-map-type": "atomic"}),
    );
    match (t.group.as_str(), t.plural.as_str()) {
        ("apps", "deployments") => vec![
            label_selector(),
            int_or_string,
            (
                "io.k8s.api.apps.v1.DeploymentSpec".into(),
                json!({"type": "object", "description": "The desired state of a Deployment.", "properties": {
                    "replicas": integer("Desired number of Pods; 1 when unset."),
                    "selector": described_ref(&format!("{META}.LabelSelector"), "Which Pods belong to this Deployment; must match the template's labels and cannot change."),
                    "template": described_ref("io.k8s.api.core.v1.PodTemplateSpec", "The Pods to create."),
                    "strategy": {"type": "object", "description": "How old Pods are replaced by new ones.", "properties": {
                        "type": enumerated("Recreate or RollingUpdate (the default).", &["Recreate", "RollingUpdate"]),
                        "rollingUpdate": {"type": "object", "description": "Rolling update parameters.", "properties": {
                            "maxSurge": described_ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString", "Pods allowed above the desired count during the update."),
                            "maxUnavailable": described_ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString", "Pods allowed to be unavailable during the update.")}}}},
                    "minReadySeconds": integer("Seconds a new Pod must be ready before it counts as available."),
                    "revisionHistoryLimit": integer("Old ReplicaSets kept for rollback; 10 when unset."),
                    "paused": {"type": "boolean", "description": "Whether rollouts are paused."},
                    "progressDeadlineSeconds": integer("Seconds before a stalled rollout is reported as failed; 600 when unset.")},
                    "required": ["selector", "template"]}),
            ),
            (
                "io.k8s.api.apps.v1.DeploymentStatus".into(),
                json!({"type": "object", "description": "The observed state of a Deployment.", "properties": {
                    "observedGeneration": {"type": "integer", "format": "int64", "description": "The generation the controller last acted on."},
                    "replicas": integer("Pods targeted by the Deployment."),
                    "updatedReplicas": integer("Pods with the current template."),
                    "readyReplicas": integer("Pods ready."),
                    "availableReplicas": integer("Pods available for at least minReadySeconds."),
                    "unavailableReplicas": integer("Pods still needed for full availability."),
                    "conditions": array_of(json!({"type": "object", "properties": {
                        "type": string("Available, Progressing or ReplicaFailure."), "status": string("True, False or Unknown."),
                        "reason": string("CamelCase reason for the last transition."), "message": string("Details of the last transition."),
                        "lastUpdateTime": time("When the condition was last updated."),
                        "lastTransitionTime": time("When the status last changed.")}, "required": ["type", "status"]}), "The latest observations.")}}),
            ),
            (
                "io.k8s.api.core.v1.PodTemplateSpec".into(),
                json!({"type": "object", "description": "Metadata and spec of the Pods to create.", "properties": {
                    "metadata": described_ref(OBJECT_META, "Metadata of the created Pods (labels must match the selector)."),
                    "spec": described_ref("io.k8s.api.core.v1.PodSpec", "The Pods' specification.")}}),
            ),
            (
                "io.k8s.api.core.v1.PodSpec".into(),
                json!({"type": "object", "description": "What a Pod runs.", "properties": {
                    "containers": array_of(reference("io.k8s.api.core.v1.Container"), "The containers of the Pod; at least one."),
                    "initContainers": array_of(reference("io.k8s.api.core.v1.Container"), "Containers run to completion before the others start."),
                    "serviceAccountName": string("The ServiceAccount the Pod runs as."),
                    "restartPolicy": enumerated("When containers are restarted.", &["Always", "Never", "OnFailure"]),
                    "terminationGracePeriodSeconds": {"type": "integer", "format": "int64", "description": "Seconds allowed for graceful shutdown."},
                    "nodeSelector": string_map("Labels a node must have to run the Pod.")},
                    "required": ["containers"]}),
            ),
            (
                "io.k8s.api.core.v1.Container".into(),
                json!({"type": "object", "description": "One container of a Pod.", "properties": {
                    "name": string("Unique name of the container within the Pod (DNS label)."),
                    "image": string("Container image reference."),
                    "command": array_of(json!({"type": "string"}), "Entrypoint, replacing the image's."),
                    "args": array_of(json!({"type": "string"}), "Arguments to the entrypoint."),
                    "ports": array_of(json!({"type": "object", "properties": {
                        "name": string("Port name (IANA service name)."), "containerPort": integer("Port number in the container."),
                        "protocol": enumerated("Protocol; TCP when unset.", &["SCTP", "TCP", "UDP"])}, "required": ["containerPort"]}), "Ports the container exposes."),
                    "env": array_of(json!({"type": "object", "properties": {"name": string("Variable name."), "value": string("Variable value.")}, "required": ["name"]}), "Environment variables."),
                    "resources": {"type": "object", "description": "Compute resources.", "properties": {
                        "limits": string_map("Maximum resources allowed."), "requests": string_map("Minimum resources required.")}},
                    "imagePullPolicy": enumerated("When the image is pulled.", &["Always", "IfNotPresent", "Never"])},
                    "required": ["name"]}),
            ),
        ],
        ("", "services") => vec![
            int_or_string,
            (
                "io.k8s.api.core.v1.ServiceSpec".into(),
                json!({"type": "object", "description": "How a Service is exposed.", "properties": {
                    "type": enumerated("How the Service is exposed; ClusterIP when unset.", &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]),
                    "selector": string_map("Pods with these labels receive the traffic."),
                    "ports": array_of(reference("io.k8s.api.core.v1.ServicePort"), "Ports the Service exposes."),
                    "clusterIP": string("The virtual IP address of the Service; assigned by the server."),
                    "externalName": string("DNS name returned for an ExternalName Service."),
                    "sessionAffinity": enumerated("Session affinity; None when unset.", &["ClientIP", "None"])}}),
            ),
            (
                "io.k8s.api.core.v1.ServicePort".into(),
                json!({"type": "object", "description": "One port of a Service.", "properties": {
                    "name": string("Port name; required when the Service has several ports. Endpoints are matched by it."),
                    "protocol": enumerated("Protocol; TCP when unset.", &["SCTP", "TCP", "UDP"]),
                    "port": integer("The port the Service listens on."),
                    "targetPort": described_ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString", "Port number or name on the Pods; the same as port when unset."),
                    "nodePort": integer("Port on every node, for NodePort and LoadBalancer Services."),
                    "appProtocol": string("Application protocol of the port.")},
                    "required": ["port"]}),
            ),
        ],
        ("", "events") | ("events.k8s.io", "events") => vec![object_reference],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_names_follow_upstream() {
        let d = ResourceType::builtin("apps", "v1", "deployments", "Deployment", true);
        assert_eq!(component_name(&d), "io.k8s.api.apps.v1.Deployment");
        let c = ResourceType::builtin("", "v1", "configmaps", "ConfigMap", true);
        assert_eq!(component_name(&c), "io.k8s.api.core.v1.ConfigMap");
        let e = ResourceType::builtin("events.k8s.io", "v1", "events", "Event", true);
        assert_eq!(component_name(&e), "io.k8s.api.events.v1.Event");
        let r = ResourceType::builtin("rbac.authorization.k8s.io", "v1", "roles", "Role", true);
        assert_eq!(component_name(&r), "io.k8s.api.rbac.v1.Role");
        let mut canary = ResourceType::builtin("flagger.app", "v1beta1", "canaries", "Canary", true);
        canary.schema = Some(json!({"type": "object", "properties": {"spec": {"type": "object"}}}));
        assert_eq!(component_name(&canary), "app.flagger.v1beta1.Canary");
        let schemas = schemas_for(&canary);
        assert_eq!(
            schemas[0].1["properties"]["metadata"]["allOf"][0]["$ref"],
            format!("#/components/schemas/{OBJECT_META}")
        );
        assert_eq!(schemas[0].1["x-kubernetes-group-version-kind"][0]["kind"], "Canary");
    }
}
