//! Built-in resource types and the defaults the API server fills in on create.

use serde_json::{Value, json};

use crate::resource::{PrinterColumn, Registry, ResourceType};

/// A computed column (not a JSONPath): the table builder recognises these names.
pub const COLUMN_DEPLOYMENT_READY: &str = "@deployment-ready";
pub const COLUMN_SERVICE_PORTS: &str = "@service-ports";
pub const COLUMN_EVENT_OBJECT: &str = "@event-object";
pub const COLUMN_ENDPOINTS: &str = "@endpoints";

fn age() -> PrinterColumn {
    PrinterColumn {
        format: String::new(),
        ..PrinterColumn::new("Age", "date", ".metadata.creationTimestamp")
    }
}

pub fn register_builtins(registry: &mut Registry) {
    let core = |plural: &str, kind: &str, namespaced: bool| ResourceType::builtin("", "v1", plural, kind, namespaced);
    registry.add(
        core("namespaces", "Namespace", false)
            .with_short_names(&["ns"])
            .with_status()
            .with_verbs(&["create", "delete", "get", "list", "patch", "update", "watch"])
            .with_columns(vec![PrinterColumn::new("Status", "string", ".status.phase"), age()]),
    );
    registry.add(
        core("services", "Service", true)
            .with_short_names(&["svc"])
            .with_status()
            .with_columns(vec![
                PrinterColumn::new("Type", "string", ".spec.type"),
                PrinterColumn::new("Cluster-IP", "string", ".spec.clusterIP"),
                PrinterColumn::new("Port(s)", "string", COLUMN_SERVICE_PORTS),
                age(),
            ]),
    );
    registry.add(core("configmaps", "ConfigMap", true).with_short_names(&["cm"]));
    registry.add(core("secrets", "Secret", true));
    registry.add(core("serviceaccounts", "ServiceAccount", true).with_short_names(&["sa"]));
    registry.add(
        core("events", "Event", true)
            .with_short_names(&["ev"])
            .with_columns(vec![
                PrinterColumn::new("Last Seen", "date", ".lastTimestamp"),
                PrinterColumn::new("Type", "string", ".type"),
                PrinterColumn::new("Reason", "string", ".reason"),
                PrinterColumn::new("Object", "string", COLUMN_EVENT_OBJECT),
                PrinterColumn::new("Message", "string", ".message"),
            ]),
    );
    registry.add(core("pods", "Pod", true).with_short_names(&["po"]).with_status());
    registry.add(
        core("endpoints", "Endpoints", true)
            .with_short_names(&["ep"])
            .with_columns(vec![PrinterColumn::new("Endpoints", "string", COLUMN_ENDPOINTS), age()]),
    );
    registry.add(
        ResourceType::builtin("apps", "v1", "deployments", "Deployment", true)
            .with_short_names(&["deploy"])
            .with_status()
            .with_scale()
            .with_columns(vec![
                PrinterColumn::new("Ready", "string", COLUMN_DEPLOYMENT_READY),
                PrinterColumn::new("Up-to-date", "integer", ".status.updatedReplicas"),
                PrinterColumn::new("Available", "integer", ".status.availableReplicas"),
                age(),
            ]),
    );
    registry.add(
        ResourceType::builtin("apps", "v1", "replicasets", "ReplicaSet", true)
            .with_short_names(&["rs"])
            .with_status()
            .with_scale()
            .with_columns(vec![
                PrinterColumn::new("Desired", "integer", ".spec.replicas"),
                PrinterColumn::new("Current", "integer", ".status.replicas"),
                PrinterColumn::new("Ready", "integer", ".status.readyReplicas"),
                age(),
            ]),
    );
    registry.add(ResourceType::builtin("events.k8s.io", "v1", "events", "Event", true).with_short_names(&["ev"]));
    registry.add(
        ResourceType::builtin("networking.k8s.io", "v1", "ingresses", "Ingress", true)
            .with_short_names(&["ing"])
            .with_status(),
    );
    let rbac = |plural: &str, kind: &str, namespaced: bool| {
        ResourceType::builtin("rbac.authorization.k8s.io", "v1", plural, kind, namespaced)
    };
    // The columns of kube-apiserver's printers (pkg/printers/internalversion/printers.go,
    // printRole/printClusterRole and printRoleBinding/printClusterRoleBinding).
    let created_at = || {
        vec![PrinterColumn::new(
            "Created At",
            "string",
            ".metadata.creationTimestamp",
        )]
    };
    let binding_columns = || {
        let wide = |name: &str, path: &str| PrinterColumn {
            priority: 1,
            ..PrinterColumn::new(name, "string", path)
        };
        vec![
            PrinterColumn::new("Role", "string", crate::rbac::COLUMN_ROLE),
            age(),
            wide("Users", crate::rbac::COLUMN_USERS),
            wide("Groups", crate::rbac::COLUMN_GROUPS),
            wide("ServiceAccounts", crate::rbac::COLUMN_SERVICE_ACCOUNTS),
        ]
    };
    registry.add(rbac("clusterroles", "ClusterRole", false).with_columns(created_at()));
    registry.add(rbac("clusterrolebindings", "ClusterRoleBinding", false).with_columns(binding_columns()));
    registry.add(rbac("roles", "Role", true).with_columns(created_at()));
    registry.add(rbac("rolebindings", "RoleBinding", true).with_columns(binding_columns()));
    registry.add(
        ResourceType::builtin(
            "apiextensions.k8s.io",
            "v1",
            "customresourcedefinitions",
            "CustomResourceDefinition",
            false,
        )
        .with_short_names(&["crd", "crds"])
        .with_status()
        .with_columns(vec![PrinterColumn::new(
            "Created At",
            "string",
            ".metadata.creationTimestamp",
        )]),
    );
    // The review APIs (answered by crate::reviews, never stored): create is their only verb.
    for (group, plural, kind, namespaced) in [
        (
            "authorization.k8s.io",
            "selfsubjectaccessreviews",
            "SelfSubjectAccessReview",
            false,
        ),
        (
            "authorization.k8s.io",
            "selfsubjectrulesreviews",
            "SelfSubjectRulesReview",
            false,
        ),
        (
            "authorization.k8s.io",
            "subjectaccessreviews",
            "SubjectAccessReview",
            false,
        ),
        (
            "authorization.k8s.io",
            "localsubjectaccessreviews",
            "LocalSubjectAccessReview",
            true,
        ),
        (
            "authentication.k8s.io",
            "selfsubjectreviews",
            "SelfSubjectReview",
            false,
        ),
    ] {
        registry.add(ResourceType::builtin(group, "v1", plural, kind, namespaced).with_verbs(&["create"]));
    }
    register_workload_types(registry);
}

