//! The HTTP face of a simulated cluster: one axum router answering the Kubernetes API paths
//! kube-rs and kubectl use.

mod list;
pub mod route;
mod watch;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode, header};
use serde_json::{Value, json};

use crate::auth::{self, AuthError, ImpersonationError};
use crate::core::{ClusterCore, DeleteOptions, FieldValidation, WriteOptions, Written};
use crate::discovery;
use crate::error::ApiError;
use crate::meta::labels_of;
use crate::patch::PatchKind;
use crate::proxy::ProxyRequest;
use crate::rbac::{self, Decision, UserInfo};
use crate::resource::ResourceType;
use crate::selector::LabelSelector;
use crate::table;
use route::{ResourcePath, Route};

const MAX_BODY: usize = 16 * 1024 * 1024;

pub fn router(core: Arc<ClusterCore>) -> Router {
    Router::new().fallback(handle).with_state(core)
}

fn json_response(code: u16, value: &Value) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    (status, [(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

/// Answers one request, recording it when the cluster's request log records
/// ([`crate::audit`]).
async fn handle(State(core): State<Arc<ClusterCore>>, request: Request) -> Response {
    let Some(pending) = core.requests.begin(&request) else {
        return answer(core, request).await;
    };
    let response = answer(core.clone(), request).await;
    core.requests.answered(pending, response.status().as_u16());
    response
}

async fn answer(core: Arc<ClusterCore>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let query = route::parse_query(parts.uri.query().unwrap_or(""));
    let is_watch = matches!(query.get("watch").map(String::as_str), Some("true" | "1"));
    let latency = core.faults.latency();
    let write_latency = core.faults.write_latency();
    let write = parts.method != Method::GET;
    if !latency.is_zero() || (write && !write_latency.is_zero()) {
        let _held = core.faults.hold(write);
        tokio::time::sleep(latency).await;
        if write {
            tokio::time::sleep(write_latency).await;
        }
    }
    let route = route::parse(parts.uri.path());
    let failing_read = || match &route {
        Route::Resource(p) if parts.method == Method::GET && p.name.is_some() && p.subresource.is_none() => {
            core.faults.read_failure(&p.plural)
        }
        _ => None,
    };
    if !is_watch
        && route != Route::Health
        && let Some(code) = core.faults.roll_failure().or_else(failing_read)
    {
        let reason = match code {
            429 => "TooManyRequests",
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "InternalError",
        };
        let mut response = ApiError::new(
            code,
            reason,
            format!("simulated failure ({code}) injected on {}", core.name),
        )
        .into_response();
        if code == 429 || code == 503 {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, http::HeaderValue::from_static("1"));
        }
        return response;
    }
    // Authentication, then impersonation, then authorisation of every path, in the order of
    // kube-apiserver's handler chain (staging/src/k8s.io/apiserver/pkg/server/config.go,
    // DefaultBuildHandlerChain: WithAuthentication → WithImpersonation → WithAuthorization).
    let authorization = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let authenticated = auth::authenticate(&core, authorization, parts.extensions.get::<auth::PeerCertificate>());
    let user = match authenticated {
        Ok(u) => u,
        Err(AuthError::Unauthorized) => return ApiError::new(401, "Unauthorized", "Unauthorized").into_response(),
    };
    let user = match auth::impersonate(&core, user, &parts.headers) {
        Ok(u) => u,
        Err(ImpersonationError::Forbidden(e)) => return e.into_response(),
        // responsewriters.InternalError: plain text, not a Status.
        Err(ImpersonationError::Internal(message)) => {
            let uri = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("Internal Server Error: \"{uri}\": {message}\n"),
            )
                .into_response();
        }
    };
    let attributes = rbac::request_attributes(&parts.method, parts.uri.path(), &route, &query);
    if let Decision::NoOpinion(reason) = rbac::authorize(&core, &user, &attributes) {
        return rbac::forbidden(&user, &attributes, &reason).into_response();
    }
    let accept = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    match route {
        Route::Version => json_response(200, &core.version_json()),
        Route::Health => (StatusCode::OK, "ok").into_response(),
        Route::CoreVersions => match discovery::aggregated_version(&accept) {
            Some(v) => aggregated(&core, true, v),
            None => json_response(200, &discovery::api_versions()),
        },
        Route::GroupList => match discovery::aggregated_version(&accept) {
            Some(v) => aggregated(&core, false, v),
            None => json_response(200, &discovery::api_group_list(&core.registry())),
        },
        Route::Group(g) => match discovery::api_group(&core.registry(), &g) {
            Some(doc) => json_response(200, &doc),
            None => ApiError::no_route().into_response(),
        },
        Route::ResourceList { group, version } => match discovery::resource_list(&core.registry(), &group, &version) {
            Some(doc) => json_response(200, &doc),
            None => ApiError::no_route().into_response(),
        },
        Route::OpenApiV3Index => json_response(200, &discovery::openapi_index(&core.registry())),
        Route::OpenApiV3 { group, version } => {
            match discovery::openapi_group_version(&core.registry(), &group, &version) {
                Some(doc) => json_response(200, &doc),
                None => ApiError::no_route().into_response(),
            }
        }
        Route::Resource(path) => {
            let body = match axum::body::to_bytes(body, MAX_BODY).await {
                Ok(b) => b,
                Err(e) => return ApiError::bad_request(format!("reading the request body: {e}")).into_response(),
            };
            // An injected conflict is another writer getting there first: it changes the object,
            // and only a write conditional on the version it read fails for it.
            crate::faults::race_write(&core, &parts.method, &path, &body);
            let raw_query = parts.uri.query().unwrap_or("");
            match resource(
                core,
                &user,
                parts.method,
                path,
                query,
                raw_query,
                &parts.headers,
                &accept,
                body,
            )
            .await
            {
                Ok(r) => r,
                Err(e) => e.into_response(),
            }
        }
        Route::Unknown => ApiError::no_route().into_response(),
    }
}

fn aggregated(core: &ClusterCore, core_group: bool, version: &str) -> Response {
    let doc = discovery::aggregated(&core.registry(), core_group, version);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, discovery::aggregated_content_type(version))],
        doc.to_string(),
    )
        .into_response()
}

