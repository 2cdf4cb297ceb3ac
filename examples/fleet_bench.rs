//! Benchmark: the plugin against simulated fleets of 10, 50 and 100 clusters, with 0 and 50 ms
//! of added API latency, next to what users do today (a loop of `kubectl get canary` per
//! context, sequential and with `xargs -P 8`). Prints a Markdown table.
//!
//!   cargo build --release && cargo run --release --example fleet_bench -- [SIZES] [LATENCIES_MS]
//!   e.g. cargo run --release --example fleet_bench -- 1,10,50,100 0,50
//!
//! Each command runs as its own process under /usr/bin/time (wall, user+system CPU, peak RSS);
//! the simulated clusters run in this process. A command that exits other than expected ends
//! the benchmark with exit 1 and its stderr: a number measured on a failure means nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fleet_sim::{Playground, PlaygroundOptions};
use kubectl_kurator_rollout::config::{Input, load_policies};
use kubectl_kurator_rollout::install::manifests::{InstallSpec, manifests};
use kubectl_kurator_rollout::install::provider::Provider;
use kubectl_kurator_rollout::render::{ClusterFacts, RenderOptions, render};
use serde_json::{Value, json};

const POLICY: &str = include_str!("demo-rollout.yaml");

struct Measure {
    wall: f64,
    cpu: f64,
    rss_mb: f64,
}

/// Runs a shell command under /usr/bin/time; exits the benchmark when the command's exit code
/// is not `expected`.
fn measure(script: &str, kubeconfig: &Path, home: &Path, expected: i32) -> Measure {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %U %S %M", "bash", "-o", "pipefail", "-e", "-c", script])
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("/usr/bin/time runs");
    let text = String::from_utf8_lossy(&out.stderr);
    // /usr/bin/time exits with the command's code (or 126/127 when it cannot run it).
    let code = out.status.code().unwrap_or(-1);
    if code != expected {
        eprintln!("benchmark: `{script}` exited {code}, expected {expected}; its stderr:\n{text}");
        std::process::exit(1);
    }
    let last = text.lines().last().unwrap_or("0 0 0 0");
    let f: Vec<f64> = last.split_whitespace().map(|v| v.parse().unwrap_or(0.0)).collect();
    Measure {
        wall: f[0],
        cpu: f[1] + f[2],
        rss_mb: f.get(3).copied().unwrap_or(0.0) / 1024.0,
    }
}

