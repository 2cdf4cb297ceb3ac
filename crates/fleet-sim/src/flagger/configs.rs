//! Flagger's config tracking (fluxcd/flagger pkg/canary/config_tracker.go): the ConfigMaps and
//! Secrets a target's pod template references, their checksums (`trackedConfigs`), their
//! `-primary` copies, and the primary template pointing at those copies. A changed checksum
//! starts (or restarts) a run just as a new template does.
//!
//! Not emulated: Go's JSON escaping of `<`, `>`, `&` in the checksummed data (the checksums
//! differ from Flagger's for such data; they are compared only with each other), and
//! `-include-label-prefix` (no labels are copied, Flagger's default).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::workload::owner_reference;
use crate::SimCluster;

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `configmap` or `secret` name → mandatory (not `optional: true`).
#[derive(Debug, Default, PartialEq)]
pub struct Refs {
    pub configmaps: BTreeMap<String, bool>,
    pub secrets: BTreeMap<String, bool>,
}

fn mandatory(reference: &Value) -> bool {
    !reference.get("optional").and_then(Value::as_bool).unwrap_or(false)
}

// Flagger: ConfigTracker.GetTargetConfigs — volumes (configMap, secret, projected sources), and
// env valueFrom / envFrom of containers and init containers.
pub fn refs_of(template: &Value) -> Refs {
    let mut refs = Refs::default();
    let spec = template.get("spec").cloned().unwrap_or(json!({}));
    for volume in spec.get("volumes").and_then(Value::as_array).into_iter().flatten() {
        if let Some(cm) = volume.get("configMap") {
            refs.configmaps.insert(text(cm, "/name").into(), mandatory(cm));
        }
        if let Some(s) = volume.get("secret") {
            refs.secrets.insert(text(s, "/secretName").into(), mandatory(s));
        }
        for source in volume
            .pointer("/projected/sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(cm) = source.get("configMap") {
                refs.configmaps.insert(text(cm, "/name").into(), mandatory(cm));
            }
            if let Some(s) = source.get("secret") {
                refs.secrets.insert(text(s, "/name").into(), mandatory(s));
            }
        }
    }
    let containers = ["containers", "initContainers"]
        .iter()
        .flat_map(|k| spec.get(*k).and_then(Value::as_array).cloned().unwrap_or_default());
    for c in containers {
        for env in c.get("env").and_then(Value::as_array).into_iter().flatten() {
            if let Some(r) = env.pointer("/valueFrom/configMapKeyRef") {
                refs.configmaps.insert(text(r, "/name").into(), mandatory(r));
            } else if let Some(r) = env.pointer("/valueFrom/secretKeyRef") {
                refs.secrets.insert(text(r, "/name").into(), mandatory(r));
            }
        }
        for from in c.get("envFrom").and_then(Value::as_array).into_iter().flatten() {
            if let Some(r) = from.get("configMapRef") {
                refs.configmaps.insert(text(r, "/name").into(), mandatory(r));
            } else if let Some(r) = from.get("secretRef") {
                refs.secrets.insert(text(r, "/name").into(), mandatory(r));
            }
        }
    }
    refs
}

