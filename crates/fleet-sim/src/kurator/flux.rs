//! How Kurator installs Flagger: its Fleet plugin writes a Flux `HelmRepository` and
//! `HelmRelease` per component and member into the Fleet's namespace on the hub
//! (kurator-dev/kurator `pkg/fleet-manager/fleet_plugin_flagger.go`, `reconcileFlaggerPlugin`;
//! `pkg/fleet-manager/plugin/plugin.go`, `RenderFlagger` / `RenderRolloutTestloader` /
//! `RenderProvider`; template `pkg/fleet-manager/manifests/plugin.tpl`), and a simulated Flux
//! helm-controller installs each release into the member its `kubeConfig.secretRef` reaches,
//! creating the chart's objects with Helm's release naming and metadata — not this project's
//! plugin installer.
//!
//! Emulated charts: `flagger` (fluxcd/flagger `charts/flagger`), `loadtester`
//! (`charts/loadtester`), and the parts of `ingress-nginx` and `kuma` a rollout touches (their
//! controller Deployments). Not emulated: chart hooks, Helm's three-way merge on upgrade (an
//! upgrade rewrites each object), the gzip'd release payload in the storage Secret, drift.

use base64::Engine;
use serde_json::{Value, json};

use crate::cluster::SimCluster;
use crate::core::WriteOptions;

