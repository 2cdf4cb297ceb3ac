//! Names for shell completion: the namespaces, or the Canaries, of the target clusters. One short
//! list per cluster: a completion answers while a key is held, and `snapshot` would also read
//! events and routing objects.

use std::time::Duration;

use kube::api::{Api, DynamicObject, ListParams};

use crate::fleet::apply::resource_of;
use crate::fleet::{ClusterError, Fleet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    Namespaces,
    /// In each cluster's namespace (its context's, or `-n`), or in all with `all_namespaces`.
    Canaries {
        all_namespaces: bool,
    },
}

/// The names found in any target cluster, sorted, each once; a cluster that does not answer
/// within `timeout` adds nothing.
pub async fn list_names(fleet: &Fleet, names: Names, timeout: Duration) -> Vec<String> {
    let outcomes = fleet
        .fan_out(timeout, |client, target| async move {
            let (api_version, kind, namespace) = match names {
                Names::Namespaces => ("v1", "Namespace", None),
                Names::Canaries { all_namespaces } => (
                    "flagger.app/v1beta1",
                    "Canary",
                    (!all_namespaces).then_some(target.namespace.as_str()),
                ),
            };
            let (resource, _) =
                resource_of(api_version, kind).ok_or_else(|| ClusterError::Other(format!("unknown kind {kind}")))?;
            let api: Api<DynamicObject> = match namespace {
                Some(ns) => Api::namespaced_with(client, ns, &resource),
                None => Api::all_with(client, &resource),
            };
            let list = api
                .list(&ListParams::default())
                .await
                .map_err(|e| ClusterError::from_kube(&e))?;
            Ok(list
                .items
                .into_iter()
                .filter_map(|o| o.metadata.name)
                .collect::<Vec<_>>())
        })
        .await;
    let mut all: Vec<String> = outcomes.into_iter().filter_map(|o| o.result.ok()).flatten().collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use fleet_sim::{SimCluster, User};
    use serde_json::json;

    use super::*;
    use crate::fleet::{ClusterHandle, Target};

    const TOKEN: &str = "admin-token";

    /// A simulated cluster with Flagger's CRDs and one Canary per (namespace, name).
    fn cluster(name: &str, canaries: &[(&str, &str)]) -> (SimCluster, Target, kube::Client) {
        let cluster = SimCluster::new(name);
        cluster.add_user(TOKEN, User::admin("admin"));
        let mut objects = crate::flagger::crds::flagger_crds();
        for (namespace, canary) in canaries {
            objects.push(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}));
            objects.push(json!({"apiVersion": "flagger.app/v1beta1", "kind": "Canary",
                "metadata": {"name": canary, "namespace": namespace},
                "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": canary},
                         "service": {"port": 80}, "analysis": {"interval": "1m", "threshold": 5}}}));
        }
        fleet_sim::kurator::apply_all(&cluster, &objects);
        let client = kube::Client::new(cluster.service(TOKEN), "test");
        let target = Target {
            context: name.into(),
            cluster: name.into(),
            server: String::new(),
            namespace: "test".into(),
        };
        (cluster, target, client)
    }

    #[tokio::test]
    async fn names_of_every_target_cluster_once_and_none_from_a_broken_one() {
        let (_a, target_a, client_a) = cluster("a", &[("test", "podinfo")]);
        let (_b, target_b, client_b) = cluster("b", &[("test", "podinfo"), ("test", "backend"), ("prod", "web")]);
        let mut fleet = Fleet::from_clients(vec![(target_a, client_a), (target_b, client_b)]);
        fleet.clusters.push(ClusterHandle {
            target: Target {
                context: "broken".into(),
                cluster: "broken".into(),
                server: String::new(),
                namespace: "test".into(),
            },
            client: Err(ClusterError::Other("no credentials".into())),
        });
        let timeout = Duration::from_secs(5);

        let canaries = list_names(&fleet, Names::Canaries { all_namespaces: false }, timeout).await;
        assert_eq!(canaries, vec!["backend", "podinfo"]);
        let everywhere = list_names(&fleet, Names::Canaries { all_namespaces: true }, timeout).await;
        assert_eq!(everywhere, vec!["backend", "podinfo", "web"]);
        let namespaces = list_names(&fleet, Names::Namespaces, timeout).await;
        assert!(
            namespaces.contains(&"prod".to_string()) && namespaces.contains(&"test".to_string()),
            "{namespaces:?}"
        );
        assert_eq!(namespaces.iter().filter(|n| *n == "test").count(), 1, "{namespaces:?}");
    }
}
