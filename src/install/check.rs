//! Verifying that a cluster is ready for rollouts: API, Flagger CRDs, a Flagger Deployment
//! (found by its labels, whoever installed it), a load tester, and this tool's permissions.
//! Reading the cluster is I/O; judging what was read is in the pure `judge_*` functions.

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
use k8s_openapi::api::core::v1::{Endpoints, Namespace, Service};
use kube::Client;
use kube::api::{Api, ListParams, PostParams};
use serde::Serialize;
use serde_json::{Value, json};

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
    pub fn pass(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            ok: true,
            detail: detail.into(),
            remedy: None,
        }
    }

    pub fn fail(name: &str, detail: impl Into<String>, remedy: impl Into<String>) -> Check {
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
    /// The scope's namespace (`-n`, else the context's): it must exist, and the permissions
    /// are asked there. Under `-A` neither: the permissions are asked at the cluster scope.
    pub namespace: String,
    /// `-A`: the Canaries of every namespace are in scope, and no one namespace must exist.
    pub all_namespaces: bool,
    /// How to call this tool in remedies (context flag included).
    pub install_hint: String,
    /// `--context NAME`, for kubectl commands in remedies.
    pub context_flag: String,
}

/// A Flagger Deployment as found in a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundDeployment {
    pub namespace: String,
    pub name: String,
    pub available: bool,
    pub image: String,
    /// Flagger's container's `command` then `args`: Flagger's chart passes its flags in
    /// `command` (fluxcd/flagger charts/flagger/templates/deployment.yaml), this tool's
    /// manifests in `args`.
    pub args: Vec<String>,
    /// Who installed it, as its metadata says.
    pub installer: Installer,
}

/// Who installed a Flagger controller, read from the Deployment's metadata: what decides how
/// it must be removed (a plain delete of what an installer reconciles is undone, or leaves the
/// installer's record wrong).
#[derive(Debug, Clone, PartialEq)]
pub enum Installer {
    /// This tool (`app.kubernetes.io/managed-by: kubectl-kurator-rollout`).
    ThisTool,
    /// A Helm release: Helm labels what it installs `app.kubernetes.io/managed-by: Helm` and
    /// annotates it `meta.helm.sh/release-name` / `meta.helm.sh/release-namespace` (helm
    /// pkg/action/validate.go, `setMetadataVisitor`). Kurator's Fleet plugin installs Flagger
    /// this way too, through a Flux HelmRelease.
    Helm { release: String, namespace: String },
    /// Anything else (kubectl apply, kustomize, an operator).
    Other,
}

/// One permission: (verb, group, resource, subresource).
pub type Permission = (&'static str, &'static str, &'static str, &'static str);

/// The permissions this tool needs in the canaries' namespace. `start` reads the target
/// Deployment before patching it; `status` tells a release Flagger has not noticed yet by
/// listing and watching the Deployments (`engine::live::members`, `model::pending`).
pub const REQUIRED_PERMISSIONS: &[Permission] = &[
    ("get", "flagger.app", "canaries", ""),
    ("list", "flagger.app", "canaries", ""),
    ("watch", "flagger.app", "canaries", ""),
    ("patch", "flagger.app", "canaries", ""),
    ("get", "apps", "deployments", ""),
    ("list", "apps", "deployments", ""),
    ("watch", "apps", "deployments", ""),
    ("patch", "apps", "deployments", ""),
];

/// The permissions the gates need, through the API server's service proxy, in the namespace of
/// each load tester the canaries call (the canaries' own namespace when none is referenced).
pub const GATE_PERMISSIONS: &[Permission] = &[("create", "", "services", "proxy"), ("get", "", "services", "proxy")];

/// Every check of one cluster. The reads and access reviews are sent at once; only what needs
/// an answer first waits for it (the load testers and their namespaces come from the
/// Canaries), so a check costs two round trips, not one per request. The rows keep their
/// order whatever answers first.
pub async fn run_checks(client: &Client, options: &CheckOptions) -> Result<Vec<Check>, ClusterError> {
    let scope = (!options.all_namespaces).then_some(options.namespace.as_str());
    // Under -A the verbs list and act on Canaries of every namespace: the permissions are asked
    // at the cluster scope (namespace "", which only ClusterRoleBindings grant, as in RBAC).
    let permission_namespace = scope.unwrap_or_default().to_string();
    let required: Vec<(String, &Permission)> = REQUIRED_PERMISSIONS
        .iter()
        .map(|p| (permission_namespace.clone(), p))
        .collect();
    let namespace = async {
        match scope {
            Some(namespace) => Some(namespace_check(client, namespace, &options.context_flag).await),
            None => None,
        }
    };
    let (version, crds, namespace, controllers, required_denied, (load_testers, gates_denied)) = tokio::join!(
        client.apiserver_version(),
        crds_check(client, &options.install_hint),
        namespace,
        flagger_controllers(client),
        denied_permissions(client, required),
        canary_dependent_checks(client, scope, options),
    );
    let version = version.map_err(|e| ClusterError::from_kube(&e))?;
    let mut checks = vec![
        Check::pass("API server", format!("reachable, Kubernetes {}", version.git_version)),
        crds,
    ];
    checks.extend(namespace);
    checks.push(match controllers {
        Ok(controllers) => judge_flagger(&controllers, scope, &options.install_hint),
        Err(e) => Check::fail(
            "Flagger",
            e.to_string(),
            "grant this user list on deployments.apps in all namespaces",
        ),
    });
    checks.extend(load_testers);
    // Denied in the order asked: the canaries' namespace first, then the load testers'.
    checks.push(match (required_denied, gates_denied) {
        (Ok(mut denied), Ok(gates)) => {
            denied.extend(gates);
            judge_permissions(&denied, &permission_namespace)
        }
        (Err(e), _) | (_, Err(e)) => error_check("Permissions", &e),
    });
    Ok(checks)
}

