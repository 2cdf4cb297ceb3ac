//! What the plugin says Kurator will do (`lint`, `apply --fleet`) against what the simulated
//! Kurator — which renders and installs by Kurator's own rules, not the plugin's — really does.

use serde_json::{Value, json};

use crate::kurator::{hub_fleet, install_through_fleet};
use crate::support::{kubectl, kubectl_available, plugin, run};

/// The sample workload in `namespace` (and its Service under `service`).
fn podinfo_in(namespace: &str, service: &str) -> Vec<Value> {
    fleet_sim::sample::podinfo("podinfo:1", 1)
        .into_iter()
        .map(|mut o| {
            if o["kind"] == "Namespace" {
                o["metadata"]["name"] = json!(namespace);
            } else {
                o["metadata"]["namespace"] = json!(namespace);
            }
            if o["kind"] == "Service" {
                o["metadata"]["name"] = json!(service);
            }
            o
        })
        .collect()
}

/// The example Application, renamed, for `namespace` and `service`, without `timeoutSeconds`
/// when `timeout` is false.
fn application(name: &str, namespace: &str, service: &str, timeout: bool) -> String {
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml")).unwrap();
    let mut text = example
        .replace("name: rollout-demo", &format!("name: {name}"))
        .replace("namespace: test", &format!("namespace: {namespace}"))
        .replace("serviceName: podinfo", &format!("serviceName: {service}"))
        .replace("podinfo-canary.test", &format!("podinfo-canary.{namespace}"));
    if !timeout {
        let routing = "        trafficRouting:\n          timeoutSeconds: 60\n";
        assert!(text.contains(routing));
        text = text.replace(routing, "        trafficRouting:\n");
    }
    text
}

/// [`crate::support::wait_until`]; the seconds each call once gave are superseded by the
/// suite's common patience.
fn wait_until(what: &str, _secs: u64, ok: impl FnMut() -> bool) {
    crate::support::wait_until(what, ok)
}

