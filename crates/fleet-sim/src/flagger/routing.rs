//! The objects the simulated Flagger routes traffic with, per provider, as Flagger 1.44's routers
//! (`pkg/router/*.go`) create, update and read them back: Istio `VirtualService` and
//! `DestinationRule`s (`networking.istio.io/v1beta1`), the NGINX canary `Ingress`
//! (`<ingress>-canary` with `nginx.ingress.kubernetes.io/canary-weight`), the Gateway API
//! `HTTPRoute` (`gateway.networking.k8s.io/v1` or `v1beta1`, weights on `backendRefs`), the Kuma
//! `TrafficRoute` (cluster-scoped, `kuma.io/v1alpha1`), and none for the kubernetes provider.
//! The weights the machine programs live only in these objects and are read back every tick,
//! so what a client reads from them is the traffic actually routed.
//!
//! Also the CRDs a provider's own installation brings ([`install_provider`]): a cluster serves
//! VirtualServices only where Istio is installed, and Flagger's router fails there otherwise.
//!
//! Not emulated: TCP services, session affinity, delegation, port discovery, CORS/rewrite/retry
//! fields beyond copying them, the other providers (linkerd, appmesh, contour, gloo, skipper,
//! traefik, apisix, osm, smi, knative), whose weights the controller keeps in memory.

use serde_json::{Map, Value, json};

use super::machine::Routes;
use super::workload::owner_reference;
use crate::SimCluster;
use crate::core::{ClusterCore, WriteOptions};

