//! Verifying that a cluster is ready for rollouts: API, Flagger CRDs, a Flagger Deployment
//! (found by its labels, whoever installed it), a load tester, and this tool's permissions.
//! Reading the cluster is I/O; judging what was read is in the pure `judge_*` functions.

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
use k8s_openapi::api::core::v1::{Endpoints, Service};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Client;
use kube::api::{Api, ListParams, PostParams};
use serde::Serialize;
use serde_json::json;

use crate::flagger::Canary;
use crate::flagger::crds::ALL as FLAGGER_CRDS;
use crate::flagger::gates::LoadTester;
use crate::fleet::ClusterError;
use crate::fleet::apply::deployment_available;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
    /// What to do about a failure.
    pub remedy: Option<String>,
}

impl Check {
    fn pass(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            ok: true,
            detail: detail.into(),
            remedy: None,
        }
    }

    fn fail(name: &str, detail: impl Into<String>, remedy: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            ok: false,
            detail: detail.into(),
            remedy: Some(remedy.into()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Require a load tester even if no Canary references one.
    pub testloader: bool,
    /// Namespace the permission checks are about.
    pub namespace: String,
    /// How to call this tool in remedies (context flag included).
    pub install_hint: String,
}

/// A Flagger Deployment as found in a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundDeployment {
    pub namespace: String,
    pub name: String,
    pub available: bool,
    pub image: String,
    pub args: Vec<String>,
}

/// One permission: (verb, group, resource, subresource).
pub type Permission = (&'static str, &'static str, &'static str, &'static str);

/// The permissions this tool needs in the canaries' namespace. `start` reads the target
/// Deployment before patching it.
pub const REQUIRED_PERMISSIONS: &[Permission] = &[
    ("get", "flagger.app", "canaries", ""),
    ("list", "flagger.app", "canaries", ""),
    ("watch", "flagger.app", "canaries", ""),
    ("patch", "flagger.app", "canaries", ""),
    ("get", "apps", "deployments", ""),
    ("patch", "apps", "deployments", ""),
];

/// The permissions the gates need, through the API server's service proxy, in the namespace of
/// each load tester the canaries call (the canaries' own namespace when none is referenced).
pub const GATE_PERMISSIONS: &[Permission] = &[("create", "", "services", "proxy"), ("get", "", "services", "proxy")];

pub async fn run_checks(client: &Client, options: &CheckOptions) -> Result<Vec<Check>, ClusterError> {
    let version = client
        .apiserver_version()
        .await
        .map_err(|e| ClusterError::from_kube(&e))?;
    let mut checks = vec![Check::pass(
        "API server",
        format!("reachable, Kubernetes {}", version.git_version),
    )];

    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let mut missing = Vec::new();
    let mut crds_forbidden = None;
    for name in FLAGGER_CRDS {
        match crds.get_opt(name).await {
            Ok(Some(crd)) if established(&crd) => {}
            Ok(_) => missing.push(name.to_string()),
            // A user confined to a namespace may not read CRDs: say so and check the rest.
            Err(kube::Error::Api(s)) if s.code == 403 => {
                crds_forbidden = Some(s.message);
                break;
            }
            Err(e) => return Ok(with_error(checks, "Flagger CRDs", e)),
        }
    }
    checks.push(match &crds_forbidden {
        Some(message) => Check::fail(
            "Flagger CRDs",
            format!("403 Forbidden: {message}"),
            "grant this user get on customresourcedefinitions.apiextensions.k8s.io, or have an admin run check",
        ),
        None => judge_crds(&missing, &options.install_hint),
    });

    let deployments: Api<Deployment> = Api::all(client.clone());
    let flagger = find_deployments(&deployments, &["app.kubernetes.io/name=flagger", "app=flagger"]).await;
    checks.push(match flagger {
        Ok(found) => judge_flagger(&found, &options.install_hint),
        Err(e) => Check::fail(
            "Flagger",
            e.to_string(),
            "grant this user list on deployments.apps in all namespaces",
        ),
    });

    let referenced = if missing.is_empty() && crds_forbidden.is_none() {
        referenced_load_testers(client).await
    } else {
        Vec::new()
    };
    if options.testloader || !referenced.is_empty() {
        let testers = find_deployments(
            &deployments,
            &["app.kubernetes.io/name=loadtester", "app=flagger-loadtester"],
        )
        .await;
        let unreachable = unreachable_load_testers(client, &referenced).await;
        checks.push(match testers {
            Ok(found) => judge_load_tester(&found, &unreachable, &options.install_hint),
            Err(e) => Check::fail("Load tester", e.to_string(), "grant this user list on deployments.apps"),
        });
    }

    let mut wanted: Vec<(String, &Permission)> = REQUIRED_PERMISSIONS
        .iter()
        .map(|p| (options.namespace.clone(), p))
        .collect();
    match gate_namespaces(client, &options.namespace).await {
        Ok(namespaces) => {
            for ns in namespaces {
                wanted.extend(GATE_PERMISSIONS.iter().map(|p| (ns.clone(), p)));
            }
        }
        // Not knowing where the load testers are is not "none referenced": the service proxy
        // permissions there are unknown, so the check cannot pass.
        Err(e) => checks.push(Check::fail(
            "Load-tester namespaces",
            format!("could not list Canaries ({e}): load-tester namespaces unchecked"),
            format!(
                "grant this user list on canaries.flagger.app in {}, and run check again",
                options.namespace
            ),
        )),
    }
    let mut denied = Vec::new();
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    for (namespace, (verb, group, resource, sub)) in wanted {
        let review: SelfSubjectAccessReview = serde_json::from_value(json!({
            "spec": {"resourceAttributes": {
                "namespace": namespace, "verb": verb, "group": group,
                "resource": resource, "subresource": sub
            }}
        }))
        .map_err(|e| ClusterError::Other(e.to_string()))?;
        match reviews.create(&PostParams::default(), &review).await {
            Ok(answer) if answer.status.as_ref().is_some_and(|s| s.allowed) => {}
            Ok(_) => denied.push((namespace, permission_name(verb, group, resource, sub))),
            Err(e) => return Ok(with_error(checks, "Permissions", e)),
        }
    }
    checks.push(judge_permissions(&denied, &options.namespace));
    Ok(checks)
}