/// `plugin.tpl`'s labels and naming.
pub const MANAGED_BY_FLEET: &str = "fleet-manager";
/// Newest Flagger chart the simulated OCI repository serves (`1.x` resolves to it).
pub const FLAGGER_CHART_LATEST: &str = "1.44.0";
const HELM_FINALIZER: &str = "finalizers.fluxcd.io";

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The Flux CRDs the hub serves (schemas left open, as Kurator's own are here).
pub fn flux_crds() -> Vec<Value> {
    let crd = |group: &str, plural: &str, kind: &str, version: &str| {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": format!("{plural}.{group}")},
            "spec": {"group": group, "scope": "Namespaced",
                     "names": {"plural": plural, "singular": kind.to_lowercase(), "kind": kind, "listKind": format!("{kind}List")},
                     "versions": [{"name": version, "served": true, "storage": true, "subresources": {"status": {}},
                                   "additionalPrinterColumns": [
                                       {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
                                       {"name": "Status", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].message"}],
                                   "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                       "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                                       "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}]}
        })
    };
    vec![
        crd(
            "source.toolkit.fluxcd.io",
            "helmrepositories",
            "HelmRepository",
            "v1beta2",
        ),
        crd("helm.toolkit.fluxcd.io", "helmreleases", "HelmRelease", "v2beta1"),
    ]
}

/// One chart Kurator asks for (`plugins/<component>.yaml` merged with the Fleet's override).
struct Chart {
    repo: String,
    name: String,
    version: String,
    values: Value,
}

/// `mergeChartConfig` [quirk]: an override replaces all three fields, empty ones included.
fn chart_override(mut chart: Chart, over: Option<&Value>) -> Chart {
    if let Some(o) = over.filter(|o| o.is_object()) {
        chart.repo = text(o, "/repository").to_string();
        chart.name = text(o, "/name").to_string();
        chart.version = text(o, "/version").to_string();
    }
    chart
}

/// Helm/sprig `merge`: `dst` wins, maps merged recursively.
fn merge(dst: &Value, src: &Value) -> Value {
    match (dst, src) {
        (Value::Object(d), Value::Object(s)) => {
            let mut out = s.clone();
            for (k, v) in d {
                let merged = match s.get(k) {
                    Some(sv) => merge(v, sv),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Null, s) => s.clone(),
        (d, _) => d.clone(),
    }
}

fn provider_namespace(provider: &str) -> &'static str {
    super::render::provider_namespace(provider).unwrap_or("")
}

/// The hub objects Kurator's Fleet plugin renders for one member (`plugin.tpl`): a
/// HelmRepository and a HelmRelease per component, named `<component>-<cluster>`.
pub fn render_plugin(fleet: &Value, cluster: &str, secret: &str, secret_key: &str) -> Vec<Value> {
    let Some(cfg) = fleet.pointer("/spec/plugin/flagger").filter(|f| f.is_object()) else {
        return Vec::new();
    };
    let provider = text(cfg, "/trafficRoutingProvider");
    let target_ns = provider_namespace(provider);
    let extra = cfg.get("extraArgs").cloned().unwrap_or(Value::Null);
    let mut out = Vec::new();
    // RenderFlagger: nginx forces its mesh provider and the bundled Prometheus over extraArgs.
    let mut flagger_values = extra.clone();
    if provider == "nginx" {
        flagger_values = merge(
            &json!({"prometheus": {"install": true}, "meshProvider": "nginx"}),
            &flagger_values,
        );
    }
    let flagger = chart_override(
        Chart {
            repo: "oci://ghcr.io/fluxcd/charts".into(),
            name: "flagger".into(),
            version: "1.x".into(),
            values: json!({"nodeSelector": {"kubernetes.io/os": "linux"}}),
        },
        cfg.get("chart"),
    );
    out.extend(pair(
        fleet,
        "flagger",
        "flagger",
        cluster,
        secret,
        secret_key,
        target_ns,
        &flagger,
        &flagger_values,
    ));
    if cfg.get("publicTestloader") == Some(&json!(true)) {
        // RenderRolloutTestloader [quirk]: the Flagger extraArgs are the load tester's values.
        let loader = Chart {
            repo: "https://flagger.app".into(),
            name: "loadtester".into(),
            version: "0.30.0".into(),
            values: json!({}),
        };
        out.extend(pair(
            fleet,
            "testloader",
            "testloader",
            cluster,
            secret,
            secret_key,
            target_ns,
            &loader,
            &extra,
        ));
    }
    // fleet_plugin_provider.go: kuma and nginx are installed by Kurator, istio is not.
    let provider_chart = match provider {
        "nginx" => Some(Chart {
            repo: "https://kubernetes.github.io/ingress-nginx".into(),
            name: "ingress-nginx".into(),
            version: "4.x".into(),
            values: json!({"controller": {"metrics": {"enabled": true},
                "podAnnotations": {"prometheus.io/scrape": true, "prometheus.io/port": 10254}}}),
        }),
        "kuma" => Some(Chart {
            repo: "https://kumahq.github.io/charts".into(),
            name: "kuma".into(),
            version: "2.7.3".into(),
            values: json!({}),
        }),
        _ => None,
    };
    if let Some(chart) = provider_chart {
        let chart = chart_override(chart, cfg.pointer("/config/chart"));
        let values = cfg.pointer("/config/extraArgs").cloned().unwrap_or(Value::Null);
        out.extend(pair(
            fleet, provider, provider, cluster, secret, secret_key, target_ns, &chart, &values,
        ));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn pair(
    fleet: &Value,
    plugin: &str,
    component: &str,
    cluster: &str,
    secret: &str,
    secret_key: &str,
    target_ns: &str,
    chart: &Chart,
    values: &Value,
) -> Vec<Value> {
    let name = format!("{component}-{cluster}");
    let fleet_ns = text(fleet, "/metadata/namespace");
    let meta = json!({
        "name": name, "namespace": fleet_ns,
        "labels": {"app.kubernetes.io/managed-by": MANAGED_BY_FLEET, "fleet.kurator.dev/name": text(fleet, "/metadata/name"),
                   "fleet.kurator.dev/plugin": plugin, "fleet.kurator.dev/component": component},
        "ownerReferences": [{"apiVersion": "fleet.kurator.dev/v1alpha1", "kind": "Fleet",
                             "name": text(fleet, "/metadata/name"), "uid": text(fleet, "/metadata/uid")}],
    });
    let repo_type = if chart.repo.starts_with("oci://") {
        "oci"
    } else {
        "default"
    };
    let mut spec = json!({
        "chart": {"spec": {"chart": chart.name, "version": chart.version,
                           "sourceRef": {"kind": "HelmRepository", "name": name}}},
        "interval": "1m0s",
        "install": {"createNamespace": true},
        "targetNamespace": target_ns,
        // FleetPluginConfig.StorageNamespace: the target namespace when set.
        "storageNamespace": if target_ns.is_empty() { fleet_ns } else { target_ns },
        "timeout": "15m0s",
        "kubeConfig": {"secretRef": {"name": secret, "key": secret_key}},
    });
    let merged = merge(values, &chart.values);
    if merged.as_object().is_some_and(|m| !m.is_empty()) {
        spec["values"] = merged;
    }
    vec![
        json!({"apiVersion": "source.toolkit.fluxcd.io/v1beta2", "kind": "HelmRepository", "metadata": meta,
               "spec": {"type": repo_type, "interval": "5m0s", "url": chart.repo}}),
        json!({"apiVersion": "helm.toolkit.fluxcd.io/v2beta1", "kind": "HelmRelease", "metadata": meta, "spec": spec}),
    ]
}

/// Helm's `<chart>.fullname`: the release name when it contains the chart name, else
/// `<release>-<chart>`, cut at 63 and trimmed of a trailing dash.
fn fullname(release: &str, chart: &str) -> String {
    let full = if release.contains(chart) {
        release.to_string()
    } else {
        format!("{release}-{chart}")
    };
    full.chars()
        .take(63)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// The chart version a HelmRelease's `version` resolves to in the simulated repositories.
fn resolve_version(chart: &str, wanted: &str) -> Option<String> {
    let latest = match chart {
        "flagger" => FLAGGER_CHART_LATEST,
        "loadtester" => "0.30.0",
        "ingress-nginx" => "4.10.1",
        "kuma" => "2.7.3",
        _ => return None,
    };
    let major = latest.split('.').next().unwrap_or("");
    match wanted {
        "" | "*" => Some(latest.into()),
        w if w == format!("{major}.x") => Some(latest.into()),
        w if w.split('.').count() == 3 && w.split('.').all(|p| p.parse::<u32>().is_ok()) && w.starts_with(major) => {
            Some(w.into())
        }
        _ => None,
    }
}

/// The objects a chart installs (`crds/` first), before Helm's release metadata.
fn chart_objects(chart: &str, version: &str, release: &str, ns: &str, values: &Value) -> (Vec<Value>, Vec<Value>) {
    let v = |p: &str| values.pointer(p).cloned().unwrap_or(Value::Null);
    let probe = json!({"exec": {"command": ["wget", "--quiet", "--tries=1", "--timeout=4", "--spider", "http://localhost:8080/healthz"]},
                       "timeoutSeconds": 5});
    match chart {
        "flagger" => {
            // The chart's `crds/` (installed before the templates, never upgraded or deleted by
            // Helm). `flagger-crds.json` is a snapshot of Flagger 1.44's three CRDs as this
            // project models them, kept as data so the simulator needs nothing of the plugin.
            let crds: Vec<Value> = serde_json::from_str(include_str!("flagger-crds.json")).unwrap_or_default();
            let name = fullname(release, "flagger");
            let labels = json!({"helm.sh/chart": format!("flagger-{version}"), "app.kubernetes.io/name": "flagger",
                                "app.kubernetes.io/instance": release});
            let selector = json!({"app.kubernetes.io/name": "flagger", "app.kubernetes.io/instance": release});
            let mut args = vec![json!("./flagger"), json!("-log-level=info")];
            let mesh = v("/meshProvider");
            if mesh.as_str().is_some_and(|m| !m.is_empty()) {
                args.push(json!(format!("-mesh-provider={}", mesh.as_str().unwrap_or(""))));
            }
            let prometheus = v("/prometheus/install") == json!(true);
            args.push(json!(if prometheus {
                format!("-metrics-server=http://{name}-prometheus:9090")
            } else {
                format!(
                    "-metrics-server={}",
                    v("/metricsServer").as_str().unwrap_or("http://prometheus:9090")
                )
            }));
            let mut pod_spec = json!({"serviceAccountName": name, "containers": [{
                "name": "flagger", "securityContext": {"readOnlyRootFilesystem": true, "runAsUser": 10001},
                "image": format!("ghcr.io/fluxcd/flagger:{version}"), "imagePullPolicy": "IfNotPresent",
                "ports": [{"name": "http", "containerPort": 8080}], "command": args,
                "livenessProbe": probe, "readinessProbe": probe,
                "resources": {"limits": {"memory": "512Mi", "cpu": "1000m"}, "requests": {"memory": "32Mi", "cpu": "10m"}}}]});
            if v("/nodeSelector").is_object() {
                pod_spec["nodeSelector"] = v("/nodeSelector");
            }
            let mut objects = vec![
                json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns, "labels": labels}}),
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name, "labels": labels},
                       "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["/version"], "verbs": ["get"]}]}),
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": name, "labels": labels},
                       "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
                       "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": ns}]}),
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns, "labels": labels},
                       "spec": {"replicas": 1, "strategy": {"type": "Recreate"}, "selector": {"matchLabels": selector},
                                "template": {"metadata": {"labels": selector}, "spec": pod_spec}}}),
            ];
            if prometheus {
                let p = format!("{name}-prometheus");
                let sel = json!({"app.kubernetes.io/name": p});
                objects.push(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": p, "namespace": ns, "labels": labels},
                    "spec": {"type": "ClusterIP", "selector": sel, "ports": [{"name": "http", "port": 9090, "protocol": "TCP", "targetPort": "http"}]}}));
                objects.push(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": p, "namespace": ns, "labels": labels},
                    "spec": {"replicas": 1, "selector": {"matchLabels": sel}, "template": {"metadata": {"labels": sel},
                        "spec": {"containers": [{"name": "prometheus", "image": "prom/prometheus:v2.41.0",
                                                 "ports": [{"name": "http", "containerPort": 9090}]}]}}}}));
            }
            (crds, objects)
        }
        "loadtester" => {
            let name = fullname(release, "loadtester");
            let labels = json!({"app.kubernetes.io/name": "loadtester", "helm.sh/chart": format!("loadtester-{version}"),
                                "app.kubernetes.io/instance": release});
            let mut pod_spec = json!({"containers": [{"name": "loadtester",
                "securityContext": {"readOnlyRootFilesystem": true, "runAsUser": 10001},
                "image": format!("ghcr.io/fluxcd/flagger-loadtester:{version}"), "imagePullPolicy": "IfNotPresent",
                "ports": [{"name": "http", "containerPort": 8080}],
                "command": ["./loadtester", "-port=8080", "-log-level=info", "-timeout=1h"],
                "livenessProbe": probe, "readinessProbe": probe,
                "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}}}]});
            // [quirk] Kurator hands Flagger's extraArgs to this chart too.
            if v("/nodeSelector").is_object() {
                pod_spec["nodeSelector"] = v("/nodeSelector");
            }
            let objects = vec![
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns, "labels": labels},
                       "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "loadtester"}},
                                "template": {"metadata": {"labels": {"app": "loadtester"}, "annotations": {"appmesh.k8s.aws/ports": "444"}},
                                             "spec": pod_spec}}}),
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns, "labels": labels},
                       "spec": {"type": "ClusterIP", "ports": [{"port": 80, "targetPort": "http", "protocol": "TCP", "name": "http"}],
                                "selector": {"app": "loadtester"}}}),
            ];
            (Vec::new(), objects)
        }
        "ingress-nginx" | "kuma" => {
            let name = if chart == "kuma" {
                "kuma-control-plane".to_string()
            } else {
                format!("{}-controller", fullname(release, chart))
            };
            let sel = json!({"app.kubernetes.io/name": chart, "app.kubernetes.io/instance": release});
            let objects = vec![json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": ns, "labels": merge(&json!({"helm.sh/chart": format!("{chart}-{version}")}), &sel)},
                "spec": {"replicas": 1, "selector": {"matchLabels": sel}, "template": {"metadata": {"labels": sel},
                    "spec": {"containers": [{"name": "controller", "image": format!("{chart}:{version}")}]}}}})];
            (Vec::new(), objects)
        }
        _ => (Vec::new(), Vec::new()),
    }
}