/// Flagger's field manager (client-go's default: the binary's name).
const MANAGER: &str = "flagger";
/// Flagger's default `-ingress-annotations-prefix`.
const NGINX_PREFIX: &str = "nginx.ingress.kubernetes.io";
// Flagger: pkg/router/router.go, configAnnotation / kubectlAnnotation.
const CONFIG_ANNOTATION: &str = "flagger.kubernetes.io/original-configuration";
const KUBECTL_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The routing implementation Flagger picks for a provider (pkg/router/factory.go, MeshRouter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Router {
    Istio,
    Nginx,
    /// Gateway API, served version (`v1` or `v1beta1`).
    GatewayApi(&'static str),
    Kuma,
    /// NopRouter: Services only, no weights.
    Kubernetes,
    /// A provider whose objects are not simulated: weights stay in the controller's memory.
    NotSimulated,
}

/// `spec.provider`, else Flagger's `-mesh-provider` flag.
pub fn provider_of(canary: &Value, mesh_provider: &str) -> String {
    match text(canary, "/spec/provider") {
        "" => mesh_provider.to_string(),
        p => p.to_string(),
    }
}

impl Router {
    // Flagger: pkg/router/factory.go, func MeshRouter (an unknown provider falls back to Istio).
    pub fn for_provider(provider: &str) -> Router {
        match provider {
            "istio" => Router::Istio,
            "nginx" => Router::Nginx,
            "kuma" => Router::Kuma,
            "kubernetes" => Router::Kubernetes,
            p if p.starts_with("gatewayapi:v1beta1") => Router::GatewayApi("v1beta1"),
            p if p.starts_with("gatewayapi:v1") => Router::GatewayApi("v1"),
            p if p.starts_with("appmesh")
                || p.starts_with("smi:")
                || p.starts_with("gloo")
                || ["linkerd", "contour", "knative", "skipper", "traefik", "apisix", "osm"].contains(&p) =>
            {
                Router::NotSimulated
            }
            _ => Router::Istio,
        }
    }

    /// Creates or updates the routing objects (the router's `Reconcile`).
    pub fn reconcile(self, cluster: &SimCluster, canary: &Value) -> Result<(), String> {
        match self {
            Router::Istio => istio::reconcile(cluster, canary),
            Router::Nginx => nginx::reconcile(cluster, canary),
            Router::GatewayApi(version) => gateway::reconcile(cluster, canary, version),
            Router::Kuma => kuma::reconcile(cluster, canary),
            Router::Kubernetes | Router::NotSimulated => Ok(()),
        }
    }

    /// The weights the object carries (`GetRoutes`); None where the controller remembers them.
    pub fn routes(self, cluster: &SimCluster, canary: &Value) -> Result<Option<Routes>, String> {
        match self {
            Router::Istio => istio::routes(cluster, canary).map(Some),
            Router::Nginx => nginx::routes(cluster, canary).map(Some),
            Router::GatewayApi(version) => gateway::routes(cluster, canary, version).map(Some),
            Router::Kuma => kuma::routes(cluster, canary).map(Some),
            // Flagger: pkg/router/nop.go, func GetRoutes.
            Router::Kubernetes => {
                let iterations = canary
                    .pointer("/status/iterations")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                Ok(Some(if iterations > 0 {
                    Routes {
                        primary: 0,
                        canary: 100,
                        mirrored: false,
                    }
                } else {
                    Routes::ALL_PRIMARY
                }))
            }
            Router::NotSimulated => Ok(None),
        }
    }

    /// Reverts the routing object when a Canary with `revertOnDeletion` goes (`Finalize`):
    /// Istio restores the VirtualService spec kept in its annotations; the others keep theirs.
    pub fn finalize(self, cluster: &SimCluster, canary: &Value) -> Result<(), String> {
        match self {
            Router::Istio => istio::finalize(cluster, canary),
            _ => Ok(()),
        }
    }

    /// Programs the weights (`SetRoutes`).
    pub fn set_routes(self, cluster: &SimCluster, canary: &Value, routes: Routes) -> Result<(), String> {
        match self {
            Router::Istio => istio::set_routes(cluster, canary, routes),
            Router::Nginx => nginx::set_routes(cluster, canary, routes),
            Router::GatewayApi(version) => gateway::set_routes(cluster, canary, routes, version),
            Router::Kuma => kuma::set_routes(cluster, canary, routes),
            Router::Kubernetes | Router::NotSimulated => Ok(()),
        }
    }
}

/// The apex, primary and canary Service names (Flagger: Canary.GetServiceNames).
pub fn service_names(canary: &Value) -> (String, String, String) {
    let apex = match text(canary, "/spec/service/name") {
        "" => text(canary, "/spec/targetRef/name").to_string(),
        n => n.to_string(),
    };
    (apex.clone(), format!("{apex}-primary"), format!("{apex}-canary"))
}

/// `spec.service.apex` labels and annotations, with the two annotations Flagger adds so Flux
/// leaves its objects alone (pkg/router/util.go, func filterMetadata).
fn apex_metadata(canary: &Value) -> (Value, Map<String, Value>) {
    let labels = canary
        .pointer("/spec/service/apex/labels")
        .cloned()
        .unwrap_or(json!({}));
    let mut annotations = canary
        .pointer("/spec/service/apex/annotations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    filter_metadata(&mut annotations);
    (labels, annotations)
}

fn filter_metadata(annotations: &mut Map<String, Value>) {
    annotations.insert("kustomize.toolkit.fluxcd.io/reconcile".into(), json!("disabled"));
    annotations.insert("helm.toolkit.fluxcd.io/driftDetection".into(), json!("disabled"));
}

/// Typed-client access to one resource version, as Flagger's generated clientsets use.
struct Kind<'a> {
    cluster: &'a SimCluster,
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    namespace: Option<String>,
}

impl Kind<'_> {
    fn get(&self, name: &str) -> Result<Option<Value>, String> {
        let core = self.cluster.core();
        let Some(t) = core.type_of(self.group, self.version, self.plural) else {
            // The API server answers 404 for a resource it does not serve: a typed client's
            // Get reports NotFound, and the Create that follows fails.
            return Ok(None);
        };
        match core.get(&t, self.namespace.as_deref(), name) {
            Ok(obj) => Ok(Some(ClusterCore::present(&t, &obj))),
            Err(e) if e.code == 404 => Ok(None),
            Err(e) => Err(e.message),
        }
    }

    /// A Get that must find the object (the error text client-go gives for a 404).
    fn must_get(&self, name: &str) -> Result<Value, String> {
        match self.get(name)? {
            Some(obj) => Ok(obj),
            None if !self.served() => Err(NO_RESOURCE.into()),
            None => Err(format!("{}.{} \"{name}\" not found", self.plural, self.group)),
        }
    }

    fn served(&self) -> bool {
        self.cluster
            .core()
            .type_of(self.group, self.version, self.plural)
            .is_some()
    }

    fn options() -> WriteOptions {
        WriteOptions {
            field_manager: Some(MANAGER.into()),
            ..Default::default()
        }
    }

    fn create(&self, mut obj: Value) -> Result<(), String> {
        let core = self.cluster.core();
        let t = core
            .type_of(self.group, self.version, self.plural)
            .ok_or_else(|| NO_RESOURCE.to_string())?;
        obj["apiVersion"] = json!(t.api_version());
        obj["kind"] = json!(t.kind);
        core.create(&t, self.namespace.as_deref(), obj, &Self::options())
            .map(|_| ())
            .map_err(|e| e.message)
    }

    /// PUT of the whole object, with its resourceVersion (a conflict fails the call).
    fn update(&self, obj: Value) -> Result<(), String> {
        let core = self.cluster.core();
        let t = core
            .type_of(self.group, self.version, self.plural)
            .ok_or_else(|| NO_RESOURCE.to_string())?;
        let name = text(&obj, "/metadata/name").to_string();
        core.replace(&t, self.namespace.as_deref(), &name, obj, false, &Self::options())
            .map(|_| ())
            .map_err(|e| e.message)
    }
}

/// client-go's text for a 404 without a more precise Status (an unserved resource).
const NO_RESOURCE: &str = "the server could not find the requested resource";

fn namespace(canary: &Value) -> String {
    text(canary, "/metadata/namespace").to_string()
}

fn new_object(name: &str, canary: &Value, labels: Value, annotations: Map<String, Value>, owned: bool) -> Value {
    let mut meta = json!({"name": name, "labels": labels, "annotations": annotations});
    if owned {
        meta["namespace"] = json!(namespace(canary));
        meta["ownerReferences"] = owner_reference(canary);
    }
    json!({"metadata": meta})
}

fn analysis_match(canary: &Value) -> Vec<Value> {
    canary
        .pointer("/spec/analysis/match")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn non_empty(v: Option<&Value>) -> Option<Value> {
    v.filter(|v| !v.is_null()).cloned()
}

/// Removes null members, as Go's `omitempty` leaves them out of the serialised object.
fn compact(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.retain(|_, x| !x.is_null());
        for x in map.values_mut() {
            *x = compact(std::mem::take(x));
        }
    } else if let Value::Array(items) = &mut v {
        for x in items.iter_mut() {
            *x = compact(std::mem::take(x));
        }
    }
    v
}

mod istio {
    use super::*;

    fn kind<'a>(cluster: &'a SimCluster, canary: &Value, plural: &'static str) -> Kind<'a> {
        Kind {
            cluster,
            group: "networking.istio.io",
            version: "v1beta1",
            plural,
            namespace: Some(namespace(canary)),
        }
    }

    fn destination(host: &str, weight: i64) -> Value {
        json!({"destination": {"host": host}, "weight": weight})
    }

    /// One HTTP route as Flagger builds it from `spec.service` (match, rewrite, timeout,
    /// retries, corsPolicy, headers) with the given destinations.
    fn http_route(canary: &Value, matches: Option<Value>, route: Vec<Value>) -> Value {
        let s = canary.pointer("/spec/service").cloned().unwrap_or(json!({}));
        compact(json!({
            "match": matches.or_else(|| non_empty(s.get("match"))),
            "rewrite": non_empty(s.get("rewrite")),
            "timeout": non_empty(s.get("timeout")),
            "retries": non_empty(s.get("retries")),
            "corsPolicy": non_empty(s.get("corsPolicy")),
            "headers": non_empty(s.get("headers")),
            "route": route,
        }))
    }

    /// Flagger: mergeMatchConditions — each analysis match combined with each service match.
    fn merged_match(canary: &Value) -> Value {
        let analysis = analysis_match(canary);
        let defaults = canary
            .pointer("/spec/service/match")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if defaults.is_empty() {
            return json!(analysis);
        }
        let mut merged = Vec::new();
        for c in &analysis {
            for d in &defaults {
                let mut m = d.clone();
                for key in ["headers", "sourceLabels"] {
                    if let Some(v) = c.get(key) {
                        m[key] = v.clone();
                    }
                }
                merged.push(m);
            }
        }
        json!(merged)
    }

    /// The `http` routes for weights (p, c), mirroring when asked (SetRoutes' shape).
    fn http_routes(canary: &Value, routes: Routes) -> Vec<Value> {
        let (_, primary, canary_name) = service_names(canary);
        let weighted = vec![
            destination(&primary, routes.primary),
            destination(&canary_name, routes.canary),
        ];
        if !analysis_match(canary).is_empty() {
            return vec![
                http_route(canary, Some(merged_match(canary)), weighted),
                http_route(canary, None, vec![destination(&primary, 100)]),
            ];
        }
        let mut route = http_route(canary, None, weighted);
        if routes.mirrored {
            route["mirror"] = json!({"host": canary_name});
            if let Some(w) = canary.pointer("/spec/analysis/mirrorWeight").and_then(Value::as_i64)
                && w > 0
            {
                route["mirrorPercentage"] = json!({"value": w as f64});
            }
        }
        vec![route]
    }

    // Flagger: pkg/router/istio.go, func reconcileVirtualService (hosts gain the apex Service,
    // gateways default to `mesh`, destinations start 100/0).
    fn virtual_service_spec(canary: &Value) -> Value {
        let (apex, _, _) = service_names(canary);
        let mut hosts: Vec<Value> = canary
            .pointer("/spec/service/hosts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if !hosts.iter().any(|h| h == apex.as_str() || h == "*") {
            hosts.push(json!(apex));
        }
        let mut gateways: Vec<Value> = canary
            .pointer("/spec/service/gateways")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if gateways.is_empty() {
            gateways.push(json!("mesh"));
        }
        json!({"hosts": hosts, "gateways": gateways, "http": http_routes(canary, Routes::ALL_PRIMARY)})
    }

    /// The spec with weights and mirroring left out: what Flagger's comparison ignores.
    fn without_weights(spec: &Value) -> Value {
        let mut spec = spec.clone();
        if let Some(http) = spec.get_mut("http").and_then(Value::as_array_mut) {
            for route in http {
                if let Some(obj) = route.as_object_mut() {
                    obj.remove("mirror");
                    obj.remove("mirrorPercentage");
                }
                if let Some(dests) = route.get_mut("route").and_then(Value::as_array_mut) {
                    for d in dests {
                        if let Some(obj) = d.as_object_mut() {
                            obj.remove("weight");
                        }
                    }
                }
            }
        }
        spec
    }

    // Flagger: pkg/router/istio.go, func reconcileDestinationRule.
    fn reconcile_destination_rule(cluster: &SimCluster, canary: &Value, name: &str) -> Result<(), String> {
        let ns = namespace(canary);
        let rules = kind(cluster, canary, "destinationrules");
        let mut spec = json!({"host": name});
        if let Some(policy) = non_empty(canary.pointer("/spec/service/trafficPolicy")) {
            spec["trafficPolicy"] = policy;
        }
        match rules.get(name) {
            Err(e) => Err(format!("DestinationRule {name}.{ns} get query error: {e}")),
            Ok(None) => {
                let mut obj = new_object(name, canary, json!({}), Map::new(), true);
                obj["metadata"].as_object_mut().map(|m| {
                    m.remove("labels");
                    m.remove("annotations")
                });
                obj["spec"] = spec;
                rules
                    .create(obj)
                    .map_err(|e| format!("DestinationRule {name}.{ns} create error: {e}"))
            }
            Ok(Some(mut existing)) if existing["spec"] != spec => {
                existing["spec"] = spec;
                rules
                    .update(existing)
                    .map_err(|e| format!("DestinationRule {name}.{ns} update error: {e}"))
            }
            Ok(Some(_)) => Ok(()),
        }
    }

    pub fn reconcile(cluster: &SimCluster, canary: &Value) -> Result<(), String> {
        let (apex, primary, canary_name) = service_names(canary);
        let ns = namespace(canary);
        reconcile_destination_rule(cluster, canary, &canary_name)
            .map_err(|e| format!("reconcileDestinationRule failed: {e}"))?;
        reconcile_destination_rule(cluster, canary, &primary)
            .map_err(|e| format!("reconcileDestinationRule failed: {e}"))?;
        let services = kind(cluster, canary, "virtualservices");
        let spec = virtual_service_spec(canary);
        let (labels, mut annotations) = apex_metadata(canary);
        let fail = |e: String| format!("reconcileVirtualService failed: {e}");
        match services.get(&apex) {
            Err(e) => Err(fail(format!("VirtualService {apex}.{ns} get query error {e}"))),
            Ok(None) => {
                let mut obj = new_object(&apex, canary, labels, annotations, true);
                obj["spec"] = spec;
                services
                    .create(obj)
                    .map_err(|e| fail(format!("VirtualService {apex}.{ns} create error: {e}")))
            }
            Ok(Some(existing)) => {
                let current_annotations = existing
                    .pointer("/metadata/annotations")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                for key in [KUBECTL_ANNOTATION, CONFIG_ANNOTATION] {
                    if let Some(v) = current_annotations.get(key) {
                        annotations.insert(key.into(), v.clone());
                    }
                }
                let spec_differs = without_weights(&spec) != without_weights(&existing["spec"]);
                let labels_differ = labels != existing.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
                let annotations_differ = annotations != current_annotations;
                if !(spec_differs || labels_differ || annotations_differ) {
                    return Ok(());
                }
                // The whole spec is replaced, weights included: a drifted VirtualService
                // goes back to 100/0 (the original is kept in an annotation).
                let mut clone = existing.clone();
                if spec_differs && !annotations.contains_key(KUBECTL_ANNOTATION) {
                    annotations.insert(CONFIG_ANNOTATION.into(), json!(existing["spec"].to_string()));
                }
                clone["spec"] = spec;
                clone["metadata"]["labels"] = labels;
                clone["metadata"]["annotations"] = Value::Object(annotations);
                services
                    .update(clone)
                    .map_err(|e| fail(format!("VirtualService {apex}.{ns} update error: {e}")))
            }
        }
    }

    // Flagger: pkg/router/istio.go, func GetRoutes (HTTP): the last http route with a canary
    // destination carries the weights.
    pub fn routes(cluster: &SimCluster, canary: &Value) -> Result<Routes, String> {
        let (apex, primary, canary_name) = service_names(canary);
        let ns = namespace(canary);
        let vs = kind(cluster, canary, "virtualservices")
            .must_get(&apex)
            .map_err(|e| format!("VirtualService {apex}.{ns} get query error {e}"))?;
        let empty = Vec::new();
        let http = vs.pointer("/spec/http").and_then(Value::as_array).unwrap_or(&empty);
        let mut chosen = None;
        for route in http {
            let dests = route.get("route").and_then(Value::as_array).unwrap_or(&empty);
            if dests.iter().any(|d| text(d, "/destination/host") == canary_name) {
                chosen = Some(route);
            }
        }
        let mut routes = Routes {
            primary: 0,
            canary: 0,
            mirrored: false,
        };
        if let Some(route) = chosen {
            for d in route.get("route").and_then(Value::as_array).unwrap_or(&empty) {
                let weight = d.get("weight").and_then(Value::as_i64).unwrap_or(0);
                match text(d, "/destination/host") {
                    h if h == primary => routes.primary = weight,
                    h if h == canary_name => routes.canary = weight,
                    _ => {}
                }
            }
            routes.mirrored = !text(route, "/mirror/host").is_empty();
        }
        if routes.primary == 0 && routes.canary == 0 {
            return Err(format!(
                "VirtualService {apex}.{ns} does not contain routes for {apex}-primary and {apex}-canary"
            ));
        }
        Ok(routes)
    }

    // Flagger: pkg/router/istio.go, func Finalize: the spec from kubectl's last-applied
    // configuration, else from Flagger's original-configuration annotation; neither → left
    // as it is.
    pub fn finalize(cluster: &SimCluster, canary: &Value) -> Result<(), String> {
        let (apex, _, _) = service_names(canary);
        let ns = namespace(canary);
        let services = kind(cluster, canary, "virtualservices");
        let mut vs = services
            .must_get(&apex)
            .map_err(|e| format!("VirtualService {apex}.{ns} get query error: {e}"))?;
        let stored = if let Some(a) = vs
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(KUBECTL_ANNOTATION))
        {
            let applied: Value = serde_json::from_str(a.as_str().unwrap_or("")).map_err(|_| {
                format!("VirtualService {apex}.{ns} failed to unMarshal annotation {KUBECTL_ANNOTATION}")
            })?;
            applied.get("spec").cloned().unwrap_or(json!({}))
        } else if let Some(a) = vs
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(CONFIG_ANNOTATION))
        {
            serde_json::from_str(a.as_str().unwrap_or(""))
                .map_err(|_| format!("VirtualService {apex}.{ns} failed to unMarshal annotation {CONFIG_ANNOTATION}"))?
        } else {
            return Ok(());
        };
        vs["spec"] = stored;
        services
            .update(vs)
            .map_err(|e| format!("VirtualService {apex}.{ns} update error: {e}"))
    }

    // Flagger: pkg/router/istio.go, func SetRoutes.
    pub fn set_routes(cluster: &SimCluster, canary: &Value, routes: Routes) -> Result<(), String> {
        let (apex, _, _) = service_names(canary);
        let ns = namespace(canary);
        let services = kind(cluster, canary, "virtualservices");
        let mut vs = services
            .must_get(&apex)
            .map_err(|e| format!("VirtualService {apex}.{ns} get query error {e}"))?;
        vs["spec"]["http"] = json!(http_routes(canary, routes));
        services
            .update(vs)
            .map_err(|e| format!("VirtualService {apex}.{ns} update failed: {e}"))
    }
}