/// The namespaces of the load testers the canaries of `namespace` call (their gates go through
/// the service proxy there), or `namespace` itself when none is referenced (or the Canary CRD is
/// absent); an error when the canaries cannot be listed.
async fn gate_namespaces(client: &Client, namespace: &str) -> Result<Vec<String>, ClusterError> {
    let canaries: Api<Canary> = Api::namespaced(client.clone(), namespace);
    let list = match canaries.list(&ListParams::default()).await {
        Ok(list) => list,
        // No Canary CRD (the CRD row says so): no Canaries, so none names a load tester.
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(vec![namespace.to_string()]),
        Err(e) => return Err(ClusterError::from_kube(&e)),
    };
    let mut namespaces = BTreeSet::new();
    for canary in list.items {
        for hook in canary.spec.analysis.webhooks.iter().flatten() {
            if let Some(tester) = LoadTester::from_hook(&hook.url, namespace) {
                namespaces.insert(tester.namespace);
            }
        }
    }
    if namespaces.is_empty() {
        namespaces.insert(namespace.to_string());
    }
    Ok(namespaces.into_iter().collect())
}

fn with_error(mut checks: Vec<Check>, name: &str, error: kube::Error) -> Vec<Check> {
    checks.push(Check::fail(
        name,
        ClusterError::from_kube(&error).to_string(),
        "fix access to the cluster and run check again",
    ));
    checks
}

fn established(crd: &CustomResourceDefinition) -> bool {
    crd.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Established" && c.status == "True"))
}

