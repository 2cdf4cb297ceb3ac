//! The rows of `apply`: one per object written into a member, or one per Application written
//! into the Kurator hub; what a write did, from the object before and the server's answer; and
//! the exit code of an apply. Pure.

use serde::Serialize;
use serde_json::Value;

use crate::exit::Exit;
use crate::interrupt::UNTOUCHED;

/// The objects one cluster gets, per policy (`render`).
#[derive(Debug)]
pub struct RenderedCluster {
    /// The cluster's name in object names (its context, unless renamed).
    pub name: String,
    pub policies: Vec<(String, Vec<Value>)>,
}

/// What applying one object did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectResult {
    pub policy: String,
    pub object: String,
    /// created, configured, unchanged, failed, skipped (dry run: would create/configure).
    pub result: String,
    pub error: Option<String>,
    /// Dry run only: the diff against the live object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// result `warning`: a field another manager left in the object that changes the rollout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

impl ObjectResult {
    pub fn failed(policy: &str, object: String, error: String) -> ObjectResult {
        ObjectResult {
            policy: policy.into(),
            object,
            result: "failed".into(),
            error: Some(error),
            diff: None,
            warning: None,
        }
    }

    /// A row without error, diff or warning.
    pub fn done(policy: &str, object: String, result: &str) -> ObjectResult {
        ObjectResult {
            policy: policy.into(),
            object,
            result: result.into(),
            error: None,
            diff: None,
            warning: None,
        }
    }
}

/// One object in one member cluster.
#[derive(Debug, Serialize)]
pub struct ApplyRow {
    pub cluster: String,
    #[serde(flatten)]
    pub result: ObjectResult,
}

/// One Application on the Kurator hub.
#[derive(Debug, Serialize)]
pub struct HubRow {
    pub application: String,
    pub result: String,
    pub error: Option<String>,
}

/// The rows of an apply, by where the policies went.
#[derive(Debug)]
pub enum Applied {
    Members(Vec<ApplyRow>),
    Hub(Vec<HubRow>),
}

impl Applied {
    /// Members: 0 when every cluster took every object, 5 when some did, 1 when none did, 130
    /// when Ctrl-C kept a cluster untouched. Hub: 0 when every Application went in, else 1.
    pub fn exit(&self) -> Exit {
        match self {
            Applied::Hub(rows) if rows.iter().all(|r| r.error.is_none()) => Exit::Success,
            Applied::Hub(_) => Exit::Failed,
            Applied::Members(rows) => {
                let mut clusters: Vec<&str> = rows.iter().map(|r| r.cluster.as_str()).collect();
                clusters.dedup();
                let of = |c: &str| rows.iter().filter(|r| r.cluster == c).collect::<Vec<_>>();
                let untouched = clusters
                    .iter()
                    .filter(|c| of(c).iter().any(|r| r.result.result == UNTOUCHED))
                    .count();
                let clean = clusters
                    .iter()
                    .filter(|c| {
                        of(c)
                            .iter()
                            .all(|r| r.result.error.is_none() && r.result.result != UNTOUCHED)
                    })
                    .count();
                Exit::after_writes(clean, clusters.len(), untouched)
            }
        }
    }
}

/// What an apply did (or, dry, would do) to an object, from the object before and the server's
/// answer. Compared by content, not resourceVersion: a dry run's answer keeps the old version
/// even when it would change the object.
pub fn change_of(before: Option<&Value>, after: Option<&Value>, dry_run: bool) -> &'static str {
    match (before, dry_run) {
        (None, false) => "created",
        (None, true) => "would create",
        (Some(b), _) if after.is_some_and(|a| content(a) == content(b)) => "unchanged",
        (Some(_), false) => "configured",
        (Some(_), true) => "would configure",
    }
}

/// An object without what the server owns (status, versions, managed fields, identity), to
/// compare what a user wrote.
pub fn content(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for server_owned in [
            "resourceVersion",
            "managedFields",
            "generation",
            "uid",
            "creationTimestamp",
        ] {
            meta.remove(server_owned);
        }
    }
    if let Some(m) = v.as_object_mut() {
        m.remove("status");
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_change_is_judged_by_content_not_version() {
        let before = json!({"metadata": {"name": "a", "resourceVersion": "1"}, "spec": {"x": 1}});
        let same = json!({"metadata": {"name": "a", "resourceVersion": "2"}, "spec": {"x": 1}, "status": {}});
        let other = json!({"metadata": {"name": "a", "resourceVersion": "1"}, "spec": {"x": 2}});
        assert_eq!(change_of(None, Some(&same), true), "would create");
        assert_eq!(change_of(None, Some(&same), false), "created");
        assert_eq!(change_of(Some(&before), Some(&same), true), "unchanged");
        assert_eq!(change_of(Some(&before), Some(&other), true), "would configure");
        assert_eq!(change_of(Some(&before), Some(&other), false), "configured");
    }

    #[test]
    fn member_exit_counts_clusters_not_rows() {
        let row = |cluster: &str, result: &str, error: Option<&str>| ApplyRow {
            cluster: cluster.into(),
            result: ObjectResult {
                error: error.map(str::to_string),
                ..ObjectResult::done("p", "o".into(), result)
            },
        };
        let rows = vec![
            row("a", "created", None),
            row("a", "created", None),
            row("b", "failed", Some("x")),
        ];
        assert_eq!(Applied::Members(rows).exit(), Exit::Partial);
        assert_eq!(
            Applied::Members(vec![row("a", UNTOUCHED, None), row("b", "created", None)]).exit(),
            Exit::Interrupted
        );
        assert_eq!(
            Applied::Members(vec![row("a", "unchanged", None)]).exit(),
            Exit::Success
        );
        let hub = |error: Option<&str>| HubRow {
            application: "a".into(),
            result: "created".into(),
            error: error.map(str::to_string),
        };
        assert_eq!(Applied::Hub(vec![hub(None)]).exit(), Exit::Success);
        assert_eq!(Applied::Hub(vec![hub(None), hub(Some("x"))]).exit(), Exit::Failed);
    }
}
