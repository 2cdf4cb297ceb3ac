//! Benchmark: the plugin against simulated fleets (1 to 1000 clusters, with added API latency)
//! next to what users do today, the same commands as kubectl loops over the contexts
//! (sequential, and with `xargs -P 8`). Prints a Markdown table; `scripts/bench-table.sh`
//! puts it in the README.
//!
//!   cargo build --release && cargo run --release --example fleet_bench -- [SIZES] [LATENCIES_MS] [follow]
//!   e.g. cargo run --release --example fleet_bench -- 1,10,100 50,150
//!
//! `follow-only` measures the follow rows alone, `no-kubectl` leaves the kubectl loops out.
//! `hold` sets up the first fleet and keeps it up until stdin closes (for a profiler); a line
//! `release` on its stdin starts a release in every cluster, `idle` slows the fleet down again.
//! `follow` adds an idle `list -w` (33 s) and a `status --watch` following one rollout per
//! cluster. Each command runs as its own process under /usr/bin/time (wall, user+system CPU,
//! peak RSS); the simulated clusters run in this process and record the requests they answer
//! (`fleet_sim::audit`), which gives the requests per cluster and the round trips on a
//! command's critical path. A command that exits other than expected ends the benchmark with
//! exit 1 and its stderr: a number measured on a failure means nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fleet_sim::audit::round_trips;
use fleet_sim::{Playground, PlaygroundOptions};
use kubectl_kurator_rollout::install::manifests::{InstallSpec, manifests, public_loadtester_name};
use kubectl_kurator_rollout::install::provider::Provider;
use serde_json::{Value, json};

/// The kubectl loops run sequentially only up to this many clusters (beyond, a loop takes
/// minutes and says nothing the parallel one does not).
const SEQUENTIAL_UP_TO: usize = 100;

struct Measure {
    wall: f64,
    cpu: f64,
    rss_mb: f64,
    /// Requests answered, per cluster, and the round trips of the slowest cluster.
    requests: f64,
    round_trips: usize,
    /// Connections accepted, per cluster (kubectl opens one per process and cluster; the
    /// plugin one per cluster, its requests and watches multiplexed over HTTP/2).
    connections: f64,
}

struct Bench<'a> {
    playground: &'a Playground,
    kubeconfig: PathBuf,
    home: PathBuf,
}

/// user+system CPU ticks of a process so far (/proc/PID/stat, fields 14 and 15); None when
/// they cannot be read (a figure not read is not printed as 0).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, after_name) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Field 3 (state) is the first after the name: utime and stime are 14 and 15.
    let tick = |i: usize| fields.get(i - 3).and_then(|f| f.parse::<u64>().ok());
    Some(tick(14)? + tick(15)?)
}

