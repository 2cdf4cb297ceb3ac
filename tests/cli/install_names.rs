//! `install` with kubeconfig context names as clouds write them: the names it derives must be
//! names a real API server accepts (the simulator refuses the others, as a real server does).

use crate::support::{Fleet, plugin, run};

#[test]
fn install_derives_valid_names_from_cloud_context_names() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |entries| {
        entries[0].context = "gke_my-project_us-central1-a_Member1".into();
    });
    let out = run(plugin(home.path())
        .args(["install", "--provider", "istio", "--testloader", "--all-contexts"])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 0, "{out:?}");
    let cluster = fleet.cluster("kurator-member1");
    let flagger = "istio-system-flagger-gke-my-project-us-central1-a-member1";
    assert!(
        cluster
            .get("apps", "deployments", Some("istio-system"), flagger)
            .is_some(),
        "{out:?}"
    );
    // `<namespace>-testloader-<cluster>-loadtester`, cut to 63 characters.
    let loadtester = &"istio-system-testloader-gke-my-project-us-central1-a-member1-loadtester"[..63];
    assert!(
        cluster.get("", "services", Some("istio-system"), loadtester).is_some(),
        "{:?}",
        cluster.list("", "services", Some("istio-system"))
    );
}