async fn find_deployments(api: &Api<Deployment>, selectors: &[&str]) -> Result<Vec<FoundDeployment>, ClusterError> {
    let mut found: Vec<FoundDeployment> = Vec::new();
    for selector in selectors {
        let list = api
            .list(&ListParams::default().labels(selector))
            .await
            .map_err(|e| ClusterError::from_kube(&e))?;
        for d in list.items {
            let value = serde_json::to_value(&d).unwrap_or_default();
            let container = value
                .pointer("/spec/template/spec/containers/0")
                .cloned()
                .unwrap_or_default();
            let entry = FoundDeployment {
                namespace: d.metadata.namespace.clone().unwrap_or_default(),
                name: d.metadata.name.clone().unwrap_or_default(),
                available: deployment_available(&value),
                image: container["image"].as_str().unwrap_or("").to_string(),
                args: container["args"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
            };
            if !found
                .iter()
                .any(|f| f.namespace == entry.namespace && f.name == entry.name)
            {
                found.push(entry);
            }
        }
    }
    Ok(found)
}

/// The load tester of every webhook URL of every Canary, read as promote and abort read them
/// (`LoadTester::from_hook`: namespace, Service and port).
async fn referenced_load_testers(client: &Client) -> Vec<LoadTester> {
    let canaries: Api<Canary> = Api::all(client.clone());
    let Ok(list) = canaries.list(&ListParams::default()).await else {
        return Vec::new();
    };
    let mut seen = BTreeSet::new();
    let mut testers = Vec::new();
    for canary in list.items {
        let own_ns = canary.metadata.namespace.clone().unwrap_or_default();
        for hook in canary.spec.analysis.webhooks.iter().flatten() {
            if let Some(tester) = LoadTester::from_hook(&hook.url, &own_ns)
                && seen.insert((tester.namespace.clone(), tester.service.clone(), tester.port))
            {
                testers.push(tester);
            }
        }
    }
    testers
}

/// Why the service proxy could not reach each load tester, as the API server decides it: the
/// Service must exist and have a port with the hook URL's number, and its Endpoints a ready
/// address for that port's name.
// kube-apiserver: pkg/registry/core/service/storage/storage.go, func (*REST) ResourceLocation
// (a port number is mapped to the Service port's name; then an endpoint subset with a ready
// address and a port of that name is required).
async fn unreachable_load_testers(client: &Client, testers: &[LoadTester]) -> Vec<String> {
    let mut problems = Vec::new();
    for tester in testers {
        let (ns, svc, port) = (&tester.namespace, &tester.service, tester.port);
        let services: Api<Service> = Api::namespaced(client.clone(), ns);
        let service = match services.get_opt(svc).await {
            Ok(Some(service)) => service,
            Ok(None) => {
                problems.push(format!("{ns}/{svc}: no such Service"));
                continue;
            }
            Err(e) => {
                problems.push(format!("{ns}/{svc}: {}", ClusterError::from_kube(&e)));
                continue;
            }
        };
        let ports = service.spec.and_then(|s| s.ports).unwrap_or_default();
        let Some(service_port) = ports.iter().find(|p| p.port == i32::from(port)) else {
            let have: Vec<String> = ports.iter().map(|p| p.port.to_string()).collect();
            problems.push(format!(
                "{ns}/{svc}: the Service has no port {port} (the hook URL's; it has {})",
                if have.is_empty() {
                    "none".to_string()
                } else {
                    have.join(", ")
                }
            ));
            continue;
        };
        let port_name = service_port.name.clone().unwrap_or_default();
        let endpoints: Api<Endpoints> = Api::namespaced(client.clone(), ns);
        let ready = match endpoints.get_opt(svc).await {
            Ok(found) => found.and_then(|e| e.subsets).unwrap_or_default().iter().any(|subset| {
                subset.addresses.as_ref().is_some_and(|a| !a.is_empty())
                    && subset
                        .ports
                        .iter()
                        .flatten()
                        .any(|p| p.name.clone().unwrap_or_default() == port_name)
            }),
            // Not allowed to read Endpoints: the Service and its port were checked.
            Err(_) => true,
        };
        if !ready {
            problems.push(format!("{ns}/{svc}: no ready endpoint for port {port}"));
        }
    }
    problems
}

pub fn judge_crds(missing: &[String], install_hint: &str) -> Check {
    if missing.is_empty() {
        Check::pass("Flagger CRDs", format!("{} served", FLAGGER_CRDS.join(", ")))
    } else {
        Check::fail(
            "Flagger CRDs",
            format!("missing or not established: {}", missing.join(", ")),
            format!("run: {install_hint}"),
        )
    }
}

/// The version in an image reference (`ghcr.io/fluxcd/flagger:1.44.0` → `1.44.0`).
pub fn image_version(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':')
        .map(|(_, tag)| tag.to_string())
        .unwrap_or_else(|| "latest".into())
}

pub fn mesh_provider(args: &[String]) -> String {
    args.iter()
        .find_map(|a| {
            a.trim_start_matches('-')
                .strip_prefix("mesh-provider=")
                .map(str::to_string)
        })
        .unwrap_or_else(|| "istio".into())
}

pub fn judge_flagger(found: &[FoundDeployment], install_hint: &str) -> Check {
    let Some(first) = found.iter().find(|d| d.available).or(found.first()) else {
        return Check::fail(
            "Flagger",
            "no Flagger Deployment found (labels app.kubernetes.io/name=flagger or app=flagger)",
            format!("run: {install_hint}"),
        );
    };
    let detail = format!(
        "{}/{} {}, version {}, mesh provider {}",
        first.namespace,
        first.name,
        if first.available { "Available" } else { "not Available" },
        image_version(&first.image),
        mesh_provider(&first.args)
    );
    if first.available {
        Check::pass("Flagger", detail)
    } else {
        Check::fail(
            "Flagger",
            detail,
            format!(
                "inspect it: kubectl -n {} describe deployment {}",
                first.namespace, first.name
            ),
        )
    }
}