fn clock_ticks_per_second() -> Option<f64> {
    let out = Command::new("getconf").arg("CLK_TCK").output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

impl Bench<'_> {
    /// Runs a shell command under /usr/bin/time, counting the requests every cluster answers;
    /// exits the benchmark when the command's exit code is not `expected`.
    fn measure(&self, script: &str, expected: i32) -> Measure {
        self.measure_with(script, expected, |_| {})
    }

    /// `measure`, with `during` given the running command (its stdout piped) to watch or end.
    fn measure_with(&self, script: &str, expected: i32, during: impl FnOnce(&mut std::process::Child)) -> Measure {
        let members = &self.playground.members;
        for m in members {
            m.cluster.requests().start();
        }
        let accepted_before: u64 = members.iter().map(|m| m.cluster.connections().accepted).sum();
        let mut child = Command::new("/usr/bin/time")
            .args(["-f", "%e %U %S %M", "bash", "-o", "pipefail", "-e", "-c", script])
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HOME", &self.home)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("/usr/bin/time runs");
        during(&mut child);
        let out = child.wait_with_output().expect("/usr/bin/time ends");
        let logs: Vec<_> = members.iter().map(|m| m.cluster.requests().stop()).collect();
        let accepted: u64 = members.iter().map(|m| m.cluster.connections().accepted).sum();
        let text = String::from_utf8_lossy(&out.stderr);
        // /usr/bin/time exits with the command's code (or 126/127 when it cannot run it).
        let code = out.status.code().unwrap_or(-1);
        if code != expected {
            let stdout = String::from_utf8_lossy(&out.stdout);
            eprintln!("benchmark: `{script}` exited {code}, expected {expected}; its output:\n{stdout}{text}");
            std::process::exit(1);
        }
        let last = text.lines().last().unwrap_or("0 0 0 0");
        let f: Vec<f64> = last.split_whitespace().map(|v| v.parse().unwrap_or(0.0)).collect();
        let total: usize = logs.iter().map(Vec::len).sum();
        Measure {
            wall: f[0],
            cpu: f[1] + f[2],
            rss_mb: f.get(3).copied().unwrap_or(0.0) / 1024.0,
            requests: total as f64 / members.len().max(1) as f64,
            round_trips: logs.iter().map(|l| round_trips(l)).max().unwrap_or(0),
            connections: (accepted - accepted_before) as f64 / members.len().max(1) as f64,
        }
    }
}

fn workload() -> Vec<Value> {
    fleet_sim::sample::podinfo("podinfo:1", 1)
}

fn list_arg<T: std::str::FromStr>(arg: Option<&String>, default: Vec<T>) -> Vec<T> {
    arg.map(|s| s.split(',').filter_map(|v| v.parse().ok()).collect())
        .unwrap_or(default)
}

/// A fleet of `n` clusters with Flagger and podinfo, the demo rollout applied by the plugin
/// (so that the measured `apply` is unchanged), every canary Initialized; and, per cluster, the
/// objects the plugin renders, for the kubectl loop of `apply`.
/// How much faster than real time the followed rollouts run (a 10-minute rollout in 10 s).
const FOLLOW_SPEED: f64 = 60.0;

fn set_speed(playground: &Playground, speed: f64) {
    for m in &playground.members {
        m.flagger.set_speed(speed);
    }
}