mod nginx {
    use super::*;

    fn annotation(suffix: &str) -> String {
        format!("{NGINX_PREFIX}/{suffix}")
    }

    fn ingresses<'a>(cluster: &'a SimCluster, canary: &Value) -> Kind<'a> {
        Kind {
            cluster,
            group: "networking.k8s.io",
            version: "v1",
            plural: "ingresses",
            namespace: Some(namespace(canary)),
        }
    }

    fn canary_ingress_name(canary: &Value) -> String {
        format!("{}-canary", text(canary, "/spec/ingressRef/name"))
    }

    // Flagger: pkg/router/ingress.go, func makeAnnotations: the canary annotations reset to
    // `canary: "true"`, `canary-weight: "0"`, the rest kept.
    fn make_annotations(current: &Map<String, Value>) -> Map<String, Value> {
        let mut out = current.clone();
        filter_metadata(&mut out);
        out.retain(|k, _| !k.contains(&annotation("canary")) && !k.contains(KUBECTL_ANNOTATION));
        out.insert(annotation("canary"), json!("true"));
        out.insert(annotation("canary-weight"), json!("0"));
        out
    }

    // Flagger: pkg/router/ingress.go, func Reconcile.
    pub fn reconcile(cluster: &SimCluster, canary: &Value) -> Result<(), String> {
        let ingress_name = text(canary, "/spec/ingressRef/name");
        if ingress_name.is_empty() {
            return Err("ingress selector is empty".into());
        }
        let ns = namespace(canary);
        let (apex, _, canary_service) = service_names(canary);
        let api = ingresses(cluster, canary);
        let ingress = api
            .must_get(ingress_name)
            .map_err(|e| format!("ingress {ingress_name}.{ns} get query error: {e}"))?;
        let mut spec = ingress["spec"].clone();
        let mut found = false;
        if let Some(rules) = spec.get_mut("rules").and_then(Value::as_array_mut) {
            for rule in rules {
                if let Some(paths) = rule.pointer_mut("/http/paths").and_then(Value::as_array_mut) {
                    for path in paths {
                        if let Some(name) = path.pointer_mut("/backend/service/name")
                            && name == apex.as_str()
                        {
                            *name = json!(canary_service);
                            found = true;
                        }
                    }
                }
            }
        }
        if !found {
            return Err(format!("backend {apex} not found in ingress {ingress_name}"));
        }
        let name = canary_ingress_name(canary);
        match api.get(&name) {
            Err(e) => Err(format!("ingress {name}.{ns} query error: {e}")),
            Ok(None) => {
                let current = ingress
                    .pointer("/metadata/annotations")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                let labels = ingress.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
                let mut obj = new_object(&name, canary, labels, make_annotations(&current), true);
                obj["spec"] = spec;
                api.create(obj)
                    .map_err(|e| format!("ingress {name}.{ns} create error: {e}"))
            }
            Ok(Some(mut existing)) if existing["spec"] != spec => {
                existing["spec"] = spec;
                api.update(existing)
                    .map_err(|e| format!("ingress {name}.{ns} update error: {e}"))
            }
            Ok(Some(_)) => Ok(()),
        }
    }

    // Flagger: pkg/router/ingress.go, func GetRoutes.
    pub fn routes(cluster: &SimCluster, canary: &Value) -> Result<Routes, String> {
        let ns = namespace(canary);
        let name = canary_ingress_name(canary);
        let ingress = ingresses(cluster, canary)
            .must_get(&name)
            .map_err(|e| format!("ingress {name}.{ns} get query error: {e}"))?;
        let annotations = ingress
            .pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if !analysis_match(canary).is_empty()
            && (annotations.contains_key(&annotation("canary-by-cookie"))
                || annotations.contains_key(&annotation("canary-by-header")))
        {
            return Ok(Routes {
                primary: 0,
                canary: 100,
                mirrored: false,
            });
        }
        let mut weight = 0;
        if let Some(v) = annotations.get(&annotation("canary-weight")) {
            let v = v.as_str().unwrap_or("");
            weight = v
                .parse::<i64>()
                .map_err(|e| format!("failed to convert {v} to int: strconv.Atoi: parsing {v:?}: {e}"))?;
        }
        Ok(Routes {
            primary: 100 - weight,
            canary: weight,
            mirrored: false,
        })
    }

    // Flagger: pkg/router/ingress.go, func SetRoutes.
    pub fn set_routes(cluster: &SimCluster, canary: &Value, routes: Routes) -> Result<(), String> {
        let ns = namespace(canary);
        let name = canary_ingress_name(canary);
        let api = ingresses(cluster, canary);
        let mut ingress = api
            .must_get(&name)
            .map_err(|e| format!("ingress {name}.{ns} get query error: {e}"))?;
        let mut annotations = ingress
            .pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let matches = analysis_match(canary);
        if !matches.is_empty() {
            let (mut cookie, mut header, mut value, mut regex) = (None, None, None, None);
            for m in &matches {
                for (k, v) in m.get("headers").and_then(Value::as_object).into_iter().flatten() {
                    if k == "cookie" {
                        cookie = v.get("exact").and_then(Value::as_str).map(str::to_string);
                    } else {
                        header = Some(k.clone());
                        value = v.get("exact").and_then(Value::as_str).map(str::to_string);
                        regex = v.get("regex").and_then(Value::as_str).map(str::to_string);
                    }
                }
            }
            filter_metadata(&mut annotations);
            annotations.retain(|_, v| !v.as_str().unwrap_or("").contains(&annotation("canary")));
            annotations.insert(annotation("canary"), json!("true"));
            for (suffix, v) in [
                ("canary-by-cookie", cookie),
                ("canary-by-header", header),
                ("canary-by-header-value", value),
                ("canary-by-header-pattern", regex),
            ] {
                if let Some(v) = v.filter(|v| !v.is_empty()) {
                    annotations.insert(annotation(suffix), json!(v));
                }
            }
        } else {
            annotations.insert(annotation("canary-weight"), json!(routes.canary.to_string()));
        }
        if routes.canary > 0 {
            annotations.insert(annotation("canary"), json!("true"));
        } else {
            annotations = make_annotations(&annotations);
        }
        ingress["metadata"]["annotations"] = Value::Object(annotations);
        api.update(ingress)
            .map_err(|e| format!("ingress {name}.{ns} update error {e}"))
    }
}

