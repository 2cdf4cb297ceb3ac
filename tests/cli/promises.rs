//! README promises that had no test of their own: each test names the promise it proves (see
//! tests/README.md for the whole map). Fleets are shared within a test to keep the suite fast.

use serde_json::{Value, json};

use crate::support::rollout::{POLICY, RolloutFleet, fail_release};
use crate::support::terminal::{on_terminal, script_available};
use crate::support::{BIN, Fleet, MEMBERS, Running, plugin, row, run, wait_until};

fn json_rows(out: &crate::support::Output) -> Vec<Value> {
    let rows: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    rows.as_array().cloned().unwrap_or_default()
}

/// (cluster, namespace, name) of every row.
fn keys(rows: &[Value]) -> Vec<(String, String, String)> {
    let mut keys: Vec<_> = rows
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (text("cluster"), text("namespace"), text("name"))
        })
        .collect();
    keys.sort();
    keys
}

fn key(cluster: &str, namespace: &str, name: &str) -> (String, String, String) {
    (cluster.into(), namespace.into(), name.into())
}

/// README "Commands": `list` shows every canary across the targets, `-A` across namespaces,
/// `-l` by label, `-w` appends a line per change; `get` shows one canary in depth; completion
/// offers contexts, namespaces and Canary names read from the clusters.
#[test]
fn list_get_and_completion_read_the_fleet() {
    let s = RolloutFleet::start(2, &[], &[]);
    // A second canary, in another namespace of member2, labelled.
    let other = json!({"apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": {"name": "backend", "namespace": "other", "labels": {"tier": "gold"}},
        "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "backend"},
                 "service": {"port": 80}, "analysis": {"interval": "1m", "threshold": 2}}});
    let member2 = s.cluster(2);
    member2
        .apply(
            "",
            "namespaces",
            None,
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}}),
        )
        .unwrap();
    member2.apply("flagger.app", "canaries", Some("other"), &other).unwrap();

    let in_test = s.run(&["list", "-n", "test", "--all-contexts", "-o", "json"]);
    assert_eq!(in_test.code, 0, "{in_test:?}");
    assert_eq!(
        keys(&json_rows(&in_test)),
        [key(MEMBERS[0], "test", "podinfo"), key(MEMBERS[1], "test", "podinfo")]
    );
    let all = s.run(&["list", "-A", "--all-contexts", "-o", "json"]);
    assert_eq!(all.code, 0, "{all:?}");
    assert_eq!(
        keys(&json_rows(&all)),
        [
            key(MEMBERS[0], "test", "podinfo"),
            key(MEMBERS[1], "other", "backend"),
            key(MEMBERS[1], "test", "podinfo")
        ]
    );
    let gold = s.run(&["list", "-A", "-l", "tier=gold", "--all-contexts", "-o", "json"]);
    assert_eq!(gold.code, 0, "{gold:?}");
    assert_eq!(keys(&json_rows(&gold)), [key(MEMBERS[1], "other", "backend")]);
    let table = s.run(&["list", "-n", "test", "--all-contexts"]);
    for member in &MEMBERS[..2] {
        assert!(row(&table.stdout, member).contains("Initialized"), "{table:?}");
    }

    // -w: the current state first, then a line per change, appended.
    let watch = s.start_watched(&["list", "-w", "-n", "test", "--all-contexts"]);
    watch.wait_for_stdout("both canaries listed", |o| {
        MEMBERS[..2]
            .iter()
            .all(|m| o.lines().any(|l| l.starts_with(m) && l.contains("Initialized")))
    });
    let out = s.run(&[
        "start",
        "--yes",
        "podinfo",
        "-n",
        "test",
        "--context",
        MEMBERS[0],
        "--image",
        "podinfod=podinfo:2",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    watch.wait_for_stdout("member1's run appended", |o| {
        o.lines()
            .any(|l| l.starts_with(MEMBERS[0]) && l.contains("Progressing"))
    });
    watch.interrupt();
    let watched = watch.finish();
    assert_eq!(watched.code, 130, "Ctrl-C ends the watch: {watched:?}");
    let lines: Vec<&str> = watched.stdout.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.starts_with(MEMBERS[0]) && l.contains("Initialized"));
    let later = lines
        .iter()
        .position(|l| l.starts_with(MEMBERS[0]) && l.contains("Progressing"));
    assert!(first.is_some() && later > first, "appended, not redrawn: {watched:?}");
    s.wait(&[1], "Succeeded");

    // get: progress, analysis, hooks and Flagger's events of the one canary, per cluster.
    let got = s.run(&["get", "podinfo", "-n", "test", "--context", MEMBERS[0]]);
    assert_eq!(got.code, 0, "{got:?}");
    for part in [
        MEMBERS[0],
        "Succeeded",
        "Progress:",
        "request-success-rate",
        "abort-gate (rollback)",
        "New revision detected! Scaling up podinfo.test",
        "Promotion completed! Scaling down podinfo.test",
    ] {
        assert!(got.stdout.contains(part), "get shows {part:?}: {got:?}");
    }
    let missing = s.run(&["get", "nope", "-n", "test", "--all-contexts"]);
    assert_eq!(missing.code, 4, "nothing matched: {missing:?}");

    // Completion reads the kubeconfig and the clusters.
    let complete = |args: &[&str]| {
        let out = s.run(&[&["__complete"][..], args].concat());
        assert_eq!(out.code, 0, "{out:?}");
        out.stdout.lines().map(str::to_string).collect::<Vec<_>>()
    };
    let contexts = complete(&["status", "--context", ""]);
    assert!(
        MEMBERS[..2].iter().all(|m| contexts.contains(&m.to_string())),
        "{contexts:?}"
    );
    let namespaces = complete(&["status", "--context", MEMBERS[1], "-n", ""]);
    assert!(
        ["test", "other", "istio-system"]
            .iter()
            .all(|n| namespaces.contains(&n.to_string())),
        "{namespaces:?}"
    );
    let names = complete(&["status", "--context", MEMBERS[1], "-n", "other", ""]);
    assert!(names.contains(&"backend".to_string()), "{names:?}");
    assert!(
        !names.contains(&"podinfo".to_string()),
        "only namespace other's: {names:?}"
    );
}

