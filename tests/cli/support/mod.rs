//! Test support: simulated fleets served from a runtime of their own, kubeconfigs, and the
//! plugin binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use fleet_sim::{KubeconfigEntry, PlaygroundOptions, SimCluster};

pub mod rollout;
pub mod snapshot;
pub mod terminal;

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
        // Tables fit COLUMNS when it is set: the tests' output must not depend on the shell's.
        .env_remove("COLUMNS")
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
                .recv_timeout(PATIENCE)
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

/// How long a test waits for a state before it fails. Generous, because a loaded 2-core CI
/// machine can be many times slower than a quiet one; it bounds a hang, it measures nothing.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// How often [`wait_for`] looks again.
const POLL: Duration = Duration::from_millis(20);

/// The one way the integration tests synchronise with the simulated fleet and the plugin: look
/// at observable state (objects in a cluster, what a running command printed, requests the
/// simulator holds in flight) until it is what the test needs. `observe` returns `Ok` with the
/// value when it is, or `Err` with the state seen so far, which the failure shows after
/// [`PATIENCE`]. The poll interval here is the only sleep in the integration tests; no test
/// sleeps a fixed time hoping something has happened, and none asserts on elapsed time
/// (timings belong to `examples/fleet_bench.rs`).
pub fn wait_for<T>(what: &str, mut observe: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let seen = match observe() {
            Ok(value) => return value,
            Err(seen) => seen,
        };
        assert!(
            Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}; last seen: {seen}"
        );
        std::thread::sleep(POLL);
    }
}

/// [`wait_for`] a condition without a value to report.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    wait_for(what, || if done() { Ok(()) } else { Err("not yet".into()) })
}

/// Runs `cmd` to its end like [`run`], failing instead of hanging when it does not end within
/// [`PATIENCE`].
pub fn run_bounded(cmd: &mut Command) -> Output {
    Running::spawn(cmd).finish()
}

/// A command running in the background whose output the test can watch while it runs.
pub struct Running {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn spawn(cmd: &mut Command) -> Running {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let (stdout, stderr) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
        // Read what arrives, not lines: a prompt waits for its answer without a newline.
        let collect = |mut from: Box<dyn std::io::Read + Send>, into: Arc<Mutex<Vec<u8>>>| {
            std::thread::spawn(move || {
                let mut chunk = [0u8; 8192];
                while let Ok(n) = from.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    into.lock().unwrap().extend_from_slice(&chunk[..n]);
                }
            })
        };
        let readers = vec![
            collect(Box::new(child.stdout.take().unwrap()), stdout.clone()),
            collect(Box::new(child.stderr.take().unwrap()), stderr.clone()),
        ];
        Running {
            child,
            stdout,
            stderr,
            readers,
        }
    }

    /// What it printed on stdout so far.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    /// What it printed on stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Waits until its stdout so far satisfies `seen`.
    pub fn wait_for_stdout(&self, what: &str, seen: impl Fn(&str) -> bool) {
        wait_for(what, || {
            let out = self.stdout();
            if seen(&out) { Ok(()) } else { Err(format!("\n{out}")) }
        })
    }

    /// Waits until its stderr so far satisfies `seen`.
    pub fn wait_for_stderr(&self, what: &str, seen: impl Fn(&str) -> bool) {
        wait_for(what, || {
            let err = self.stderr();
            if seen(&err) { Ok(()) } else { Err(format!("\n{err}")) }
        })
    }

    /// Writes `text` to its stdin (spawned with `Stdio::piped()` stdin), as typed.
    pub fn type_text(&mut self, text: &str) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().expect("spawned with a piped stdin");
        stdin.write_all(text.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// Its process id (for a helper that signals it).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGINT, as Ctrl-C does.
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits (at most [`PATIENCE`], so a hang fails instead of blocking the suite) for it to
    /// end and returns everything it printed.
    pub fn finish(mut self) -> Output {
        // A closed stdin: nothing more will be typed.
        drop(self.child.stdin.take());
        let status = wait_for("the command to exit", || match self.child.try_wait().unwrap() {
            Some(status) => Ok(status),
            None => Err(format!("still running; stdout so far:\n{}", self.stdout())),
        });
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        Output {
            code: status.code().unwrap_or(-1),
            stdout: self.stdout(),
            stderr: self.stderr(),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.readers.is_empty() {
            return;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The one line of a table (or of transition lines) that belongs to `context`: the line with
/// `context` as one of its whitespace-separated fields. Fails unless there is exactly one, so a
/// test asserts on the row of a given cluster, never on a count of lines.
pub fn row<'a>(stdout: &'a str, context: &str) -> &'a str {
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.split_whitespace().any(|field| field == context))
        .collect();
    assert_eq!(rows.len(), 1, "one row for {context}:\n{stdout}");
    rows[0]
}

/// Whether each of `contexts` has its one row and that row contains `value`.
pub fn every_row_has(stdout: &str, contexts: &[&str], value: &str) -> bool {
    contexts.iter().all(|c| {
        let rows: Vec<&str> = stdout
            .lines()
            .filter(|l| l.split_whitespace().any(|field| field == *c))
            .collect();
        rows.len() == 1 && rows[0].contains(value)
    })
}

/// The three members of the usual test fleet.
pub const MEMBERS: [&str; 3] = ["kurator-member1", "kurator-member2", "kurator-member3"];

/// The lines of `check`'s section for `context` (its heading line up to the blank line).
pub fn check_section(stdout: &str, context: &str) -> String {
    let mut lines = stdout.lines().skip_while(|l| l.trim_end() != context);
    let heading = lines
        .next()
        .unwrap_or_else(|| panic!("no check section for {context}:\n{stdout}"));
    let body: Vec<&str> = lines.take_while(|l| !l.trim().is_empty()).collect();
    format!("{heading}\n{}", body.join("\n"))
}

/// `check`'s summary table (after the per-cluster sections): one row per cluster.
pub fn check_summary(stdout: &str) -> &str {
    let start = stdout
        .rfind("\nCLUSTER ")
        .map(|i| i + 1)
        .or_else(|| stdout.find("CLUSTER "));
    &stdout[start.unwrap_or_else(|| panic!("no check summary:\n{stdout}"))..]
}

/// `cluster plural namespace/name@resourceVersion` of each object of one type in `cluster`: a
/// dry run must leave every one as it was (a write, even one that changes nothing, bumps it).
pub fn versions_of(cluster: &SimCluster, group: &str, plural: &str) -> Vec<String> {
    cluster
        .list(group, plural, None)
        .iter()
        .map(|o| {
            let m = &o["metadata"];
            format!(
                "{} {plural} {}/{}@{}",
                cluster.name(),
                m["namespace"].as_str().unwrap_or(""),
                m["name"].as_str().unwrap_or(""),
                m["resourceVersion"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// [`versions_of`] every type `cluster` serves (each group and resource once, whatever its
/// versions): a snapshot of every object in the cluster.
pub fn every_object_version(cluster: &SimCluster) -> Vec<String> {
    let kinds: std::collections::BTreeSet<(String, String)> = cluster
        .core()
        .registry()
        .all()
        .map(|t| (t.group.clone(), t.plural.clone()))
        .collect();
    kinds.iter().flat_map(|(g, p)| versions_of(cluster, g, p)).collect()
}