mod gateway {
    use super::*;

    fn routes_api<'a>(cluster: &'a SimCluster, canary: &Value, version: &'static str) -> Kind<'a> {
        Kind {
            cluster,
            group: "gateway.networking.k8s.io",
            version,
            plural: "httproutes",
            namespace: Some(namespace(canary)),
        }
    }

    fn backend(name: &str, weight: i64, port: &Value) -> Value {
        json!({"group": "", "kind": "Service", "name": name, "port": port, "weight": weight})
    }

    fn matches(canary: &Value) -> Value {
        match canary.pointer("/spec/service/match").and_then(Value::as_array) {
            Some(m) if !m.is_empty() => json!(m),
            _ => json!([{"path": {"type": "PathPrefix", "value": "/"}}]),
        }
    }

    // Flagger: pkg/router/gateway_api.go, funcs Reconcile and SetRoutes: one weighted rule
    // (plus, for A/B testing, a primary-only rule after the matched one).
    fn spec(canary: &Value, routes: Routes) -> Value {
        let (_, primary, canary_name) = service_names(canary);
        let port = canary.pointer("/spec/service/port").cloned().unwrap_or(json!(80));
        let parent_refs = canary
            .pointer("/spec/service/gatewayRefs")
            .cloned()
            .unwrap_or(json!([]));
        let hostnames = canary.pointer("/spec/service/hosts").cloned().unwrap_or(json!([]));
        let mut weighted = json!({
            "matches": matches(canary),
            "backendRefs": [backend(&primary, routes.primary, &port), backend(&canary_name, routes.canary, &port)],
        });
        if routes.mirrored
            && canary
                .pointer("/spec/analysis/iterations")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                > 0
        {
            weighted["filters"] = json!([{"type": "RequestMirror", "requestMirror": {"backendRef": {
                "group": "", "kind": "Service", "name": canary_name, "port": port}}}]);
        }
        let mut rules = vec![weighted];
        let analysis = analysis_match(canary);
        if !analysis.is_empty() {
            rules[0]["matches"] = json!(analysis);
            rules.push(json!({"matches": matches(canary), "backendRefs": [backend(&primary, 100, &port)]}));
        }
        let mut spec = json!({"parentRefs": parent_refs, "rules": rules});
        if hostnames.as_array().is_some_and(|h| !h.is_empty()) {
            spec["hostnames"] = hostnames;
        }
        spec
    }

