//! The options of a write as kube-apiserver validates them, over a raw HTTP/1.1 connection (the
//! bytes a client sends, no client library to normalise the query): `dryRun` accepts only `All`,
//! repeated or not, and a refused option is a 422 on `<kind>.meta.k8s.io` that changes nothing.

use std::net::SocketAddr;

use fleet_sim::{SimCluster, User};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOKEN: &str = "test-token";
const CONFIGMAPS: &str = "/api/v1/namespaces/default/configmaps";

async fn served() -> (SimCluster, SocketAddr) {
    let cluster = SimCluster::new("test");
    cluster.add_user(TOKEN, User::admin("tester"));
    let addr = cluster.serve().await.unwrap();
    (cluster, addr)
}

/// One request on its own connection, written byte for byte; answers the status code and the
/// JSON body.
async fn raw(addr: SocketAddr, method: &str, target: &str, content_type: &str, body: &str) -> (u16, Value) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8(answer).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let code = head.split(' ').nth(1).unwrap().parse().unwrap();
    (code, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn configmap(name: &str, value: &str) -> String {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": value}}).to_string()
}

fn stored(cluster: &SimCluster, name: &str) -> Option<Value> {
    cluster
        .get("", "configmaps", Some("default"), name)
        .map(|o| o["data"]["k"].clone())
}

/// The 422 kube-apiserver answers a refused option with, checked field by field.
fn assert_refused(code: u16, body: &Value, kind: &str, causes: &[(&str, &str, &str)]) {
    assert_eq!(code, 422, "{body}");
    assert_eq!(body["kind"], "Status");
    assert_eq!(body["reason"], "Invalid");
    assert_eq!(body["details"]["kind"], kind);
    assert_eq!(body["details"]["group"], "meta.k8s.io");
    // StatusDetails.name is `omitempty`: no name, no field.
    assert_eq!(body["details"].get("name"), None, "{body}");
    let listed: Vec<String> = causes.iter().map(|(field, _, m)| format!("{field}: {m}")).collect();
    let joined = if listed.len() == 1 {
        listed[0].clone()
    } else {
        format!("[{}]", listed.join(", "))
    };
    assert_eq!(body["message"], format!("{kind}.meta.k8s.io \"\" is invalid: {joined}"));
    let expected: Vec<Value> = causes
        .iter()
        .map(|(field, reason, message)| json!({"field": field, "reason": reason, "message": message}))
        .collect();
    assert_eq!(body["details"]["causes"], json!(expected), "{body}");
}

#[tokio::test]
async fn a_create_with_a_dry_run_value_other_than_all_is_refused_and_stores_nothing() {
    let (cluster, addr) = served().await;
    for (query, shown) in [
        ("dryRun=true", r#"[]string{"true"}"#),
        ("dryRun=", r#"[]string{""}"#),
        ("dryRun=All&dryRun=Some", r#"[]string{"All", "Some"}"#),
        ("dryRun=All,All", r#"[]string{"All,All"}"#),
    ] {
        let (code, body) = raw(
            addr,
            "POST",
            &format!("{CONFIGMAPS}?{query}"),
            "application/json",
            &configmap("cm", "v1"),
        )
        .await;
        let message = format!("Unsupported value: {shown}: supported values: \"All\"");
        assert_refused(
            code,
            &body,
            "CreateOptions",
            &[("dryRun", "FieldValueNotSupported", &message)],
        );
        assert_eq!(stored(&cluster, "cm"), None, "{query}");
    }
    // `All`, once or repeated, is a dry run: answered as created, nothing stored.
    for query in ["dryRun=All", "dryRun=All&dryRun=All"] {
        let (code, body) = raw(
            addr,
            "POST",
            &format!("{CONFIGMAPS}?{query}"),
            "application/json",
            &configmap("cm", "v1"),
        )
        .await;
        assert_eq!(code, 201, "{query}: {body}");
        assert_eq!(body["data"]["k"], "v1");
        assert_eq!(stored(&cluster, "cm"), None, "{query}");
    }
}

#[tokio::test]
async fn updates_and_patches_refuse_other_dry_run_values_and_change_nothing() {
    let (cluster, addr) = served().await;
    assert_eq!(
        raw(addr, "POST", CONFIGMAPS, "application/json", &configmap("cm", "v1"))
            .await
            .0,
        201
    );
    let unsupported = |v: &str| format!("Unsupported value: []string{{\"{v}\"}}: supported values: \"All\"");

    let (code, body) = raw(
        addr,
        "PUT",
        &format!("{CONFIGMAPS}/cm?dryRun=false"),
        "application/json",
        &configmap("cm", "v2"),
    )
    .await;
    assert_refused(
        code,
        &body,
        "UpdateOptions",
        &[("dryRun", "FieldValueNotSupported", &unsupported("false"))],
    );

    let (code, body) = raw(
        addr,
        "PATCH",
        &format!("{CONFIGMAPS}/cm?dryRun=all"),
        "application/merge-patch+json",
        r#"{"data":{"k":"v2"}}"#,
    )
    .await;
    assert_refused(
        code,
        &body,
        "PatchOptions",
        &[("dryRun", "FieldValueNotSupported", &unsupported("all"))],
    );

    // Every refused option is listed, in upstream's order (ValidatePatchOptions).
    let (code, body) = raw(
        addr,
        "PATCH",
        &format!("{CONFIGMAPS}/cm?dryRun=server&fieldValidation=Loose"),
        "application/apply-patch+yaml",
        &configmap("cm", "v2"),
    )
    .await;
    assert_refused(
        code,
        &body,
        "PatchOptions",
        &[
            (
                "fieldManager",
                "FieldValueRequired",
                "Required value: is required for apply patch",
            ),
            ("dryRun", "FieldValueNotSupported", &unsupported("server")),
            (
                "fieldValidation",
                "FieldValueNotSupported",
                r#"Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn""#,
            ),
        ],
    );
    assert_eq!(stored(&cluster, "cm"), Some(json!("v1")));

    // `force` belongs to apply patches: given at all on another patch, it is refused
    // (ValidatePatchOptions: `options.Force != nil`), first of the options.
    for force in ["true", "false"] {
        let (code, body) = raw(
            addr,
            "PATCH",
            &format!("{CONFIGMAPS}/cm?force={force}&dryRun=server"),
            "application/merge-patch+json",
            r#"{"data":{"k":"v2"}}"#,
        )
        .await;
        assert_refused(
            code,
            &body,
            "PatchOptions",
            &[
                (
                    "force",
                    "FieldValueForbidden",
                    "Forbidden: may not be specified for non-apply patch",
                ),
                ("dryRun", "FieldValueNotSupported", &unsupported("server")),
            ],
        );
    }
    assert_eq!(stored(&cluster, "cm"), Some(json!("v1")));

    // The accepted value still writes nothing.
    let (code, body) = raw(
        addr,
        "PATCH",
        &format!("{CONFIGMAPS}/cm?dryRun=All&dryRun=All&fieldManager=me&force=true"),
        "application/apply-patch+yaml",
        &configmap("cm", "v2"),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["data"]["k"], "v2");
    assert_eq!(stored(&cluster, "cm"), Some(json!("v1")));
}

#[tokio::test]
async fn a_delete_reads_dry_run_from_its_body_or_else_its_query() {
    let (cluster, addr) = served().await;
    assert_eq!(
        raw(addr, "POST", CONFIGMAPS, "application/json", &configmap("cm", "v1"))
            .await
            .0,
        201
    );
    let target = format!("{CONFIGMAPS}/cm");

    // As kubectl and kube-rs send it: DeleteOptions with `dryRun: [All]` in the body.
    let options = json!({"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"]}).to_string();
    let (code, body) = raw(addr, "DELETE", &target, "application/json", &options).await;
    assert_eq!(code, 200, "{body}");
    assert!(
        stored(&cluster, "cm").is_some(),
        "a dry-run delete in the body removed the object"
    );

    // With no body, from the query.
    let (code, body) = raw(addr, "DELETE", &format!("{target}?dryRun=All"), "application/json", "").await;
    assert_eq!(code, 200, "{body}");
    assert!(
        stored(&cluster, "cm").is_some(),
        "a dry-run delete in the query removed the object"
    );

    let options = json!({"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All", "Now"]}).to_string();
    let (code, body) = raw(addr, "DELETE", &target, "application/json", &options).await;
    let message = r#"Unsupported value: []string{"All", "Now"}: supported values: "All""#;
    assert_refused(
        code,
        &body,
        "DeleteOptions",
        &[("dryRun", "FieldValueNotSupported", message)],
    );
    let (code, body) = raw(addr, "DELETE", &format!("{target}?dryRun=yes"), "application/json", "").await;
    let message = r#"Unsupported value: []string{"yes"}: supported values: "All""#;
    assert_refused(
        code,
        &body,
        "DeleteOptions",
        &[("dryRun", "FieldValueNotSupported", message)],
    );
    let (code, body) = raw(
        addr,
        "DELETE",
        &format!("{CONFIGMAPS}?dryRun=yes"),
        "application/json",
        "",
    )
    .await;
    assert_refused(
        code,
        &body,
        "DeleteOptions",
        &[("dryRun", "FieldValueNotSupported", message)],
    );
    assert!(stored(&cluster, "cm").is_some());

    // A body is the whole of the options: the query's `dryRun` beside it is not read
    // (handlers/delete.go, DeleteResource), so this delete is real.
    let options = json!({"kind": "DeleteOptions", "apiVersion": "v1"}).to_string();
    let (code, body) = raw(
        addr,
        "DELETE",
        &format!("{target}?dryRun=All"),
        "application/json",
        &options,
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert!(stored(&cluster, "cm").is_none());
}