fn start_fleet(runtime: &tokio::runtime::Runtime, n: usize, bin: &Path, home: &Path) -> (Playground, PathBuf) {
    let playground = runtime
        .block_on(Playground::start(&PlaygroundOptions {
            clusters: n,
            speed: FOLLOW_SPEED,
            ..Default::default()
        }))
        .expect("the playground starts");
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
    }
    // apply refuses a policy whose hooks call a load tester without a ready endpoint: wait for
    // every member's to be Available, as an operator would after installing.
    let deadline = Instant::now() + Duration::from_secs(600);
    while playground.members.iter().any(|m| {
        let name = public_loadtester_name("istio-system", m.cluster.name());
        m.cluster
            .get("apps", "deployments", Some("istio-system"), &name)
            .and_then(|d| d.pointer("/status/availableReplicas").and_then(Value::as_i64))
            .unwrap_or(0)
            < 1
    }) {
        assert!(Instant::now() < deadline, "the load testers did not become available");
        std::thread::sleep(Duration::from_millis(100));
    }
    let kubeconfig = home.join("kubeconfig");
    std::fs::write(&kubeconfig, playground.kubeconfig_yaml()).expect("the kubeconfig is written");
    let policy = std::fs::canonicalize("examples/demo-rollout.yaml").expect("run from the repository");
    let plugin = |args: &[&str]| {
        let out = Command::new(bin)
            .args(args)
            .env("KUBECONFIG", &kubeconfig)
            .env("HOME", home)
            .output()
            .expect("the plugin runs");
        assert!(
            out.status.success(),
            "{args:?} exited {:?}: {}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let policy_arg = policy.display().to_string();
    plugin(&["apply", "-f", &policy_arg, "--all-contexts"]);
    let rendered_dir = home.join("rendered");
    std::fs::create_dir(&rendered_dir).expect("a directory");
    for m in &playground.members {
        let name = m.cluster.name();
        let rendered = plugin(&["render", "-f", &policy_arg, "--cluster-name", name]);
        std::fs::write(rendered_dir.join(format!("{name}.yaml")), rendered).expect("the rendered policy is written");
    }
    let deadline = Instant::now() + Duration::from_secs(600);
    while playground.members.iter().any(|m| {
        m.cluster
            .get("flagger.app", "canaries", Some("test"), "podinfo")
            .and_then(|c| c.pointer("/status/phase").cloned())
            != Some(json!("Initialized"))
    }) {
        assert!(Instant::now() < deadline, "canaries did not initialise");
        std::thread::sleep(Duration::from_millis(100));
    }
    (playground, rendered_dir)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = list_arg(args.get(1), vec![1, 10, 100]);
    let latencies: Vec<u64> = list_arg(args.get(2), vec![50]);
    let follow = args.iter().any(|a| a == "follow");
    // `hold`: set up the first fleet at the first latency, print its kubeconfig and keep it up
    // until stdin closes, for profiling one command by hand (perf, heaptrack).
    let hold = args.iter().any(|a| a == "hold");
    // `follow-only`: the follow rows alone (the one-shot rows and kubectl loops of a thousand
    // clusters take the better part of an hour here).
    let follow_only = args.iter().any(|a| a == "follow-only");
    let bin = PathBuf::from(std::env::var("BENCH_BIN").unwrap_or("target/release/kubectl-kurator_rollout".into()));
    let bin = std::fs::canonicalize(&bin).expect("build the release binary first: cargo build --release");
    // `no-kubectl`: the plugin's rows alone (a thousand clusters' kubectl loops take 20 minutes
    // here); without kubectl on the machine there are none either.
    let kubectl = !args.iter().any(|a| a == "no-kubectl")
        && Command::new("kubectl").arg("version").arg("--client").output().is_ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");

    println!(
        "| clusters | latency | command | wall s | CPU s | peak RSS MB | requests per cluster | round trips | connections per cluster |"
    );
    println!("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    for &n in &sizes {
        let home = tempfile::tempdir().expect("a temporary directory");
        let (playground, rendered_dir) = start_fleet(&runtime, n, &bin, home.path());
        // Set up sped up, measured in real time: a real fleet's idle Flagger checks each
        // canary once per analysis interval, and so does the simulated one at speed 1. Sped
        // up (60 times), a thousand idle Flaggers take this machine's two cores from the
        // command being measured: the simulated API servers share them.
        set_speed(&playground, 1.0);
        let kubeconfig = home.path().join("kubeconfig");
        if hold {
            for m in &playground.members {
                m.cluster.faults().set_latency(Duration::from_millis(latencies[0]));
            }
            eprintln!(
                "{n} clusters at {} ms: KUBECONFIG={} (close stdin to stop)",
                latencies[0],
                kubeconfig.display()
            );
            // Each line `release` starts a release in every cluster at the follow speed (to
            // profile a `status --watch` started by hand), `idle` sets the speed back to 1;
            // anything else is ignored.
            let mut image = 1;
            for line in std::io::stdin().lines().map_while(Result::ok) {
                match line.trim() {
                    "release" => {
                        image += 1;
                        set_speed(&playground, FOLLOW_SPEED);
                        release(&playground, &format!("podinfo:{image}"));
                        eprintln!("released podinfo:{image}");
                    }
                    "idle" => set_speed(&playground, 1.0),
                    _ => {}
                }
            }
            return;
        }
        let bench = Bench {
            playground: &playground,
            kubeconfig,
            home: home.path().to_path_buf(),
        };
        let contexts: Vec<String> = playground
            .members
            .iter()
            .map(|m| m.cluster.name().to_string())
            .collect();
        let list = contexts.join(" ");
        let xargs =
            |per_context: &str| format!("printf '%s\\n' {list} | xargs -P 8 -I{{}} sh -c '{per_context}' >/dev/null");
        let sequential = |per_context: &str| format!("for c in {list}; do {{ {per_context}; }} >/dev/null; done");
        if follow_only {
            let latency = *latencies.last().unwrap_or(&50);
            for m in &playground.members {
                m.cluster.faults().set_latency(Duration::from_millis(latency));
            }
            let mut rows = Vec::new();
            follow_rows(&bench, &mut rows, n);
            print_rows(n, latency, rows);
            continue;
        }
        if kubectl {
            // kubectl's discovery cache is warm, as on a user's machine (its first run in a
            // context fills it).
            bench.measure(&xargs("kubectl get canary podinfo -n test --context {}"), 0);
        }
        for &latency in &latencies {
            for m in &playground.members {
                m.cluster.faults().set_latency(Duration::from_millis(latency));
            }
            let b = bin.display();
            let policy = std::fs::canonicalize("examples/demo-rollout.yaml").expect("run from the repository");
            let mut rows: Vec<(String, Measure)> = Vec::new();
            // The simulated clusters share this machine's cores with the plugin: from a few
            // hundred on, one of them may answer later than the default 10 s cluster timeout
            // although nothing is wrong with the plugin. A real fleet has a server per cluster.
            let cluster_timeout = if n >= 300 { " --cluster-timeout 120s" } else { "" };
            let mut ours = |name: &str, command: String, expected: i32| {
                let m = bench.measure(&format!("{b} {command} --all-contexts{cluster_timeout}"), expected);
                rows.push((format!("`{name}`"), m));
            };
            ours("clusters", "clusters".into(), 0);
            ours("status NAME", "status podinfo -n test".into(), 0);
            ours("status NAME -o json", "status podinfo -n test -o json".into(), 0);
            ours("list", "list -A".into(), 0);
            ours("get NAME", "get podinfo -n test".into(), 0);
            ours("apply -f (unchanged)", format!("apply -f {}", policy.display()), 0);
            ours("check", "check --testloader".into(), 0);
            // An action on every cluster, then its inverse, so the fleet is as it was.
            ours("pause NAME", "pause podinfo -n test --yes".into(), 0);
            ours("resume NAME", "resume podinfo -n test --yes".into(), 0);
            if kubectl {
                let loops: [(&str, &str); 3] = [
                    (
                        "kubectl get canary NAME",
                        "kubectl get canary podinfo -n test --context $c",
                    ),
                    (
                        "kubectl apply --server-side (unchanged)",
                        "kubectl apply --server-side --field-manager kubectl-kurator-rollout -f RENDERED/$c.yaml --context $c",
                    ),
                    (
                        "kubectl check (Flagger CRD and Deployments)",
                        "kubectl get crd canaries.flagger.app --context $c && kubectl get deploy -n istio-system --context $c",
                    ),
                ];
                for (name, per_context) in loops {
                    let per_context = per_context.replace("RENDERED", &rendered_dir.display().to_string());
                    if n <= SEQUENTIAL_UP_TO {
                        let m = bench.measure(&sequential(&per_context), 0);
                        rows.push((format!("{name}, sequential loop"), m));
                    }
                    let m = bench.measure(&xargs(&per_context.replace("$c", "{}")), 0);
                    rows.push((format!("{name}, xargs -P 8"), m));
                }
            }
            // The release it follows stays in place: once per fleet, at the last latency.
            if follow && Some(&latency) == latencies.last() {
                follow_rows(&bench, &mut rows, n);
            }
            print_rows(n, latency, rows);
        }
        drop(playground);
    }
}

fn print_rows(n: usize, latency: u64, rows: Vec<(String, Measure)>) {
    for (name, m) in rows {
        println!(
            "| {n} | {latency} ms | {name} | {:.2} | {:.2} | {:.1} | {:.1} | {} | {:.1} |",
            m.wall, m.cpu, m.rss_mb, m.requests, m.round_trips, m.connections
        );
    }
}

/// A new image for the target Deployment of every cluster: a release everywhere.
fn release(playground: &Playground, image: &str) {
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "podinfod", "image": image}]}}}});
    for m in &playground.members {
        m.cluster
            .patch(
                "apps",
                "deployments",
                Some("test"),
                "podinfo",
                fleet_sim::patch::PatchKind::Strategic,
                &patch,
            )
            .expect("the release patch applies");
    }
}