fn storage(kind: &str) -> Option<(&'static str, &'static str, bool)> {
    Some(match kind {
        "Namespace" => ("", "namespaces", false),
        "ServiceAccount" => ("", "serviceaccounts", true),
        "Service" => ("", "services", true),
        "Secret" => ("", "secrets", true),
        "Deployment" => ("apps", "deployments", true),
        "ClusterRole" => ("rbac.authorization.k8s.io", "clusterroles", false),
        "ClusterRoleBinding" => ("rbac.authorization.k8s.io", "clusterrolebindings", false),
        "CustomResourceDefinition" => ("apiextensions.k8s.io", "customresourcedefinitions", false),
        _ => return None,
    })
}

const RELEASE_KINDS: &[&str] = &[
    "Deployment",
    "Service",
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
];

/// The member a kubeconfig Secret on the hub reaches: its current context's server.
pub fn member_of<'a>(
    hub: &SimCluster,
    members: &'a [SimCluster],
    ns: &str,
    secret: &str,
    key: &str,
) -> Result<&'a SimCluster, String> {
    let s = hub
        .get("", "secrets", Some(ns), secret)
        .ok_or_else(|| format!("secrets \"{secret}\" not found"))?;
    let data = s
        .pointer(&format!("/data/{}", key.replace('~', "~0").replace('/', "~1")))
        .and_then(Value::as_str)
        .ok_or_else(|| format!("secret {ns}/{secret} has no key {key}"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| format!("secret {ns}/{secret}: {e}"))?;
    let config: Value = serde_saphyr::from_str(&String::from_utf8_lossy(&bytes))
        .map_err(|e| format!("secret {ns}/{secret}: invalid kubeconfig: {e}"))?;
    let current = text(&config, "/current-context");
    let cluster = config
        .get("contexts")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| text(c, "/name") == current))
        .map(|c| text(c, "/context/cluster"))
        .unwrap_or("");
    let server = config
        .get("clusters")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| text(c, "/name") == cluster))
        .map(|c| text(c, "/cluster/server"))
        .unwrap_or("");
    members
        .iter()
        .find(|m| m.url().as_deref() == Some(server))
        .ok_or_else(|| format!("Get \"{server}/version\": dial tcp: connect: connection refused"))
}