fn workload() -> Vec<Value> {
    fleet_sim::sample::podinfo("podinfo:1", 1)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = args
        .get(1)
        .map(|s| s.split(',').filter_map(|v| v.parse().ok()).collect())
        .unwrap_or(vec![1, 10, 50, 100]);
    let latencies: Vec<u64> = args
        .get(2)
        .map(|s| s.split(',').filter_map(|v| v.parse().ok()).collect())
        .unwrap_or(vec![0, 50]);
    let bin = PathBuf::from(std::env::var("BENCH_BIN").unwrap_or("target/release/kubectl-kurator_rollout".into()));
    let bin = std::fs::canonicalize(&bin).expect("build the release binary first: cargo build --release");
    let kubectl = Command::new("kubectl").arg("version").arg("--client").output().is_ok();
    let (policies, _) = load_policies(
        &[Input {
            name: "demo".into(),
            text: POLICY.into(),
        }],
        Some("demo"),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    println!("| clusters | latency | command | wall s | CPU s | peak RSS MB |");
    println!("|---:|---:|---|---:|---:|---:|");
    for &n in &sizes {
        for &latency in &latencies {
            let home = tempfile::tempdir().unwrap();
            let playground = runtime
                .block_on(Playground::start(&PlaygroundOptions {
                    clusters: n,
                    speed: 60.0,
                    ..Default::default()
                }))
                .unwrap();
            for m in &playground.members {
                let c = &m.cluster;
                let spec = InstallSpec {
                    provider: Provider::Istio,
                    cluster_name: c.name().into(),
                    flagger_version: "1.44.0".into(),
                    metrics_server: None,
                    testloader: true,
                };
                let objects: Vec<Value> = manifests(&spec).into_iter().chain(workload()).collect();
                fleet_sim::kurator::apply_all(c, &objects);
                let facts = ClusterFacts {
                    cluster_name: c.name().into(),
                    ..Default::default()
                };
                fleet_sim::kurator::apply_all(c, &render(&policies[0], &facts, &RenderOptions::default()).unwrap());
            }
            let deadline = Instant::now() + Duration::from_secs(120);
            while playground.members.iter().any(|m| {
                m.cluster
                    .get("flagger.app", "canaries", Some("test"), "podinfo")
                    .and_then(|c| c.pointer("/status/phase").cloned())
                    != Some(json!("Initialized"))
            }) {
                assert!(Instant::now() < deadline, "canaries did not initialise");
                std::thread::sleep(Duration::from_millis(100));
            }
            let kubeconfig = home.path().join("kubeconfig");
            std::fs::write(&kubeconfig, playground.kubeconfig_yaml()).unwrap();
            for m in &playground.members {
                m.cluster.faults().set_latency(Duration::from_millis(latency));
            }
            let b = bin.display();
            let policy = std::fs::canonicalize("examples/demo-rollout.yaml").unwrap();
            let mut rows: Vec<(String, Measure)> = vec![
                (
                    "clusters".into(),
                    measure(&format!("{b} clusters --all-contexts"), &kubeconfig, home.path(), 0),
                ),
                (
                    "status (one-shot)".into(),
                    measure(&format!("{b} status -A --all-contexts"), &kubeconfig, home.path(), 0),
                ),
                (
                    "apply (unchanged)".into(),
                    measure(
                        &format!("{b} apply -f {} --all-contexts", policy.display()),
                        &kubeconfig,
                        home.path(),
                        0,
                    ),
                ),
            ];
            // An idle watch costs its start-up (TLS, initial lists) and then next to nothing:
            // the difference between a 3 s and a 33 s run is the steady cost. Ended by SIGINT, the
            // watch must exit 130 (README "Exit codes"); --preserve-status passes that through.
            let idle = |seconds: u64| {
                measure(
                    &format!("timeout --preserve-status -s INT {seconds} {b} list -w -A --all-contexts"),
                    &kubeconfig,
                    home.path(),
                    130,
                )
            };
            let (short, long) = (idle(3), idle(33));
            let steady_per_minute = (long.cpu - short.cpu).max(0.0) / 30.0 * 60.0;
            rows.push((
                format!("list -w, idle 33 s (after start-up {steady_per_minute:.2} CPU s per minute)"),
                long,
            ));
            if kubectl {
                let contexts: Vec<String> = playground
                    .members
                    .iter()
                    .map(|m| m.cluster.name().to_string())
                    .collect();
                let list = contexts.join(" ");
                rows.push((
                    "kubectl get canary, sequential loop".into(),
                    measure(
                        &format!("for c in {list}; do kubectl get canary -A --context $c >/dev/null; done"),
                        &kubeconfig,
                        home.path(),
                        0,
                    ),
                ));
                rows.push((
                    "kubectl get canary, xargs -P 8".into(),
                    measure(
                        &format!(
                            "printf '%s\\n' {list} | xargs -P 8 -I{{}} kubectl get canary -A --context {{}} >/dev/null"
                        ),
                        &kubeconfig,
                        home.path(),
                        0,
                    ),
                ));
            }
            // Follow one release in every cluster to the end.
            let watch_home = home.path().to_path_buf();
            let kc = kubeconfig.clone();
            let b2 = bin.clone();
            let watcher = std::thread::spawn(move || {
                measure(
                    &format!(
                        "{} status podinfo -n test --all-contexts --watch --wait-for-start --timeout 300s",
                        b2.display()
                    ),
                    &kc,
                    &watch_home,
                    0,
                )
            });
            std::thread::sleep(Duration::from_secs(2));
            for m in &playground.members {
                let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "podinfod", "image": "podinfo:2"}]}}}});
                m.cluster
                    .patch(
                        "apps",
                        "deployments",
                        Some("test"),
                        "podinfo",
                        fleet_sim::patch::PatchKind::Strategic,
                        &patch,
                    )
                    .unwrap();
            }
            let follow = watcher.join().unwrap();
            let per_cluster_minute = follow.cpu / n as f64 / (follow.wall / 60.0).max(1e-9);
            rows.push((
                format!(
                    "status --watch, one rollout per cluster ({per_cluster_minute:.3} CPU s per cluster per minute)"
                ),
                follow,
            ));
            for (name, m) in rows {
                println!(
                    "| {n} | {latency} ms | {name} | {:.2} | {:.2} | {:.1} |",
                    m.wall, m.cpu, m.rss_mb
                );
            }
            drop(playground);
        }
    }
}
