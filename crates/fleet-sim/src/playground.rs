//! A fleet of simulated clusters served on 127.0.0.1, and the kubeconfig that reaches them.

use std::time::Duration;

use apimachinery::to_yaml;
use serde_json::{Value, json};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use std::sync::Arc;

use crate::auth::User;
use crate::cluster::SimCluster;
use crate::flagger::controller::FlaggerSim;
use crate::tls::TlsMaterial;

/// How long a simulated Deployment takes to become Available.
pub const DEPLOYMENT_READY_DELAY: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, Default)]
pub struct PlaygroundOptions {
    pub clusters: usize,
    pub latency: Duration,
    /// Cluster names that refuse connections from the start.
    pub unreachable: Vec<String>,
    /// Serve plain HTTP instead of HTTPS (kube-rs sends tokens over HTTP; kubectl does not).
    pub plain_http: bool,
    /// Simulated time runs this many times faster than real time (0 means the default, 30).
    pub speed: f64,
    /// Also a Kurator hub (`kurator-host`) holding a Fleet of the members, whose kubeconfigs
    /// live only in hub Secrets; the written kubeconfig then names the hub alone. The hub runs
    /// the simulated Kurator fleet manager (`kurator::start_fleet_manager`).
    pub kurator: bool,
    /// Traffic providers installed in every member before anything else (their CRDs
    /// registered, as the mesh's own install would); empty means Istio, the provider of the
    /// demo and of Kurator's rollout guide.
    pub meshes: Vec<String>,
    /// Extra token users in every member, as (name, ClusterRole bound to them cluster-wide or
    /// none): each gets a kubeconfig context `NAME@CLUSTER`. Without a role a user may do only
    /// what `system:authenticated` may (discovery, access reviews); an admin grants more with
    /// RBAC objects, as on a real cluster.
    pub users: Vec<(String, Option<String>)>,
}

pub const DEFAULT_SPEED: f64 = 30.0;

/// One cluster of a running playground, with what a kubeconfig needs to reach it.
#[derive(Clone)]
pub struct Member {
    pub cluster: SimCluster,
    pub flagger: Arc<FlaggerSim>,
    pub server: String,
    pub token: String,
    /// The extra users of [`PlaygroundOptions::users`]: (name, token).
    pub users: Vec<(String, String)>,
}

impl Member {
    /// How a kubeconfig reaches this cluster (its admin token, namespace `default`).
    pub fn entry(&self, ca_pem: Option<&str>) -> KubeconfigEntry {
        KubeconfigEntry {
            context: self.cluster.name().to_string(),
            server: self.server.clone(),
            token: self.token.clone(),
            namespace: "default".into(),
            ca_pem: ca_pem.map(str::to_string),
        }
    }

    /// One entry per extra user, with the context `NAME@CLUSTER`.
    pub fn user_entries(&self, ca_pem: Option<&str>) -> Vec<KubeconfigEntry> {
        self.users
            .iter()
            .map(|(name, token)| KubeconfigEntry {
                context: format!("{name}@{}", self.cluster.name()),
                token: token.clone(),
                ..self.entry(ca_pem)
            })
            .collect()
    }
}