fn write_opts() -> WriteOptions {
    WriteOptions {
        field_manager: Some("helm".into()),
        ..Default::default()
    }
}

/// Create or rewrite one object in a member (Helm owns it; the release metadata marks it).
fn put_object(member: &SimCluster, obj: Value) -> Result<(), String> {
    let kind = text(&obj, "/kind").to_string();
    let Some((group, plural, namespaced)) = storage(&kind) else {
        return Ok(());
    };
    let t = member
        .core()
        .storage_type(group, plural)
        .ok_or_else(|| format!("no matches for kind \"{kind}\""))?;
    let ns = namespaced.then(|| text(&obj, "/metadata/namespace").to_string());
    let name = text(&obj, "/metadata/name").to_string();
    match member.core().get(&t, ns.as_deref(), &name) {
        Err(_) => member
            .core()
            .create(&t, ns.as_deref(), obj, &write_opts())
            .map(|_| ())
            .map_err(|e| e.message),
        Ok(live) => {
            if kind == "CustomResourceDefinition" || kind == "Namespace" {
                return Ok(()); // Helm never upgrades crds/, and leaves an existing namespace.
            }
            // Helm refuses to adopt what another release or tool owns.
            let owner = text(&live, "/metadata/annotations/meta.helm.sh~1release-name");
            let wanted = text(&obj, "/metadata/annotations/meta.helm.sh~1release-name");
            if owner != wanted {
                return Err(format!(
                    "rendered manifests contain a resource that already exists. Unable to continue with install: {kind} \"{name}\" in namespace \"{}\" exists and cannot be imported into the current release: invalid ownership metadata; annotation validation error: missing key \"meta.helm.sh/release-name\": must be set to \"{wanted}\"",
                    ns.as_deref().unwrap_or("")
                ));
            }
            let mut obj = obj;
            obj["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"].clone();
            member
                .core()
                .replace(&t, ns.as_deref(), &name, obj, false, &write_opts())
                .map(|_| ())
                .map_err(|e| e.message)
        }
    }
}

