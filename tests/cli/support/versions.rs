//! What a dry run must leave as it was: the resourceVersion of objects, as `kind
//! namespace/name@version` lines a test compares before and after.

use fleet_sim::SimCluster;
use serde_json::Value;

/// `<label> namespace/name@resourceVersion` of an object.
fn version_line(label: &str, o: &Value) -> String {
    let m = &o["metadata"];
    format!(
        "{label} {}/{}@{}",
        m["namespace"].as_str().unwrap_or(""),
        m["name"].as_str().unwrap_or(""),
        m["resourceVersion"].as_str().unwrap_or("")
    )
}

/// The objects of these resources (`(group, plural)`) in a cluster, each labelled `label`.
pub fn object_versions(cluster: &SimCluster, label: &str, resources: &[(&str, &str)]) -> Vec<String> {
    resources
        .iter()
        .flat_map(|(group, plural)| cluster.list(group, plural, None))
        .map(|o| version_line(label, &o))
        .collect()
}

/// Every object of every resource the cluster serves (built-in and custom), each labelled with
/// the cluster and its resource: nothing a command could write is left out.
pub fn every_object_version(cluster: &SimCluster) -> Vec<String> {
    let mut resources: Vec<(String, String)> = cluster
        .core()
        .registry()
        .all()
        .map(|t| (t.group.clone(), t.plural.clone()))
        .collect();
    resources.sort();
    resources.dedup();
    resources
        .iter()
        .flat_map(|(group, plural)| {
            let label = format!("{} {plural}.{group}", cluster.name());
            cluster
                .list(group, plural, None)
                .iter()
                .map(|o| version_line(&label, o))
                .collect::<Vec<_>>()
        })
        .collect()
}