/// Flagger's CRDs, all asked for at once.
async fn crds_check(client: &Client, install_hint: &str) -> Check {
    let answers = futures::future::join_all(FLAGGER_CRDS.iter().map(|name| crd_conditions(client, name))).await;
    let mut missing = Vec::new();
    for (name, answer) in FLAGGER_CRDS.iter().zip(answers) {
        match answer {
            Ok(Some(crd)) if established(&crd) => {}
            Ok(_) => missing.push(name.to_string()),
            // A user confined to a namespace may not read CRDs: say so (the other rows still run).
            Err(kube::Error::Api(s)) if s.code == 403 => {
                return Check::fail(
                    "Flagger CRDs",
                    format!("403 Forbidden: {}", s.message),
                    "grant this user get on customresourcedefinitions.apiextensions.k8s.io, or have an admin run check",
                );
            }
            Err(e) => return error_check("Flagger CRDs", &e),
        }
    }
    judge_crds(&missing, install_hint)
}

/// What depends on the Canaries in scope: the load testers their hooks call (checked when any
/// is called, or `--testloader` asks), and the service-proxy permissions in those load
/// testers' namespaces (the canaries' own when none is called), as denied.
async fn canary_dependent_checks(
    client: &Client,
    scope: Option<&str>,
    options: &CheckOptions,
) -> (Option<Check>, Result<Vec<(String, String)>, kube::Error>) {
    let canaries = match canaries_in_scope(client, scope).await {
        Ok(canaries) => canaries,
        // Not knowing where the load testers are is not "none referenced": the service proxy
        // permissions there are unknown, so the check cannot pass.
        Err(e) => {
            let failed = Check::fail(
                "Load-tester namespaces",
                format!("could not list Canaries ({e}): load-tester namespaces unchecked"),
                format!(
                    "grant this user list on canaries.flagger.app in {}, and run check again",
                    scope.unwrap_or("all namespaces")
                ),
            );
            return (Some(failed), Ok(Vec::new()));
        }
    };
    let referenced = referenced_load_testers(&canaries);
    let mut namespaces: BTreeSet<String> = referenced.iter().map(|(t, _)| t.namespace.clone()).collect();
    if namespaces.is_empty() {
        namespaces.insert(scope.unwrap_or_default().to_string());
    }
    let gates: Vec<(String, &Permission)> = namespaces
        .iter()
        .flat_map(|ns| GATE_PERMISSIONS.iter().map(move |p| (ns.clone(), p)))
        .collect();
    let load_tester = async {
        match options.testloader || !referenced.is_empty() {
            true => Some(load_tester_check(client, &referenced, &options.install_hint).await),
            false => None,
        }
    };
    tokio::join!(load_tester, denied_permissions(client, gates))
}

/// The load testers the hooks call (see [`judge_load_tester`]), or with none, a labelled one.
async fn load_tester_check(client: &Client, referenced: &[(LoadTester, Vec<String>)], install_hint: &str) -> Check {
    if !referenced.is_empty() {
        let unreachable = unreachable_load_testers(client, referenced).await;
        return judge_load_tester(&[], referenced, &unreachable, install_hint);
    }
    match labelled_load_testers(client).await {
        Ok(found) => judge_load_tester(&found, referenced, &[], install_hint),
        Err(e) => Check::fail("Load tester", e.to_string(), "grant this user list on deployments.apps"),
    }
}

/// The load tester Deployments found by their labels, whoever installed them (this tool, the
/// Flagger chart, Kurator's Fleet plugin).
pub async fn labelled_load_testers(client: &Client) -> Result<Vec<FoundDeployment>, ClusterError> {
    let found = list_deployments(
        &Api::all(client.clone()),
        &["app.kubernetes.io/name=loadtester", "app=flagger-loadtester"],
    )
    .await?;
    Ok(found.into_iter().map(|(_, f)| f).collect())
}

/// Asks the API server (SelfSubjectAccessReview) for each (namespace, permission), all at once;
/// the denied ones, in the order asked.
async fn denied_permissions(
    client: &Client,
    wanted: Vec<(String, &Permission)>,
) -> Result<Vec<(String, String)>, kube::Error> {
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let asked = wanted.iter().map(|(namespace, (verb, group, resource, sub))| {
        let reviews = &reviews;
        async move {
            let review: SelfSubjectAccessReview = serde_json::from_value(json!({
                "spec": {"resourceAttributes": {
                    "namespace": namespace, "verb": verb, "group": group,
                    "resource": resource, "subresource": sub
                }}
            }))
            .map_err(kube::Error::SerdeError)?;
            let answer = reviews.create(&PostParams::default(), &review).await?;
            let allowed = answer.status.as_ref().is_some_and(|s| s.allowed);
            Ok::<_, kube::Error>((!allowed).then(|| (namespace.clone(), permission_name(verb, group, resource, sub))))
        }
    });
    let answers = futures::future::try_join_all(asked).await?;
    Ok(answers.into_iter().flatten().collect())
}

