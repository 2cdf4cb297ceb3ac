//! The objects `install` applies to one cluster, as pure functions of the install settings.
//! Names follow Kurator's fleet plugin (Helm release `<namespace>-flagger-<cluster>` and
//! `<namespace>-testloader-<cluster>`, whose chart appends `-loadtester`), so Canaries rendered
//! by Kurator's rules find the public load tester, and each tool recognises the other's install.

use serde_json::{Value, json};

use super::MANAGED_BY;
use super::provider::Provider;
use crate::flagger::crds::flagger_crds;

/// Newest Flagger release in the references.
pub const DEFAULT_FLAGGER_VERSION: &str = "1.44.0";
pub const LOADTESTER_VERSION: &str = "0.38.0";
pub const FLAGGER_IMAGE: &str = "ghcr.io/fluxcd/flagger";
pub const LOADTESTER_IMAGE: &str = "ghcr.io/fluxcd/flagger-loadtester";

#[derive(Debug, Clone, PartialEq)]
pub struct InstallSpec {
    pub provider: Provider,
    /// The cluster's name in object names (the context name unless overridden).
    pub cluster_name: String,
    pub flagger_version: String,
    pub metrics_server: Option<String>,
    pub testloader: bool,
}

impl InstallSpec {
    pub fn namespace(&self) -> &'static str {
        self.provider.namespace()
    }

    /// Helm release name Kurator's fleet plugin gives Flagger in this cluster.
    pub fn flagger_release(&self) -> String {
        dns_label(&format!("{}-flagger-{}", self.namespace(), self.cluster_name))
    }

    pub fn testloader_release(&self) -> String {
        dns_label(&format!("{}-testloader-{}", self.namespace(), self.cluster_name))
    }

    /// The load tester's Deployment and Service name (the chart appends `-loadtester`).
    pub fn loadtester_name(&self) -> String {
        public_loadtester_name(self.namespace(), &self.cluster_name)
    }

    pub fn metrics_server(&self) -> String {
        self.metrics_server
            .clone()
            .unwrap_or_else(|| self.provider.default_metrics_server(&self.flagger_release()))
    }
}

/// The public load tester's Service in a cluster, as Kurator's fleet plugin names it: Helm
/// release `<namespace>-testloader-<cluster>` plus the chart's `-loadtester` suffix.
pub fn public_loadtester_name(namespace: &str, cluster_name: &str) -> String {
    let name = dns_label(&format!(
        "{}-loadtester",
        dns_label(&format!("{namespace}-testloader-{cluster_name}"))
    ));
    // A Service name is a DNS-1035 label: it must start with a letter.
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        dns_label(&format!("lt-{name}"))
    }
}

/// A name the API server accepts for a Deployment or a Service (an RFC 1123 label, at most 63
/// characters, as Helm truncates). Cluster names come from kubeconfig contexts, which often
/// hold characters names may not (`gke_project_zone_name`, `arn:aws:eks:…:cluster/name`,
/// `admin@prod`): each run of them becomes one `-`.
fn dns_label(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_start_matches('-')
        .chars()
        .take(63)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

fn labels(name: &str, instance: &str) -> Value {
    json!({
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    })
}

/// Every object for one cluster, in the order they must be applied.
pub fn manifests(spec: &InstallSpec) -> Vec<Value> {
    let ns = spec.namespace();
    let release = spec.flagger_release();
    let mut objects = vec![json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})];
    for mut crd in flagger_crds() {
        crd["metadata"]["labels"] =
            json!({"app.kubernetes.io/managed-by": MANAGED_BY, "app.kubernetes.io/part-of": "flagger"});
        objects.push(crd);
    }
    let flagger_labels = labels("flagger", &release);
    objects.push(json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": release, "namespace": ns, "labels": flagger_labels},
    }));
    objects.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": release, "labels": flagger_labels},
        "rules": cluster_role_rules(),
    }));
    objects.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": release, "labels": flagger_labels},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": release},
        "subjects": [{"kind": "ServiceAccount", "name": release, "namespace": ns}],
    }));
    objects.push(flagger_deployment(spec));
    if spec.testloader {
        objects.extend(loadtester(spec));
    }
    objects
}