/// Objects of a release still in the member (found by Helm's annotation).
fn release_objects(member: &SimCluster, release: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for kind in RELEASE_KINDS {
        let Some((group, plural, _)) = storage(kind) else {
            continue;
        };
        for o in member.list(group, plural, None) {
            if text(&o, "/metadata/annotations/meta.helm.sh~1release-name") == release {
                out.push(o);
            }
        }
    }
    out
}

fn delete_object(member: &SimCluster, obj: &Value) {
    let Some((group, plural, namespaced)) = storage(text(obj, "/kind")) else {
        return;
    };
    if let Some(t) = member.core().storage_type(group, plural) {
        let ns = namespaced.then(|| text(obj, "/metadata/namespace"));
        let _ = member
            .core()
            .delete(&t, ns, text(obj, "/metadata/name"), &WriteOptions::default());
    }
}

fn deployments_available(member: &SimCluster, objects: &[Value]) -> bool {
    objects.iter().filter(|o| o["kind"] == "Deployment").all(|d| {
        member
            .get(
                "apps",
                "deployments",
                Some(text(d, "/metadata/namespace")),
                text(d, "/metadata/name"),
            )
            .and_then(|live| live.pointer("/status/conditions").and_then(Value::as_array).cloned())
            .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Available" && c["status"] == "True"))
    })
}

fn condition(status: &str, reason: &str, message: &str) -> Value {
    json!([{"type": "Ready", "status": status, "reason": reason, "message": message,
            "lastTransitionTime": crate::meta::now_rfc3339()}])
}