    fn without_weights(spec: &Value) -> Value {
        let mut spec = spec.clone();
        for rule in spec
            .get_mut("rules")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            for b in rule
                .get_mut("backendRefs")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(obj) = b.as_object_mut() {
                    obj.remove("weight");
                }
            }
            if let Some(obj) = rule.as_object_mut() {
                obj.remove("filters");
            }
        }
        spec
    }

    pub fn reconcile(cluster: &SimCluster, canary: &Value, version: &'static str) -> Result<(), String> {
        if canary
            .pointer("/spec/service/gatewayRefs")
            .and_then(Value::as_array)
            .is_none_or(|g| g.is_empty())
        {
            return Err("GatewayRefs must be specified when using Gateway API as a provider.".into());
        }
        let (apex, _, _) = service_names(canary);
        let ns = namespace(canary);
        let api = routes_api(cluster, canary, version);
        let desired = spec(canary, Routes::ALL_PRIMARY);
        let (labels, annotations) = apex_metadata(canary);
        match api.get(&apex) {
            Err(e) => Err(format!("HTTPRoute {apex}.{ns} get error: {e}")),
            Ok(None) => {
                let mut obj = new_object(&apex, canary, labels, annotations, true);
                obj["spec"] = desired;
                api.create(obj)
                    .map_err(|e| format!("HTTPRoute {apex}.{ns} create error: {e}"))
            }
            Ok(Some(existing)) => {
                let mut merged = annotations;
                for (k, v) in existing
                    .pointer("/metadata/annotations")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    merged.entry(k.clone()).or_insert(v.clone());
                }
                let spec_differs = without_weights(&desired) != without_weights(&existing["spec"]);
                let labels_differ = labels != existing.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
                let annotations_differ = Value::Object(merged.clone())
                    != existing.pointer("/metadata/annotations").cloned().unwrap_or(json!({}));
                if !(spec_differs || labels_differ || annotations_differ) {
                    return Ok(());
                }
                let mut clone = existing;
                clone["spec"] = desired;
                clone["metadata"]["labels"] = labels;
                clone["metadata"]["annotations"] = Value::Object(merged);
                api.update(clone)
                    .map_err(|e| format!("HTTPRoute {apex}.{ns} update error: {e} while reconciling"))
            }
        }
    }

    // Flagger: pkg/router/gateway_api.go, func GetRoutes: rules with two backendRefs carry the
    // weights; a RequestMirror filter to the canary means mirrored.
    pub fn routes(cluster: &SimCluster, canary: &Value, version: &'static str) -> Result<Routes, String> {
        let (apex, primary, canary_name) = service_names(canary);
        let ns = namespace(canary);
        let route = routes_api(cluster, canary, version)
            .must_get(&apex)
            .map_err(|e| format!("HTTPRoute {apex}.{ns} get error: {e}"))?;
        // A parent Gateway that has not accepted the current generation makes the weights
        // unreadable (no gateway controller runs in the simulator: only a status written by
        // someone else can trigger this).
        let generation = route
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        for parent in route
            .pointer("/spec/parentRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for status in route
                .pointer("/status/parents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if status.get("parentRef") != Some(parent) {
                    continue;
                }
                for c in status.get("conditions").and_then(Value::as_array).into_iter().flatten() {
                    let observed = c.get("observedGeneration").and_then(Value::as_i64).unwrap_or(0);
                    if c["type"] == "Accepted" && (c["status"] != "True" || observed < generation) {
                        return Err(format!(
                            "HTTPRoute {apex}.{ns} parent {} is not ready (status: {}, observed generation: {observed}, current generation: {generation})",
                            text(parent, "/name"),
                            text(c, "/status")
                        ));
                    }
                }
            }
        }
        let mut routes = Routes {
            primary: 0,
            canary: 0,
            mirrored: false,
        };
        for rule in route
            .pointer("/spec/rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let backends = rule
                .get("backendRefs")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if backends.len() == 2 {
                for b in &backends {
                    let weight = b.get("weight").and_then(Value::as_i64).unwrap_or(1);
                    match text(b, "/name") {
                        n if n == primary => routes.primary = weight,
                        n if n == canary_name => routes.canary = weight,
                        _ => {}
                    }
                }
            }
            for f in rule.get("filters").and_then(Value::as_array).into_iter().flatten() {
                if f["type"] == "RequestMirror" && text(f, "/requestMirror/backendRef/name") == canary_name {
                    routes.mirrored = true;
                }
            }
        }
        Ok(routes)
    }

    pub fn set_routes(
        cluster: &SimCluster,
        canary: &Value,
        routes: Routes,
        version: &'static str,
    ) -> Result<(), String> {
        let (apex, _, _) = service_names(canary);
        let ns = namespace(canary);
        let api = routes_api(cluster, canary, version);
        let mut route = api
            .must_get(&apex)
            .map_err(|e| format!("HTTPRoute {apex}.{ns} get error: {e}"))?;
        route["spec"] = spec(canary, routes);
        api.update(route)
            .map_err(|e| format!("HTTPRoute {apex}.{ns} update error: {e} while setting weights"))
    }
}