fn flagger_deployment(spec: &InstallSpec) -> Value {
    let release = spec.flagger_release();
    let selector = json!({"app.kubernetes.io/name": "flagger", "app.kubernetes.io/instance": release});
    let mut args = vec![
        "-log-level=info".to_string(),
        format!("-mesh-provider={}", spec.provider.mesh_provider()),
        format!("-metrics-server={}", spec.metrics_server()),
        "-include-label-prefix=app.kubernetes.io".to_string(),
        "-enable-config-tracking=true".to_string(),
    ];
    args.extend(spec.provider.extra_args().iter().map(|a| a.to_string()));
    let probe = json!({
        "exec": {"command": ["wget", "--quiet", "--tries=1", "--timeout=4", "--spider", "http://localhost:8080/healthz"]},
        "timeoutSeconds": 5,
    });
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": release, "namespace": spec.namespace(), "labels": labels("flagger", &release)},
        "spec": {
            "replicas": 1,
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {
                    "labels": selector,
                    "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "8080"},
                },
                "spec": {
                    "serviceAccountName": release,
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "containers": [{
                        "name": "flagger",
                        "image": format!("{FLAGGER_IMAGE}:{}", spec.flagger_version),
                        "imagePullPolicy": "IfNotPresent",
                        "command": ["./flagger"],
                        "args": args,
                        "ports": [{"name": "http", "containerPort": 8080}],
                        "livenessProbe": probe,
                        "readinessProbe": probe,
                        "resources": {
                            "requests": {"cpu": "10m", "memory": "32Mi"},
                            "limits": {"cpu": "1000m", "memory": "512Mi"},
                        },
                        "securityContext": {"readOnlyRootFilesystem": true, "runAsUser": 10001},
                    }],
                },
            },
        },
    })
}

/// The load tester container as Flagger's chart runs it; Kurator's per-policy load tester
/// (`render::loadtester`) runs the same one with other `resources`.
pub fn loadtester_container(resources: Value) -> Value {
    let probe = json!({
        "exec": {"command": ["wget", "--quiet", "--tries=1", "--timeout=4", "--spider", "http://localhost:8080/healthz"]},
        "timeoutSeconds": 5,
    });
    json!({
        "name": "loadtester",
        "image": format!("{LOADTESTER_IMAGE}:{LOADTESTER_VERSION}"),
        "imagePullPolicy": "IfNotPresent",
        "command": ["./loadtester", "-port=8080", "-log-level=info", "-timeout=1h"],
        "ports": [{"name": "http", "containerPort": 8080}],
        "livenessProbe": probe,
        "readinessProbe": probe,
        "resources": resources,
        "securityContext": {"readOnlyRootFilesystem": true, "runAsUser": 10001},
    })
}

fn loadtester(spec: &InstallSpec) -> Vec<Value> {
    let name = spec.loadtester_name();
    let instance = spec.testloader_release();
    let selector = json!({"app.kubernetes.io/name": "loadtester", "app.kubernetes.io/instance": instance});
    vec![
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": spec.namespace(), "labels": labels("loadtester", &instance)},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": selector},
                "template": {
                    "metadata": {"labels": selector, "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "8080"}},
                    "spec": {
                        "containers": [loadtester_container(json!({"requests": {"cpu": "10m", "memory": "64Mi"}}))],
                    },
                },
            },
        }),
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": spec.namespace(), "labels": labels("loadtester", &instance)},
            "spec": {
                "type": "ClusterIP",
                "selector": selector,
                "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
            },
        }),
    ]
}

