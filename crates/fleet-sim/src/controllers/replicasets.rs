//! ReplicaSets as the Deployment controller keeps them: one per distinct pod template, named
//! `<deployment>-<pod-template-hash>`, owned by the Deployment, with the
//! `deployment.kubernetes.io/revision` annotation `kubectl rollout history/undo` read.

use serde_json::Value;

/// FNV-1a, 32 bits (what upstream's pod-template-hash starts from).
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Upstream's alphabet for generated names: no vowels, no look-alikes.
// apimachinery: staging/src/k8s.io/apimachinery/pkg/util/rand/rand.go, func SafeEncodeString
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn safe_encode(text: &str) -> String {
    text.bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

/// The `pod-template-hash` of a pod template: FNV-1a of the template, its decimal form
/// safe-encoded. Upstream hashes the Go struct's dump, so the value differs from a real cluster's
/// for the same template; its shape and stability are the same.
// kube-controller-manager: pkg/controller/controller_utils.go, func ComputeHash
pub fn pod_template_hash(template: &Value) -> String {
    let mut template = template.clone();
    // The label the controller adds itself must not change the hash.
    if let Some(labels) = template.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove("pod-template-hash");
    }
    safe_encode(&fnv32a(template.to_string().as_bytes()).to_string())
}

/// The name of the `index`th Pod of a Deployment's ReplicaSet (`<deployment>-<hash>-<5 chars>`).
pub fn pod_name(deployment: &str, hash: &str, index: i64) -> String {
    let seed = fnv32a(format!("{deployment}-{hash}/{index}").as_bytes());
    let suffix: String = (0..5)
        .map(|i| ALPHANUMS[((seed >> (i * 5)) as usize) % ALPHANUMS.len()] as char)
        .collect();
    format!("{deployment}-{hash}-{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hashes_are_stable_and_safe() {
        let t =
            json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "a:1"}]}});
        let h = pod_template_hash(&t);
        assert_eq!(h, pod_template_hash(&t));
        assert!(h.bytes().all(|b| ALPHANUMS.contains(&b)), "{h}");
        let mut labelled = t.clone();
        labelled["metadata"]["labels"]["pod-template-hash"] = json!(h);
        assert_eq!(pod_template_hash(&labelled), h);
        let other =
            json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "a:2"}]}});
        assert_ne!(pod_template_hash(&other), h);
        let pod = pod_name("web", &h, 0);
        assert!(
            pod.starts_with(&format!("web-{h}-")) && pod.len() == 4 + h.len() + 1 + 5,
            "{pod}"
        );
    }
}
