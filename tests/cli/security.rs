//! TLS verification and reconnection: the simulated clusters serve HTTPS with a generated CA.

use std::time::Duration;

use crate::support::rollout::{RolloutFleet, output_of};
use crate::support::{Fleet, plugin, run};

#[test]
fn a_wrong_ca_is_a_clear_tls_error_and_skipping_verification_warns() {
    let fleet = Fleet::start(2);
    let other_ca = fleet_sim::tls::TlsMaterial::generate("someone else's CA")
        .unwrap()
        .ca_pem;
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |entries| entries[1].ca_pem = Some(other_ca.clone()));
    let out = run(plugin(home.path())
        .args(["clusters", "--all-contexts"])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 5, "{out:?}");
    let bad = out.stdout.lines().find(|l| l.starts_with("kurator-member2")).unwrap();
    assert!(bad.contains("TLS"), "{bad}");

    // insecure-skip-tls-verify connects, with a warning.
    let text = std::fs::read_to_string(&kc).unwrap();
    let mut config: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    config["clusters"][1]["cluster"]["insecure-skip-tls-verify"] = serde_json::json!(true);
    config["clusters"][1]["cluster"]
        .as_object_mut()
        .unwrap()
        .remove("certificate-authority-data");
    std::fs::write(&kc, fleet_sim::to_yaml(&config)).unwrap();
    let out = run(plugin(home.path())
        .args(["clusters", "--all-contexts"])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("kurator-member2: insecure-skip-tls-verify is set"),
        "{out:?}"
    );
}

#[test]
fn a_cluster_going_away_mid_watch_comes_back_and_the_rollout_is_followed_to_the_end() {
    let s = RolloutFleet::start(2, &[], &[]);
    let watch = s.spawn(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--watch",
        "--wait-for-start",
        "--timeout",
        "90s",
    ]);
    std::thread::sleep(Duration::from_millis(500));
    s.cluster(2).set_unreachable(true).unwrap();
    assert_eq!(
        s.run(&[
            "start",
            "podinfo",
            "-n",
            "test",
            "--context",
            "kurator-member1",
            "--image",
            "podinfod=podinfo:2"
        ])
        .code,
        0
    );
    std::thread::sleep(Duration::from_millis(1500));
    s.cluster(2).set_unreachable(false).unwrap();
    assert_eq!(
        s.run(&[
            "start",
            "podinfo",
            "-n",
            "test",
            "--context",
            "kurator-member2",
            "--image",
            "podinfod=podinfo:2"
        ])
        .code,
        0
    );
    let out = output_of(watch);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("kurator-member2") && l.contains("unreachable")),
        "the outage was shown: {out:?}"
    );
    let last = |c: &str| {
        out.stdout
            .lines()
            .rfind(|l| l.split_whitespace().nth(1) == Some(c))
            .unwrap_or("")
            .to_string()
    };
    assert!(last("kurator-member2").contains("Succeeded"), "{out:?}");
}