/// Flux helm-controller (v2beta1), one pass over the hub's HelmReleases: installs or upgrades a
/// release whose spec changed, reports Ready once its Deployments are Available (Helm's
/// `--wait`), and uninstalls a deleted HelmRelease (its finalizer held until then).
pub fn helm_controller_pass(hub: &SimCluster, members: &[SimCluster]) {
    for hr in hub.list("helm.toolkit.fluxcd.io", "helmreleases", None) {
        let ns = text(&hr, "/metadata/namespace").to_string();
        let name = text(&hr, "/metadata/name").to_string();
        let target_ns = text(&hr, "/spec/targetNamespace").to_string();
        // Flux's default release name: `<targetNamespace>-<name>`.
        let release = if target_ns.is_empty() {
            name.clone()
        } else {
            format!("{target_ns}-{name}")
        };
        let release_ns = if target_ns.is_empty() {
            ns.clone()
        } else {
            target_ns.clone()
        };
        let storage_ns = match text(&hr, "/spec/storageNamespace") {
            "" => release_ns.clone(),
            s => s.to_string(),
        };
        let generation = hr.pointer("/metadata/generation").cloned().unwrap_or(json!(1));
        let observed = hr.pointer("/status/observedGeneration").cloned().unwrap_or(Value::Null);
        let ready_condition = hr
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
            .cloned()
            .unwrap_or(Value::Null);
        let ready = text(&ready_condition, "/status").to_string();
        let settled = hr.pointer("/metadata/deletionTimestamp").is_none()
            && hr
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .is_some_and(|f| f.iter().any(|f| f == HELM_FINALIZER))
            && observed == generation
            // Installed; or an install that failed, which v2beta1 does not retry by default
            // (`install.remediation.retries: 0`) until the spec changes.
            && (ready == "True" || (ready == "False" && text(&ready_condition, "/reason") != "ReconciliationFailed"));
        if settled {
            continue;
        }
        let member = member_of(
            hub,
            members,
            &ns,
            text(&hr, "/spec/kubeConfig/secretRef/name"),
            match text(&hr, "/spec/kubeConfig/secretRef/key") {
                "" => "value",
                k => k,
            },
        );
        let finalizers = hr
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if hr.pointer("/metadata/deletionTimestamp").is_some() {
            if let Ok(m) = member {
                for o in release_objects(m, &release) {
                    delete_object(m, &o);
                }
                for s in m.list("", "secrets", Some(&storage_ns)) {
                    if text(&s, "/metadata/labels/name") == release && text(&s, "/metadata/labels/owner") == "helm" {
                        delete_object(m, &s);
                    }
                }
            }
            let rest: Vec<Value> = finalizers.into_iter().filter(|f| f != HELM_FINALIZER).collect();
            let _ = hub.patch(
                "helm.toolkit.fluxcd.io",
                "helmreleases",
                Some(&ns),
                &name,
                crate::patch::PatchKind::Merge,
                &json!({"metadata": {"finalizers": rest}}),
            );
            continue;
        }
        if !finalizers.iter().any(|f| f == HELM_FINALIZER) {
            let mut f = finalizers.clone();
            f.push(json!(HELM_FINALIZER));
            let _ = hub.patch(
                "helm.toolkit.fluxcd.io",
                "helmreleases",
                Some(&ns),
                &name,
                crate::patch::PatchKind::Merge,
                &json!({"metadata": {"finalizers": f}}),
            );
        }
        let status = |s: Value| {
            let _ = hub.patch_status("helm.toolkit.fluxcd.io", "helmreleases", Some(&ns), &name, &s);
        };
        let member = match member {
            Ok(m) => m,
            Err(e) => {
                // Not reaching the cluster is retried (Flux requeues on its interval).
                status(json!({"conditions": condition("False", "ReconciliationFailed", &e)}));
                continue;
            }
        };
        let chart = text(&hr, "/spec/chart/spec/chart").to_string();
        let Some(version) = resolve_version(&chart, text(&hr, "/spec/chart/spec/version")) else {
            status(
                json!({"observedGeneration": generation, "conditions": condition("False", "ArtifactFailed",
                &format!("no chart name found for {chart} with version {}", text(&hr, "/spec/chart/spec/version")))}),
            );
            continue;
        };
        let values = hr.pointer("/spec/values").cloned().unwrap_or(json!({}));
        let (crds, objects) = chart_objects(&chart, &version, &release, &release_ns, &values);
        let objects: Vec<Value> = objects
            .into_iter()
            .map(|mut o| {
                // Helm's release metadata (pkg/action: setMetadataVisitor).
                o["metadata"]["labels"]["app.kubernetes.io/managed-by"] = json!("Helm");
                o["metadata"]["annotations"]["meta.helm.sh/release-name"] = json!(release);
                o["metadata"]["annotations"]["meta.helm.sh/release-namespace"] = json!(release_ns);
                o
            })
            .collect();
        if observed != generation {
            let mut result = Ok(());
            if hr.pointer("/spec/install/createNamespace") == Some(&json!(true)) {
                result = put_object(
                    member,
                    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": release_ns}}),
                );
            }
            for o in crds.iter().chain(objects.iter()) {
                if result.is_err() {
                    break;
                }
                result = put_object(member, o.clone());
            }
            // Objects of an earlier revision the new one no longer has.
            let keep: Vec<(String, String)> = objects
                .iter()
                .map(|o| (text(o, "/kind").to_string(), text(o, "/metadata/name").to_string()))
                .collect();
            if result.is_ok() {
                for o in release_objects(member, &release) {
                    if !keep.contains(&(text(&o, "/kind").to_string(), text(&o, "/metadata/name").to_string())) {
                        delete_object(member, &o);
                    }
                }
            }
            let revision = hr
                .pointer("/status/lastReleaseRevision")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                + 1;
            match result {
                Err(e) => {
                    status(
                        json!({"observedGeneration": generation, "conditions": condition("False", "InstallFailed", &e)}),
                    );
                    continue;
                }
                Ok(()) => {
                    let manifest: Vec<Value> = objects
                        .iter()
                        .map(|o| json!({"kind": o["kind"], "name": o["metadata"]["name"]}))
                        .collect();
                    let payload = json!({"name": release, "namespace": release_ns, "version": revision,
                                         "chart": {"metadata": {"name": chart, "version": version}}, "manifest": manifest,
                                         "info": {"status": "deployed"}});
                    let encoded = base64::engine::general_purpose::STANDARD.encode(payload.to_string());
                    let secret = json!({"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
                        "metadata": {"name": format!("sh.helm.release.v1.{release}.v{revision}"), "namespace": storage_ns,
                                     "labels": {"name": release, "owner": "helm", "status": "deployed", "version": revision.to_string()}},
                        "data": {"release": base64::engine::general_purpose::STANDARD.encode(encoded)}});
                    let _ = put_object(member, secret);
                    status(
                        json!({"observedGeneration": generation, "lastReleaseRevision": revision,
                        "lastAttemptedRevision": version, "lastAppliedRevision": version,
                        "helmChart": format!("{ns}/{ns}-{name}"),
                        "conditions": condition("Unknown", "Progressing", "Reconciliation in progress")}),
                    );
                }
            }
        }
        if deployments_available(member, &objects) {
            let conditions = condition("True", "ReconciliationSucceeded", "Release reconciliation succeeded");
            status(json!({"observedGeneration": generation, "conditions": conditions}));
        }
    }
}

