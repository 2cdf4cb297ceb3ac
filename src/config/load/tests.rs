//! A table of broken rollout blocks: each mistake is reported with its line and path, and no
//! input makes the loader panic.

use super::*;

const VALID: &str = "\
workload:
  apiVersion: apps/v1
  kind: Deployment
  name: podinfo
  namespace: test
serviceName: podinfo
port: 9898
trafficRoutingProvider: istio
rolloutPolicy:
  trafficRouting:
    timeoutSeconds: 60
    canaryStrategy:
      maxWeight: 50
      stepWeight: 10
  trafficAnalysis:
    checkIntervalSeconds: 60
    checkFailedTimes: 2
    metrics:
    - name: request-success-rate
      intervalSeconds: 60
      thresholdRange:
        min: 99
";

fn load(text: &str) -> (Vec<Policy>, Vec<Diagnostic>) {
    load_policies(
        &[Input {
            name: "policy.yaml".into(),
            text: text.into(),
        }],
        None,
    )
}

#[test]
fn the_valid_block_loads() {
    let (policies, diagnostics) = load(VALID);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0].name, "podinfo");
    assert_eq!(policies[0].config.port, 9898);
}

#[test]
fn every_mistake_is_reported_at_its_line_and_path() {
    // (description, from, to, expected path, expected line, a word of the message)
    let cases: &[(&str, &str, &str, &str, u32, &str)] = &[
        (
            "bad provider",
            "trafficRoutingProvider: istio",
            "trafficRoutingProvider: linkerdx",
            "trafficRoutingProvider",
            8,
            "unsupported provider",
        ),
        (
            "nginx without host",
            "trafficRoutingProvider: istio",
            "trafficRoutingProvider: nginx",
            "rolloutPolicy.trafficRouting.host",
            10,
            "host",
        ),
        (
            "misspelt field",
            "      stepWeight: 10",
            "      stepWieght: 10",
            "rolloutPolicy.trafficRouting.canaryStrategy.stepWieght",
            14,
            "unknown field",
        ),
        (
            "port of the wrong type",
            "port: 9898",
            "port: http",
            "port",
            7,
            "integer",
        ),
        (
            "port out of range",
            "port: 9898",
            "port: 70000",
            "port",
            7,
            "less than or equal",
        ),
        (
            "stepWeight and stepWeights",
            "      stepWeight: 10",
            "      stepWeight: 10\n      stepWeights: [10, 20]",
            "rolloutPolicy.trafficRouting.canaryStrategy",
            12,
            "both set",
        ),
        (
            "falling ladder",
            "      stepWeight: 10",
            "      stepWeights: [10, 40, 30]",
            "rolloutPolicy.trafficRouting.canaryStrategy.stepWeights[2]",
            14,
            "must rise",
        ),
        (
            "weight above 100",
            "      maxWeight: 50",
            "      maxWeight: 150",
            "rolloutPolicy.trafficRouting.canaryStrategy.maxWeight",
            13,
            "outside 1–100",
        ),
        (
            "missing checkFailedTimes",
            "    checkFailedTimes: 2\n",
            "",
            "rolloutPolicy.trafficAnalysis.checkFailedTimes",
            15,
            "Required",
        ),
        (
            "no strategy",
            "    canaryStrategy:\n      maxWeight: 50\n      stepWeight: 10\n",
            "",
            "rolloutPolicy.trafficRouting",
            10,
            "no strategy",
        ),
        (
            "two strategies",
            "    timeoutSeconds: 60",
            "    timeoutSeconds: 60\n    analysisTimes: 5",
            "rolloutPolicy.trafficRouting",
            10,
            "both canaryStrategy",
        ),
        (
            "missing namespace",
            "  namespace: test\n",
            "",
            "workload.namespace",
            1,
            "namespace",
        ),
        (
            "unsupported kind",
            "  kind: Deployment",
            "  kind: StatefulSet",
            "workload.kind",
            3,
            "StatefulSet",
        ),
        (
            "missing trafficAnalysis",
            "  trafficAnalysis:\n    checkIntervalSeconds: 60\n    checkFailedTimes: 2\n    metrics:\n    - name: request-success-rate\n      intervalSeconds: 60\n      thresholdRange:\n        min: 99\n",
            "",
            "rolloutPolicy.trafficAnalysis",
            9,
            "missing",
        ),
        (
            "inverted range",
            "        min: 99",
            "        min: 99\n        max: 50",
            "rolloutPolicy.trafficAnalysis.metrics[0].thresholdRange",
            21,
            "can never pass",
        ),
        (
            "negative analysisTimes",
            "    timeoutSeconds: 60",
            "    timeoutSeconds: 60\n    analysisTimes: -1",
            "rolloutPolicy.trafficRouting.analysisTimes",
            12,
            "greater than or equal",
        ),
        (
            "unknown top-level field",
            "serviceName: podinfo",
            "serviceName: podinfo\nreplicas: 3",
            "replicas",
            7,
            "unknown field",
        ),
        (
            "serviceName of the wrong type",
            "serviceName: podinfo",
            "serviceName: [podinfo]",
            "serviceName",
            6,
            "string",
        ),
        (
            "success rate above 100",
            "        min: 99",
            "        min: 990",
            "rolloutPolicy.trafficAnalysis.metrics[0].thresholdRange.min",
            22,
            "percentage",
        ),
    ];
    assert!(cases.len() >= 15);
    for (what, from, to, path, line, word) in cases {
        assert!(VALID.contains(from), "{what}: fixture text not found");
        let text = VALID.replacen(from, to, 1);
        let (policies, diagnostics) = load(&text);
        assert!(policies.is_empty(), "{what}: an invalid policy was accepted");
        let found = diagnostics
            .iter()
            .find(|d| d.path == *path && d.severity == Severity::Error);
        let Some(d) = found else {
            panic!("{what}: no error at {path}: {diagnostics:#?}")
        };
        assert_eq!(d.line, *line, "{what}: {d:?}");
        assert!(d.message.contains(word), "{what}: {d:?}");
        assert_eq!(d.file, "policy.yaml");
        assert!(!d.fix.is_empty());
    }
}

