//! Where a Canary's traffic weights really live (pure): which object each provider's Flagger
//! router programs, and the weights read back from it the way Flagger's own `GetRoutes` reads
//! them (fluxcd/flagger pkg/router/istio.go, ingress.go, gateway_api.go, kuma.go). The Canary's
//! `status.canaryWeight` is only what Flagger last recorded: at the promotion gate it is 0
//! while the mesh keeps routing the last step's share to the canary.

use kube::api::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The kind of routing object a provider uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteKind {
    /// `networking.istio.io/v1beta1` VirtualService named after the apex Service.
    VirtualService,
    /// The NGINX canary Ingress `<ingressRef>-canary`.
    CanaryIngress,
    /// `gateway.networking.k8s.io` HTTPRoute named after the apex Service.
    HttpRoute(&'static str),
    /// Kuma's cluster-scoped TrafficRoute named after the apex Service.
    TrafficRoute,
}

impl RouteKind {
    /// Every kind Flagger's routers use, once (an HTTPRoute read in `v1`, which the API server
    /// also serves for `v1beta1` objects).
    pub const ALL: [RouteKind; 4] = [
        RouteKind::VirtualService,
        RouteKind::CanaryIngress,
        RouteKind::HttpRoute("v1"),
        RouteKind::TrafficRoute,
    ];

    /// The provider's routing kind (`spec.provider`, Flagger's default `istio` when unset);
    /// None for the kubernetes provider (Services only) and providers not read.
    pub fn of(canary: &Value) -> Option<RouteKind> {
        match text(canary, "/spec/provider") {
            "" | "istio" => Some(RouteKind::VirtualService),
            "nginx" => Some(RouteKind::CanaryIngress),
            "kuma" => Some(RouteKind::TrafficRoute),
            p if p.starts_with("gatewayapi:v1beta1") => Some(RouteKind::HttpRoute("v1beta1")),
            p if p.starts_with("gatewayapi") => Some(RouteKind::HttpRoute("v1")),
            _ => None,
        }
    }

    /// The API resource and whether it is namespaced.
    pub fn resource(self) -> (ApiResource, bool) {
        let (group, version, kind, plural, namespaced) = match self {
            RouteKind::VirtualService => (
                "networking.istio.io",
                "v1beta1",
                "VirtualService",
                "virtualservices",
                true,
            ),
            RouteKind::CanaryIngress => ("networking.k8s.io", "v1", "Ingress", "ingresses", true),
            RouteKind::HttpRoute(v) => ("gateway.networking.k8s.io", v, "HTTPRoute", "httproutes", true),
            RouteKind::TrafficRoute => ("kuma.io", "v1alpha1", "TrafficRoute", "trafficroutes", false),
        };
        let gvk = GroupVersionKind::gvk(group, version, kind);
        (ApiResource::from_gvk_with_plural(&gvk, plural), namespaced)
    }

    /// A stable key for the kind (versions of one kind share objects).
    pub fn plural(self) -> &'static str {
        match self {
            RouteKind::VirtualService => "virtualservices",
            RouteKind::CanaryIngress => "ingresses",
            RouteKind::HttpRoute(_) => "httproutes",
            RouteKind::TrafficRoute => "trafficroutes",
        }
    }

    /// The namespace ("" when cluster-scoped) and name of the canary's routing object.
    pub fn object_of(self, canary: &Value) -> (String, String) {
        let (apex, _, _) = service_names(canary);
        let ns = text(canary, "/metadata/namespace").to_string();
        match self {
            RouteKind::CanaryIngress => (ns, format!("{}-canary", text(canary, "/spec/ingressRef/name"))),
            RouteKind::TrafficRoute => (String::new(), apex),
            _ => (ns, apex),
        }
    }
}

/// Flagger's apex, primary and canary Service names (Canary.GetServiceNames).
pub fn service_names(canary: &Value) -> (String, String, String) {
    let apex = match text(canary, "/spec/service/name") {
        "" => text(canary, "/spec/targetRef/name").to_string(),
        n => n.to_string(),
    };
    (apex.clone(), format!("{apex}-primary"), format!("{apex}-canary"))
}

/// Traffic as the routing object carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Routed {
    pub primary: i64,
    pub canary: i64,
    pub mirrored: bool,
}