/// Kurator's Fleet plugin pass: renders the HelmRepositories and HelmReleases for every ready
/// member of the Fleet, writes those that changed, and deletes the fleet's Flux objects it no
/// longer renders (`reconcilePluginResources`), so removing `plugin.flagger` uninstalls.
pub fn fleet_plugin_pass(hub: &SimCluster, fleet: &Value) {
    let fleet_ns = text(fleet, "/metadata/namespace");
    let fleet_name = text(fleet, "/metadata/name");
    let mut wanted = Vec::new();
    for c in fleet
        .pointer("/spec/clusters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (group, plural, key_path) = match text(c, "/kind") {
            "AttachedCluster" => ("cluster.kurator.dev", "attachedclusters", "/spec/kubeconfig"),
            "Cluster" => ("cluster.kurator.dev", "clusters", "/spec/credential/secretRef"),
            _ => continue,
        };
        let Some(cluster) = hub.get(group, plural, Some(fleet_ns), text(c, "/name")) else {
            continue;
        };
        let ready =
            cluster.pointer("/status/ready") == Some(&json!(true)) || text(&cluster, "/status/phase") == "Ready";
        if !ready {
            continue;
        }
        let secret = match text(&cluster, &format!("{key_path}/name")) {
            "" => text(&cluster, "/metadata/name").to_string(),
            s => s.to_string(),
        };
        let key = match text(&cluster, &format!("{key_path}/key")) {
            "" => "value".to_string(),
            k => k.to_string(),
        };
        wanted.extend(render_plugin(fleet, text(c, "/name"), &secret, &key));
    }
    for obj in &wanted {
        let (group, plural) = if obj["kind"] == "HelmRelease" {
            ("helm.toolkit.fluxcd.io", "helmreleases")
        } else {
            ("source.toolkit.fluxcd.io", "helmrepositories")
        };
        let name = text(obj, "/metadata/name");
        let live = hub.get(group, plural, Some(fleet_ns), name);
        let same = live.as_ref().is_some_and(|l| {
            l.get("spec") == obj.get("spec") && l.pointer("/metadata/labels") == obj.pointer("/metadata/labels")
        });
        if !same {
            let _ = hub.apply(group, plural, Some(fleet_ns), obj);
        }
    }
    let names: Vec<(String, String)> = wanted
        .iter()
        .map(|o| (text(o, "/kind").to_string(), text(o, "/metadata/name").to_string()))
        .collect();
    for (group, plural, kind) in [
        ("helm.toolkit.fluxcd.io", "helmreleases", "HelmRelease"),
        ("source.toolkit.fluxcd.io", "helmrepositories", "HelmRepository"),
    ] {
        for o in hub.list(group, plural, Some(fleet_ns)) {
            let labels = o.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
            let ours = labels["app.kubernetes.io/managed-by"] == MANAGED_BY_FLEET
                && labels["fleet.kurator.dev/name"] == fleet_name
                && ["flagger", "testloader", "kuma", "nginx"]
                    .contains(&labels["fleet.kurator.dev/plugin"].as_str().unwrap_or(""));
            let name = text(&o, "/metadata/name").to_string();
            if ours
                && !names.contains(&(kind.to_string(), name.clone()))
                && o.pointer("/metadata/deletionTimestamp").is_none()
                && let Some(t) = hub.core().storage_type(group, plural)
            {
                let _ = hub.core().delete(&t, Some(fleet_ns), &name, &WriteOptions::default());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet(plugin: Value) -> Value {
        json!({"metadata": {"name": "quickstart", "namespace": "default", "uid": "u1"},
               "spec": {"plugin": {"flagger": plugin}}})
    }

    #[test]
    fn kurator_renders_a_helm_repository_and_release_per_component() {
        let objs = render_plugin(
            &fleet(json!({"trafficRoutingProvider": "istio", "publicTestloader": true})),
            "kurator-member1",
            "kurator-member1",
            "kurator-member1.config",
        );
        let names: Vec<String> = objs
            .iter()
            .map(|o| {
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap(),
                    o["metadata"]["name"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "HelmRepository/flagger-kurator-member1",
                "HelmRelease/flagger-kurator-member1",
                "HelmRepository/testloader-kurator-member1",
                "HelmRelease/testloader-kurator-member1"
            ]
        );
        assert_eq!(objs[0]["spec"]["type"], "oci");
        assert_eq!(objs[1]["spec"]["targetNamespace"], "istio-system");
        assert_eq!(
            objs[1]["spec"]["values"],
            json!({"nodeSelector": {"kubernetes.io/os": "linux"}})
        );
        assert!(objs[3]["spec"].get("values").is_none());
        assert_eq!(objs[1]["metadata"]["labels"]["fleet.kurator.dev/component"], "flagger");
    }

    #[test]
    fn nginx_forces_its_provider_and_extra_args_reach_the_load_tester() {
        let objs = render_plugin(
            &fleet(json!({"trafficRoutingProvider": "nginx", "publicTestloader": true,
                          "extraArgs": {"meshProvider": "istio", "metricsServer": "http://p:9090"}})),
            "m",
            "m",
            "value",
        );
        assert_eq!(objs[1]["spec"]["values"]["meshProvider"], "nginx");
        assert_eq!(objs[1]["spec"]["values"]["prometheus"]["install"], true);
        assert_eq!(objs[3]["spec"]["values"]["metricsServer"], "http://p:9090");
        assert_eq!(objs[5]["spec"]["chart"]["spec"]["chart"], "ingress-nginx");
    }

    #[test]
    fn helm_names() {
        assert_eq!(
            fullname("istio-system-flagger-kurator-member1", "flagger"),
            "istio-system-flagger-kurator-member1"
        );
        assert_eq!(
            fullname("istio-system-testloader-kurator-member1", "loadtester"),
            "istio-system-testloader-kurator-member1-loadtester"
        );
        assert_eq!(resolve_version("flagger", "1.x").as_deref(), Some(FLAGGER_CHART_LATEST));
        assert_eq!(resolve_version("flagger", "1.40.0").as_deref(), Some("1.40.0"));
        assert_eq!(resolve_version("flagger", ""), Some(FLAGGER_CHART_LATEST.into()));
        assert_eq!(resolve_version("flagger", "2.x"), None);
    }
}
