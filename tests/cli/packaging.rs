//! krew manifest, release archive, completions, man page and the output conventions.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{BIN, Fleet, kubectl_available, plugin, require_tool, run};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn manifest() -> Value {
    serde_saphyr::from_str(&std::fs::read_to_string(Path::new(ROOT).join("krew/kurator-rollout.yaml")).unwrap())
        .unwrap()
}

#[test]
fn krew_manifest_follows_the_rules() {
    let m = manifest();
    assert_eq!(m["apiVersion"], "krew.googlecontainertools.github.com/v1alpha2");
    assert_eq!(m["kind"], "Plugin");
    assert_eq!(
        m["metadata"]["name"], "kurator-rollout",
        "the name matches the file name"
    );
    let version = format!("v{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(m["spec"]["version"], version.as_str());
    let semver = version[1..].split('.').collect::<Vec<_>>();
    assert!(
        semver.len() == 3 && semver.iter().all(|p| p.parse::<u64>().is_ok()),
        "semver with a v prefix"
    );
    for field in ["shortDescription", "description", "caveats"] {
        assert!(
            m["spec"][field].as_str().is_some_and(|s| !s.trim().is_empty()),
            "{field}"
        );
    }
    assert!(
        m["spec"]["caveats"].as_str().unwrap().contains("1.32"),
        "caveats name the Flagger version for pause/resume"
    );
    let platforms = m["spec"]["platforms"].as_array().unwrap();
    let mut seen = Vec::new();
    for p in platforms {
        let os = p["selector"]["matchLabels"]["os"].as_str().unwrap();
        let arch = p["selector"]["matchLabels"]["arch"].as_str().unwrap();
        assert!(["linux", "darwin", "windows"].contains(&os) && ["amd64", "arm64"].contains(&arch));
        let archive = format!("kubectl-kurator_rollout-{version}-{os}-{arch}.tar.gz");
        assert!(
            p["uri"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/download/{version}/{archive}")),
            "{}",
            p["uri"]
        );
        let sha = p["sha256"].as_str().unwrap();
        assert!(sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()), "{sha}");
        let bin = if os == "windows" {
            "kubectl-kurator_rollout.exe"
        } else {
            "kubectl-kurator_rollout"
        };
        assert_eq!(
            p["bin"], bin,
            "bin is the plugin at the archive's root (scripts/release.sh layout)"
        );
        seen.push(format!("{os}/{arch}"));
    }
    for wanted in [
        "linux/amd64",
        "linux/arm64",
        "darwin/amd64",
        "darwin/arm64",
        "windows/amd64",
    ] {
        assert!(seen.contains(&wanted.to_string()), "{wanted}");
    }
}

#[test]
fn the_release_command_writes_the_archive_checksum_into_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("manifest.yaml");
    std::fs::copy(Path::new(ROOT).join("krew/kurator-rollout.yaml"), &copy).unwrap();
    let out = run(Command::new("bash")
        .arg(Path::new(ROOT).join("scripts/release.sh"))
        .args(["--binary", BIN, "--out"])
        .arg(dir.path().join("dist"))
        .arg("--manifest")
        .arg(&copy));
    assert_eq!(out.code, 0, "{out:?}");
    let archive = out.stdout.lines().next().unwrap().to_string();
    let sum = run(Command::new("sha256sum").arg(&archive))
        .stdout
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let listed = run(Command::new("tar").args(["-tzf", &archive])).stdout;
    assert!(
        listed.contains("./kubectl-kurator_rollout\n") && listed.contains("./kubectl_complete-kurator_rollout"),
        "{listed}"
    );
    let m: Value = serde_saphyr::from_str(&std::fs::read_to_string(&copy).unwrap()).unwrap();
    let name = Path::new(&archive).file_name().unwrap().to_string_lossy().to_string();
    let entry = m["spec"]["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["uri"].as_str().unwrap().ends_with(&name))
        .unwrap()
        .clone();
    assert_eq!(entry["sha256"], sum.as_str());
}

#[test]
fn generated_completions_and_man_page_are_current() {
    for (shell, file) in [
        ("bash", "kubectl-kurator_rollout.bash"),
        ("zsh", "_kubectl-kurator_rollout"),
        ("fish", "kubectl-kurator_rollout.fish"),
        ("powershell", "kubectl-kurator_rollout.ps1"),
        ("elvish", "kubectl-kurator_rollout.elv"),
    ] {
        let generated = run(Command::new(BIN).args(["completion", shell])).stdout;
        let committed = std::fs::read_to_string(Path::new(ROOT).join("completions").join(file)).unwrap();
        assert!(
            generated == committed,
            "completions/{file} is stale: run scripts/generate-docs.sh"
        );
    }
    let man = run(Command::new(BIN).arg("__man")).stdout;
    let path = Path::new(ROOT).join("man/kubectl-kurator_rollout.1");
    assert!(
        man == std::fs::read_to_string(&path).unwrap(),
        "man/kubectl-kurator_rollout.1 is stale: run scripts/generate-docs.sh"
    );
    let man = Command::new("man").arg("--version").output().is_ok();
    if require_tool(
        "generated_completions_and_man_page_are_current",
        man,
        "man is not installed (man-db)",
    ) {
        let rendered = run(Command::new("man")
            .arg("-l")
            .arg(&path)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80"));
        assert_eq!(rendered.code, 0, "{rendered:?}");
        assert!(rendered.stdout.contains("kurator-rollout"), "{rendered:?}");
    }
}

#[test]
fn bash_completes_verbs_and_flags() {
    let script = Path::new(ROOT).join("completions/kubectl-kurator_rollout.bash");
    let complete = |words: &str, cword: usize, cur: &str, prev: &str| {
        let cmd = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; _kubectl__kurator_rollout kubectl-kurator_rollout '{cur}' '{prev}'; echo \"${{COMPREPLY[*]}}\"",
            script.display()
        );
        run(Command::new("bash").args(["-c", &cmd])).stdout.trim().to_string()
    };
    assert_eq!(
        complete("kubectl-kurator_rollout st", 1, "st", "kubectl-kurator_rollout"),
        "start status"
    );
    assert_eq!(
        complete("kubectl-kurator_rollout status --wa", 2, "--wa", "status"),
        "--watch --wait-for-start"
    );
}

#[test]
fn kubectl_completes_the_plugin_through_the_helper() {
    if !kubectl_available("kubectl_completes_the_plugin_through_the_helper") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin_dir = dir.path().join("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    std::os::unix::fs::symlink(BIN, bin_dir.join("kubectl-kurator_rollout")).unwrap();
    std::os::unix::fs::symlink(
        Path::new(ROOT).join("kubectl_complete-kurator_rollout"),
        bin_dir.join("kubectl_complete-kurator_rollout"),
    )
    .unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = run(Command::new("kubectl")
        .args(["__complete", "kurator-rollout", "st"])
        .env("PATH", &path)
        .env("HOME", dir.path()));
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines.contains(&"start") && lines.contains(&"status"), "{out:?}");
    assert!(lines.contains(&":4"), "{out:?}");
}

#[test]
fn help_is_prefixed_and_pipes_stay_clean() {
    let home = tempfile::tempdir().unwrap();
    let help = run(plugin(home.path()).arg("--help"));
    assert!(help.stdout.contains("Usage: kubectl kurator-rollout"), "{help:?}");
    let fleet = Fleet::start(2);
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    assert_eq!(
        run(plugin(home.path())
            .args(["install", "--all-contexts", "--provider", "istio"])
            .env("KUBECONFIG", &kc))
        .code,
        0
    );

    // A closed pipe (`| head`) ends quietly: a render big enough to outgrow the pipe's buffer.
    let names: Vec<String> = (0..400).map(|i| format!("--cluster-name=c{i}")).collect();
    let cmd = format!(
        "set -o pipefail; {BIN} render -f {ROOT}/examples/demo-rollout.yaml {} | head -c 10 >/dev/null",
        names.join(" ")
    );
    let piped = run(Command::new("bash")
        .args(["-c", &cmd])
        .env("HOME", home.path())
        .env_remove("KUBECONFIG"));
    assert_eq!(piped.code, 0, "{piped:?}");
    assert!(piped.stderr.is_empty(), "no error output: {piped:?}");
    let json = run(Command::new("bash")
        .args([
            "-c",
            &format!("set -o pipefail; {BIN} status -A --all-contexts -o json | head -c 10"),
        ])
        .env("KUBECONFIG", &kc)
        .env("HOME", home.path()));
    assert_eq!(json.code, 0, "{json:?}");
    assert!(json.stderr.is_empty(), "{json:?}");

    for args in [
        vec!["check", "--all-contexts"],
        vec!["status", "-A", "--all-contexts"],
        vec!["clusters", "--all-contexts"],
    ] {
        let quiet = run(plugin(home.path()).args(&args).env("KUBECONFIG", &kc));
        assert!(
            !quiet.stdout.contains('\x1b') && !quiet.stderr.contains('\x1b'),
            "no escapes when piped: {quiet:?}"
        );
        let no_color = run(plugin(home.path())
            .args(&args)
            .args(["--color", "auto"])
            .env("KUBECONFIG", &kc)
            .env("NO_COLOR", "1"));
        assert!(!no_color.stdout.contains('\x1b'), "{no_color:?}");
    }
    let colored = run(plugin(home.path())
        .args(["check", "--all-contexts", "--color", "always"])
        .env("KUBECONFIG", &kc));
    assert!(
        colored.stdout.contains("\x1b[32m✔"),
        "--color always colours: {colored:?}"
    );

    let version = run(plugin(home.path())
        .args(["version", "--server", "--all-contexts"])
        .env("KUBECONFIG", &kc));
    assert_eq!(version.code, 0, "{version:?}");
    assert!(
        version.stdout.contains("v1.32.4") && version.stdout.contains("1.44.0"),
        "{version:?}"
    );
    assert_eq!(
        run(plugin(home.path()).args(["version", "--short"])).stdout,
        format!("v{}\n", env!("CARGO_PKG_VERSION"))
    );
    let traced = run(plugin(home.path())
        .args(["clusters", "--all-contexts", "-v"])
        .env("KUBECONFIG", &kc));
    for entry in &fleet.entries {
        // kubectl -v=6's words (fleet::request_trace), the context first.
        let request = format!("{}: GET {}/version 200 in ", entry.context, entry.server);
        assert!(
            traced.stderr.lines().any(|l| l.contains(&request)),
            "-v traces {}'s requests to stderr: {traced:?}",
            entry.context
        );
    }
    let token = &fleet.entries[0].token;
    assert!(
        !traced.stderr.contains(token.as_str()) && !traced.stdout.contains(token.as_str()),
        "no token in the trace"
    );
}

/// `__complete` looks names up in the clusters the words typed target, as the finished command
/// would: every `--all-contexts` member in `-n`'s namespace, or `-A` in one `--context`.
#[test]
fn complete_looks_up_canaries_in_the_clusters_the_words_target() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = fleet.write_kubeconfig(home.path(), |_| {});
    let canaries: [&[(&str, &str)]; 2] = [&[("test", "podinfo")], &[("test", "backend"), ("prod", "web")]];
    for (cluster, canaries) in fleet.clusters.iter().zip(canaries) {
        let mut objects = kubectl_kurator_rollout::flagger::crds::flagger_crds();
        for (namespace, name) in canaries {
            objects.push(serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}));
            objects.push(
                serde_json::json!({"apiVersion": "flagger.app/v1beta1", "kind": "Canary",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                         "service": {"port": 80}, "analysis": {"interval": "1m", "threshold": 5}}}),
            );
        }
        fleet_sim::kurator::apply_all(cluster, &objects);
    }
    let complete = |words: &[&str]| {
        let out = run(plugin(home.path())
            .arg("__complete")
            .args(words)
            .env("KUBECONFIG", &kubeconfig));
        assert_eq!(out.code, 0, "{out:?}");
        out.stdout
    };
    assert_eq!(
        complete(&["promote", "--all-contexts", "-n", "test", ""]),
        "backend\npodinfo\n:4\n"
    );
    assert_eq!(
        complete(&["pause", "--context=kurator-member2", "-A", "w"]),
        "web\n:4\n"
    );
    assert_eq!(
        complete(&["status", "--context", ""]),
        "kurator-member1\nkurator-member2\n:4\n"
    );
}