/// README "Commands" (`start`): `--on-failure continue` starts every wave although one failed
/// (exit 5: partial); a canary mid-run is refused unless `--force`.
#[test]
fn start_on_failure_continue_and_the_mid_run_refusal() {
    let s = RolloutFleet::start(3, &[], &[]);
    fail_release(s.cluster(1));
    let out = s.run(&[
        "start",
        "--yes",
        "--force",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--image",
        "podinfod=podinfo:2",
        "--wave-size",
        "1",
        "--on-failure",
        "continue",
        "--timeout",
        "60s",
    ]);
    assert_eq!(out.code, 5, "README: partial; {out:?}");
    assert_eq!(
        (s.phase(1), s.phase(2), s.phase(3)),
        ("Failed".into(), "Succeeded".into(), "Succeeded".into()),
        "{out:?}"
    );
    assert!(out.stderr.contains("wave 3/3: kurator-member3"), "{out:?}");
    assert_eq!(
        (primary(&s, 2), primary(&s, 3)),
        (json!("podinfo:2"), json!("podinfo:2"))
    );

    // Mid-run: member3 held at the promotion gate; a new start there is refused without --force.
    assert_eq!(
        s.run(&["apply", "-f", POLICY, "--all-contexts", "--manual-promotion"])
            .code,
        0
    );
    let one = ["podinfo", "-n", "test", "--context", "kurator-member3"];
    assert_eq!(
        s.run(&[&["start", "--yes"][..], &one, &["--image", "podinfod=podinfo:4"]].concat())
            .code,
        0
    );
    s.wait(&[3], "WaitingPromotion");
    let refused = s.run(&[&["start", "--yes"][..], &one, &["--image", "podinfod=podinfo:5"]].concat());
    assert_eq!(refused.code, 1, "{refused:?}");
    let refusal = row(&refused.stdout, "kurator-member3");
    assert!(
        refusal.contains("WaitingPromotion") && refusal.contains("--force"),
        "{refused:?}"
    );
    assert_eq!(s.image(3), "podinfo:4", "nothing changed");
    let forced = s.run(
        &[
            &["start", "--yes", "--force"][..],
            &one,
            &["--image", "podinfod=podinfo:5"],
        ]
        .concat(),
    );
    assert_eq!(forced.code, 0, "{forced:?}");
    assert_eq!(s.image(3), "podinfo:5");
}