/// An idle watch, and a watch following one release in every cluster to the end (the release
/// is left in place: run `follow` once per fleet, with the last latency).
fn follow_rows(bench: &Bench, rows: &mut Vec<(String, Measure)>, n: usize) {
    let b = std::env::var("BENCH_BIN").unwrap_or("target/release/kubectl-kurator_rollout".into());
    let b = std::fs::canonicalize(b).expect("the release binary");
    let b = b.display();
    // An idle watch costs its start-up (TLS, initial lists) and then next to nothing. The
    // steady cost is read from /proc once every cluster's row is out and the start-up has
    // settled: at a thousand clusters the start-up alone takes longer than a fixed short run.
    // Ended by SIGINT, the watch must exit 130 (README "Exit codes"); --preserve-status passes
    // that through.
    let steady_per_minute = std::cell::Cell::new(None::<f64>);
    let idle = bench.measure_with(
        &format!("exec {b} list -w -A --all-contexts"),
        130,
        |child: &mut std::process::Child| {
            use std::io::BufRead;
            let lines = std::io::BufReader::new(child.stdout.take().expect("piped stdout")).lines();
            // The header, then a line per cluster's canary.
            let mut seen = 0;
            let mut lines = lines.map_while(Result::ok);
            while seen <= n && lines.next().is_some() {
                seen += 1;
            }
            std::thread::spawn(move || lines.for_each(drop));
            // Read once it printed: /usr/bin/time's child: bash, which exec'd the plugin.
            let time = child.id();
            let pid: u32 = std::fs::read_to_string(format!("/proc/{time}/task/{time}/children"))
                .ok()
                .and_then(|c| c.split_whitespace().next().and_then(|p| p.parse().ok()))
                .expect("the watch runs under /usr/bin/time");
            std::thread::sleep(Duration::from_secs(10));
            let before = cpu_ticks(pid);
            std::thread::sleep(Duration::from_secs(60));
            let after = cpu_ticks(pid);
            if let (Some(before), Some(after), Some(per_second)) = (before, after, clock_ticks_per_second()) {
                steady_per_minute.set(Some(after.saturating_sub(before) as f64 / per_second));
            }
            let _ = Command::new("kill").args(["-INT", &pid.to_string()]).status();
        },
    );
    rows.push((
        format!(
            "`list -w`, idle (after start-up {} CPU s per minute)",
            steady_per_minute.get().map_or("?".into(), |cpu| format!("{cpu:.2}"))
        ),
        idle,
    ));
    set_speed(bench.playground, FOLLOW_SPEED);
    let follow = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            bench.measure(
                &format!("{b} status podinfo -n test --all-contexts --watch --wait-for-start --timeout 600s"),
                0,
            )
        });
        std::thread::sleep(Duration::from_secs(2));
        release(bench.playground, "podinfo:2");
        watcher.join().expect("the watch thread ends")
    });
    set_speed(bench.playground, 1.0);
    let per_cluster_minute = follow.cpu / n as f64 / (follow.wall / 60.0).max(1e-9);
    rows.push((
        format!("`status --watch`, one rollout per cluster ({per_cluster_minute:.3} CPU s per cluster per minute)"),
        follow,
    ));
}
