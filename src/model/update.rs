//! What the live engine feeds into a `FleetState`: one update per object seen, per cluster
//! index, and the scope a read or watch covers. Pure data.

use std::sync::Arc;

use serde_json::Value;

use crate::flagger::routing::RouteKind;
use crate::fleet::ClusterError;
use crate::model::event::Event;
use crate::model::pending::{TemplatePrint, template_print};

/// An object as read: shared, not copied, by every subscriber's fold of the same update (a
/// live watch hands each update to every surface that follows it).
pub type Object = Arc<Value>;

/// What to watch.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// None: all namespaces.
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub labels: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Update {
    Canary {
        cluster: usize,
        object: Object,
    },
    CanaryGone {
        cluster: usize,
        namespace: String,
        name: String,
    },
    /// A canary whose state cannot be told (under a Kurator hub: a rollout whose policy cannot
    /// be read from its Application). Its row says why; its cluster's other rows are unaffected.
    CanaryUnreadable {
        cluster: usize,
        namespace: String,
        name: String,
        error: String,
    },
    Event {
        cluster: usize,
        event: Arc<Event>,
    },
    /// A provider's routing object (VirtualService, canary Ingress, HTTPRoute, TrafficRoute).
    Route {
        cluster: usize,
        kind: RouteKind,
        object: Object,
    },
    RouteGone {
        cluster: usize,
        kind: RouteKind,
        namespace: String,
        name: String,
    },
    /// The cluster's objects of this routing kind are being (re)listed: what was held may be
    /// gone, so it is dropped and refilled by the `Route` updates that follow.
    RoutesRelisting {
        cluster: usize,
        kind: RouteKind,
    },
    /// Reading this routing kind failed (list refused, watch dropped): its weights are unknown
    /// until it is read again.
    RoutesFailed {
        cluster: usize,
        kind: RouteKind,
        error: String,
    },
    /// An Event that was already there when the list was taken (a watch's initial list or
    /// relist, a one-shot read): history from before the watch, not something that just happened.
    EventListed {
        cluster: usize,
        event: Arc<Event>,
    },
    /// The cluster's canaries have been listed (its rows are complete).
    Listed {
        cluster: usize,
    },
    /// A Deployment (a canary's target or primary: whether a new revision waits for Flagger),
    /// as much of it as rows read ([`Update::workload`] makes one).
    Workload {
        cluster: usize,
        namespace: String,
        name: String,
        workload: Workload,
    },
    WorkloadGone {
        cluster: usize,
        namespace: String,
        name: String,
    },
    /// The cluster's Deployments have been listed, or could not be (then no row is pending).
    WorkloadsListed {
        cluster: usize,
    },
    Failed {
        cluster: usize,
        error: ClusterError,
    },
}

/// What rows need of a Deployment (a canary's target or primary): its pod template's prints,
/// whether a revision waits for Flagger ([`crate::model::pending`]), and the first container's
/// image (`-o wide`). Made where the Deployment is read, once: the rest of a Deployment (tens of
/// kilobytes as a `Value`, every Deployment of the watched namespaces) is never kept, nor queued
/// for each subscriber.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    pub print: Option<TemplatePrint>,
    pub image: Option<String>,
}

impl Workload {
    pub fn of(deployment: &Value) -> Workload {
        Workload {
            print: template_print(deployment),
            image: deployment
                .pointer("/spec/template/spec/containers/0/image")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }
}

/// A Deployment as rows need it, with its namespace and name (see [`Workload`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedWorkload {
    pub namespace: String,
    pub name: String,
    pub workload: Workload,
}

impl NamedWorkload {
    pub fn of(deployment: &Value) -> NamedWorkload {
        let text = |p: &str| deployment.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
        NamedWorkload {
            namespace: text("/metadata/namespace"),
            name: text("/metadata/name"),
            workload: Workload::of(deployment),
        }
    }

    pub fn into_update(self, cluster: usize) -> Update {
        Update::Workload {
            cluster,
            namespace: self.namespace,
            name: self.name,
            workload: self.workload,
        }
    }
}

impl Update {
    /// The update for a routing object as read whole: what rows need of it
    /// ([`crate::flagger::routing::kept_of`]).
    pub fn route(cluster: usize, kind: RouteKind, object: Value) -> Update {
        Update::Route {
            cluster,
            kind,
            object: crate::flagger::routing::kept_of(kind, object).into(),
        }
    }

    /// The update for a Deployment as read.
    pub fn workload(cluster: usize, deployment: &Value) -> Update {
        NamedWorkload::of(deployment).into_update(cluster)
    }

    /// The cluster this update is about (every update is about one).
    pub fn cluster(&self) -> usize {
        match self {
            Update::Canary { cluster, .. }
            | Update::CanaryGone { cluster, .. }
            | Update::CanaryUnreadable { cluster, .. }
            | Update::Event { cluster, .. }
            | Update::Route { cluster, .. }
            | Update::RouteGone { cluster, .. }
            | Update::RoutesRelisting { cluster, .. }
            | Update::RoutesFailed { cluster, .. }
            | Update::EventListed { cluster, .. }
            | Update::Listed { cluster }
            | Update::Workload { cluster, .. }
            | Update::WorkloadGone { cluster, .. }
            | Update::WorkloadsListed { cluster }
            | Update::Failed { cluster, .. } => *cluster,
        }
    }
}