/// README "Exit codes": 5 when some clusters succeeded and others failed, also for `start`
/// with `--on-failure continue`.
#[test]
fn start_continue_with_one_failed_wave_is_partial() {
    let s = RolloutFleet::start(2, &[], &[]);
    fail_release(s.cluster(1));
    let args = ["--wave-size", "1", "--on-failure", "continue", "--timeout", "60s"];
    let image = [
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--image",
        "podinfod=podinfo:2",
    ];
    let out = s.run(&[&["start", "--yes", "--force"][..], &image, &args].concat());
    assert_eq!(
        (s.phase(1), s.phase(2)),
        ("Failed".into(), "Succeeded".into()),
        "{out:?}"
    );
    assert_eq!(out.code, 5, "{out:?}");
}

/// The image podinfo's primary runs in member `n`.
fn primary(s: &RolloutFleet, n: usize) -> Value {
    s.cluster(n)
        .get("apps", "deployments", Some("test"), "podinfo-primary")
        .unwrap()["spec"]["template"]["spec"]["containers"][0]["image"]
        .clone()
}

/// README "Commands" (`start`): `--on-failure abort-all` rolls back the running ones when a wave
/// fails, and starts nothing more.
#[test]
fn start_on_failure_abort_all_rolls_back_the_running_ones() {
    let s = RolloutFleet::start(3, &["--manual-promotion"], &[]);
    // member1 fails its analysis while member2 (same wave) waits at the promotion gate.
    fail_release(s.cluster(1));
    let out = s.run(&[
        "start",
        "--yes",
        "--force",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--image",
        "podinfod=podinfo:2",
        "--wave-size",
        "2",
        "--order",
        "kurator-member1,kurator-member2",
        "--on-failure",
        "abort-all",
        "--timeout",
        "60s",
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    s.wait(&[1, 2], "Failed");
    assert_eq!(primary(&s, 2), "podinfo:1", "member2 was rolled back, not promoted");
    assert_eq!(s.image(3), "podinfo:1", "member3 untouched: {out:?}");
}

/// README "Following a release": `--until WaitingPromotion` ends a watch successfully there;
/// `--manual-start` holds a new revision until `promote` opens the confirm-rollout gate.
#[test]
fn manual_start_holds_the_run_and_until_ends_at_the_promotion_gate() {
    let s = RolloutFleet::start(1, &["--manual-start", "--manual-promotion"], &[]);
    assert_eq!(s.release("podinfo:2").code, 0);
    s.wait(&[1], "Waiting");
    assert_eq!(
        s.canary(1)["status"]["canaryWeight"],
        0,
        "no traffic before the start gate opens"
    );
    // Without --until the watch does not end at a gate (it times out: 3).
    let held = s.run(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--watch",
        "--timeout",
        "2s",
    ]);
    assert_eq!(held.code, 3, "{held:?}");
    let opened = s.run(&["promote", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
    assert_eq!(opened.code, 0, "{opened:?}");
    let until = s.run(&[
        "status",
        "podinfo",
        "-n",
        "test",
        "--all-contexts",
        "--watch",
        "--until",
        "WaitingPromotion",
        "--timeout",
        "60s",
    ]);
    assert_eq!(until.code, 0, "{until:?}");
    let last = until
        .stdout
        .lines()
        .rfind(|l| l.split_whitespace().nth(1) == Some("kurator-member1"))
        .unwrap_or_default();
    assert_eq!(last.split_whitespace().nth(3), Some("WaitingPromotion"), "{until:?}");
    assert_eq!(s.phase(1), "WaitingPromotion");
    let full = s.run(&["promote", "--full", "podinfo", "-n", "test", "--all-contexts", "--yes"]);
    assert_eq!(full.code, 0, "{full:?}");
    s.wait(&[1], "Succeeded");
}

/// README "Promote, abort…": a context matching `--protected` needs the typed count even for
/// one cluster; `y` is not enough there, and Ctrl-C at the prompt changes nothing.
#[test]
fn a_protected_context_asks_for_the_typed_count() {
    if !script_available("a_protected_context_asks_for_the_typed_count") {
        return;
    }
    let s = RolloutFleet::start(1, &[], &[]);
    let pause = |answer: Option<&str>| {
        let shell = format!("{BIN} pause podinfo -n test --context kurator-member1 --protected '*member1'");
        let mut cmd = on_terminal(s.home.path(), &shell);
        let mut running = Running::spawn(cmd.env("KUBECONFIG", &s.kubeconfig));
        running.wait_for_stdout("the question", |o| o.contains("Type 1 to confirm"));
        match answer {
            Some(answer) => running.type_text(&format!("{answer}\n")),
            // Ctrl-C typed on the terminal reaches the plugin as SIGINT.
            None => running.type_text("\x03"),
        }
        running.finish()
    };
    let suspended = || s.canary(1)["spec"]["suspend"] == true;
    let declined = pause(Some("y"));
    assert!(declined.stdout.contains("nothing changed"), "{declined:?}");
    assert_eq!(declined.code, 1, "README: 1 when nothing was done: {declined:?}");
    assert!(!suspended());
    let interrupted = pause(None);
    assert_eq!(interrupted.code, 130, "{interrupted:?}");
    assert!(!suspended(), "Ctrl-C at the prompt changes nothing");
    let accepted = pause(Some("1"));
    assert_eq!(accepted.code, 0, "{accepted:?}");
    assert!(suspended());
}

/// README "Commands" (`uninstall`): CRDs only with `--crds`.
#[test]
fn uninstall_removes_the_crds_only_with_crds() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let cmd = |args: &[&str]| run(plugin(home.path()).args(args).env("KUBECONFIG", &kc));
    let installed = cmd(&["install", "--all-contexts", "--provider", "istio"]);
    assert_eq!(installed.code, 0, "{installed:?}");
    let crd = || {
        fleet.clusters[0]
            .get(
                "apiextensions.k8s.io",
                "customresourcedefinitions",
                None,
                "canaries.flagger.app",
            )
            .is_some()
    };
    let flagger = || {
        fleet.clusters[0]
            .get(
                "apps",
                "deployments",
                Some("istio-system"),
                "istio-system-flagger-kurator-member1",
            )
            .is_some()
    };
    let kept = cmd(&["uninstall", "--all-contexts", "--yes"]);
    assert_eq!(kept.code, 0, "{kept:?}");
    assert!(!flagger() && crd(), "Flagger gone, its CRDs kept: {kept:?}");
    let removed = cmd(&["uninstall", "--all-contexts", "--yes", "--crds"]);
    assert_eq!(removed.code, 0, "{removed:?}");
    wait_until("the Canary CRD to be deleted", || !crd());
}

/// README "Installing Flagger": `--metrics-server` overrides the provider's Prometheus URL.
#[test]
fn metrics_server_reaches_flaggers_arguments() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let url = "http://prometheus.monitoring:9090";
    let out = run(plugin(home.path())
        .args([
            "install",
            "--all-contexts",
            "--provider",
            "istio",
            "--metrics-server",
            url,
        ])
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 0, "{out:?}");
    let flagger = fleet.clusters[0]
        .get(
            "apps",
            "deployments",
            Some("istio-system"),
            "istio-system-flagger-kurator-member1",
        )
        .unwrap();
    let args: Vec<&str> = flagger["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(args.contains(&format!("-metrics-server={url}").as_str()), "{args:?}");
}

/// README "Rollout policies": a bare rollout block is named `--policy-name`, else after the
/// workload; the name is Kurator's `kurator.dev/rollout` annotation on every object.
#[test]
fn policy_name_names_a_bare_rollout_block() {
    let home = tempfile::tempdir().unwrap();
    let render = |extra: &[&str]| {
        let out = run(plugin(home.path())
            .args(["render", "-f", POLICY, "--cluster-name", "east"])
            .args(extra));
        assert_eq!(out.code, 0, "{out:?}");
        out.stdout
    };
    let named = render(&["--policy-name", "checkout-v2"]);
    assert!(named.contains("kurator.dev/rollout: checkout-v2"), "{named}");
    assert!(!named.contains("kurator.dev/rollout: podinfo"), "{named}");
    let default = render(&[]);
    assert!(default.contains("kurator.dev/rollout: podinfo"), "{default}");
}

/// README "Choosing clusters": `--request-timeout` bounds the connection to one API server; a
/// server that accepts and never answers is that cluster's timeout row, the others unaffected.
#[test]
fn request_timeout_bounds_a_silent_server() {
    let fleet = Fleet::start(1);
    // Accepts TCP connections and never says a word (no TLS handshake).
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = silent.local_addr().unwrap();
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |entries| {
        let mut quiet = entries[0].clone();
        quiet.context = "silent".into();
        quiet.server = format!("https://{address}");
        entries.push(quiet);
    });
    let out = crate::support::run_bounded(
        plugin(home.path())
            .args([
                "clusters",
                "--all-contexts",
                "--request-timeout",
                "1s",
                "--cluster-timeout",
                "3600s",
            ])
            .env("KUBECONFIG", &kc),
    );
    assert_eq!(out.code, 5, "{out:?}");
    assert!(row(&out.stdout, "kurator-member1").ends_with("Ready"), "{out:?}");
    // The cluster timeout is an hour: only the request timeout can have ended this.
    assert!(
        row(&out.stdout, "silent").ends_with("unreachable: connection timed out"),
        "{out:?}"
    );
    drop(silent);
}

/// README "Conventions": `-v` traces each Kubernetes request (method, URL, status) to stderr,
/// and no credential appears at any verbosity.
#[test]
fn verbose_traces_requests_and_never_credentials() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let traced = |v: &str| {
        let out = run(plugin(home.path())
            .args(["clusters", "--all-contexts", v])
            .env("KUBECONFIG", &kc));
        assert_eq!(out.code, 0, "{out:?}");
        out
    };
    let out = traced("-v");
    for entry in &fleet.entries {
        let version = format!("http.method=GET http.url={}/version", entry.server);
        let lines: Vec<&str> = out.stderr.lines().filter(|l| l.contains(&version)).collect();
        assert!(
            lines.iter().any(|l| l.contains("http.status_code=200")),
            "{}'s /version request and its 200 answer: {out:?}",
            entry.context
        );
    }
    for v in ["-v", "-vv", "-vvv"] {
        let out = traced(v);
        let all = format!("{}{}", out.stdout, out.stderr);
        for entry in &fleet.entries {
            assert!(!all.contains(&entry.token), "{v}: a token leaked");
        }
        assert!(
            !all.to_lowercase().contains("bearer "),
            "{v}: an Authorization header leaked"
        );
    }
}