fn phase_on_hub(hub: &fleet_sim::SimCluster, app: &str, member: &str) -> Option<String> {
    let app = hub.get("apps.kurator.dev", "applications", Some("default"), app)?;
    app.pointer("/status/syncStatus")?
        .as_array()?
        .iter()
        .find(|s| s.pointer("/rolloutStatus/clusterName") == Some(&json!(member)))?
        .pointer("/rolloutStatus/rolloutStatusInCluster/phase")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Every prediction naming a Canary field holds in `canary`: the value Kurator writes, or the
/// field absent when the prediction has no value.
fn assert_predictions(canary: &Value, predictions: &[&Value], member: &str) {
    for k in predictions {
        let Some(field) = k["canaryField"].as_str() else {
            continue;
        };
        let expected = k.get("kuratorValue");
        assert_eq!(canary.pointer(field), expected, "{} on {member}: {canary:#}", k["id"]);
    }
}

#[test]
fn what_the_plugin_predicts_is_what_kurator_renders() {
    let (fleet, home, kc) = hub_fleet();
    let hub = fleet.hub.as_ref().unwrap().0.clone();
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    install_through_fleet(home.path(), &kc, true);
    for c in &fleet.clusters {
        fleet_sim::kurator::apply_all(c, &podinfo_in("test", "podinfo-svc"));
        fleet_sim::kurator::apply_all(c, &podinfo_in("ok", "podinfo"));
    }
    // A Service named otherwise than the workload, and no timeout: two of Kurator's defects.
    let defects = home.path().join("defects.yaml");
    std::fs::write(&defects, application("defects", "test", "podinfo-svc", false)).unwrap();
    let control = home.path().join("control.yaml");
    std::fs::write(&control, application("control", "ok", "podinfo", true)).unwrap();

    // lint says what Kurator will render, machine-readably.
    let lint = cmd(&["lint", "-f", defects.to_str().unwrap(), "-o", "json"]);
    assert_eq!(lint.code, 0, "warnings only: {lint:?}");
    let findings: Vec<Value> = serde_json::from_str(&lint.stdout).unwrap();
    let kurator: Vec<&Value> = findings.iter().filter_map(|f| f.get("kurator")).collect();
    let ids: Vec<&str> = kurator.iter().map(|k| k["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["canary-name-mismatch", "timeout-0s"], "{lint:?}");
    let clean = cmd(&["lint", "-f", control.to_str().unwrap(), "-o", "json"]);
    assert!(!clean.stdout.contains("\"kurator\""), "{clean:?}");

    // apply --fleet says it too, before Kurator renders.
    let applied = cmd(&["apply", "-f", defects.to_str().unwrap(), "--fleet", "quickstart"]);
    assert_eq!(applied.code, 0, "{applied:?}");
    assert!(
        applied.stderr.contains("Kurator will not render policy defects-0")
            && applied.stderr.contains("spec.service.timeout \"0s\""),
        "{applied:?}"
    );
    // render --fleet as well (its stdout stays a YAML stream of this tool's rendering).
    let rendered = cmd(&["render", "-f", defects.to_str().unwrap(), "--fleet", "quickstart"]);
    assert!(
        rendered.stderr.contains("Kurator will not render policy defects-0"),
        "{rendered:?}"
    );
    // Outside --fleet this tool renders the Canaries itself, without those defects.
    let direct = cmd(&["render", "-f", defects.to_str().unwrap()]);
    assert!(!direct.stderr.contains("Kurator"), "{direct:?}");

    // Each prediction that names a Canary field matches what the simulated Kurator wrote.
    let canary_in = |c: &fleet_sim::SimCluster| c.get("flagger.app", "canaries", Some("test"), "podinfo");
    wait_until("every member has Kurator's Canary", 30, || {
        fleet.clusters.iter().all(|c| canary_in(c).is_some())
    });
    for c in &fleet.clusters {
        let canary = canary_in(c).unwrap();
        assert_predictions(&canary, &kurator, c.name());
        // The webhook goes to the Fleet's public load tester of that member, as Kurator names it.
        assert_eq!(
            canary["spec"]["analysis"]["webhooks"][0]["url"],
            format!("http://istio-system-testloader-{}-loadtester.istio-system/", c.name())
        );
        assert_eq!(canary["spec"]["analysis"]["webhooks"][0]["type"], "");
    }

    // canary-name-mismatch: after its first pass Kurator fails on AlreadyExists, so the hub
    // keeps its first snapshot while the members' Flagger initialises the Canary.
    wait_until("Flagger initialised the Canaries", 60, || {
        fleet
            .clusters
            .iter()
            .all(|c| canary_in(c).and_then(|x| x.pointer("/status/phase").cloned()) == Some(json!("Initialized")))
    });
    // A healthy Application applied now is rendered and refreshed by the same fleet manager…
    assert_eq!(
        cmd(&["apply", "-f", control.to_str().unwrap(), "--fleet", "quickstart"]).code,
        0
    );
    wait_until("the control Application shows Initialized on the hub", 60, || {
        fleet
            .clusters
            .iter()
            .all(|c| phase_on_hub(&hub, "control", c.name()).as_deref() == Some("Initialized"))
    });
    // …while the defective one never got past its first snapshot (taken right after Kurator
    // created the Canary: an empty phase, or Flagger's first Initializing write).
    for c in &fleet.clusters {
        let frozen = phase_on_hub(&hub, "defects", c.name());
        assert!(
            matches!(frozen.as_deref(), Some("") | Some("Initializing")),
            "{}: {frozen:?}",
            c.name()
        );
    }
}

#[test]
fn flagger_comes_from_flux_helm_releases_on_the_hub() {
    let (fleet, home, kc) = hub_fleet();
    let hub = fleet.hub.as_ref().unwrap().0.clone();
    install_through_fleet(home.path(), &kc, true);
    // Kurator's Fleet plugin: a HelmRepository and a HelmRelease per component and member.
    for c in &fleet.clusters {
        for component in ["flagger", "testloader"] {
            let name = format!("{component}-{}", c.name());
            let release = hub
                .get("helm.toolkit.fluxcd.io", "helmreleases", Some("default"), &name)
                .unwrap_or_else(|| panic!("HelmRelease {name}"));
            assert_eq!(release["spec"]["targetNamespace"], "istio-system");
            assert_eq!(
                release["spec"]["kubeConfig"]["secretRef"],
                json!({"name": c.name(), "key": format!("{}.config", c.name())})
            );
            assert_eq!(release["metadata"]["labels"]["fleet.kurator.dev/component"], component);
            assert!(
                hub.get("source.toolkit.fluxcd.io", "helmrepositories", Some("default"), &name)
                    .is_some()
            );
        }
        // Flux installed the charts into the member with Helm's release naming.
        let release = format!("istio-system-flagger-{}", c.name());
        let flagger = c.get("apps", "deployments", Some("istio-system"), &release).unwrap();
        assert_eq!(flagger["metadata"]["labels"]["app.kubernetes.io/managed-by"], "Helm");
        assert_eq!(flagger["metadata"]["annotations"]["meta.helm.sh/release-name"], release);
        assert_eq!(
            flagger["spec"]["template"]["spec"]["nodeSelector"],
            json!({"kubernetes.io/os": "linux"})
        );
        let loader = format!("istio-system-testloader-{}-loadtester", c.name());
        assert!(c.get("", "services", Some("istio-system"), &loader).is_some());
        assert!(
            c.list("", "secrets", Some("istio-system"))
                .iter()
                .any(|s| s["type"] == "helm.sh/release.v1" && s["metadata"]["labels"]["name"] == release.as_str()),
            "Helm's release record"
        );
    }
    // Real kubectl reads the Flux objects on the hub.
    if kubectl_available("flagger_comes_from_flux_helm_releases_on_the_hub") {
        let out = run(kubectl(home.path(), &kc).args(["get", "helmreleases", "-n", "default", "-o", "json"]));
        assert_eq!(out.code, 0, "{out:?}");
        let list: Value = serde_json::from_str(&out.stdout).unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 6, "{out:?}");
        for item in items {
            let ready = item["status"]["conditions"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
                .cloned()
                .unwrap_or_default();
            assert_eq!(ready["status"], "True", "{item:#}");
        }
    }
    // Removing the plugin removes the HelmReleases, and Flux uninstalls the releases.
    hub.patch(
        "fleet.kurator.dev",
        "fleets",
        Some("default"),
        "quickstart",
        fleet_sim::patch::PatchKind::Merge,
        &json!({"spec": {"plugin": null}}),
    )
    .unwrap();
    wait_until("Flux uninstalled Flagger from every member", 30, || {
        fleet.clusters.iter().all(|c| {
            c.get(
                "apps",
                "deployments",
                Some("istio-system"),
                &format!("istio-system-flagger-{}", c.name()),
            )
            .is_none()
        }) && hub
            .list("helm.toolkit.fluxcd.io", "helmreleases", Some("default"))
            .is_empty()
    });
}

#[test]
fn one_unreadable_member_stops_the_whole_status_refresh() {
    let (fleet, home, kc) = hub_fleet();
    let hub = fleet.hub.as_ref().unwrap().0.clone();
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    install_through_fleet(home.path(), &kc, true);
    for c in &fleet.clusters {
        fleet_sim::kurator::apply_all(c, &fleet_sim::sample::podinfo("podinfo:1", 1));
    }
    let app = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rollout-podinfo.yaml");
    assert_eq!(cmd(&["apply", "-f", app, "--fleet", "quickstart"]).code, 0);
    wait_until("the hub shows every member Initialized", 60, || {
        fleet
            .clusters
            .iter()
            .all(|c| phase_on_hub(&hub, "rollout-demo", c.name()).as_deref() == Some("Initialized"))
    });
    // kurator-member3 becomes unreachable; member1's canary then progresses on the member…
    fleet.clusters[2].faults().set_unreachable(true);
    fleet_sim::kurator::apply_all(&fleet.clusters[0], &fleet_sim::sample::podinfo("podinfo:2", 1));
    let phase_in_member1 = || {
        fleet.clusters[0]
            .get("flagger.app", "canaries", Some("test"), "podinfo")
            .and_then(|c| c.pointer("/status/phase").and_then(Value::as_str).map(str::to_string))
    };
    wait_until("member1's canary leaves Initialized", 60, || {
        phase_in_member1().is_some_and(|p| p != "Initialized")
    });
    wait_until("member1's canary succeeds", 90, || {
        phase_in_member1().as_deref() == Some("Succeeded")
    });
    // …but Kurator cannot read member3, so it refreshes no member's status at all.
    assert_eq!(
        phase_on_hub(&hub, "rollout-demo", "kurator-member1").as_deref(),
        Some("Initialized")
    );
    // Reachable again, the next refresh brings every member's status.
    fleet.clusters[2].faults().set_unreachable(false);
    wait_until("the hub catches up with member1", 30, || {
        phase_on_hub(&hub, "rollout-demo", "kurator-member1").as_deref() == Some("Succeeded")
    });
}

#[test]
fn predictions_for_kuma_and_nginx_policies_match_kurators_canaries() {
    let (fleet, home, kc) = hub_fleet();
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    // Kurator reads the Canary before writing it: without Flagger's CRDs every pass fails.
    install_through_fleet(home.path(), &kc, false);
    for c in &fleet.clusters {
        for ns in ["kns", "ngx"] {
            let mut objects = podinfo_in(ns, "podinfo");
            // kuma: the Service on 8080, not podinfo's 9898.
            if ns == "kns" {
                objects[2]["spec"]["ports"] = json!([{"name": "http", "port": 8080, "targetPort": "http"}]);
            }
            fleet_sim::kurator::apply_all(c, &objects);
        }
    }
    let rollout = |provider: &str, ns: &str, port: u32, extra: &str| {
        format!(
            "  - kustomization:\n      path: ./deploy\n    rollout:\n      trafficRoutingProvider: {provider}\n      workload:\n        apiVersion: apps/v1\n        kind: Deployment\n        name: podinfo\n        namespace: {ns}\n      serviceName: podinfo\n      port: {port}\n{extra}      rolloutPolicy:\n        trafficRouting:\n          timeoutSeconds: 30\n          host: {ns}.example.com\n          canaryStrategy:\n            maxWeight: 50\n            stepWeight: 10\n        trafficAnalysis:\n          checkIntervalSeconds: 30\n          checkFailedTimes: 2\n"
        )
    };
    let app = format!(
        "apiVersion: apps.kurator.dev/v1alpha1\nkind: Application\nmetadata:\n  name: providers\n  namespace: default\nspec:\n  source:\n    gitRepository:\n      url: https://example.com/repo\n  destination:\n    fleet: quickstart\n  syncPolicies:\n{}{}",
        rollout("kuma", "kns", 8080, ""),
        rollout("nginx", "ngx", 9898, "      primary:\n        labels:\n          tier: stable\n")
    )
    .replace("          host: kns.example.com\n", "");
    let path = home.path().join("providers.yaml");
    std::fs::write(&path, &app).unwrap();
    let lint = cmd(&["lint", "-f", path.to_str().unwrap(), "-o", "json"]);
    assert_eq!(lint.code, 0, "{lint:?}");
    let findings: Vec<Value> = serde_json::from_str(&lint.stdout).unwrap();
    let of_policy = |i: usize| -> Vec<&Value> {
        findings
            .iter()
            .filter(|f| {
                f["path"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("spec.syncPolicies[{i}]"))
            })
            .filter_map(|f| f.get("kurator"))
            .collect()
    };
    let (kuma, nginx) = (of_policy(0), of_policy(1));
    let ids = |v: &[&Value]| {
        v.iter()
            .map(|k| k["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&kuma), vec!["kuma-protocol-port"], "{lint:?}");
    assert_eq!(ids(&nginx), vec!["metadata-dropped", "nginx-rules-pile-up"], "{lint:?}");
    assert_eq!(
        cmd(&["apply", "-f", path.to_str().unwrap(), "--fleet", "quickstart"]).code,
        0
    );
    for (ns, predictions) in [("kns", &kuma), ("ngx", &nginx)] {
        for c in &fleet.clusters {
            let canary = || c.get("flagger.app", "canaries", Some(ns), "podinfo");
            wait_until(&format!("Kurator's Canary {ns}/podinfo on {}", c.name()), 30, || {
                canary().is_some()
            });
            assert_predictions(&canary().unwrap(), predictions, c.name());
        }
    }
    // The nginx rules pile up on the shared Ingress, one more per Kurator pass.
    let ingress_rules = || {
        fleet.clusters[0]
            .get("networking.k8s.io", "ingresses", Some("ngx"), "nginx")
            .and_then(|i| i.pointer("/spec/rules").and_then(Value::as_array).map(Vec::len))
            .unwrap_or(0)
    };
    wait_until("the Ingress holds several copies of the rule", 30, || {
        ingress_rules() >= 3
    });
}

/// The CRDs the simulated Flux installs from the Flagger chart are the ones `install` applies:
/// a Canary the plugin renders validates the same whichever of the two installed Flagger.
#[test]
fn the_simulated_flagger_chart_carries_the_same_crds_as_install() {
    let chart: Vec<Value> =
        serde_json::from_str(include_str!("../../crates/fleet-sim/src/kurator/flagger-crds.json")).unwrap();
    let ours = kubectl_kurator_rollout::flagger::crds::flagger_crds();
    assert_eq!(chart.len(), ours.len());
    for (c, o) in chart.iter().zip(&ours) {
        assert_eq!(c["metadata"]["name"], o["metadata"]["name"]);
        assert_eq!(
            c["spec"], o["spec"],
            "regenerate flagger-crds.json from `install --dry-run` when the Flagger types change"
        );
    }
}