#[test]
fn syntax_errors_and_strangers() {
    let (_, d) = load("workload: [unclosed\n");
    assert_eq!((d[0].line, d[0].severity), (1, Severity::Error));
    assert!(d[0].message.starts_with("not valid YAML"), "{d:?}");
    let (_, d) = load("apiVersion: v1\nkind: ConfigMap\n");
    assert!(
        d[0].message
            .contains("neither a Kurator Application nor a rollout block"),
        "{d:?}"
    );
}

#[test]
fn applications_yield_one_policy_per_rollout() {
    let indented: String = VALID.lines().map(|l| format!("      {l}\n")).collect();
    let app = format!(
        "apiVersion: apps.kurator.dev/v1alpha1\nkind: Application\nmetadata:\n  name: rollout-demo\n  namespace: default\nspec:\n  source:\n    gitRepository:\n      url: https://example.com/repo\n  destination:\n    fleet: quickstart\n  syncPolicies:\n  - kustomization:\n      path: ./deploy\n      prune: true\n    rollout:\n{indented}"
    );
    let (policies, d) = load(&app);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(policies[0].name, "rollout-demo-0");
    assert_eq!(policies[0].fleet.as_deref(), Some("quickstart"));
    assert_eq!(policies[0].line, 16);
    let broken = app.replacen("port: 9898", "port: nine", 1);
    let (_, d) = load(&broken);
    assert_eq!(d[0].path, "spec.syncPolicies[0].rollout.port");
    assert_eq!(d[0].line, 23);
}

#[test]
fn two_policies_for_one_workload_are_an_error() {
    let (_, d) = load_policies(
        &[
            Input {
                name: "a.yaml".into(),
                text: VALID.into(),
            },
            Input {
                name: "b.yaml".into(),
                text: VALID.into(),
            },
        ],
        None,
    );
    assert!(
        d.iter().any(|d| d.message.contains("both roll out test/podinfo")),
        "{d:#?}"
    );
}

#[test]
fn no_input_makes_the_loader_panic() {
    // Mutations of a valid block and random bytes: every outcome is a result, never a panic.
    let mut rng: u64 = 0x1234_5678_9abc_def0;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let alphabet: Vec<char> = "abc:-[]{},'\"\n #&*!|>%@`0123456789.?~\t".chars().collect();
    for _ in 0..2000 {
        let mut text: Vec<char> = VALID.chars().collect();
        for _ in 0..(next() % 6 + 1) {
            let at = (next() as usize) % text.len().max(1);
            match next() % 3 {
                0 => {
                    text.remove(at);
                }
                1 => text.insert(at, alphabet[(next() as usize) % alphabet.len()]),
                _ => text[at] = alphabet[(next() as usize) % alphabet.len()],
            }
        }
        let text: String = text.into_iter().collect();
        let _ = load(&text);
    }
    for _ in 0..500 {
        let len = (next() % 200) as usize;
        let text: String = (0..len).map(|_| alphabet[(next() as usize) % alphabet.len()]).collect();
        let _ = load(&text);
    }
}