/// The weights in `object` for `canary`, read as Flagger reads them; None when the object
/// holds no weights for this canary.
pub fn routed(kind: RouteKind, canary: &Value, object: &Value) -> Option<Routed> {
    let (_, primary, canary_name) = service_names(canary);
    let mut r = Routed {
        primary: 0,
        canary: 0,
        mirrored: false,
    };
    let empty = Vec::new();
    match kind {
        // The last http route with a canary destination carries the weights.
        RouteKind::VirtualService => {
            let http = object.pointer("/spec/http").and_then(Value::as_array).unwrap_or(&empty);
            let route = http.iter().rev().find(|h| {
                h.get("route")
                    .and_then(Value::as_array)
                    .is_some_and(|ds| ds.iter().any(|d| text(d, "/destination/host") == canary_name))
            })?;
            for d in route.get("route").and_then(Value::as_array).unwrap_or(&empty) {
                let w = d.get("weight").and_then(Value::as_i64).unwrap_or(0);
                match text(d, "/destination/host") {
                    h if h == primary => r.primary = w,
                    h if h == canary_name => r.canary = w,
                    _ => {}
                }
            }
            r.mirrored = !text(route, "/mirror/host").is_empty();
        }
        RouteKind::CanaryIngress => {
            let annotations = object.pointer("/metadata/annotations")?;
            let matched = canary
                .pointer("/spec/analysis/match")
                .and_then(Value::as_array)
                .is_some_and(|m| !m.is_empty());
            if matched
                && (annotations
                    .get("nginx.ingress.kubernetes.io/canary-by-cookie")
                    .is_some()
                    || annotations
                        .get("nginx.ingress.kubernetes.io/canary-by-header")
                        .is_some())
            {
                r.canary = 100;
            } else {
                r.canary = annotations
                    .get("nginx.ingress.kubernetes.io/canary-weight")
                    .and_then(Value::as_str)
                    .and_then(|w| w.parse().ok())
                    .unwrap_or(0);
            }
            r.primary = 100 - r.canary;
        }
        // Rules with two backendRefs carry the weights, but only once every parent Gateway has
        // accepted the current generation (Flagger: pkg/router/gateway_api.go, GetRoutes, which
        // errors out in that case): until then the weights are not programmed, so unknown.
        RouteKind::HttpRoute(_) => {
            if !http_route_accepted(object) {
                return None;
            }
            let rules = object
                .pointer("/spec/rules")
                .and_then(Value::as_array)
                .unwrap_or(&empty);
            let mut found = false;
            for rule in rules {
                let backends = rule.get("backendRefs").and_then(Value::as_array).unwrap_or(&empty);
                if backends.len() == 2 {
                    for b in backends {
                        let w = b.get("weight").and_then(Value::as_i64).unwrap_or(1);
                        match text(b, "/name") {
                            n if n == primary => r.primary = w,
                            n if n == canary_name => r.canary = w,
                            _ => continue,
                        }
                        found = true;
                    }
                }
                for f in rule.get("filters").and_then(Value::as_array).unwrap_or(&empty) {
                    if f["type"] == "RequestMirror" && text(f, "/requestMirror/backendRef/name") == canary_name {
                        r.mirrored = true;
                    }
                }
            }
            if !found {
                return None;
            }
        }
        RouteKind::TrafficRoute => {
            let split = object.pointer("/spec/conf/split").and_then(Value::as_array)?;
            let p = split
                .iter()
                .find(|s| text(s, "/destination/kuma.io~1service").split('_').next() == Some(primary.as_str()))?;
            r.primary = p.get("weight").and_then(Value::as_i64).unwrap_or(0);
            r.canary = 100 - r.primary;
        }
    }
    (r.primary != 0 || r.canary != 0).then_some(r)
}

/// What is kept of a routing object: the fields [`routed`] and [`http_route_accepted`] read,
/// with its namespace and name. A watch keeps every routing object of the watched namespaces
/// in every cluster and each change brings a new copy; the rest of an object (hosts, gateways,
/// matches, retries, labels, owners, other annotations) is most of its size and read by nothing.
pub fn kept_of(kind: RouteKind, object: Value) -> Value {
    let name = json!({"name": true, "namespace": true});
    let shape = match kind {
        RouteKind::VirtualService => json!({"metadata": name, "spec": {"http": [{
            "route": [{"destination": {"host": true}, "weight": true}],
            "mirror": {"host": true}}]}}),
        RouteKind::CanaryIngress => json!({"metadata": {"name": true, "namespace": true, "annotations": {
            "nginx.ingress.kubernetes.io/canary-by-cookie": true,
            "nginx.ingress.kubernetes.io/canary-by-header": true,
            "nginx.ingress.kubernetes.io/canary-weight": true}}}),
        RouteKind::HttpRoute(_) => json!({
            "metadata": {"name": true, "namespace": true, "generation": true},
            "spec": {"parentRefs": true, "rules": [{
                "backendRefs": [{"name": true, "weight": true}],
                "filters": [{"type": true, "requestMirror": {"backendRef": {"name": true}}}]}]},
            "status": {"parents": true}}),
        RouteKind::TrafficRoute => json!({"metadata": name, "spec": {"conf": {"split": true}}}),
    };
    prune(object, &shape)
}

