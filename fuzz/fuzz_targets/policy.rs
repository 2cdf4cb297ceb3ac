//! Any bytes as a policy file: loading, validation and rendering must end in a policy or in
//! located diagnostics, never a panic, a hang or unbounded memory.
#![no_main]

use kubectl_kurator_rollout::config::{Input, load_policies};
use kubectl_kurator_rollout::render::{ClusterFacts, RenderOptions, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let input = Input {
        name: "fuzz.yaml".into(),
        text: text.to_string(),
    };
    let (policies, diagnostics) = load_policies(&[input], None);
    assert!(!policies.is_empty() || !diagnostics.is_empty());
    for d in &diagnostics {
        assert!(d.line >= 1 && !d.message.is_empty());
    }
    let facts = ClusterFacts {
        cluster_name: "member1".into(),
        service: None,
        namespace: None,
        ingress: None,
    };
    for policy in &policies {
        let _ = render(policy, &facts, &RenderOptions::default());
    }
});