fn parse_body(body: &[u8], content_type: &str) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(Value::Null);
    }
    if content_type.contains("protobuf") {
        return crate::protobuf::decode(body).map_err(ApiError::unsupported_media);
    }
    if content_type.contains("cbor") {
        return Err(ApiError::unsupported_media(format!(
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got {content_type})"
        )));
    }
    if content_type.contains("yaml") {
        let text = std::str::from_utf8(body).map_err(|e| ApiError::bad_request(format!("body is not UTF-8: {e}")))?;
        return serde_saphyr::from_str(text).map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("error decoding JSON: {e}")))
}

/// The options of a write from its query string; `dry_run` holds the request's every `dryRun`
/// value, a dry run when not empty once [`crate::options`] accepted them.
fn write_options(query: &HashMap<String, String>, dry_run: &[String]) -> WriteOptions {
    WriteOptions {
        field_manager: query.get("fieldManager").cloned(),
        force: query.get("force").is_some_and(|v| v == "true"),
        dry_run: !dry_run.is_empty(),
        validation: match query.get("fieldValidation").map(String::as_str) {
            Some("Strict") => FieldValidation::Strict,
            Some("Ignore") => FieldValidation::Ignore,
            _ => FieldValidation::Warn,
        },
        user_agent: String::new(),
    }
}

fn written_response(t: &ResourceType, written: Written, accept: &str) -> Response {
    let code = if written.created { 201 } else { 200 };
    let presented = ClusterCore::present(t, &written.object);
    let body = if table::wants_table(accept) {
        table::table(t, &[&presented], 0, true)
    } else {
        presented
    };
    let mut response = json_response(code, &body);
    for w in written.warnings {
        if let Ok(v) = http::HeaderValue::from_str(&format!("299 - \"{}\"", w.replace('"', "\\\""))) {
            response.headers_mut().append(header::WARNING, v);
        }
    }
    response
}

fn verb_of(method: &Method, path: &ResourcePath, is_watch: bool) -> &'static str {
    match (method.as_str(), path.name.is_some()) {
        ("GET", false) if is_watch => "watch",
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", false) => "deletecollection",
        ("DELETE", true) => "delete",
        _ => "unknown",
    }
}