/// The workload types of the `all` category that no simulated controller drives; served so that
/// `kubectl get all` asks for them as it does on a real cluster. A type already registered (with
/// its own behaviour) is left as it is.
fn register_workload_types(registry: &mut Registry) {
    let types = [
        ("", "v1", "replicationcontrollers", "ReplicationController", "rc"),
        ("apps", "v1", "replicasets", "ReplicaSet", "rs"),
        ("apps", "v1", "statefulsets", "StatefulSet", "sts"),
        ("apps", "v1", "daemonsets", "DaemonSet", "ds"),
        ("batch", "v1", "jobs", "Job", ""),
        ("batch", "v1", "cronjobs", "CronJob", "cj"),
        (
            "autoscaling",
            "v2",
            "horizontalpodautoscalers",
            "HorizontalPodAutoscaler",
            "hpa",
        ),
    ];
    for (group, version, plural, kind, short) in types {
        if registry.get(group, version, plural).is_some() {
            continue;
        }
        let mut t = ResourceType::builtin(group, version, plural, kind, true).with_status();
        if !short.is_empty() {
            t = t.with_short_names(&[short]);
        }
        registry.add(t);
    }
}

/// Fills in what the API server defaults on create (a subset that clients visibly rely on).
pub fn apply_create_defaults(group: &str, plural: &str, obj: &mut Value, serial: u64) {
    match (group, plural) {
        ("", "namespaces") => {
            let name = obj.pointer("/metadata/name").cloned().unwrap_or(Value::Null);
            obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
            obj["status"] = json!({"phase": "Active"});
            if obj.pointer("/spec/finalizers").is_none() {
                obj["spec"] = json!({"finalizers": ["kubernetes"]});
            }
        }
        ("", "services") => {
            let spec = &mut obj["spec"];
            if spec.get("type").is_none() {
                spec["type"] = json!("ClusterIP");
            }
            let external_name = spec["type"] == "ExternalName";
            if spec.get("clusterIP").is_none() && !external_name {
                // Deterministic addresses in the service range, unique per cluster.
                spec["clusterIP"] = json!(format!("10.96.{}.{}", (serial / 250) % 250, serial % 250 + 1));
            }
            // pkg/apis/core/v1/defaults.go (SetDefaults_Service) and the service REST's IP
            // allocation: single-stack IPv4, the allocated IP mirrored into clusterIPs.
            if spec.get("sessionAffinity").is_none() {
                spec["sessionAffinity"] = json!("None");
            }
            if !external_name {
                if spec.get("clusterIPs").is_none()
                    && let Some(ip) = spec.get("clusterIP").cloned()
                {
                    spec["clusterIPs"] = json!([ip]);
                }
                if spec.get("internalTrafficPolicy").is_none() {
                    spec["internalTrafficPolicy"] = json!("Cluster");
                }
                if spec["clusterIP"] != "None" {
                    if spec.get("ipFamilies").is_none() {
                        spec["ipFamilies"] = json!(["IPv4"]);
                    }
                    if spec.get("ipFamilyPolicy").is_none() {
                        spec["ipFamilyPolicy"] = json!("SingleStack");
                    }
                }
            }
            if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
                for port in ports {
                    if port.get("protocol").is_none() {
                        port["protocol"] = json!("TCP");
                    }
                    if port.get("targetPort").is_none() {
                        port["targetPort"] = port.get("port").cloned().unwrap_or(Value::Null);
                    }
                }
            }
        }
        ("apps", "deployments") => {
            let spec = &mut obj["spec"];
            if spec.get("replicas").is_none() {
                spec["replicas"] = json!(1);
            }
            if spec.get("revisionHistoryLimit").is_none() {
                spec["revisionHistoryLimit"] = json!(10);
            }
            if spec.get("progressDeadlineSeconds").is_none() {
                spec["progressDeadlineSeconds"] = json!(600);
            }
        }
        ("", "serviceaccounts") | ("", "configmaps") | ("", "secrets")
            if plural == "secrets" && obj.get("type").is_none() =>
        {
            obj["type"] = json!("Opaque");
        }
        _ => {}
    }
}

/// What an update keeps from the stored object when the client leaves it out: a Service's
/// allocated cluster IPs. kube-apiserver: pkg/registry/core/service/storage/storage.go,
/// func patchAllocatedValues.
pub fn apply_update_defaults(group: &str, plural: &str, old: &Value, obj: &mut Value) {
    if (group, plural) == ("", "services") && obj.get("spec").is_some_and(Value::is_object) {
        let needs_ip = obj.pointer("/spec/type").and_then(Value::as_str) != Some("ExternalName");
        for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
            let missing = obj
                .pointer(&format!("/spec/{field}"))
                .is_none_or(|v| v.is_null() || v.as_str() == Some(""));
            if needs_ip
                && missing
                && let Some(v) = old.pointer(&format!("/spec/{field}"))
            {
                obj["spec"][field] = v.clone();
            }
        }
    }
}