/// The Canaries in scope (`None`: every namespace); none when the Canary CRD is absent (the CRD
/// row says so).
async fn canaries_in_scope(client: &Client, scope: Option<&str>) -> Result<Vec<Canary>, ClusterError> {
    let canaries: Api<Canary> = match scope {
        Some(namespace) => Api::namespaced(client.clone(), namespace),
        None => Api::all(client.clone()),
    };
    match canaries.list(&ListParams::default()).await {
        Ok(list) => Ok(list.items),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(Vec::new()),
        Err(e) => Err(ClusterError::from_kube(&e)),
    }
}

/// The scope's namespace must exist: a Canary applied into a missing one is refused, and a
/// namespace being deleted takes its Canaries with it.
async fn namespace_check(client: &Client, namespace: &str, context_flag: &str) -> Check {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    match namespaces.get_opt(namespace).await {
        Ok(found) => judge_namespace(
            namespace,
            found
                .as_ref()
                .map(|n| n.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Active")),
            context_flag,
        ),
        Err(e) => Check::fail(
            "Namespace",
            format!(
                "cannot tell whether namespace {namespace} exists: {}",
                ClusterError::from_kube(&e)
            ),
            "grant this user get on namespaces, or have an admin run check",
        ),
    }
}

/// A row that could not be decided because a request failed.
fn error_check(name: &str, error: &kube::Error) -> Check {
    Check::fail(
        name,
        ClusterError::from_kube(error).to_string(),
        "fix access to the cluster and run check again",
    )
}

/// What `check` reads of a CRD: its status conditions, nothing else. A Flagger CRD carries its
/// whole OpenAPI schema (the Canary's is 85 KB of JSON); read as k8s-openapi's
/// `CustomResourceDefinition` it became a tree of `JSONSchemaProps`, built to be dropped. Here
/// serde skips the schema as it parses: a one-cluster `check` runs 10.9 million instructions
/// instead of 12.0 (callgrind, against `playground --clusters 1`).
///
/// Either level may be absent or `null` (a Go nil slice without `omitempty` is sent as null).
#[derive(Debug, serde::Deserialize)]
struct CrdConditions {
    status: Option<CrdStatus>,
}

#[derive(Debug, serde::Deserialize)]
struct CrdStatus {
    conditions: Option<Vec<CrdCondition>>,
}

#[derive(Debug, serde::Deserialize)]
struct CrdCondition {
    #[serde(rename = "type")]
    type_: String,
    status: String,
}

/// The CRD `name`'s conditions; None when it is not there (404), as `Api::get_opt` says it.
async fn crd_conditions(client: &Client, name: &str) -> Result<Option<CrdConditions>, kube::Error> {
    let request = kube::core::Request::new("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
        .get(name, &Default::default())
        .map_err(kube::Error::BuildRequest)?;
    match client.request::<CrdConditions>(request).await {
        Ok(crd) => Ok(Some(crd)),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(None),
        Err(e) => Err(e),
    }
}

/// kube-apiserver's apiextensions controller sets `Established` once the CRD is served
/// (apiextensions-apiserver pkg/controller/establish/establishing_controller.go).
fn established(crd: &CrdConditions) -> bool {
    crd.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Established" && c.status == "True"))
}

/// The Deployments matching any of `selectors` (every Deployment when there are none; the lists
/// asked at once), each once, as read and as check judges it.
async fn list_deployments(
    api: &Api<Deployment>,
    selectors: &[&str],
) -> Result<Vec<(Value, FoundDeployment)>, ClusterError> {
    let mut found: Vec<(Value, FoundDeployment)> = Vec::new();
    let params: Vec<ListParams> = match selectors {
        [] => vec![ListParams::default()],
        some => some.iter().map(|s| ListParams::default().labels(s)).collect(),
    };
    let lists = futures::future::try_join_all(params.iter().map(|p| api.list(p)))
        .await
        .map_err(|e| ClusterError::from_kube(&e))?;
    for list in lists {
        for d in list.items {
            let value = serde_json::to_value(&d).unwrap_or_default();
            let entry = found_deployment(&value);
            if !found
                .iter()
                .any(|(_, f)| f.namespace == entry.namespace && f.name == entry.name)
            {
                found.push((value, entry));
            }
        }
    }
    Ok(found)
}

/// Every Deployment in the cluster that runs Flagger's controller (see [`runs_flagger`]).
pub async fn flagger_controllers(client: &Client) -> Result<Vec<FoundDeployment>, ClusterError> {
    let all = list_deployments(&Api::all(client.clone()), &[]).await?;
    Ok(all
        .into_iter()
        .filter(|(d, _)| runs_flagger(d))
        .map(|(_, f)| f)
        .collect())
}

fn found_deployment(value: &Value) -> FoundDeployment {
    // Flagger's own container, wherever a sidecar injector put it (istio-proxy may come first
    // under holdApplicationUntilProxyStarts); the first one when no image says flagger.
    let containers = value
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let container = containers
        .iter()
        .find(|c| {
            c["image"]
                .as_str()
                .is_some_and(|i| image_repository_name(i) == "flagger")
        })
        .or_else(|| containers.first())
        .cloned()
        .unwrap_or_default();
    let strings = |field: &str| -> Vec<String> {
        container[field]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let text = |pointer: &str| value.pointer(pointer).and_then(Value::as_str).unwrap_or("").to_string();
    let installer = match text("/metadata/labels/app.kubernetes.io~1managed-by").as_str() {
        super::MANAGED_BY => Installer::ThisTool,
        // Helm's chart labels every render `managed-by: Helm`, `helm template` and Argo CD's
        // too; only an installed release carries its name (meta.helm.sh annotations).
        "Helm" if !text("/metadata/annotations/meta.helm.sh~1release-name").is_empty() => Installer::Helm {
            release: text("/metadata/annotations/meta.helm.sh~1release-name"),
            namespace: text("/metadata/annotations/meta.helm.sh~1release-namespace"),
        },
        _ => Installer::Other,
    };
    FoundDeployment {
        namespace: text("/metadata/namespace"),
        name: text("/metadata/name"),
        available: deployment_available(value),
        image: container["image"].as_str().unwrap_or("").to_string(),
        args: [strings("command"), strings("args")].concat(),
        installer,
    }
}

/// The load tester of every webhook URL of every Canary, read as promote and abort read them
/// (`LoadTester::from_hook`: namespace, Service and port), each with the Canaries
/// (`namespace/name`) whose hooks call it.
pub fn referenced_load_testers(canaries: &[Canary]) -> Vec<(LoadTester, Vec<String>)> {
    let mut testers: Vec<(LoadTester, Vec<String>)> = Vec::new();
    for canary in canaries {
        let own_ns = canary.metadata.namespace.clone().unwrap_or_default();
        let name = format!("{own_ns}/{}", canary.metadata.name.clone().unwrap_or_default());
        for hook in canary.spec.analysis.webhooks.iter().flatten() {
            let Some(tester) = LoadTester::from_hook(&hook.url, &own_ns) else {
                continue;
            };
            match testers
                .iter_mut()
                .find(|(t, _)| (&t.namespace, &t.service, t.port) == (&tester.namespace, &tester.service, tester.port))
            {
                Some((_, callers)) if callers.contains(&name) => {}
                Some((_, callers)) => callers.push(name.clone()),
                None => testers.push((tester, vec![name.clone()])),
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
pub async fn unreachable_load_testers(client: &Client, testers: &[(LoadTester, Vec<String>)]) -> Vec<String> {
    let problems = futures::future::join_all(
        testers
            .iter()
            .map(|(tester, _)| unreachable_load_tester(client, tester)),
    )
    .await;
    problems.into_iter().flatten().collect()
}

/// Why the service proxy could not reach one load tester, if it could not. The Service and
/// its Endpoints are asked for at once (both are named by the hook URL).
async fn unreachable_load_tester(client: &Client, tester: &LoadTester) -> Option<String> {
    let (ns, svc, port) = (&tester.namespace, &tester.service, tester.port);
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    let endpoints: Api<Endpoints> = Api::namespaced(client.clone(), ns);
    let (service, endpoints) = tokio::join!(services.get_opt(svc), endpoints.get_opt(svc));
    let service = match service {
        Ok(Some(service)) => service,
        Ok(None) => return Some(format!("{ns}/{svc}: no such Service")),
        Err(e) => return Some(format!("{ns}/{svc}: {}", ClusterError::from_kube(&e))),
    };
    let ports = service.spec.and_then(|s| s.ports).unwrap_or_default();
    let Some(service_port) = ports.iter().find(|p| p.port == i32::from(port)) else {
        let have: Vec<String> = ports.iter().map(|p| p.port.to_string()).collect();
        return Some(format!(
            "{ns}/{svc}: the Service has no port {port} (the hook URL's; it has {})",
            if have.is_empty() {
                "none".to_string()
            } else {
                have.join(", ")
            }
        ));
    };
    let port_name = service_port.name.clone().unwrap_or_default();
    let ready = match endpoints {
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
    (!ready).then(|| format!("{ns}/{svc}: no ready endpoint for port {port}"))
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

/// The value of a Go `flag` in a container's command line: `-name=v`, `--name=v`, `-name v` or
/// `--name v` (Go's flag package, func (*FlagSet) parseOne, takes all four).
fn flag_value(args: &[String], name: &str) -> Option<String> {
    args.iter().enumerate().find_map(|(i, arg)| {
        let flag = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'))?;
        match flag.split_once('=') {
            Some((n, value)) if n == name => Some(value.to_string()),
            None if flag == name => args.get(i + 1).cloned(),
            _ => None,
        }
    })
}

/// Flagger's `-mesh-provider`, whose default is istio (fluxcd/flagger cmd/flagger/main.go).
pub fn mesh_provider(args: &[String]) -> String {
    flag_value(args, "mesh-provider").unwrap_or_else(|| "istio".into())
}

/// The one namespace a Flagger controller watches, from its `-namespace` flag; `None` when it
/// watches all (the flag's default "", fluxcd/flagger cmd/flagger/main.go: "Namespace that
/// flagger would watch canary object").
pub fn watched_namespace(args: &[String]) -> Option<String> {
    flag_value(args, "namespace").filter(|n| !n.is_empty())
}

/// Whether a Deployment runs Flagger's controller, however it was installed: Flagger's Helm
/// chart (what Kurator's Fleet plugin installs) labels it and its pods
/// `app.kubernetes.io/name: flagger` (fluxcd/flagger charts/flagger/templates/deployment.yaml),
/// its kustomize base labels the pods `app: flagger` (kustomize/base/flagger/deployment.yaml),
/// and every install runs the `flagger` image (ghcr.io/fluxcd/flagger, formerly
/// weaveworks/flagger; the load tester's image is `flagger-loadtester`).
pub fn runs_flagger(deployment: &Value) -> bool {
    let labelled = ["/metadata/labels", "/spec/template/metadata/labels"].iter().any(|p| {
        deployment
            .pointer(p)
            .is_some_and(|labels| labels["app.kubernetes.io/name"] == "flagger" || labels["app"] == "flagger")
    });
    let image = deployment
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c["image"].as_str())
        .any(|image| image_repository_name(image) == "flagger");
    labelled || image
}

/// The last path element of an image reference, without tag or digest
/// (`ghcr.io/fluxcd/flagger:1.44.0` → `flagger`).
fn image_repository_name(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split(':').next().unwrap_or(last)
}

/// `namespace/name (version, provider, watching …)`: how a Flagger controller is named in a row.
fn describe_controller(d: &FoundDeployment) -> String {
    format!(
        "{}/{} ({}, version {}, mesh provider {}, watching {})",
        d.namespace,
        d.name,
        if d.available { "Available" } else { "not Available" },
        image_version(&d.image),
        mesh_provider(&d.args),
        watched_namespace(&d.args).map_or_else(|| "all namespaces".to_string(), |n| format!("namespace {n}"))
    )
}

/// The scope's namespace exists and is not being deleted. `phase` is the Namespace's
/// `status.phase` (`None`: not found).
pub fn judge_namespace(namespace: &str, phase: Option<&str>, context_flag: &str) -> Check {
    match phase {
        None => Check::fail(
            "Namespace",
            format!("namespace {namespace} not found"),
            format!("create it (kubectl {context_flag} create namespace {namespace}), or pick another with -n"),
        ),
        Some("Terminating") => Check::fail(
            "Namespace",
            format!("namespace {namespace} is being deleted (Terminating)"),
            "wait until it is gone and create it again, or pick another with -n",
        ),
        Some(phase) => Check::pass("Namespace", format!("{namespace} {phase}")),
    }
}

/// One Flagger controller must reconcile the Canaries of the scope (`None`: every namespace).
/// Two controllers whose watched namespaces overlap both act on the same Canaries (each moves
/// the traffic and rewrites the status): an error naming both, whoever installed them.
pub fn judge_flagger(found: &[FoundDeployment], scope: Option<&str>, install_hint: &str) -> Check {
    let mut found: Vec<&FoundDeployment> = found.iter().collect();
    // The Available one first: it is the one a single-controller cluster is judged by.
    found.sort_by_key(|d| !d.available);
    if found.is_empty() {
        return Check::fail(
            "Flagger",
            "no Flagger Deployment found (labels app.kubernetes.io/name=flagger or app=flagger, or the flagger image)",
            format!("run: {install_hint}"),
        );
    }
    let overlap =
        |a: &FoundDeployment, b: &FoundDeployment| match (watched_namespace(&a.args), watched_namespace(&b.args)) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        };
    let pair = found
        .iter()
        .enumerate()
        .find_map(|(i, a)| found[i + 1..].iter().find(|b| overlap(a, b)).map(|b| (*a, *b)));
    if let Some((a, b)) = pair {
        return Check::fail(
            "Flagger",
            format!(
                "two Flagger controllers reconcile the same Canaries: {} and {}",
                describe_controller(a),
                describe_controller(b)
            ),
            format!(
                "keep one: kubectl -n {} delete deployment {} (or uninstall it the way it was installed), or give each its own -namespace",
                b.namespace, b.name
            ),
        );
    }
    let covering = found
        .iter()
        .find(|d| scope.is_none_or(|ns| watched_namespace(&d.args).is_none_or(|w| w == ns)));
    let Some(controller) = covering else {
        let watched: Vec<String> = found.iter().map(|d| describe_controller(d)).collect();
        return Check::fail(
            "Flagger",
            format!(
                "no Flagger controller watches namespace {}: {}",
                scope.unwrap_or_default(),
                watched.join("; ")
            ),
            format!("run: {install_hint}"),
        );
    };
    let mut detail = format!(
        "{}/{} {}, version {}, mesh provider {}",
        controller.namespace,
        controller.name,
        if controller.available {
            "Available"
        } else {
            "not Available"
        },
        image_version(&controller.image),
        mesh_provider(&controller.args)
    );
    if let Some(ns) = watched_namespace(&controller.args) {
        detail.push_str(&format!(", watching namespace {ns}"));
    }
    if controller.available {
        Check::pass("Flagger", detail)
    } else {
        Check::fail(
            "Flagger",
            detail,
            format!(
                "inspect it: kubectl -n {} describe deployment {}",
                controller.namespace, controller.name
            ),
        )
    }
}

/// `install` adds no second Flagger: every Flagger controller in the cluster other than the
/// Deployment `ours` (namespace, name) that this install manages (re-applying that one is an
/// upgrade, whoever applied it before, as Kurator's Fleet plugin names it the same) would
/// reconcile the same Canaries as the new one, since this tool's Flagger watches every
/// namespace. The refusal names each, who installed it, and exactly how to remove it the way
/// it was installed; this tool never deletes a controller another installer reconciles (Helm
/// would keep a broken release, Flux or Kurator would put it back).
/// `context_flag` (`--context NAME`) names the kubeconfig context the cluster was reached
/// through, for the commands in the remedies (none for a Kurator member reached through the
/// hub: a placeholder says where the user's own goes).
pub fn refuse_second_flagger(
    found: &[FoundDeployment],
    ours: (&str, &str),
    context_flag: Option<&str>,
) -> Option<String> {
    let context_flag = context_flag.unwrap_or("--context <its context>");
    let others: Vec<String> = found
        .iter()
        .filter(|d| (d.namespace.as_str(), d.name.as_str()) != ours)
        .map(|d| {
            let (ns, name) = (&d.namespace, &d.name);
            let (who, remedy) = match &d.installer {
                Installer::ThisTool => {
                    let mesh = mesh_provider(&d.args);
                    let provider = super::provider::Provider::from_mesh_provider(&mesh).map_or(mesh, |p| p.name().into());
                    let cluster_name = name.strip_prefix(&format!("{ns}-flagger-")).unwrap_or(name);
                    (
                        format!("this tool (--provider {provider}, cluster name {cluster_name})"),
                        format!(
                            "keep it: run install with --provider {provider} and the same --cluster-name; or replace it: kubectl kurator-rollout uninstall {context_flag}, then install"
                        ),
                    )
                }
                Installer::Helm { release, namespace } => (
                    format!("Helm release {namespace}/{release}"),
                    format!(
                        "replace it: helm {} uninstall {release} -n {namespace} (when Kurator's Fleet plugin or Flux installed it, remove it there: kubectl kurator-rollout uninstall --fleet NAME; they would put a deleted one back), then install",
                        context_flag.replacen("--context", "--kube-context", 1)
                    ),
                ),
                Installer::Other => (
                    "another tool (no installer's labels: kubectl apply, kustomize, an operator)".to_string(),
                    format!(
                        "replace it: kubectl {context_flag} -n {ns} delete deployment {name} (with the RBAC it came with), then install"
                    ),
                ),
            };
            format!("{}, installed by {who}: {remedy}", describe_controller(d))
        })
        .collect();
    (!others.is_empty()).then(|| {
        format!(
            "refused: Flagger already runs in this cluster and a second one would reconcile the same Canaries: {}",
            others.join("; ")
        )
    })
}

/// The load testers the Canaries' hooks call must be reachable through the service proxy
/// (`unreachable` says why not): promote and abort open and close their gates there. When no
/// hook calls one (`referenced` empty, `--testloader` asked), a load tester Deployment must
/// be found by its labels and be Available.
pub fn judge_load_tester(
    found: &[FoundDeployment],
    referenced: &[(LoadTester, Vec<String>)],
    unreachable: &[String],
    install_hint: &str,
) -> Check {
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
    if !referenced.is_empty() {
        let testers: Vec<String> = referenced
            .iter()
            .map(|(t, callers)| {
                format!(
                    "{}/{}:{} (hooks of {})",
                    t.namespace,
                    t.service,
                    t.port,
                    callers.join(", ")
                )
            })
            .collect();
        return Check::pass("Load tester", format!("ready endpoints: {}", testers.join("; ")));
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

/// "namespace NS", or for "" (the cluster scope) "all namespaces".
fn in_namespace(namespace: &str) -> String {
    match namespace {
        "" => "all namespaces".to_string(),
        ns => format!("namespace {ns}"),
    }
}

/// `denied` holds (namespace, permission) in the order they were asked; the first namespace is
/// the canaries' one ("" under -A: all of them).
pub fn judge_permissions(denied: &[(String, String)], namespace: &str) -> Check {
    if denied.is_empty() {
        return Check::pass("Permissions", format!("all needed in {}", in_namespace(namespace)));
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
        .map(|(ns, list)| format!("in {}: {}", in_namespace(ns), list.join(", ")))
        .collect();
    Check::fail(
        "Permissions",
        format!("missing {}", parts.join("; ")),
        "ask a cluster admin for a Role granting them (see the README's RBAC section)",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_found_flagger_is_described_from_its_own_container_and_real_helm_release() {
        let deployment = |annotations: serde_json::Value| {
            serde_json::json!({"metadata": {"namespace": "ops", "name": "flagger",
                "labels": {"app.kubernetes.io/managed-by": "Helm"}, "annotations": annotations},
                "spec": {"template": {"spec": {"containers": [
                    {"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.22.0", "args": ["proxy"]},
                    {"name": "flagger", "image": "mirror.example/fluxcd/flagger:1.38.0", "command": ["./flagger", "-mesh-provider=istio"]}]}}}})
        };
        let released = found_deployment(&deployment(serde_json::json!({
            "meta.helm.sh/release-name": "flagger", "meta.helm.sh/release-namespace": "ops"})));
        assert_eq!(released.image, "mirror.example/fluxcd/flagger:1.38.0");
        assert!(
            released.args.contains(&"-mesh-provider=istio".to_string()),
            "{:?}",
            released.args
        );
        assert!(matches!(released.installer, Installer::Helm { ref release, .. } if release == "flagger"));
        // Rendered by Helm (helm template, Argo CD) but no release of it: no Helm remedy.
        let rendered = found_deployment(&deployment(serde_json::json!({})));
        assert!(matches!(rendered.installer, Installer::Other));
    }

    use super::*;

    fn deployment(available: bool) -> FoundDeployment {
        FoundDeployment {
            namespace: "istio-system".into(),
            name: "flagger".into(),
            available,
            image: "ghcr.io/fluxcd/flagger:1.44.0".into(),
            args: vec!["-mesh-provider=kuma".into()],
            installer: Installer::Other,
        }
    }

    #[test]
    fn flagger_judgement() {
        let ok = judge_flagger(&[deployment(true)], Some("test"), "install");
        assert!(ok.ok);
        assert_eq!(
            ok.detail,
            "istio-system/flagger Available, version 1.44.0, mesh provider kuma"
        );
        let bad = judge_flagger(&[deployment(false)], Some("test"), "install");
        assert!(!bad.ok && bad.remedy.unwrap().contains("describe deployment flagger"));
        let none = judge_flagger(&[], None, "kubectl kurator-rollout install --provider istio");
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
    fn a_crd_is_established_only_by_its_established_condition() {
        let crd = |status: Value| {
            let crd = json!({
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "canaries.flagger.app"},
                "spec": {"group": "flagger.app", "versions": [{"name": "v1beta1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object"}}}}}]},
                "status": status,
            });
            established(&serde_json::from_value::<CrdConditions>(crd).unwrap())
        };
        let condition = |type_: &str, status: &str| json!({"type": type_, "status": status, "reason": "x"});
        assert!(crd(
            json!({"conditions": [condition("NamesAccepted", "True"), condition("Established", "True")]})
        ));
        assert!(!crd(json!({"conditions": [condition("Established", "False")]})));
        assert!(!crd(json!({"conditions": [condition("NamesAccepted", "True")]})));
        assert!(!crd(json!({})));
        assert!(!crd(json!({"conditions": null})));
        assert!(!crd(Value::Null));
        let without_status = json!({"metadata": {"name": "canaries.flagger.app"}});
        assert!(!established(
            &serde_json::from_value::<CrdConditions>(without_status).unwrap()
        ));
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
        // -A asks at the cluster scope.
        assert_eq!(judge_permissions(&[], "").detail, "all needed in all namespaces");
        let cluster_wide = judge_permissions(&[("".into(), "list canaries.flagger.app".into())], "");
        assert_eq!(
            cluster_wide.detail,
            "missing in all namespaces: list canaries.flagger.app"
        );
    }

    fn controller(namespace: &str, args: &[&str]) -> FoundDeployment {
        FoundDeployment {
            namespace: namespace.into(),
            name: "flagger".into(),
            available: true,
            image: "ghcr.io/fluxcd/flagger:1.44.0".into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            installer: Installer::Other,
        }
    }

    #[test]
    fn go_flags_in_every_form() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(mesh_provider(&args(&["./flagger", "-mesh-provider=kuma"])), "kuma");
        assert_eq!(mesh_provider(&args(&["--mesh-provider", "nginx"])), "nginx");
        assert_eq!(
            watched_namespace(&args(&["-namespace", "shop"])).as_deref(),
            Some("shop")
        );
        assert_eq!(watched_namespace(&args(&["--namespace=shop"])).as_deref(), Some("shop"));
        // The flag's default, "", watches every namespace.
        assert_eq!(watched_namespace(&args(&["-namespace="])), None);
        assert_eq!(watched_namespace(&args(&["-log-level=info"])), None);
    }

    #[test]
    fn flagger_is_found_by_its_chart_labels_its_pod_labels_or_its_image() {
        let chart = json!({"metadata": {"labels": {"app.kubernetes.io/name": "flagger"}},
            "spec": {"template": {"spec": {"containers": [{"image": "my.registry/mirror:1"}]}}}});
        let kustomize = json!({"spec": {"template": {"metadata": {"labels": {"app": "flagger"}},
            "spec": {"containers": [{"image": "x:1"}]}}}});
        let image_only = json!({"spec": {"template": {"spec": {"containers": [
            {"image": "weaveworks/flagger@sha256:abc"}]}}}});
        let loadtester = json!({"metadata": {"labels": {"app.kubernetes.io/name": "loadtester"}},
            "spec": {"template": {"spec": {"containers": [{"image": "ghcr.io/fluxcd/flagger-loadtester:0.35.0"}]}}}});
        assert!(runs_flagger(&chart) && runs_flagger(&kustomize) && runs_flagger(&image_only));
        assert!(!runs_flagger(&loadtester));
    }

    #[test]
    fn a_second_flagger_watching_the_same_canaries_is_an_error_naming_both() {
        let ours = controller("istio-system", &["-mesh-provider=istio"]);
        let other = controller("flagger-system", &["-mesh-provider=kuma"]);
        let both = judge_flagger(&[ours.clone(), other.clone()], Some("test"), "install");
        assert!(!both.ok);
        assert_eq!(
            both.detail,
            "two Flagger controllers reconcile the same Canaries: istio-system/flagger (Available, version 1.44.0, mesh provider istio, watching all namespaces) and flagger-system/flagger (Available, version 1.44.0, mesh provider kuma, watching all namespaces)"
        );
        assert!(
            both.remedy
                .unwrap()
                .starts_with("keep one: kubectl -n flagger-system delete deployment flagger")
        );
        // -A: still one cluster, still two controllers on the same Canaries.
        assert!(!judge_flagger(&[ours.clone(), other.clone()], None, "install").ok);

        // Each restricted to its own namespace: they never meet.
        let shop = controller("istio-system", &["-namespace=shop"]);
        let test = controller("flagger-system", &["-namespace", "test"]);
        let apart = judge_flagger(&[shop.clone(), test.clone()], Some("test"), "install");
        assert!(apart.ok, "{apart:?}");
        assert!(
            apart.detail.starts_with("flagger-system/flagger Available")
                && apart.detail.ends_with(", watching namespace test")
        );
        // Restricted to the same one: they do.
        let same = controller("flagger-system", &["-namespace=shop"]);
        assert!(!judge_flagger(&[shop.clone(), same], Some("shop"), "install").ok);
        // None watches the scope's namespace: nothing reconciles its Canaries.
        let elsewhere = judge_flagger(&[shop], Some("test"), "install");
        assert!(
            !elsewhere.ok
                && elsewhere
                    .detail
                    .starts_with("no Flagger controller watches namespace test: istio-system/flagger")
        );
    }

    #[test]
    fn install_refuses_any_flagger_but_its_own_naming_how_to_remove_it_as_installed() {
        let ours = FoundDeployment {
            installer: Installer::ThisTool,
            name: "istio-system-flagger-eu-1".into(),
            ..controller("istio-system", &[])
        };
        // Its own Deployment, whoever applied it before: an upgrade, not a second Flagger.
        assert_eq!(
            refuse_second_flagger(
                std::slice::from_ref(&ours),
                ("istio-system", "istio-system-flagger-eu-1"),
                Some("--context eu-1")
            ),
            None
        );
        assert_eq!(refuse_second_flagger(&[], ("ingress-nginx", "x"), None), None);
        let renamed = refuse_second_flagger(
            std::slice::from_ref(&ours),
            ("istio-system", "istio-system-flagger-eu"),
            None,
        )
        .unwrap();
        assert!(
            renamed.contains("installed by this tool (--provider istio, cluster name eu-1): keep it"),
            "{renamed}"
        );
        let helm = FoundDeployment {
            installer: Installer::Helm {
                release: "flagger".into(),
                namespace: "flagger-system".into(),
            },
            ..controller("flagger-system", &["-mesh-provider=kuma"])
        };
        let refusal = refuse_second_flagger(&[helm], ("ingress-nginx", "x"), Some("--context 'prod eu'")).unwrap();
        assert_eq!(
            refusal,
            "refused: Flagger already runs in this cluster and a second one would reconcile the same Canaries: \
             flagger-system/flagger (Available, version 1.44.0, mesh provider kuma, watching all namespaces), \
             installed by Helm release flagger-system/flagger: replace it: helm --kube-context 'prod eu' uninstall flagger -n flagger-system \
             (when Kurator's Fleet plugin or Flux installed it, remove it there: kubectl kurator-rollout uninstall --fleet NAME; \
             they would put a deleted one back), then install"
        );
    }

    #[test]
    fn the_namespace_must_exist_and_not_be_going() {
        assert!(judge_namespace("test", Some("Active"), "--context c").ok);
        let missing = judge_namespace("test", None, "--context c");
        assert_eq!(
            (missing.ok, missing.detail.as_str()),
            (false, "namespace test not found")
        );
        assert_eq!(
            missing.remedy.as_deref(),
            Some("create it (kubectl --context c create namespace test), or pick another with -n")
        );
        assert!(!judge_namespace("test", Some("Terminating"), "--context c").ok);
    }

    #[test]
    fn load_testers_are_the_hooks_targets_with_their_callers() {
        let canary = |ns: &str, name: &str, urls: &[&str]| -> Canary {
            serde_json::from_value(json!({
                "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "service": {"port": 80},
                    "analysis": {"webhooks": urls.iter().enumerate()
                        .map(|(i, u)| json!({"name": format!("h{i}"), "url": u})).collect::<Vec<_>>()}}
            }))
            .unwrap()
        };
        let testers = referenced_load_testers(&[
            canary(
                "test",
                "a",
                &[
                    "http://lt.istio-system/gate/approve",
                    "http://lt.istio-system/rollback/check",
                ],
            ),
            canary(
                "test",
                "b",
                &["http://lt.istio-system/gate/approve", "http://own:8080/"],
            ),
        ]);
        let described: Vec<(String, u16, Vec<String>)> = testers
            .iter()
            .map(|(t, callers)| (format!("{}/{}", t.namespace, t.service), t.port, callers.clone()))
            .collect();
        assert_eq!(
            described,
            [
                (
                    "istio-system/lt".to_string(),
                    80,
                    vec!["test/a".to_string(), "test/b".to_string()]
                ),
                ("test/own".to_string(), 8080, vec!["test/b".to_string()]),
            ]
        );
        // Reachable hook targets pass without a labelled Deployment (any load tester will do).
        let ok = judge_load_tester(&[], &testers, &[], "install");
        assert!(ok.ok);
        assert_eq!(
            ok.detail,
            "ready endpoints: istio-system/lt:80 (hooks of test/a, test/b); test/own:8080 (hooks of test/b)"
        );
        assert!(!judge_load_tester(&[], &testers, &["test/own: no such Service".into()], "install").ok);
    }
}