pub fn judge_load_tester(found: &[FoundDeployment], unreachable: &[String], install_hint: &str) -> Check {
    if !unreachable.is_empty() {
        return Check::fail(
            "Load tester",
            format!(
                "Canary webhooks point at load testers the service proxy cannot reach: {}",
                unreachable.join("; ")
            ),
            format!("run: {install_hint} --testloader, or fix the webhook URLs"),
        );
    }
    match found.iter().find(|d| d.available).or(found.first()) {
        None => Check::fail(
            "Load tester",
            "no load tester Deployment found",
            format!("run: {install_hint} --testloader"),
        ),
        Some(d) if d.available => Check::pass(
            "Load tester",
            format!(
                "{}/{} Available, version {}",
                d.namespace,
                d.name,
                image_version(&d.image)
            ),
        ),
        Some(d) => Check::fail(
            "Load tester",
            format!("{}/{} not Available", d.namespace, d.name),
            format!("inspect it: kubectl -n {} describe deployment {}", d.namespace, d.name),
        ),
    }
}

fn permission_name(verb: &str, group: &str, resource: &str, sub: &str) -> String {
    let res = if sub.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}/{sub}")
    };
    if group.is_empty() {
        format!("{verb} {res}")
    } else {
        format!("{verb} {res}.{group}")
    }
}

/// `denied` holds (namespace, permission) in the order they were asked; the first namespace is
/// the canaries' one.
pub fn judge_permissions(denied: &[(String, String)], namespace: &str) -> Check {
    if denied.is_empty() {
        return Check::pass("Permissions", format!("all needed in namespace {namespace}"));
    }
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (ns, permission) in denied {
        match groups.iter_mut().find(|(n, _)| n == ns) {
            Some((_, list)) => list.push(permission),
            None => groups.push((ns, vec![permission])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(ns, list)| format!("in namespace {ns}: {}", list.join(", ")))
        .collect();
    Check::fail(
        "Permissions",
        format!("missing {}", parts.join("; ")),
        "ask a cluster admin for a Role granting them (see the README's RBAC section)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(available: bool) -> FoundDeployment {
        FoundDeployment {
            namespace: "istio-system".into(),
            name: "flagger".into(),
            available,
            image: "ghcr.io/fluxcd/flagger:1.44.0".into(),
            args: vec!["-mesh-provider=kuma".into()],
        }
    }

    #[test]
    fn flagger_judgement() {
        let ok = judge_flagger(&[deployment(true)], "install");
        assert!(ok.ok);
        assert_eq!(
            ok.detail,
            "istio-system/flagger Available, version 1.44.0, mesh provider kuma"
        );
        let bad = judge_flagger(&[deployment(false)], "install");
        assert!(!bad.ok && bad.remedy.unwrap().contains("describe deployment flagger"));
        let none = judge_flagger(&[], "kubectl kurator-rollout install --provider istio");
        assert_eq!(
            none.remedy.as_deref(),
            Some("run: kubectl kurator-rollout install --provider istio")
        );
    }

    #[test]
    fn urls_and_versions() {
        // check reads hook URLs as promote and abort do: port from the URL, else the scheme.
        let lt = LoadTester::from_hook("http://flagger-loadtester.test/", "x").unwrap();
        assert_eq!(
            (lt.namespace.as_str(), lt.service.as_str(), lt.port),
            ("test", "flagger-loadtester", 80)
        );
        let lt = LoadTester::from_hook("http://lt:8080/gate/check", "shop").unwrap();
        assert_eq!(
            (lt.namespace.as_str(), lt.service.as_str(), lt.port),
            ("shop", "lt", 8080)
        );
        assert_eq!(LoadTester::from_hook("https://lt.ns/", "x").map(|l| l.port), Some(443));
        assert!(LoadTester::from_hook("not a url", "x").is_none());
        assert_eq!(image_version("registry:5000/flagger:1.2.3"), "1.2.3");
        assert_eq!(image_version("flagger"), "latest");
        assert_eq!(mesh_provider(&[]), "istio");
    }

    #[test]
    fn crds_and_permissions() {
        assert!(judge_crds(&[], "x").ok);
        let missing = judge_crds(&["canaries.flagger.app".into()], "x");
        assert!(!missing.ok && missing.detail.contains("canaries.flagger.app"));
        let denied = judge_permissions(&[("test".into(), "patch canaries.flagger.app".into())], "test");
        assert_eq!(denied.detail, "missing in namespace test: patch canaries.flagger.app");
        let split = judge_permissions(
            &[
                ("test".into(), "patch canaries.flagger.app".into()),
                ("istio-system".into(), "create services/proxy".into()),
                ("istio-system".into(), "get services/proxy".into()),
            ],
            "test",
        );
        assert_eq!(
            split.detail,
            "missing in namespace test: patch canaries.flagger.app; in namespace istio-system: create services/proxy, get services/proxy"
        );
    }
}