// Flagger: checksum — the first 8 bytes of the SHA-256 of the JSON of `data`, in hex.
pub fn checksum(data: Option<&Value>) -> String {
    let json = data.map(Value::to_string).unwrap_or_else(|| "null".into());
    let digest = ring::digest::digest(&ring::digest::SHA256, json.as_bytes());
    digest.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

// Flagger: configIsDisabled — `flagger.app/config-tracking` starting with `disable`.
fn disabled(obj: &Value) -> bool {
    text(obj, "/metadata/annotations/flagger.app~1config-tracking").starts_with("disable")
}

/// `configmap/<name>` / `secret/<name>` → checksum for the target's template (Flagger's
/// `trackedConfigs`); a missing mandatory reference is Flagger's error text.
pub fn tracked(cluster: &SimCluster, namespace: &str, template: &Value) -> Result<BTreeMap<String, String>, String> {
    let refs = refs_of(template);
    let mut out = BTreeMap::new();
    for (name, required) in &refs.configmaps {
        match cluster.get("", "configmaps", Some(namespace), name) {
            None if *required => {
                let inner = format!("configmap {name}.{namespace} get query error: configmaps \"{name}\" not found");
                return Err(format!("configmap {name}.{namespace} get query error: {inner}"));
            }
            None => {}
            Some(cm) if disabled(&cm) => {}
            Some(cm) => {
                out.insert(format!("configmap/{name}"), checksum(cm.get("data")));
            }
        }
    }
    for (name, required) in &refs.secrets {
        match cluster.get("", "secrets", Some(namespace), name) {
            None if *required => {
                let inner = format!("secret {name}.{namespace} get query error: secrets \"{name}\" not found");
                return Err(format!("secret {name}.{namespace} get query error: {inner}"));
            }
            None => {}
            Some(s) => {
                // Registry and service-account secrets are not tracked.
                let kind = match text(&s, "/type") {
                    "" => "Opaque",
                    t => t,
                };
                let tracked_type = [
                    "Opaque",
                    "kubernetes.io/basic-auth",
                    "kubernetes.io/ssh-auth",
                    "kubernetes.io/tls",
                ]
                .contains(&kind);
                if tracked_type && !disabled(&s) {
                    out.insert(format!("secret/{name}"), checksum(s.get("data")));
                }
            }
        }
    }
    Ok(out)
}

// Flagger: ConfigTracker.CreatePrimaryConfigs — `<name>-primary` copies owned by the Canary
// (other owners kept, not as controller), data (and a Secret's type) copied.
pub fn create_primary_configs(
    cluster: &SimCluster,
    canary: &Value,
    tracked: &BTreeMap<String, String>,
) -> Result<(), String> {
    let ns = text(canary, "/metadata/namespace");
    for key in tracked.keys() {
        let Some((kind, name)) = key.split_once('/') else {
            continue;
        };
        let plural = if kind == "configmap" { "configmaps" } else { "secrets" };
        let Some(source) = cluster.get("", plural, Some(ns), name) else {
            return Err(format!(
                "{kind} {name}.{ns} get query failed : {plural} \"{name}\" not found"
            ));
        };
        let primary_name = format!("{name}-primary");
        let mut owners = owner_reference(canary).as_array().cloned().unwrap_or_default();
        if let Some(old) = cluster.get("", plural, Some(ns), &primary_name) {
            for mut owner in old
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
            {
                if owner["kind"] != "Canary" || owner["name"] != text(canary, "/metadata/name") {
                    owner["controller"] = json!(false);
                    owners.push(owner);
                }
            }
        }
        let mut copy = json!({
            "apiVersion": "v1", "kind": if kind == "configmap" { "ConfigMap" } else { "Secret" },
            "metadata": {"name": primary_name, "namespace": ns, "ownerReferences": owners},
        });
        if let Some(data) = source.get("data") {
            copy["data"] = data.clone();
        }
        if kind == "secret"
            && let Some(t) = source.get("type")
        {
            copy["type"] = t.clone();
        }
        cluster
            .apply("", plural, Some(ns), &copy)
            .map_err(|e| format!("updating {kind} {primary_name}.{ns} failed: {}", e.message))?;
    }
    Ok(())
}

// Flagger: ConfigTracker.ApplyPrimaryConfigs — tracked references in volumes and in the
// containers' env and envFrom (not init containers) get the `-primary` suffix.
pub fn apply_primary_configs(template: &mut Value, tracked: &BTreeMap<String, String>) {
    let rename = |value: &mut Value, kind: &str| {
        if let Some(name) = value.as_str()
            && tracked.contains_key(&format!("{kind}/{name}"))
        {
            *value = json!(format!("{name}-primary"));
        }
    };
    let Some(spec) = template.get_mut("spec") else {
        return;
    };
    for volume in spec
        .get_mut("volumes")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(v) = volume.pointer_mut("/configMap/name") {
            rename(v, "configmap");
        }
        if let Some(v) = volume.pointer_mut("/secret/secretName") {
            rename(v, "secret");
        }
        for source in volume
            .pointer_mut("/projected/sources")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(v) = source.pointer_mut("/configMap/name") {
                rename(v, "configmap");
            }
            if let Some(v) = source.pointer_mut("/secret/name") {
                rename(v, "secret");
            }
        }
    }
    for c in spec
        .get_mut("containers")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        for env in c.get_mut("env").and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(v) = env.pointer_mut("/valueFrom/configMapKeyRef/name") {
                rename(v, "configmap");
            } else if let Some(v) = env.pointer_mut("/valueFrom/secretKeyRef/name") {
                rename(v, "secret");
            }
        }
        for from in c.get_mut("envFrom").and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(v) = from.pointer_mut("/configMapRef/name") {
                rename(v, "configmap");
            } else if let Some(v) = from.pointer_mut("/secretRef/name") {
                rename(v, "secret");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_primary_names() {
        let mut template = json!({"spec": {
            "volumes": [{"name": "cfg", "configMap": {"name": "env"}},
                        {"name": "p", "projected": {"sources": [{"secret": {"name": "tls", "optional": true}}]}}],
            "containers": [{"name": "app", "envFrom": [{"configMapRef": {"name": "env"}}],
                            "env": [{"name": "K", "valueFrom": {"secretKeyRef": {"name": "keys", "key": "k"}}}]}],
            "initContainers": [{"name": "init", "envFrom": [{"secretRef": {"name": "init-keys"}}]}]}});
        let refs = refs_of(&template);
        assert_eq!(refs.configmaps, BTreeMap::from([("env".to_string(), true)]));
        assert_eq!(
            refs.secrets,
            BTreeMap::from([
                ("init-keys".to_string(), true),
                ("keys".to_string(), true),
                ("tls".to_string(), false)
            ])
        );
        let tracked = BTreeMap::from([
            ("configmap/env".to_string(), "x".to_string()),
            ("secret/keys".to_string(), "y".to_string()),
            ("secret/init-keys".to_string(), "z".to_string()),
        ]);
        apply_primary_configs(&mut template, &tracked);
        assert_eq!(template["spec"]["volumes"][0]["configMap"]["name"], "env-primary");
        assert_eq!(
            template["spec"]["volumes"][1]["projected"]["sources"][0]["secret"]["name"],
            "tls"
        );
        assert_eq!(
            template["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"],
            "env-primary"
        );
        assert_eq!(
            template["spec"]["containers"][0]["env"][0]["valueFrom"]["secretKeyRef"]["name"],
            "keys-primary"
        );
        assert_eq!(
            template["spec"]["initContainers"][0]["envFrom"][0]["secretRef"]["name"], "init-keys",
            "Flagger renames in containers only"
        );
    }

    #[test]
    fn checksums_are_sixteen_hex_digits() {
        let a = checksum(Some(&json!({"a": "1"})));
        assert_eq!(a.len(), 16);
        assert_ne!(a, checksum(Some(&json!({"a": "2"}))));
        assert_eq!(checksum(None), checksum(Some(&Value::Null)));
    }
}
