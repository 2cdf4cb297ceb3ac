//! Hostile kubeconfigs: every malformed file or credential ends in an error that names the file
//! or the context and what is wrong, with a failing exit code, never a panic or a hang. And
//! exec credential plugins work, without their token showing up anywhere.

use std::os::unix::fs::PermissionsExt;

use crate::support::{Fleet, plugin, run, run_bounded};

const HEAD: &str = "apiVersion: v1\nkind: Config\n";

/// A one-context kubeconfig with the given cluster and user bodies (YAML flow maps).
fn one_context(cluster: &str, user: &str) -> String {
    format!(
        "{HEAD}clusters:\n- name: c\n  cluster: {cluster}\nusers:\n- name: u\n  user: {user}\n\
         contexts:\n- name: broken\n  context: {{cluster: c, user: u}}\ncurrent-context: broken\n"
    )
}

#[test]
fn malformed_kubeconfigs_are_clear_errors_never_panics() {
    let server = "server: \"https://127.0.0.1:9\"";
    // README "Exit codes": a kubeconfig that cannot be read is a usage error (2); a context
    // whose cluster or credentials are broken is that cluster's row, and with no cluster
    // succeeding the command failed (1).
    let cases: Vec<(&str, String, &str)> = vec![
        ("unclosed.yaml", format!("{HEAD}clusters: [\n"), "unclosed bracket"),
        (
            "wrong-type.yaml",
            format!("{HEAD}contexts: 42\n"),
            "cannot load kubeconfig",
        ),
        (
            "dangling.yaml",
            format!(
                "{HEAD}contexts:\n- name: broken\n  context: {{cluster: nope, user: nope}}\ncurrent-context: broken\n"
            ),
            "nope",
        ),
        ("no-server.yaml", one_context("{}", "{}"), "cluster url is missing"),
        (
            "bad-base64.yaml",
            one_context(
                &format!("{{{server}, certificate-authority-data: \"!!not base64\"}}"),
                "{token: t}",
            ),
            "base64",
        ),
        (
            "bad-client-cert.yaml",
            one_context(
                &format!("{{{server}}}"),
                "{client-certificate-data: Zm9v, client-key-data: YmFy}",
            ),
            "private key",
        ),
        (
            "unknown-auth-provider.yaml",
            one_context(&format!("{{{server}}}"), "{auth-provider: {name: weird}}"),
            "provider weird not supported",
        ),
        (
            "missing-exec-plugin.yaml",
            one_context(
                &format!("{{{server}}}"),
                "{exec: {apiVersion: client.authentication.k8s.io/v1, command: /nonexistent/credential-helper}}",
            ),
            "unable to run auth exec",
        ),
    ];
    let home = tempfile::tempdir().unwrap();
    for (name, text, expected) in cases {
        let path = home.path().join(name);
        std::fs::write(&path, text).unwrap();
        // Bounded: a broken kubeconfig must end the command, not hang it.
        let out = run_bounded(
            plugin(home.path())
                .args(["clusters", "--cluster-timeout", "3s", "--kubeconfig"])
                .arg(&path),
        );
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(!all.contains("panicked"), "{name}: {out:?}");
        let unreadable = ["unclosed.yaml", "wrong-type.yaml"].contains(&name);
        assert_eq!(out.code, if unreadable { 2 } else { 1 }, "{name}: {out:?}");
        if !unreadable {
            let row = out
                .stdout
                .lines()
                .find(|l| l.starts_with("broken "))
                .unwrap_or_default();
            assert!(row.contains(expected), "{name}: the context's row says it: {out:?}");
        }
        assert!(all.contains(expected), "{name}: expected {expected:?} in {out:?}");
        // The error names where to look: the file for a file that cannot be read, else the context.
        assert!(all.contains(name) || all.contains("broken"), "{name}: {out:?}");
    }
}

#[test]
fn exec_credential_plugins_authenticate_and_their_token_stays_hidden() {
    let fleet = Fleet::start(2);
    let home = tempfile::tempdir().unwrap();
    let kc = fleet.write_kubeconfig(home.path(), |_| {});
    let token = fleet.entries[1].token.clone();
    let helper = home.path().join("credential-helper");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nprintf '%s' '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\
             \"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{token}\"}}}}'\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();

    let text = std::fs::read_to_string(&kc).unwrap();
    let mut config: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    config["users"][1]["user"] = serde_json::json!({"exec": {
        "apiVersion": "client.authentication.k8s.io/v1",
        "command": helper.display().to_string(),
        "interactiveMode": "Never",
    }});
    std::fs::write(&kc, fleet_sim::to_yaml(&config)).unwrap();

    let out = run(plugin(home.path())
        .args(["-v", "clusters", "--all-contexts"])
        .env("RUST_LOG", "trace")
        .env("KUBECONFIG", &kc));
    assert_eq!(out.code, 0, "{out:?}");
    let row = out.stdout.lines().find(|l| l.starts_with("kurator-member2")).unwrap();
    assert!(row.contains("v1.32"), "{row}");
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(!all.contains(&token), "the exec plugin's token leaked into the output");
}
