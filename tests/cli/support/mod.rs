//! Test support: simulated fleets served from a runtime of their own, kubeconfigs, and the
//! plugin binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use fleet_sim::{KubeconfigEntry, PlaygroundOptions, SimCluster};

pub mod rollout;

pub const BIN: &str = env!("CARGO_BIN_EXE_kubectl-kurator_rollout");

/// A command for the plugin with an isolated HOME and no inherited kubeconfig or proxy.
pub fn plugin(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    isolate(&mut cmd, home);
    cmd
}

pub fn isolate(cmd: &mut Command, home: &Path) {
    cmd.env("HOME", home)
        .env("KUBECACHEDIR", home.join(".kube/cache"))
        .env("NO_COLOR", "1")
        .env_remove("KUBECONFIG")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy");
}

/// A fleet of simulated clusters served on 127.0.0.1 by a runtime on its own thread, so the
/// test can block on child processes without starving the servers.
pub struct Fleet {
    pub clusters: Vec<SimCluster>,
    pub flaggers: Vec<std::sync::Arc<fleet_sim::flagger::controller::FlaggerSim>>,
    /// The Kurator hub, when started with `kurator: true`.
    pub hub: Option<(SimCluster, KubeconfigEntry)>,
    pub entries: Vec<KubeconfigEntry>,
    /// Held so the simulated controllers keep running as long as the fleet; its CA issues
    /// client certificates.
    pub playground: fleet_sim::Playground,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Fleet {
    pub fn start(count: usize) -> Fleet {
        Self::start_with(PlaygroundOptions {
            clusters: count,
            ..Default::default()
        })
    }

    pub fn start_with(options: PlaygroundOptions) -> Fleet {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let playground = runtime.block_on(fleet_sim::Playground::start(&options)).unwrap();
        let entries = playground.member_entries();
        let clusters = playground.members.iter().map(|m| m.cluster.clone()).collect();
        let flaggers = playground.members.iter().map(|m| m.flagger.clone()).collect();
        let hub = playground
            .hub
            .as_ref()
            .map(|h| (h.cluster.clone(), h.entry(playground.ca_pem.as_deref())));
        Fleet {
            clusters,
            flaggers,
            hub,
            entries,
            playground,
            runtime: Some(runtime),
        }
    }

    pub fn playground_flagger(&self, name: &str) -> &fleet_sim::flagger::controller::FlaggerSim {
        let i = self.clusters.iter().position(|c| c.name() == name).unwrap();
        &self.flaggers[i]
    }

    pub fn cluster(&self, name: &str) -> &SimCluster {
        self.clusters.iter().find(|c| c.name() == name).unwrap()
    }

    /// Writes a kubeconfig for the fleet (optionally edited) and returns its path.
    pub fn write_kubeconfig(&self, dir: &Path, edit: impl FnOnce(&mut Vec<KubeconfigEntry>)) -> PathBuf {
        let mut entries = self.entries.clone();
        edit(&mut entries);
        let path = dir.join("kubeconfig");
        std::fs::write(&path, fleet_sim::to_yaml(&fleet_sim::kubeconfig(&entries))).unwrap();
        path
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.as_ref().unwrap().block_on(f)
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The `playground` command running as a child process; killed on drop.
pub struct PlaygroundProcess {
    pub child: Child,
    pub kubeconfig: PathBuf,
    pub lines: Vec<String>,
}

impl PlaygroundProcess {
    // The child moves into the returned value, whose Drop kills and reaps it.
    #[allow(clippy::zombie_processes)]
    pub fn start(home: &Path, args: &[&str]) -> PlaygroundProcess {
        let mut cmd = plugin(home);
        cmd.arg("playground")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut lines = Vec::new();
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(20))
                .expect("playground printed its kubeconfig line");
            if let Some(path) = line.strip_prefix("export KUBECONFIG=") {
                let kubeconfig = PathBuf::from(path);
                lines.push(line);
                return PlaygroundProcess {
                    child,
                    kubeconfig,
                    lines,
                };
            }
            lines.push(line);
        }
    }
}

impl Drop for PlaygroundProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Output of a finished command, for assertions with readable failures.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Whether a test may use a tool it needs. Under CI (`CI` set) a missing tool fails the test,
/// since `.ci/run` installs every tool the suite uses; elsewhere the test is skipped and the reason
/// goes to the real stdout (past the test harness's capture, so a passing test still shows it).
pub fn require_tool(test: &str, available: bool, missing: &str) -> bool {
    if available {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: {missing} (CI installs every tool the tests need: see scripts/test-deps.sh)"
    );
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "SKIP {test}: {missing}");
    false
}

/// Is real kubectl available? Under CI its absence fails the test; elsewhere the test is skipped.
pub fn kubectl_available(test: &str) -> bool {
    let ok = Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    require_tool(
        test,
        ok,
        "kubectl is not on PATH (it comes with the machine image, not from a package registry)",
    )
}

pub fn kubectl(home: &Path, kubeconfig: &Path) -> Command {
    let mut cmd = Command::new("kubectl");
    isolate(&mut cmd, home);
    cmd.env("KUBECONFIG", kubeconfig);
    cmd
}

/// Makes user `index` of a written kubeconfig authenticate with `cert` instead of a token.
pub fn use_client_certificate(kubeconfig: &Path, index: usize, cert: &fleet_sim::tls::ClientCertificate) {
    use base64::Engine;
    let b64 = |pem: &str| base64::engine::general_purpose::STANDARD.encode(pem);
    let text = std::fs::read_to_string(kubeconfig).unwrap();
    let mut config: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    config["users"][index]["user"] = serde_json::json!({
        "client-certificate-data": b64(&cert.cert_pem), "client-key-data": b64(&cert.key_pem)});
    std::fs::write(kubeconfig, fleet_sim::to_yaml(&config)).unwrap();
}