/// `value` with only what `shape` names: an object keeps the keys its shape has, each pruned by
/// the shape under that key; an array's shape `[s]` prunes every element by `s` (the length
/// stays, as readers count backends); `true`, or a value not of its shape's type, is kept whole,
/// so a reader finds exactly what it found in the whole object.
fn prune(value: Value, shape: &Value) -> Value {
    match (value, shape) {
        (Value::Object(fields), Value::Object(wanted)) => Value::Object(
            fields
                .into_iter()
                .filter_map(|(key, value)| wanted.get(&key).map(|shape| (key, prune(value, shape))))
                .collect(),
        ),
        (Value::Array(items), Value::Array(element)) if element.len() == 1 => {
            Value::Array(items.into_iter().map(|item| prune(item, &element[0])).collect())
        }
        (value, _) => value,
    }
}

/// Whether no parent of an HTTPRoute reports an `Accepted` condition that is not True or that
/// was observed for an older generation (Flagger: pkg/router/gateway_api.go, GetRoutes: it
/// matches `status.parents[].parentRef` against `spec.parentRefs` and checks the condition).
pub fn http_route_accepted(route: &Value) -> bool {
    let generation = route
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let parents = route.pointer("/spec/parentRefs").and_then(Value::as_array);
    let statuses = route.pointer("/status/parents").and_then(Value::as_array);
    !parents.into_iter().flatten().any(|parent| {
        statuses
            .into_iter()
            .flatten()
            .filter(|s| s.get("parentRef") == Some(parent))
            .flat_map(|s| s.get("conditions").and_then(Value::as_array).into_iter().flatten())
            .any(|c| {
                let observed = c.get("observedGeneration").and_then(Value::as_i64).unwrap_or(0);
                c["type"] == "Accepted" && (c["status"] != "True" || observed < generation)
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canary(provider: &str) -> Value {
        json!({"metadata": {"name": "podinfo", "namespace": "test"},
               "spec": {"provider": provider, "targetRef": {"name": "podinfo"}, "ingressRef": {"name": "web"}}})
    }

    #[test]
    fn objects_per_provider() {
        assert_eq!(RouteKind::of(&canary("")), Some(RouteKind::VirtualService));
        assert_eq!(RouteKind::of(&canary("kubernetes")), None);
        assert_eq!(
            RouteKind::CanaryIngress.object_of(&canary("nginx")),
            ("test".into(), "web-canary".into())
        );
        assert_eq!(
            RouteKind::TrafficRoute.object_of(&canary("kuma")),
            (String::new(), "podinfo".into())
        );
    }

    #[test]
    fn weights_read_as_flagger_reads_them() {
        let vs = json!({"spec": {"http": [{"route": [
            {"destination": {"host": "podinfo-primary"}, "weight": 50},
            {"destination": {"host": "podinfo-canary"}, "weight": 50}]}]}});
        assert_eq!(
            routed(RouteKind::VirtualService, &canary("istio"), &vs),
            Some(Routed {
                primary: 50,
                canary: 50,
                mirrored: false
            })
        );
        let ing = json!({"metadata": {"annotations": {"nginx.ingress.kubernetes.io/canary-weight": "30"}}});
        assert_eq!(
            routed(RouteKind::CanaryIngress, &canary("nginx"), &ing).map(|r| r.canary),
            Some(30)
        );
        let hr = json!({"spec": {"rules": [{"backendRefs": [{"name": "podinfo-primary", "weight": 90}, {"name": "podinfo-canary", "weight": 10}]}]}});
        assert_eq!(
            routed(RouteKind::HttpRoute("v1"), &canary("gatewayapi:v1"), &hr).map(|r| r.canary),
            Some(10)
        );
        let tr = json!({"spec": {"conf": {"split": [
            {"weight": 80, "destination": {"kuma.io/service": "podinfo-primary_test_svc_80"}},
            {"weight": 20, "destination": {"kuma.io/service": "podinfo-canary_test_svc_80"}}]}}});
        assert_eq!(
            routed(RouteKind::TrafficRoute, &canary("kuma"), &tr).map(|r| r.canary),
            Some(20)
        );
    }

    #[test]
    fn what_is_kept_of_a_routing_object_reads_as_the_whole_object() {
        let extra = |mut object: Value| {
            object["apiVersion"] = json!("x/v1");
            object["metadata"]["labels"] = json!({"app": "podinfo"});
            object["metadata"]["ownerReferences"] = json!([{"kind": "Canary", "name": "podinfo", "uid": "u"}]);
            object["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = json!("{}");
            object
        };
        let vs = extra(json!({"metadata": {"name": "podinfo", "namespace": "test"},
            "spec": {"hosts": ["podinfo"], "gateways": ["mesh"], "http": [
                {"match": [{"headers": {"x-canary": {"exact": "1"}}}], "route": [
                    {"destination": {"host": "podinfo-canary", "port": {"number": 9898}}, "weight": 100}]},
                {"route": [{"destination": {"host": "podinfo-primary"}, "weight": 60},
                           {"destination": {"host": "podinfo-canary"}, "weight": 40}],
                 "mirror": {"host": "podinfo-canary"}, "retries": {"attempts": 3}, "timeout": "30s"}]}}));
        let ingress = |annotations: Value| {
            extra(
                json!({"metadata": {"name": "web-canary", "namespace": "test", "annotations": annotations},
                "spec": {"rules": [{"host": "app.example.com"}]}}),
            )
        };
        let hr = extra(
            json!({"metadata": {"name": "podinfo", "namespace": "test", "generation": 2},
            "spec": {"hostnames": ["app"], "parentRefs": [{"name": "gw", "namespace": "edge"}], "rules": [
                {"matches": [{"path": {"value": "/"}}], "backendRefs": [
                    {"name": "podinfo-primary", "port": 9898, "weight": 80}, {"name": "podinfo-canary", "port": 9898, "weight": 20}],
                 "filters": [{"type": "RequestMirror", "requestMirror": {"backendRef": {"name": "podinfo-canary", "port": 9898}}}]}]},
            "status": {"parents": [{"parentRef": {"name": "gw", "namespace": "edge"}, "controllerName": "x",
                "conditions": [{"type": "Accepted", "status": "True", "observedGeneration": 2}]}]}}),
        );
        let tr = extra(
            json!({"metadata": {"name": "podinfo"}, "spec": {"sources": [{"match": {}}], "conf": {"split": [
            {"weight": 70, "destination": {"kuma.io/service": "podinfo-primary_test_svc_80"}},
            {"weight": 30, "destination": {"kuma.io/service": "podinfo-canary_test_svc_80"}}]}}}),
        );
        let mut matched = canary("nginx");
        matched["spec"]["analysis"] = json!({"match": [{"headers": {"x-canary": {"exact": "1"}}}]});
        let cases = [
            (RouteKind::VirtualService, canary("istio"), vs),
            (
                RouteKind::CanaryIngress,
                canary("nginx"),
                ingress(json!({"nginx.ingress.kubernetes.io/canary-weight": "30"})),
            ),
            (
                RouteKind::CanaryIngress,
                matched,
                ingress(json!({"nginx.ingress.kubernetes.io/canary-by-header": "x-canary"})),
            ),
            (RouteKind::CanaryIngress, canary("nginx"), ingress(json!({}))),
            (RouteKind::HttpRoute("v1"), canary("gatewayapi:v1"), hr),
            (RouteKind::TrafficRoute, canary("kuma"), tr),
        ];
        for (kind, canary, object) in cases {
            let kept = kept_of(kind, object.clone());
            assert_eq!(routed(kind, &canary, &kept), routed(kind, &canary, &object), "{kind:?}");
            assert!(
                routed(kind, &canary, &object).is_some(),
                "{kind:?}: the case reads weights"
            );
            for pointer in ["/metadata/name", "/metadata/namespace"] {
                assert_eq!(kept.pointer(pointer), object.pointer(pointer), "{kind:?} {pointer}");
            }
            assert!(kept.to_string().len() < object.to_string().len(), "{kind:?}: {kept}");
        }
    }

    #[test]
    fn http_route_weights_unknown_until_parents_accept_the_generation() {
        let route = |status: &str, observed: i64| {
            json!({"metadata": {"generation": 3},
                   "spec": {"parentRefs": [{"name": "gw"}],
                            "rules": [{"backendRefs": [{"name": "podinfo-primary", "weight": 70}, {"name": "podinfo-canary", "weight": 30}]}]},
                   "status": {"parents": [{"parentRef": {"name": "gw"}, "controllerName": "x",
                              "conditions": [{"type": "Accepted", "status": status, "observedGeneration": observed}]}]}})
        };
        let c = canary("gatewayapi:v1");
        let kind = RouteKind::HttpRoute("v1");
        assert_eq!(routed(kind, &c, &route("True", 3)).map(|r| r.canary), Some(30));
        assert_eq!(routed(kind, &c, &route("False", 3)), None, "not accepted");
        assert_eq!(routed(kind, &c, &route("True", 2)), None, "older generation observed");
        // A status for another parent does not count.
        let mut other = route("False", 3);
        other["status"]["parents"][0]["parentRef"] = json!({"name": "other"});
        assert_eq!(routed(kind, &c, &other).map(|r| r.canary), Some(30));
    }
}
