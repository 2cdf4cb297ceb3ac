//! What a dry run must leave as it was: every object's resourceVersion on every member and on
//! the hub; and a settled Kurator fleet to take it on (nothing moves there until a change).

use fleet_sim::SimCluster;

use super::{Fleet, every_object_version, plugin, run, wait_for};

/// [`every_object_version`] of every member and of the hub, in a stable order.
pub fn versions(fleet: &Fleet) -> Vec<String> {
    fleet
        .clusters
        .iter()
        .chain(fleet.hub.iter().map(|(hub, _)| hub))
        .flat_map(every_object_version)
        .collect()
}

/// Lets every simulated controller catch up now (rollouts finished, endpoints in line) and
/// waits for the last write of each Initialized Canary's initialization (Flagger writes the
/// phase, then records "Initialization done!": scheduler.go, `advanceCanary`), so that what
/// moves afterwards was written by the command under test.
pub fn settle(fleet: &Fleet) {
    for c in fleet.clusters.iter().chain(fleet.hub.iter().map(|(hub, _)| hub)) {
        fleet_sim::controllers::settle(c);
    }
    for c in &fleet.clusters {
        for canary in c.list("flagger.app", "canaries", None) {
            if canary.pointer("/status/phase").and_then(|p| p.as_str()) != Some("Initialized") {
                continue;
            }
            let m = &canary["metadata"];
            let (ns, name) = (m["namespace"].as_str().unwrap_or(""), m["name"].as_str().unwrap_or(""));
            let done = format!("Initialization done! {name}.{ns}");
            wait_for(&format!("{done} in {}", c.name()), || {
                let events = c.list("", "events", Some(ns));
                if events.iter().any(|e| e["message"] == done.as_str()) {
                    Ok(())
                } else {
                    Err(format!("{} events", events.len()))
                }
            });
        }
    }
}

/// The lines of `after` that differ from `before`, for a failure that names what was written.
pub fn changed(before: &[String], after: &[String]) -> Vec<String> {
    let gone = before.iter().filter(|v| !after.contains(v)).map(|v| format!("- {v}"));
    let new = after.iter().filter(|v| !before.contains(v)).map(|v| format!("+ {v}"));
    gone.chain(new).collect()
}

/// Three members behind a hub: Flagger installed through the Fleet, podinfo deployed, the
/// example Application applied through the hub, rendered by Kurator into every member's
/// Canary, which Flagger initialized, and that status mirrored into the Application: after
/// that nothing moves until a release.
pub fn settled_hub_fleet() -> (Fleet, tempfile::TempDir, std::path::PathBuf) {
    let (fleet, home, kc) = crate::kurator::hub_fleet();
    let hub = &fleet.hub.as_ref().unwrap().0;
    crate::kurator::install_through_fleet(home.path(), &kc, true);
    for c in &fleet.clusters {
        fleet_sim::kurator::apply_all(c, &fleet_sim::sample::podinfo("podinfo:1", 1));
    }
    let applied = run(plugin(home.path())
        .args(["apply", "-f", EXAMPLE_APPLICATION, "--fleet", "quickstart"])
        .env("KUBECONFIG", &kc));
    assert_eq!(applied.code, 0, "{applied:?}");
    wait_for("3 Initialized Canaries, mirrored into the Application's status", || {
        let status = hub
            .get("apps.kurator.dev", "applications", Some("default"), "rollout-demo")
            .and_then(|a| a.pointer("/status/syncStatus").cloned())
            .unwrap_or_default();
        let mirrored = |c: &SimCluster| {
            let Some(canary) = c.get("flagger.app", "canaries", Some("test"), "podinfo") else {
                return false;
            };
            let Some(entry) = status.as_array().into_iter().flatten().find_map(|e| {
                let s = &e["rolloutStatus"];
                (s["clusterName"] == c.name()).then(|| s["rolloutStatusInCluster"].clone())
            }) else {
                return false;
            };
            canary.pointer("/status/phase") == Some(&serde_json::json!("Initialized"))
                && canary["status"]
                    .as_object()
                    .is_some_and(|s| s.iter().all(|(k, v)| &entry[k] == v))
        };
        if fleet.clusters.iter().all(mirrored) {
            Ok(())
        } else {
            Err(status.to_string())
        }
    });
    (fleet, home, kc)
}

/// The Kurator Application of the examples (rollout `rollout-demo` of podinfo in `test`).
pub const EXAMPLE_APPLICATION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml");