/// README "Conventions": `-vv` traces more than `-v` (request details).
#[test]
fn very_verbose_traces_more_than_verbose() {
    let fleet = Fleet::start(1);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let lines = |v: &str| {
        let out = run(plugin(home.path())
            .args(["clusters", "--all-contexts", v])
            .env("KUBECONFIG", &kc));
        out.stderr.lines().count()
    };
    assert!(lines("-vv") > lines("-v"));
}

/// README "Exit codes": 1 when no cluster succeeded (5 only when some did).
#[test]
fn no_cluster_answering_is_exit_1() {
    let fleet = Fleet::start(1);
    let cluster = &fleet.clusters[0];
    let token = cluster.add_user_with_rules("nobody", vec![]);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |entries| entries[0].token = token.clone());
    for verb in [&["list", "-A"][..], &["status", "-A"][..]] {
        let out = run(plugin(home.path())
            .args(verb)
            .arg("--all-contexts")
            .env("KUBECONFIG", &kc));
        assert_eq!(out.code, 1, "{verb:?}: {out:?}");
    }
}

/// README "Commands" (`demo`): `--keep` keeps the playground serving after the rollout, for
/// this tool (and kubectl) in another terminal, until Ctrl-C.
#[test]
fn demo_keep_serves_the_playground_after_the_rollout() {
    let home = tempfile::tempdir().unwrap();
    let demo = Running::spawn(
        plugin(home.path())
            .args(["demo", "--yes", "--keep", "--clusters", "2", "--speed", "100"])
            .stdin(std::process::Stdio::null()),
    );
    let kubeconfig = crate::support::wait_for("the demo to print its kubeconfig after the rollout", || {
        let out = demo.stdout() + &demo.stderr();
        match out.lines().find_map(|l| l.trim().strip_prefix("export KUBECONFIG=")) {
            Some(path) if out.contains("exit") => Ok(path.to_string()),
            _ => Err(out),
        }
    });
    let after = run(plugin(home.path())
        .args(["status", "podinfo", "-n", "test", "--all-contexts"])
        .env("KUBECONFIG", &kubeconfig));
    // README "Exit codes": one cluster rolled back by design, the other promoted: partial.
    assert_eq!(after.code, 5, "one cluster rolled back by design: {after:?}");
    assert!(
        row(&after.stdout, "kurator-member1").contains("Failed")
            || row(&after.stdout, "kurator-member2").contains("Failed"),
        "{after:?}"
    );
    demo.interrupt();
    let out = demo.finish();
    assert_eq!(
        out.code, 0,
        "Ctrl-C ends the kept playground; the demo went as designed: {out:?}"
    );
}