mod kuma {
    use super::*;

    fn api(cluster: &SimCluster) -> Kind<'_> {
        Kind {
            cluster,
            group: "kuma.io",
            version: "v1alpha1",
            plural: "trafficroutes",
            namespace: None,
        }
    }

    fn service_tag(name: &str, canary: &Value) -> String {
        let port = canary
            .pointer("/spec/service/port")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        format!("{name}_{}_svc_{port}", namespace(canary))
    }

    fn conf(canary: &Value, routes: Routes) -> Value {
        let (_, primary, canary_name) = service_names(canary);
        json!({"split": [
            {"weight": routes.primary, "destination": {"kuma.io/service": service_tag(&primary, canary)}},
            {"weight": routes.canary, "destination": {"kuma.io/service": service_tag(&canary_name, canary)}},
        ]})
    }

    // Flagger: pkg/router/kuma.go, func Reconcile (cluster-scoped: no owner reference; the mesh
    // from the Canary's `kuma.io/mesh` annotation, else `default`).
    pub fn reconcile(cluster: &SimCluster, canary: &Value) -> Result<(), String> {
        let (apex, _, _) = service_names(canary);
        let spec = json!({
            "sources": [{"match": {"kuma.io/service": "*"}}],
            "destinations": [{"match": {"kuma.io/service": service_tag(&apex, canary)}}],
            "conf": conf(canary, Routes::ALL_PRIMARY),
        });
        let (labels, annotations) = apex_metadata(canary);
        let api = api(cluster);
        match api.get(&apex) {
            Err(e) => Err(format!("TrafficRoute {apex} get query error: {e}")),
            Ok(None) => {
                let mut obj = new_object(&apex, canary, labels, annotations, false);
                obj["spec"] = spec;
                obj["mesh"] = json!(match text(canary, "/metadata/annotations/kuma.io~1mesh") {
                    "" => "default",
                    m => m,
                });
                api.create(obj)
                    .map_err(|e| format!("TrafficRoute {apex} create error: {e}"))
            }
            Ok(Some(existing)) => {
                let strip = |s: &Value| {
                    let mut s = s.clone();
                    for split in s
                        .pointer_mut("/conf/split")
                        .and_then(Value::as_array_mut)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(o) = split.as_object_mut() {
                            o.remove("weight");
                        }
                    }
                    s
                };
                let differs = strip(&spec) != strip(&existing["spec"])
                    || labels != existing.pointer("/metadata/labels").cloned().unwrap_or(json!({}))
                    || Value::Object(annotations.clone())
                        != existing.pointer("/metadata/annotations").cloned().unwrap_or(json!({}));
                if !differs {
                    return Ok(());
                }
                let mut clone = existing;
                clone["spec"] = spec;
                clone["metadata"]["labels"] = labels;
                clone["metadata"]["annotations"] = Value::Object(annotations);
                api.update(clone)
                    .map_err(|e| format!("TrafficRoute {apex} update error: {e}"))
            }
        }
    }

    // Flagger: pkg/router/kuma.go, func GetRoutes: the primary split's weight; the canary gets
    // the rest.
    pub fn routes(cluster: &SimCluster, canary: &Value) -> Result<Routes, String> {
        let (apex, primary, canary_name) = service_names(canary);
        let route = api(cluster)
            .must_get(&apex)
            .map_err(|e| format!("TrafficRoute {apex} get query error {e}"))?;
        let mut routes = Routes {
            primary: 0,
            canary: 0,
            mirrored: false,
        };
        for split in route
            .pointer("/spec/conf/split")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let service = text(split, "/destination/kuma.io~1service");
            if service.split('_').next() == Some(primary.as_str()) {
                routes.primary = split.get("weight").and_then(Value::as_i64).unwrap_or(0);
                routes.canary = 100 - routes.primary;
            }
        }
        if routes.primary == 0 && routes.canary == 0 {
            return Err(format!(
                "TrafficRoute {apex} does not contain routes for {primary} and {canary_name}"
            ));
        }
        Ok(routes)
    }

    pub fn set_routes(cluster: &SimCluster, canary: &Value, routes: Routes) -> Result<(), String> {
        let (apex, _, _) = service_names(canary);
        let api = api(cluster);
        let mut route = api
            .must_get(&apex)
            .map_err(|e| format!("TrafficRoute {apex} get query error {e}"))?;
        route["spec"]["conf"] = conf(canary, routes);
        api.update(route)
            .map_err(|e| format!("TrafficRoute {apex} update error {e}"))
    }
}

