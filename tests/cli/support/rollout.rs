//! A simulated fleet with Flagger installed (by `install`), podinfo deployed, and the demo
//! rollout applied (by `apply`), every canary Initialized: the starting point of the start,
//! status and control tests.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use fleet_sim::{PlaygroundOptions, SimCluster};
use serde_json::Value;

use super::{Fleet, Output, plugin, run};

pub const POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo-rollout.yaml");

pub struct RolloutFleet {
    pub fleet: Fleet,
    pub home: tempfile::TempDir,
    pub kubeconfig: PathBuf,
}

/// The phase of podinfo's Canary in a cluster ("" before Flagger wrote one).
pub fn podinfo_phase(c: &SimCluster) -> String {
    c.get("flagger.app", "canaries", Some("test"), "podinfo")
        .and_then(|v| v.pointer("/status/phase").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default()
}

impl RolloutFleet {
    /// `n` clusters; `gates` are extra `apply` flags (e.g. --manual-promotion); the clusters
    /// named in `unreachable` stop answering once everything is Initialized.
    pub fn start(n: usize, gates: &[&str], unreachable: &[&str]) -> RolloutFleet {
        let fleet = Fleet::start_with(PlaygroundOptions {
            clusters: n,
            speed: 100.0,
            ..Default::default()
        });
        let home = tempfile::tempdir().unwrap();
        let kubeconfig = fleet.write_kubeconfig(home.path(), |_| {});
        let s = RolloutFleet {
            fleet,
            home,
            kubeconfig,
        };
        assert_eq!(
            s.run(&["install", "--all-contexts", "--provider", "istio", "--testloader"])
                .code,
            0
        );
        for c in &s.fleet.clusters {
            fleet_sim::kurator::apply_all(c, &fleet_sim::sample::podinfo("podinfo:1", 1));
        }
        let mut args = vec!["apply", "-f", POLICY, "--all-contexts"];
        args.extend_from_slice(gates);
        assert_eq!(s.run(&args).code, 0);
        s.wait(&(1..=n).collect::<Vec<_>>(), "Initialized");
        for name in unreachable {
            s.fleet.cluster(name).set_unreachable(true).unwrap();
        }
        s
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = plugin(self.home.path());
        c.args(args).env("KUBECONFIG", &self.kubeconfig);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run(&mut self.cmd(args))
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        self.cmd(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Cluster `kurator-member{n}`.
    pub fn cluster(&self, n: usize) -> &SimCluster {
        self.fleet.cluster(&format!("kurator-member{n}"))
    }

    pub fn canary(&self, n: usize) -> Value {
        self.cluster(n)
            .get("flagger.app", "canaries", Some("test"), "podinfo")
            .unwrap()
    }

    pub fn phase(&self, n: usize) -> String {
        podinfo_phase(self.cluster(n))
    }

    /// The image podinfo's Deployment runs in cluster `n`.
    pub fn image(&self, n: usize) -> String {
        self.cluster(n)
            .get("apps", "deployments", Some("test"), "podinfo")
            .unwrap()
            .pointer("/spec/template/spec/containers/0/image")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    /// `start podinfo` with a new image in every cluster.
    pub fn release(&self, image: &str) -> Output {
        self.run(&[
            "start",
            "--yes",
            "podinfo",
            "-n",
            "test",
            "--all-contexts",
            "--image",
            &format!("podinfod={image}"),
        ])
    }

    /// Waits until podinfo's Canary is in `want` in each of these clusters.
    pub fn wait(&self, clusters: &[usize], want: &str) {
        super::wait_for(&format!("podinfo {want} in members {clusters:?}"), || {
            let phases: Vec<String> = clusters.iter().map(|n| self.phase(*n)).collect();
            if phases.iter().all(|p| p == want) {
                Ok(())
            } else {
                Err(format!("{phases:?}"))
            }
        })
    }

    /// How often Flagger recorded an Event about podinfo in cluster `n` whose message contains
    /// `needle` (a repeat PATCHes one Event's `count`, as client-go's correlator does).
    pub fn events_counted(&self, n: usize, needle: &str) -> i64 {
        self.cluster(n)
            .list("", "events", Some("test"))
            .iter()
            .filter(|e| e["involvedObject"]["name"] == "podinfo")
            .filter(|e| e["message"].as_str().is_some_and(|m| m.contains(needle)))
            .map(|e| e["count"].as_i64().unwrap_or(1))
            .sum()
    }

    /// Waits until Flagger has recorded `ticks` more Events with `needle` in cluster `n`: the
    /// way a test sees Flagger's analysis ticks go by (instead of sleeping for some of them).
    pub fn wait_for_ticks(&self, n: usize, needle: &str, ticks: i64) {
        let from = self.events_counted(n, needle);
        super::wait_for(&format!("{ticks} more {needle:?} events in member{n}"), || {
            let now = self.events_counted(n, needle);
            if now >= from + ticks {
                Ok(())
            } else {
                Err(format!("{now} (from {from})"))
            }
        })
    }

    /// Waits until Flagger has written podinfo's status in cluster `n` at least `writes` more
    /// times (each write moves `status.lastTransitionTime`): at a gate Flagger writes on every
    /// tick, so this is how a test sees ticks go by there.
    pub fn wait_for_status_writes(&self, n: usize, writes: usize) {
        let stamp = || self.canary(n)["status"]["lastTransitionTime"].clone();
        let mut seen = vec![stamp()];
        super::wait_for(&format!("{writes} more status writes in member{n}"), || {
            let now = stamp();
            if seen.last() != Some(&now) {
                seen.push(now);
            }
            if seen.len() > writes {
                Ok(())
            } else {
                Err(format!("{seen:?}"))
            }
        })
    }

    /// The command running in the background, its output watchable while it runs.
    pub fn start_watched(&self, args: &[&str]) -> super::Running {
        super::Running::spawn(&mut self.cmd(args))
    }
}

/// The output of a spawned command once it ends.
pub fn output_of(child: Child) -> Output {
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// Makes the next podinfo release in `c` fail its success-rate check (80% < 99%).
pub fn fail_release(c: &SimCluster) {
    let patch = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {"sim.kurator.dev/success-rate": "80"}}}}});
    c.patch(
        "apps",
        "deployments",
        Some("test"),
        "podinfo",
        fleet_sim::patch::PatchKind::Strategic,
        &patch,
    )
    .unwrap();
}