/// README "Conventions": colour follows `--color auto|always|never`; `auto` colours only a
/// terminal, never with `NO_COLOR` or `TERM=dumb`; `TERM=dumb` also means no escape codes and no
/// live redraws (transition lines instead), as without a terminal.
#[test]
fn colour_and_redraws_follow_the_terminal_no_color_and_term() {
    if !script_available("colour_and_redraws_follow_the_terminal_no_color_and_term") {
        return;
    }
    let s = RolloutFleet::start(1, &[], &[]);
    let on_tty = |args: &str, no_color: bool, term: &str| {
        let mut cmd = on_terminal(s.home.path(), &format!("{BIN} {args}"));
        cmd.env("KUBECONFIG", &s.kubeconfig).env("TERM", term);
        if !no_color {
            cmd.env_remove("NO_COLOR");
        }
        let out = Running::spawn(&mut cmd).finish();
        assert_eq!(out.code, 0, "{args} (NO_COLOR {no_color}, TERM {term}): {out:?}");
        out.stdout
    };
    let green = "\x1b[32m✔";
    let check = "check --all-contexts";
    assert!(
        on_tty(check, false, "xterm-256color").contains(green),
        "auto colours a terminal"
    );
    let no_color = on_tty(check, true, "xterm-256color");
    assert!(
        no_color.contains('✔') && !no_color.contains("\x1b[3"),
        "NO_COLOR: {no_color:?}"
    );
    let dumb = on_tty(check, false, "dumb");
    assert!(dumb.contains('✔') && !dumb.contains('\x1b'), "TERM=dumb: {dumb:?}");
    let never = on_tty(&format!("{check} --color never"), false, "xterm-256color");
    assert!(!never.contains("\x1b[3"), "--color never: {never:?}");
    assert!(
        on_tty(&format!("{check} --color always"), true, "xterm-256color").contains(green),
        "--color always wins over NO_COLOR"
    );

    let watch = "status podinfo -n test --all-contexts --watch";
    let live = on_tty(watch, true, "xterm-256color");
    assert!(live.contains("\x1b[2K"), "a terminal gets the live view: {live:?}");
    let lines = on_tty(watch, false, "dumb");
    assert!(!lines.contains('\x1b'), "TERM=dumb: no escapes: {lines:?}");
    let transition = lines
        .lines()
        .find(|l| l.contains("kurator-member1"))
        .unwrap_or_default();
    let fields: Vec<&str> = transition.split_whitespace().collect();
    assert_eq!(
        fields.get(1..4),
        Some(&["kurator-member1", "test/podinfo", "Initialized"][..]),
        "a transition line: {lines:?}"
    );
}