fn crd(
    group: &str,
    plural: &str,
    kind: &str,
    scope: &str,
    versions: &[(&str, bool)],
    columns: Value,
    top: Value,
) -> Value {
    let mut properties = json!({
        "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
    });
    if let (Some(p), Some(extra)) = (properties.as_object_mut(), top.as_object()) {
        p.extend(extra.clone());
    }
    let versions: Vec<Value> = versions
        .iter()
        .map(|(name, storage)| {
            json!({"name": name, "served": true, "storage": storage, "subresources": {"status": {}},
                   "additionalPrinterColumns": columns,
                   "schema": {"openAPIV3Schema": {"type": "object", "properties": properties}}})
        })
        .collect();
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.{group}")},
        "spec": {"group": group, "scope": scope,
                 "names": {"plural": plural, "singular": kind.to_lowercase(), "kind": kind, "listKind": format!("{kind}List")},
                 "versions": versions},
    })
}

/// The CRDs a provider's own installation registers (Istio's base chart, the Gateway API
/// standard channel, Kuma's control plane); NGINX routes with the built-in Ingress and the
/// kubernetes provider with Services, so they bring none.
pub fn provider_crds(provider: &str) -> Vec<Value> {
    let age = json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"});
    match Router::for_provider(provider) {
        Router::Istio => {
            // Istio serves v1alpha3, v1beta1 and v1; v1alpha3 stays the storage version.
            let versions = [("v1", false), ("v1beta1", false), ("v1alpha3", true)];
            vec![
                crd(
                    "networking.istio.io",
                    "virtualservices",
                    "VirtualService",
                    "Namespaced",
                    &versions,
                    json!([{"name": "Gateways", "type": "string", "jsonPath": ".spec.gateways"},
                           {"name": "Hosts", "type": "string", "jsonPath": ".spec.hosts"}, age]),
                    json!({}),
                ),
                crd(
                    "networking.istio.io",
                    "destinationrules",
                    "DestinationRule",
                    "Namespaced",
                    &versions,
                    json!([{"name": "Host", "type": "string", "jsonPath": ".spec.host"}, age]),
                    json!({}),
                ),
                crd(
                    "networking.istio.io",
                    "gateways",
                    "Gateway",
                    "Namespaced",
                    &versions,
                    json!([age]),
                    json!({}),
                ),
            ]
        }
        Router::GatewayApi(_) => vec![
            crd(
                "gateway.networking.k8s.io",
                "httproutes",
                "HTTPRoute",
                "Namespaced",
                &[("v1", true), ("v1beta1", false)],
                json!([{"name": "Hostnames", "type": "string", "jsonPath": ".spec.hostnames"}, age]),
                json!({}),
            ),
            crd(
                "gateway.networking.k8s.io",
                "gateways",
                "Gateway",
                "Namespaced",
                &[("v1", true), ("v1beta1", false)],
                json!([{"name": "Class", "type": "string", "jsonPath": ".spec.gatewayClassName"}, age]),
                json!({}),
            ),
        ],
        Router::Kuma => vec![
            crd(
                "kuma.io",
                "trafficroutes",
                "TrafficRoute",
                "Cluster",
                &[("v1alpha1", true)],
                json!([{"name": "Mesh", "type": "string", "jsonPath": ".mesh"}, age]),
                json!({"mesh": {"type": "string"}}),
            ),
            crd(
                "kuma.io",
                "meshes",
                "Mesh",
                "Cluster",
                &[("v1alpha1", true)],
                json!([age]),
                json!({"mesh": {"type": "string"}}),
            ),
        ],
        Router::Nginx | Router::Kubernetes | Router::NotSimulated => Vec::new(),
    }
}

