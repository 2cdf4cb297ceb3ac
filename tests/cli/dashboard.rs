//! `dashboard` (README "Dashboard"): the page in a real headless Chromium against a rollout on
//! the simulated fleet (`tests/python/dashboard_browser.py` drives it), and what the server
//! refuses, asked over plain HTTP: a foreign Host (DNS rebinding), a write without the token
//! or from another Origin (CSRF), any action endpoint under `--read-only`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::support::rollout::RolloutFleet;
use crate::support::{BIN, Running, isolate, require_tool, wait_for};

/// A running `dashboard` and what its URL says.
struct Served {
    running: Running,
    url: String,
    /// `127.0.0.1:PORT`.
    host: String,
    token: String,
}

fn serve(s: &RolloutFleet, extra: &[&str]) -> Served {
    let mut args = vec!["dashboard", "--all-contexts", "-n", "test", "--port", "0"];
    args.extend_from_slice(extra);
    let running = Running::spawn(&mut s.cmd(&args));
    let url = wait_for("the dashboard's URL", || {
        let out = running.stdout();
        out.lines()
            .find(|l| l.starts_with("http://"))
            .map(str::to_string)
            .ok_or(format!("stdout: {out}\nstderr: {}", running.stderr()))
    });
    let rest = url.strip_prefix("http://").unwrap_or_default();
    let (host, fragment) = rest.split_once("/#token=").expect("the token in the URL's fragment");
    Served {
        host: host.to_string(),
        token: fragment.to_string(),
        url: url.clone(),
        running,
    }
}

/// One HTTP/1.1 exchange on a fresh connection: the status and what came back (at most the
/// first 64 KiB, which bounds an event stream).
fn http(host: &str, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 8192];
    while answer.len() < 65536 {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
        }
        // An event stream never ends: its first events are enough.
        if String::from_utf8_lossy(&answer).contains("event: delta") {
            break;
        }
    }
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

/// Reads the event stream at `path` until it carries every one of `needles` (failing after
/// the tests' patience); returns what it read.
fn stream_until(host: &str, path: &str, needles: &[&str]) -> String {
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(crate::support::PATIENCE)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 8192];
    let deadline = std::time::Instant::now() + crate::support::PATIENCE;
    loop {
        let text = String::from_utf8_lossy(&seen).into_owned();
        if needles.iter().all(|needle| text.contains(needle)) {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not all of {needles:?} in the stream:\n{text}"
        );
        match stream.read(&mut chunk) {
            Ok(n) if n > 0 => seen.extend_from_slice(&chunk[..n]),
            other => panic!("the stream ended ({other:?}) before {needles:?}:\n{text}"),
        }
    }
}