pub struct Playground {
    pub members: Vec<Member>,
    /// The Kurator hub, with `kurator: true`.
    pub hub: Option<Member>,
    /// The CA every member's certificate chains to (None over plain HTTP).
    pub ca_pem: Option<String>,
    /// The CA itself, to issue client certificates (None over plain HTTP).
    pub tls: Option<TlsMaterial>,
    /// The members' controller loops; they hold the clusters alive, so they end with the
    /// playground instead of burning CPU for the rest of the process (benchmarks, test binaries).
    controllers: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Playground {
    fn drop(&mut self) {
        for task in &self.controllers {
            task.abort();
        }
    }
}

pub fn member_name(index: usize) -> String {
    format!("kurator-member{index}")
}

impl Playground {
    /// Starts the clusters (must run inside a tokio runtime that outlives the playground).
    pub async fn start(options: &PlaygroundOptions) -> std::io::Result<Playground> {
        let tls = if options.plain_http {
            None
        } else {
            Some(TlsMaterial::generate("fleet-sim playground CA").map_err(std::io::Error::other)?)
        };
        let mut members = Vec::new();
        let mut controllers = Vec::new();
        for i in 1..=options.clusters {
            let name = member_name(i);
            let cluster = SimCluster::new(&name);
            let meshes = if options.meshes.is_empty() {
                vec!["istio".to_string()]
            } else {
                options.meshes.clone()
            };
            for mesh in &meshes {
                crate::flagger::routing::install_provider(&cluster, mesh).map_err(std::io::Error::other)?;
            }
            let token = format!("sim-{name}-{}", uuid::Uuid::new_v4().simple());
            cluster.add_user(&token, User::admin(&format!("{name}-admin")));
            cluster.faults().set_latency(options.latency);
            controllers.push(cluster.start_controllers(DEPLOYMENT_READY_DELAY));
            let speed = if options.speed > 0.0 {
                options.speed
            } else {
                DEFAULT_SPEED
            };
            let flagger = FlaggerSim::new(cluster.clone(), speed);
            controllers.push(flagger.start());
            if options.unreachable.iter().any(|u| u == &name) {
                cluster.faults().set_unreachable(true);
            }
            match &tls {
                Some(tls) => cluster.serve_tls(tls).await?,
                None => cluster.serve().await?,
            };
            let server = cluster.url().unwrap_or_default();
            let mut users = Vec::new();
            for (user, role) in &options.users {
                let user_token = format!("sim-{user}-{}", uuid::Uuid::new_v4().simple());
                cluster.add_user(&user_token, User::named(user));
                if let Some(role) = role {
                    let binding = crate::rbac::cluster_role_binding(
                        &format!("fleet-sim:{user}:{role}"),
                        role,
                        vec![json!({"kind": "User", "apiGroup": crate::rbac::RBAC_GROUP, "name": user})],
                        json!({"app.kubernetes.io/managed-by": "fleet-sim"}),
                        json!({}),
                    );
                    crate::rbac::put_cluster_object(cluster.core(), "clusterrolebindings", binding)
                        .map_err(|e| std::io::Error::other(e.to_string()))?;
                }
                users.push((user.clone(), user_token));
            }
            members.push(Member {
                cluster,
                flagger,
                server,
                token,
                users,
            });
        }
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let hub = if options.kurator {
            let cluster = SimCluster::new(crate::kurator::HUB_NAME);
            let token = format!("sim-hub-{}", uuid::Uuid::new_v4().simple());
            cluster.add_user(&token, User::admin("kurator-admin"));
            match &tls {
                Some(tls) => cluster.serve_tls(tls).await?,
                None => cluster.serve().await?,
            };
            let server = cluster.url().unwrap_or_default();
            let flagger = FlaggerSim::new(cluster.clone(), 1.0);
            let hub_members: Vec<crate::kurator::HubMember> = members
                .iter()
                .enumerate()
                .map(|(i, m)| crate::kurator::HubMember {
                    cluster: &m.cluster,
                    entry: m.entry(ca_pem.as_deref()),
                    labels: json!({"env": if i == 0 { "prod" } else { "staging" }, "fleet.kurator.dev/fleet-name": crate::kurator::FLEET_NAME}),
                })
                .collect();
            crate::kurator::seed_hub(&cluster, &hub_members).map_err(|e| std::io::Error::other(e.to_string()))?;
            // Kurator's fleet manager runs on the hub, at the members' simulated speed.
            let speed = if options.speed > 0.0 {
                options.speed
            } else {
                DEFAULT_SPEED
            };
            controllers.push(crate::kurator::start_fleet_manager(
                cluster.clone(),
                members.iter().map(|m| m.cluster.clone()).collect(),
                speed,
            ));
            Some(Member {
                cluster,
                flagger,
                server,
                token,
                users: Vec::new(),
            })
        } else {
            None
        };
        Ok(Playground {
            members,
            hub,
            ca_pem,
            tls,
            controllers,
        })
    }

    pub fn cluster(&self, name: &str) -> Option<&SimCluster> {
        self.members.iter().map(|m| &m.cluster).find(|c| c.name() == name)
    }

    /// A kubeconfig with one context per cluster (named like the cluster), namespace `default`,
    /// the first cluster current.
    pub fn kubeconfig(&self) -> Value {
        // With a hub, users reach members through it: the kubeconfig names the hub alone.
        let shown: Vec<&Member> = match &self.hub {
            Some(hub) => vec![hub],
            None => self.members.iter().collect(),
        };
        let ca = self.ca_pem.as_deref();
        let mut entries: Vec<KubeconfigEntry> = shown.iter().map(|m| m.entry(ca)).collect();
        // The extra users' contexts come after the admin ones, so the current context stays admin.
        entries.extend(shown.iter().flat_map(|m| m.user_entries(ca)));
        kubeconfig(&entries)
    }

    /// One entry per member, also with a hub (whose written kubeconfig names the hub alone):
    /// how in-process callers reach the members directly.
    pub fn member_entries(&self) -> Vec<KubeconfigEntry> {
        self.members.iter().map(|m| m.entry(self.ca_pem.as_deref())).collect()
    }

    pub fn kubeconfig_yaml(&self) -> String {
        to_yaml(&self.kubeconfig())
    }
}

#[derive(Debug, Clone)]
pub struct KubeconfigEntry {
    pub context: String,
    pub server: String,
    pub token: String,
    pub namespace: String,
    /// PEM of the CA to trust for an https server.
    pub ca_pem: Option<String>,
}

/// The kubeconfig user of a context: `CLUSTER-admin`, or the context itself for an extra
/// user's `NAME@CLUSTER`.
fn user_name(context: &str) -> String {
    if context.contains('@') {
        context.to_string()
    } else {
        format!("{context}-admin")
    }
}

/// A kubeconfig document; the first entry is the current context.
pub fn kubeconfig(entries: &[KubeconfigEntry]) -> Value {
    let clusters: Vec<Value> = entries
        .iter()
        .filter(|e| !e.context.contains('@'))
        .map(|e| {
            let mut cluster = json!({"server": e.server});
            if let Some(ca) = &e.ca_pem {
                cluster["certificate-authority-data"] = json!(BASE64.encode(ca));
            }
            json!({"name": e.context, "cluster": cluster})
        })
        .collect();
    let users: Vec<Value> = entries
        .iter()
        .map(|e| json!({"name": user_name(&e.context), "user": {"token": e.token}}))
        .collect();
    let contexts: Vec<Value> = entries
        .iter()
        .map(|e| {
            let cluster = e.context.split_once('@').map_or(e.context.as_str(), |(_, c)| c);
            json!({"name": e.context, "context": {"cluster": cluster, "user": user_name(&e.context), "namespace": e.namespace}})
        })
        .collect();
    json!({
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": clusters,
        "users": users,
        "contexts": contexts,
        "current-context": entries.first().map(|e| e.context.clone()).unwrap_or_default(),
    })
}
