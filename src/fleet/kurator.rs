//! Kurator hub mode: the members of a Fleet, read from the hub cluster, each reached with the
//! kubeconfig in its Secret. Member credentials stay in memory: never written, never printed.

use std::collections::BTreeMap;

use base64::Engine;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DynamicObject};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, GroupVersionKind};
use kube::{Client, Config};
use serde_json::Value;

use super::connect::ClusterHandle;
use super::error::{ClusterError, chain};
use super::targets::Target;

/// Which Fleet, on which hub, narrowed how.
#[derive(Debug, Clone)]
pub struct FleetSelector {
    pub name: String,
    pub namespace: String,
    pub labels: Vec<(String, String)>,
    /// Overrides each member's namespace (`-n`).
    pub member_namespace: Option<String>,
}

fn api(client: &Client, group: &str, kind: &str, plural: &str, ns: &str) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk(group, "v1alpha1", kind);
    Api::namespaced_with(client.clone(), ns, &ApiResource::from_gvk_with_plural(&gvk, plural))
}

/// Kurator's `Fleet`s in a hub namespace.
pub fn fleets(hub: &Client, ns: &str) -> Api<DynamicObject> {
    api(hub, "fleet.kurator.dev", "Fleet", "fleets", ns)
}

/// Kurator's `Application`s in a hub namespace.
pub fn applications(hub: &Client, ns: &str) -> Api<DynamicObject> {
    api(hub, "apps.kurator.dev", "Application", "applications", ns)
}

fn text<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// The Fleet's members that match the selector, each with its client or why there is none.
pub async fn members(hub: &Client, selector: &FleetSelector) -> Result<Vec<ClusterHandle>, String> {
    let ns = &selector.namespace;
    let fleet = match fleets(hub, ns).get_opt(&selector.name).await {
        Ok(Some(f)) => serde_json::to_value(f).unwrap_or_default(),
        Ok(None) => {
            return Err(format!(
                "Fleet {ns}/{} not found on the hub; list them with kubectl get fleets -A",
                selector.name
            ));
        }
        Err(e) => {
            return Err(format!(
                "reading Fleet {ns}/{} on the hub: {}",
                selector.name,
                ClusterError::from_kube(&e)
            ));
        }
    };
    let refs = fleet
        .pointer("/spec/clusters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut handles = Vec::new();
    for r in refs {
        let kind = text(&r, "/kind").to_string();
        let name = text(&r, "/name").to_string();
        let (object, secret_ref) = match kind.as_str() {
            "AttachedCluster" => {
                let obj = api(hub, "cluster.kurator.dev", "AttachedCluster", "attachedclusters", ns)
                    .get_opt(&name)
                    .await;
                let obj = obj.ok().flatten().map(|o| serde_json::to_value(o).unwrap_or_default());
                let secret = obj.as_ref().map(|o| {
                    let key = o
                        .pointer("/spec/kubeconfig/key")
                        .and_then(Value::as_str)
                        .unwrap_or("value")
                        .to_string();
                    (text(o, "/spec/kubeconfig/name").to_string(), key)
                });
                (obj, secret)
            }
            "Cluster" => {
                let obj = api(hub, "cluster.kurator.dev", "Cluster", "clusters", ns)
                    .get_opt(&name)
                    .await;
                let obj = obj.ok().flatten().map(|o| serde_json::to_value(o).unwrap_or_default());
                let secret = obj
                    .as_ref()
                    .map(|o| (text(o, "/spec/credential/secretRef").to_string(), "value".to_string()));
                (obj, secret)
            }
            _ => continue,
        };
        let labels: BTreeMap<String, String> = object
            .as_ref()
            .and_then(|o| o.pointer("/metadata/labels"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        if !selector.labels.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            continue;
        }
        let ready = object.as_ref().is_some_and(|o| {
            o.pointer("/status/ready") == Some(&Value::Bool(true)) || text(o, "/status/phase") == "Ready"
        });
        let target = Target {
            context: name.clone(),
            cluster: format!("{kind}/{name}{}", if ready { "" } else { " (not ready)" }),
            server: String::new(),
            namespace: selector.member_namespace.clone().unwrap_or_else(|| "default".into()),
        };
        let client = match (object, secret_ref) {
            (None, _) | (_, None) => Err(ClusterError::Config(format!("{kind} {ns}/{name} not found on the hub"))),
            (Some(_), Some((secret, key))) => member_client(hub, ns, &secret, &key, &target).await,
        };
        let server = client.as_ref().map(|(_, s)| s.clone()).unwrap_or_default();
        handles.push(ClusterHandle {
            target: Target { server, ..target },
            client: client.map(|(c, _)| c),
        });
    }
    Ok(handles)
}

/// A client from the kubeconfig in a hub Secret; errors never quote the Secret's data.
async fn member_client(
    hub: &Client,
    ns: &str,
    secret: &str,
    key: &str,
    target: &Target,
) -> Result<(Client, String), ClusterError> {
    let secrets: Api<Secret> = Api::namespaced(hub.clone(), ns);
    let found = secrets.get_opt(secret).await.map_err(|e| ClusterError::from_kube(&e))?;
    let Some(found) = found else {
        return Err(ClusterError::Config(format!(
            "Secret {ns}/{secret} (the member's kubeconfig) not found on the hub"
        )));
    };
    let bytes = found.data.as_ref().and_then(|d| d.get(key)).map(|b| b.0.clone());
    let Some(bytes) = bytes else {
        return Err(ClusterError::Config(format!("Secret {ns}/{secret} has no key {key}")));
    };
    // Secret data arrives base64-decoded already; tolerate a doubly encoded value too.
    let text = String::from_utf8(bytes.clone())
        .ok()
        .filter(|t| t.contains("clusters"))
        .or_else(|| {
            base64::engine::general_purpose::STANDARD
                .decode(&bytes)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
        })
        .ok_or_else(|| ClusterError::Config(format!("Secret {ns}/{secret} key {key} is not a kubeconfig")))?;
    let kubeconfig = Kubeconfig::from_yaml(&text)
        .map_err(|_| ClusterError::Config(format!("Secret {ns}/{secret} key {key} is not a valid kubeconfig")))?;
    let server = kubeconfig
        .clusters
        .first()
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .unwrap_or_default();
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|e| ClusterError::Config(format!("the kubeconfig in Secret {ns}/{secret}: {}", chain(&e))))?;
    config.default_namespace = target.namespace.clone();
    let client = Client::try_from(config).map_err(|e| ClusterError::Config(chain(&e)))?;
    Ok((client, server))
}