/// The ClusterRole Flagger's chart grants (Flagger needs all of it for the providers it routes).
fn cluster_role_rules() -> Value {
    let crud = json!(["get", "list", "watch", "create", "update", "patch", "delete"]);
    let rule =
        |groups: &[&str], resources: &[&str]| json!({"apiGroups": groups, "resources": resources, "verbs": crud});
    json!([
        rule(&[""], &["events", "configmaps", "configmaps/finalizers", "secrets", "secrets/finalizers", "services", "services/finalizers"]),
        rule(&["coordination.k8s.io"], &["leases"]),
        rule(&["apps"], &["daemonsets", "daemonsets/finalizers", "deployments", "deployments/finalizers"]),
        rule(&["autoscaling"], &["horizontalpodautoscalers", "horizontalpodautoscalers/finalizers"]),
        rule(&["extensions", "networking.k8s.io"], &["ingresses", "ingresses/finalizers"]),
        rule(&["flagger.app"], &["canaries", "canaries/status", "canaries/finalizers", "metrictemplates", "metrictemplates/status", "alertproviders", "alertproviders/status"]),
        rule(&["networking.istio.io"], &["virtualservices", "virtualservices/finalizers", "destinationrules", "destinationrules/finalizers"]),
        rule(&["appmesh.k8s.aws"], &["virtualnodes", "virtualnodes/finalizers", "virtualrouters", "virtualrouters/finalizers", "virtualservices", "virtualservices/finalizers"]),
        rule(&["split.smi-spec.io"], &["trafficsplits", "trafficsplits/finalizers"]),
        rule(&["specs.smi-spec.io"], &["httproutegroups", "httproutegroups/finalizers"]),
        rule(&["gloo.solo.io"], &["upstreams", "upstreams/finalizers"]),
        rule(&["gateway.solo.io"], &["routetables", "routetables/finalizers"]),
        rule(&["projectcontour.io"], &["httpproxies", "httpproxies/finalizers"]),
        rule(&["kuma.io"], &["trafficroutes", "trafficroutes/finalizers"]),
        rule(&["gateway.networking.k8s.io"], &["httproutes", "httproutes/finalizers"]),
        rule(&["keda.sh"], &["scaledobjects", "scaledobjects/finalizers"]),
        rule(&["apisix.apache.org"], &["apisixroutes", "apisixroutes/finalizers"]),
        rule(&["metrics.keptn.sh"], &["keptnmetrics", "analyses"]),
        {"apiGroups": ["serving.knative.dev"], "resources": ["services"], "verbs": ["get", "list", "watch", "update"]},
        {"apiGroups": ["serving.knative.dev"], "resources": ["revisions"], "verbs": ["get", "list", "watch"]},
        {"nonResourceURLs": ["/version"], "verbs": ["get"]},
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(provider: Provider, testloader: bool) -> InstallSpec {
        InstallSpec {
            provider,
            cluster_name: "kurator-member1".into(),
            flagger_version: DEFAULT_FLAGGER_VERSION.into(),
            metrics_server: None,
            testloader,
        }
    }

    fn find<'a>(objects: &'a [Value], kind: &str) -> Vec<&'a Value> {
        objects.iter().filter(|o| o["kind"] == kind).collect()
    }

    #[test]
    fn names_follow_kurators_fleet_plugin() {
        let s = spec(Provider::Istio, true);
        assert_eq!(s.flagger_release(), "istio-system-flagger-kurator-member1");
        assert_eq!(
            s.loadtester_name(),
            "istio-system-testloader-kurator-member1-loadtester"
        );
        let objects = manifests(&s);
        let deployments = find(&objects, "Deployment");
        assert_eq!(
            deployments[0]["metadata"]["name"],
            "istio-system-flagger-kurator-member1"
        );
        assert_eq!(
            deployments[1]["metadata"]["name"],
            "istio-system-testloader-kurator-member1-loadtester"
        );
        let service = find(&objects, "Service")[0];
        assert_eq!(service["spec"]["ports"][0]["port"], 80);
        assert_eq!(find(&objects, "CustomResourceDefinition").len(), 3);
        assert_eq!(objects[0]["kind"], "Namespace");
        assert!(
            objects[0]["metadata"].get("labels").is_none(),
            "the namespace is never marked as ours"
        );
    }

    #[test]
    fn flagger_args_per_provider() {
        let args = |p: Provider| {
            let objects = manifests(&spec(p, false));
            let d = find(&objects, "Deployment")[0].clone();
            d["spec"]["template"]["spec"]["containers"][0]["args"].clone()
        };
        let istio = args(Provider::Istio);
        assert!(istio.as_array().unwrap().contains(&json!("-mesh-provider=istio")));
        assert!(
            istio
                .as_array()
                .unwrap()
                .contains(&json!("-metrics-server=http://prometheus:9090"))
        );
        let contour = args(Provider::Contour);
        assert!(contour.as_array().unwrap().contains(&json!("-ingress-class=contour")));
        assert!(find(&manifests(&spec(Provider::Kuma, false)), "Service").is_empty());
    }

    /// validation.IsDNS1123Label, as the API server checks names.
    fn is_dns_label(name: &str) -> bool {
        let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        !name.is_empty()
            && name.len() <= 63
            && name.chars().all(|c| ok(c) || c == '-')
            && name.starts_with(ok)
            && name.ends_with(ok)
    }

    #[test]
    fn names_from_real_world_context_names_are_valid() {
        for context in [
            "gke_my-project_us-central1-a_prod",
            "arn:aws:eks:us-east-1:123456789012:cluster/Prod",
            "admin@prod.example.com",
            "kind-kind",
        ] {
            let mut s = spec(Provider::Istio, true);
            s.cluster_name = context.into();
            for name in [s.flagger_release(), s.testloader_release(), s.loadtester_name()] {
                assert!(is_dns_label(&name), "{context}: {name}");
            }
            assert!(s.loadtester_name().starts_with(|c: char| c.is_ascii_alphabetic()));
        }
        let mut s = spec(Provider::Istio, true);
        s.cluster_name = "gke_p_z_c".into();
        assert_eq!(s.flagger_release(), "istio-system-flagger-gke-p-z-c");
        assert_eq!(public_loadtester_name("1ns", "c"), "lt-1ns-testloader-c-loadtester");
    }

    #[test]
    fn long_names_are_cut_to_63_characters() {
        let mut s = spec(Provider::Istio, true);
        s.cluster_name = "a-very-long-cluster-name-that-goes-on-and-on-and-on-forever-more".into();
        assert!(s.loadtester_name().len() <= 63);
        assert!(!s.loadtester_name().ends_with('-'));
    }
}