#[allow(clippy::too_many_arguments)]
async fn resource(
    core: Arc<ClusterCore>,
    user: &UserInfo,
    method: Method,
    path: ResourcePath,
    query: HashMap<String, String>,
    raw_query: &str,
    headers: &HeaderMap,
    accept: &str,
    body: bytes::Bytes,
) -> Result<Response, ApiError> {
    let t = core
        .type_of(&path.group, &path.version, &path.plural)
        .ok_or_else(ApiError::no_route)?;
    if !t.namespaced && path.namespace.is_some() {
        return Err(ApiError::no_route());
    }
    let is_watch = matches!(query.get("watch").map(String::as_str), Some("true" | "1"));
    let verb = verb_of(&method, &path, is_watch);
    if !t.verbs.iter().any(|v| v == verb) && path.subresource.is_none() {
        return Err(ApiError::method_not_allowed());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let dry_run = route::query_values(raw_query, "dryRun");
    let mut opts = write_options(&query, &dry_run);
    opts.user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    // A create, update or patch has its options validated before its body is read, a refused
    // option answering 422 (see `crate::options`; DeleteOptions are validated as they are
    // read, from the body or else the query). A proxied request is no write of the resource,
    // and a patch of an unsupported type is refused (415) before its options.
    let options_kind = match method {
        Method::POST => Some(("CreateOptions", false)),
        Method::PUT => Some(("UpdateOptions", false)),
        Method::PATCH => PatchKind::from_content_type(content_type).map(|k| ("PatchOptions", k == PatchKind::Apply)),
        _ => None,
    };
    if let Some((options_kind, apply)) = options_kind
        && path.subresource.as_deref() != Some("proxy")
    {
        crate::options::validate_write(
            options_kind,
            opts.field_manager.as_deref(),
            apply,
            query.contains_key("force"),
            &dry_run,
            query.get("fieldValidation").map(String::as_str),
        )?;
    }
    // The review APIs answer from the RBAC evaluation (the request itself was authorised in
    // `handle`, e.g. by system:basic-user for the self reviews) and store nothing.
    if crate::reviews::is_review(&t.group, &t.plural) && path.name.is_none() && path.subresource.is_none() {
        let review = crate::reviews::answer(
            &core,
            user,
            &t.plural,
            path.namespace.as_deref(),
            &parse_body(&body, content_type)?,
        )?;
        return Ok(json_response(201, &review));
    }
    let ns = path.namespace.as_deref();
    // TokenRequest (`kubectl create token`): a token for an existing ServiceAccount.
    if t.group.is_empty()
        && t.plural == "serviceaccounts"
        && path.subresource.as_deref() == Some("token")
        && method == Method::POST
        && let (Some(namespace), Some(name)) = (ns, path.name.as_deref())
    {
        let service_account = core.get(&t, ns, name)?;
        let request = parse_body(&body, content_type)?;
        let answer = auth::token_request(&core, namespace, &service_account, &request)?;
        return Ok(json_response(201, &answer));
    }
    // The RBAC registry's own rule: nobody grants what they do not hold.
    if t.group == rbac::RBAC_GROUP
        && path.subresource.is_none()
        && matches!(method, Method::POST | Method::PUT | Method::PATCH)
    {
        let object = match (&method, path.name.as_deref()) {
            (&Method::PATCH, Some(name)) => {
                let kind = PatchKind::from_content_type(content_type)
                    .ok_or_else(|| ApiError::unsupported_media(format!("unsupported patch type {content_type}")))?;
                let preview = WriteOptions {
                    dry_run: true,
                    ..opts.clone()
                };
                let written = core.patch(&t, ns, name, kind, &parse_body(&body, content_type)?, false, &preview)?;
                (*written.object).clone()
            }
            _ => parse_body(&body, content_type)?,
        };
        rbac::confirm_no_escalation(&core, user, &t.plural, ns, &object)?;
        let old = match (&method, path.name.as_deref()) {
            (&Method::POST, _) | (_, None) => None,
            (_, Some(name)) => core.get(&t, ns, name).ok(),
        };
        rbac::validate(&t.plural, &object, old.as_deref())?;
    }

    match (path.subresource.as_deref(), path.name.as_deref()) {
        (Some("proxy"), Some(service)) => proxy(&core, &t, ns, service, &path.rest, method, &query, body).await,
        (Some("status"), Some(name)) if t.status_subresource => match method {
            Method::GET => Ok(json_response(200, &ClusterCore::present(&t, &*core.get(&t, ns, name)?))),
            Method::PUT => Ok(written_response(
                &t,
                core.replace(&t, ns, name, parse_body(&body, content_type)?, true, &opts)?,
                accept,
            )),
            Method::PATCH => {
                let kind = PatchKind::from_content_type(content_type)
                    .ok_or_else(|| ApiError::unsupported_media(format!("unsupported patch type {content_type}")))?;
                Ok(written_response(
                    &t,
                    core.patch(&t, ns, name, kind, &parse_body(&body, content_type)?, true, &opts)?,
                    accept,
                ))
            }
            _ => Err(ApiError::method_not_allowed()),
        },
        (Some("scale"), Some(name)) if t.scale.is_some() => {
            let kind = (method == Method::PATCH)
                .then(|| PatchKind::from_content_type(content_type))
                .flatten();
            let wanted = if method == Method::GET {
                Value::Null
            } else {
                parse_body(&body, content_type)?
            };
            Ok(json_response(
                200,
                &crate::scale::respond(&core, &t, ns, name, &method, kind, &wanted, &opts)?,
            ))
        }
        (Some(_), _) => Err(ApiError::no_route()),
        (None, None) => match method {
            Method::GET if is_watch => Ok(watch::respond(
                core.clone(),
                t.clone(),
                ns.map(str::to_string),
                watch_params(&core, &t, &query, accept)?,
            )),
            Method::GET => list(&core, &t, ns, &query, accept),
            Method::POST => {
                let created = core.create(&t, ns, parse_body(&body, content_type)?, &opts)?;
                Ok(written_response(&t, created, accept))
            }
            Method::DELETE => {
                let labels = LabelSelector::parse(query.get("labelSelector").map(String::as_str).unwrap_or(""))
                    .map_err(ApiError::bad_request)?;
                let delete = DeleteOptions::from_request(&query, &dry_run, &parse_body(&body, content_type)?)?;
                let opts = WriteOptions {
                    dry_run: !delete.dry_run.is_empty(),
                    ..opts.clone()
                };
                let (items, _) = core.store.list(&t.key(), ns);
                let mut deleted = Vec::new();
                // deletecollection answers the list of what it deleted, each as the single
                // DELETE left it (registry/generic/registry/store.go, func DeleteCollection).
                for obj in items.iter().filter(|o| labels.matches(&labels_of(o))) {
                    let name = obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
                    let obj_ns = obj.pointer("/metadata/namespace").and_then(Value::as_str);
                    match core.delete_with(&t, obj_ns, name, &opts, &delete) {
                        Ok(d) => deleted.push(ClusterCore::present(&t, &d.object)),
                        // Gone meanwhile (a namespace's content, a finalizer released): skipped.
                        Err(e) if e.code == 404 => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(json_response(
                    200,
                    &json!({"kind": t.list_kind, "apiVersion": t.api_version(), "metadata": {}, "items": deleted}),
                ))
            }
            _ => Err(ApiError::method_not_allowed()),
        },
        (None, Some(name)) => match method {
            Method::GET => {
                let obj = ClusterCore::present(&t, &*core.get(&t, ns, name)?);
                Ok(json_response(
                    200,
                    &if table::wants_table(accept) {
                        table::table(&t, &[&obj], 0, true)
                    } else {
                        obj
                    },
                ))
            }
            Method::PUT => Ok(written_response(
                &t,
                core.replace(&t, ns, name, parse_body(&body, content_type)?, false, &opts)?,
                accept,
            )),
            Method::PATCH => {
                let kind = PatchKind::from_content_type(content_type)
                    .ok_or_else(|| ApiError::unsupported_media(format!("unsupported patch type {content_type}")))?;
                Ok(written_response(
                    &t,
                    core.patch(&t, ns, name, kind, &parse_body(&body, content_type)?, false, &opts)?,
                    accept,
                ))
            }
            Method::DELETE => {
                let delete = DeleteOptions::from_request(&query, &dry_run, &parse_body(&body, content_type)?)?;
                let opts = WriteOptions {
                    dry_run: !delete.dry_run.is_empty(),
                    ..opts.clone()
                };
                let deletion = core.delete_with(&t, ns, name, &opts, &delete)?;
                // 200 even while finalizers hold the object: handlers/delete.go, func
                // DeleteResource answers 202 only to an explicit `orphanDependents: false`.
                Ok(json_response(200, &ClusterCore::delete_response(&t, &deletion)))
            }
            _ => Err(ApiError::method_not_allowed()),
        },
    }
}

fn watch_params(
    core: &ClusterCore,
    t: &ResourceType,
    query: &HashMap<String, String>,
    accept: &str,
) -> Result<watch::WatchParams, ApiError> {
    list::validate_list_options(query, true)?;
    let (labels, fields) = list::selectors(core, t, query)?;
    Ok(watch::WatchParams {
        resource_version: query.get("resourceVersion").cloned(),
        labels,
        fields,
        timeout: query
            .get("timeoutSeconds")
            .and_then(|s| s.parse::<u64>().ok())
            .map(Duration::from_secs),
        bookmarks: query.get("allowWatchBookmarks").is_some_and(|v| v == "true"),
        send_initial_events: query.get("sendInitialEvents").is_some_and(|v| v == "true"),
        as_table: table::wants_table(accept),
    })
}

/// The type whose printer columns a Table of `t` uses: events.k8s.io Events are printed by the
/// core Event printer (kubernetes: pkg/printers/internalversion/printers.go, func printEvent,
/// registered for the internal Event both APIs convert to).
pub(crate) fn table_type(core: &ClusterCore, t: &ResourceType) -> ResourceType {
    if crate::events::is_events_api(t)
        && let Some(core_events) = core.type_of("", "v1", "events")
    {
        return core_events;
    }
    t.clone()
}

/// kube-apiserver: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/get.go, func ListResource.
fn list(
    core: &ClusterCore,
    t: &ResourceType,
    ns: Option<&str>,
    query: &HashMap<String, String>,
    accept: &str,
) -> Result<Response, ApiError> {
    let (labels, fields) = list::selectors(core, t, query)?;
    let page = list::read(core, t, if t.namespaced { ns } else { None }, query, &labels, &fields)?;
    let mut body = if table::wants_table(accept) {
        // Both Event APIs print with the core Event printer, on the stored object.
        let printed = table_type(core, t);
        let presented: Vec<Value> = page.items.iter().map(|o| ClusterCore::present(&printed, o)).collect();
        let refs: Vec<&Value> = presented.iter().collect();
        table::table(&printed, &refs, page.resource_version, true)
    } else {
        let presented: Vec<Value> = page.items.iter().map(|o| ClusterCore::present(t, o)).collect();
        json!({"kind": t.list_kind, "apiVersion": t.api_version(), "metadata": {"resourceVersion": page.resource_version.to_string()}, "items": presented})
    };
    if let Some(token) = page.continue_token {
        body["metadata"]["continue"] = json!(token);
    }
    if let Some(remaining) = page.remaining {
        body["metadata"]["remainingItemCount"] = json!(remaining);
    }
    Ok(json_response(200, &body))
}

#[allow(clippy::too_many_arguments)]
async fn proxy(
    core: &ClusterCore,
    t: &ResourceType,
    ns: Option<&str>,
    service: &str,
    rest: &str,
    method: Method,
    query: &HashMap<String, String>,
    body: bytes::Bytes,
) -> Result<Response, ApiError> {
    if !(t.group.is_empty() && t.plural == "services") {
        return Err(ApiError::no_route());
    }
    let ns = ns.unwrap_or("default");
    let backend = crate::proxy::resource_location(core, ns, service)?;
    let query_string: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let answer = backend
        .call(ProxyRequest {
            method,
            path: if rest.is_empty() { "/".into() } else { rest.to_string() },
            query: query_string.join("&"),
            body,
        })
        .await
        // apimachinery: staging/src/k8s.io/apimachinery/pkg/util/proxy/transport.go, RoundTrip
        .map_err(|e| ApiError::new(503, "ServiceUnavailable", format!("error trying to reach service: {e}")))?;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    Ok(Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, answer.content_type)
        .body(Body::from(answer.body))
        .unwrap_or_else(|_| Response::new(Body::empty())))
}