/// Simulates a provider being installed in a cluster: registers its CRDs.
pub fn install_provider(cluster: &SimCluster, provider: &str) -> Result<(), String> {
    for crd in provider_crds(provider) {
        cluster
            .apply("apiextensions.k8s.io", "customresourcedefinitions", None, &crd)
            .map_err(|e| e.message)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_pick_routers_as_flagger_does() {
        assert_eq!(Router::for_provider("istio"), Router::Istio);
        assert_eq!(Router::for_provider("gatewayapi:v1"), Router::GatewayApi("v1"));
        assert_eq!(
            Router::for_provider("gatewayapi:v1beta1"),
            Router::GatewayApi("v1beta1")
        );
        assert_eq!(Router::for_provider("linkerd"), Router::NotSimulated);
        assert_eq!(Router::for_provider("bogus"), Router::Istio);
        let canary = json!({"spec": {"provider": "nginx"}});
        assert_eq!(provider_of(&canary, "istio"), "nginx");
        assert_eq!(provider_of(&json!({"spec": {}}), "kuma"), "kuma");
    }

    #[test]
    fn names_follow_the_service_name() {
        let canary = json!({"spec": {"targetRef": {"name": "app"}, "service": {"name": "web"}}});
        assert_eq!(
            service_names(&canary),
            ("web".into(), "web-primary".into(), "web-canary".into())
        );
    }
}