fn post(
    host_header: &str,
    connect: &str,
    path: &str,
    origin: Option<&str>,
    token: Option<&str>,
    body: &str,
) -> (u16, String) {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(origin) = origin {
        request.push_str(&format!("Origin: {origin}\r\n"));
    }
    if let Some(token) = token {
        request.push_str(&format!("X-Dashboard-Token: {token}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    http(connect, &request)
}

fn get(host_header: &str, connect: &str, path: &str) -> (u16, String) {
    http(
        connect,
        &format!("GET {path} HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\n\r\n"),
    )
}

const PAUSE_MEMBER2: &str =
    r#"{"verb": "pause", "targets": [{"cluster": "kurator-member2", "namespace": "test", "name": "podinfo"}]}"#;

#[test]
fn the_dashboard_refuses_foreign_hosts_origins_and_tokenless_writes() {
    let s = RolloutFleet::start(2, &["--manual-promotion"], &[]);
    let d = serve(&s, &[]);
    let (host, token) = (d.host.as_str(), d.token.as_str());
    let own = format!("http://{host}");
    assert_eq!(d.running.stdout(), format!("{}\n", d.url), "stdout is the URL alone");
    assert_eq!(d.token.len(), 64);

    // The page, with headers that keep it from being framed and its URL from leaking.
    let (status, page) = get(host, host, "/");
    assert_eq!(status, 200, "{page}");
    let lower = page.to_lowercase();
    assert!(lower.contains("referrer-policy: no-referrer"), "{page}");
    assert!(
        lower.contains("frame-ancestors 'none'") && lower.contains("x-frame-options: deny"),
        "{page}"
    );
    assert!(!page.contains(token), "the page itself carries no token");
    // DNS rebinding: the same socket, a foreign name.
    assert_eq!(get(&format!("evil.example:{}", port(host)), host, "/").0, 403);
    // Reads need the token.
    assert_eq!(get(host, host, "/api/events").0, 403);
    assert_eq!(get(host, host, "/api/events?token=wrong").0, 403);
    let (status, stream) = get(host, host, &format!("/api/events?token={token}"));
    assert_eq!(status, 200, "{stream}");
    assert!(
        stream.contains("event: hello") && stream.contains(r#""readOnly":false"#),
        "{stream}"
    );
    // Every cluster answered (the detail is of a canary the dashboard has seen).
    let stream = stream_until(
        host,
        &format!("/api/events?token={token}"),
        &[
            r#""name":"kurator-member1","state":"ready""#,
            r#""name":"kurator-member2","state":"ready""#,
        ],
    );

    // The page is sent rows and details, never a cluster's credential.
    let (status, detail) = get(
        host,
        host,
        &format!("/api/detail?token={token}&cluster=kurator-member1&namespace=test&name=podinfo"),
    );
    assert_eq!(status, 200, "{detail}");
    assert!(detail.contains(r#""primaryImage":"podinfo:1""#), "{detail}");
    for entry in &s.fleet.entries {
        assert!(
            !stream.contains(&entry.token) && !detail.contains(&entry.token),
            "{}'s token reached the page",
            entry.context
        );
    }

    // Writes: without the token, with a wrong one, from another origin, to another host.
    let plan = |host_header: &str, origin: Option<&str>, token: Option<&str>| {
        post(host_header, host, "/api/plan", origin, token, PAUSE_MEMBER2)
    };
    assert_eq!(plan(host, Some(&own), None).0, 403);
    assert_eq!(plan(host, Some(&own), Some("0".repeat(64).as_str())).0, 403);
    assert_eq!(plan(host, Some("http://evil.example"), Some(token)).0, 403);
    assert_eq!(plan(host, None, Some(token)).0, 403);
    let rebound = format!("evil.example:{}", port(host));
    assert_eq!(plan(&rebound, Some(&format!("http://{rebound}")), Some(token)).0, 403);
    let (status, body) = post(
        host,
        host,
        "/api/execute",
        Some("http://evil.example"),
        Some(token),
        r#"{"plan": 1, "answer": "y"}"#,
    );
    assert_eq!(status, 403, "{body}");

    // A canary the dashboard does not show (another namespace) is not acted on.
    let elsewhere = r#"{"verb": "pause", "targets": [{"cluster": "kurator-member2", "namespace": "kube-system", "name": "podinfo"}]}"#;
    let (status, body) = post(host, host, "/api/plan", Some(&own), Some(token), elsewhere);
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("not shown by this dashboard: kube-system/podinfo"),
        "{body}"
    );

    // With both, the plan comes back; a wrong answer carries nothing out.
    let (status, body) = plan(host, Some(&own), Some(token));
    assert_eq!(status, 200, "{body}");
    let shown: serde_json::Value = serde_json::from_str(body.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(shown["rows"][0]["action"], "set spec.suspend=true");
    assert_eq!(shown["expected"], "y");
    let execute = format!(r#"{{"plan": {}, "answer": "n"}}"#, shown["plan"]);
    let (status, body) = post(host, host, "/api/execute", Some(&own), Some(token), &execute);
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("not confirmed (type y): nothing changed"), "{body}");
    assert_ne!(s.canary(2)["spec"]["suspend"], true, "nothing was paused");

    // Ctrl-C ends it with 0: a server stopped on purpose.
    d.running.interrupt();
    assert_eq!(d.running.finish().code, 0);
}

fn port(host: &str) -> &str {
    host.rsplit_once(':').map(|(_, p)| p).unwrap_or_default()
}

#[test]
fn read_only_serves_no_action_endpoint() {
    let s = RolloutFleet::start(2, &[], &["kurator-member2"]);
    let d = serve(&s, &["--read-only", "--cluster-timeout", "2s"]);
    let (host, token) = (d.host.as_str(), d.token.as_str());
    let own = format!("http://{host}");
    for path in ["/api/plan", "/api/execute"] {
        let (status, body) = post(host, host, path, Some(&own), Some(token), PAUSE_MEMBER2);
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, stream) = get(host, host, &format!("/api/events?token={token}"));
    assert_eq!(status, 200);
    assert!(stream.contains(r#""readOnly":true"#), "{stream}");
    // The cluster that does not answer is in the summary as such, with its error.
    stream_until(
        host,
        &format!("/api/events?token={token}"),
        &[
            r#""error":"unreachable: connection refused","name":"kurator-member2","state":"unreachable""#,
            r#""name":"kurator-member1","state":"ready""#,
        ],
    );
    // A second dashboard on the same port cannot listen: exit 1, saying what to do.
    let taken = s.run(&["dashboard", "--all-contexts", "--port", port(host)]);
    assert_eq!(taken.code, 1, "{taken:?}");
    assert!(
        taken.stderr.contains(&format!("listening on 127.0.0.1:{}", port(host))) && taken.stderr.contains("--port 0"),
        "{taken:?}"
    );
}

/// The interpreter that runs the browser driver: the test venv's, else the system's (the
/// driver needs only the standard library).
fn python() -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-venv/bin/python");
    if venv.exists() { venv } else { PathBuf::from("python3") }
}

fn browser_installed() -> bool {
    ["chromium", "chromedriver"].iter().all(|tool| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn the_dashboard_in_a_real_browser() {
    if !require_tool(
        "the_dashboard_in_a_real_browser",
        browser_installed(),
        "chromium and chromedriver are not on PATH (Debian packages chromium, chromium-driver: scripts/test-deps.sh)",
    ) {
        return;
    }
    let s = RolloutFleet::start(3, &["--manual-promotion"], &[]);
    // member1 is protected: promoting it alone needs the typed count.
    let d = serve(&s, &["--protected", "*member1*"]);
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/dashboard-artifacts");
    let release = serde_json::json!([
        BIN,
        "start",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--image",
        "podinfod=podinfo:2",
        "--yes"
    ]);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/dashboard_browser.py");
    let mut cmd = Command::new(python());
    isolate(&mut cmd, s.home.path());
    cmd.arg(script)
        .arg(&d.url)
        .arg(&artifacts)
        .arg(release.to_string())
        .arg(d.running.id().to_string())
        .env("KUBECONFIG", &s.kubeconfig);
    let out = Running::spawn(&mut cmd).finish();
    assert_eq!(out.code, 0, "{out:?}\n--- dashboard stderr\n{}", d.running.stderr());
    // The driver stopped the dashboard at the end with SIGTERM: a server stopped on purpose.
    let served = d.running.finish();
    assert_eq!(served.code, 0, "{served:?}");
    assert!(out.stdout.contains("1000 rows: added in"), "{out:?}");
    // What the page did, seen in the clusters: member1 promoted past its gate, every canary paused.
    let phase = s.phase(1);
    assert!(
        ["Promoting", "Finalising", "Succeeded"].contains(&phase.as_str()),
        "{phase}"
    );
    assert_eq!(s.phase(2), "WaitingPromotion");
    for n in 1..=3 {
        assert_eq!(s.canary(n)["spec"]["suspend"], true, "member{n}");
    }
    for shot in ["dashboard-start.png", "dashboard-mid-rollout.png"] {
        assert!(artifacts.join(shot).metadata().is_ok_and(|m| m.len() > 1000), "{shot}");
    }
    // The dashboard's own account of the actions, on its stderr.
    assert!(
        served
            .stderr
            .contains("dashboard: promote kurator-member1 test/podinfo: gate opened and closed"),
        "{served:?}"
    );
    // The measure, for the README and the issue notes.
    let _ = writeln!(
        std::io::stdout(),
        "{}",
        out.stdout.lines().find(|l| l.starts_with("1000 rows")).unwrap_or("")
    );
}

#[test]
fn the_demo_can_be_watched_in_the_browser() {
    let home = tempfile::tempdir().unwrap();
    let demo = Running::spawn(crate::support::plugin(home.path()).args([
        "demo",
        "--yes",
        "--speed",
        "30",
        "--dashboard",
        "-o",
        "ndjson",
    ]));
    let url = wait_for("the demo's dashboard URL", || {
        let err = demo.stderr();
        err.lines()
            .find_map(|l| l.split_once("(dashboard): ").map(|(_, url)| url.to_string()))
            .ok_or(err)
    });
    let (host, token) = url
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once("/#token="))
        .expect("a dashboard URL with its token");
    let (status, stream) = get(host, host, &format!("/api/events?token={token}"));
    assert_eq!(status, 200, "{stream}");
    assert!(
        stream.contains("event: hello")
            && stream.contains(r#""clusters":["kurator-member1","kurator-member2","kurator-member3"]"#),
        "{stream}"
    );
    let out = demo.finish();
    assert_eq!(out.code, 0, "{out:?}");
}
