//! Parsing request paths and query strings into what the API server should do (pure).

use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePath {
    pub group: String,
    pub version: String,
    pub namespace: Option<String>,
    pub plural: String,
    pub name: Option<String>,
    pub subresource: Option<String>,
    /// What follows the subresource (the proxied path for `services/x/proxy/...`).
    pub rest: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Version,
    Health,
    CoreVersions,
    GroupList,
    Group(String),
    ResourceList { group: String, version: String },
    OpenApiV3Index,
    OpenApiV3 { group: String, version: String },
    Resource(ResourcePath),
    Unknown,
}

pub fn parse(path: &str) -> Route {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // A trailing slash leaves an empty segment; kube-rs and kubectl do not send one, but be lenient.
    let segments: Vec<&str> = match segments.split_last() {
        Some((last, init)) if last.is_empty() && !init.is_empty() => init.to_vec(),
        _ => segments,
    };
    match segments.as_slice() {
        ["version"] => Route::Version,
        ["healthz" | "livez" | "readyz", ..] => Route::Health,
        ["api"] => Route::CoreVersions,
        ["api", "v1"] => Route::ResourceList {
            group: String::new(),
            version: "v1".into(),
        },
        ["api", "v1", rest @ ..] => resource("", "v1", rest),
        ["apis"] => Route::GroupList,
        ["apis", group] => Route::Group(group.to_string()),
        ["apis", group, version] => Route::ResourceList {
            group: group.to_string(),
            version: version.to_string(),
        },
        ["apis", group, version, rest @ ..] => resource(group, version, rest),
        ["openapi", "v3"] => Route::OpenApiV3Index,
        ["openapi", "v3", "api", version] => Route::OpenApiV3 {
            group: String::new(),
            version: version.to_string(),
        },
        ["openapi", "v3", "apis", group, version] => Route::OpenApiV3 {
            group: group.to_string(),
            version: version.to_string(),
        },
        _ => Route::Unknown,
    }
}

fn resource(group: &str, version: &str, rest: &[&str]) -> Route {
    let (namespace, rest) = match rest {
        // `namespaces/{name}` and its own subresources address the Namespace object itself.
        ["namespaces"] | ["namespaces", _] | ["namespaces", _, "status" | "finalize"] => (None, rest),
        ["namespaces", ns, tail @ ..] => (Some(ns.to_string()), tail),
        _ => (None, rest),
    };
    let (plural, name, subresource, tail): (&str, Option<&str>, Option<&str>, &[&str]) = match rest {
        [plural] => (plural, None, None, &[]),
        [plural, name] => (plural, Some(name), None, &[]),
        [plural, name, sub, tail @ ..] => (plural, Some(name), Some(sub), tail),
        _ => return Route::Unknown,
    };
    if plural.is_empty() {
        return Route::Unknown;
    }
    let rest = if subresource == Some("proxy") {
        format!("/{}", tail.join("/"))
    } else {
        String::new()
    };
    if subresource.is_some() && subresource != Some("proxy") && !tail.is_empty() {
        return Route::Unknown;
    }
    Route::Resource(ResourcePath {
        group: group.to_string(),
        version: version.to_string(),
        namespace,
        plural: plural.to_string(),
        name: name.map(percent_decode),
        subresource: subresource.map(str::to_string),
        rest,
    })
}

/// Query parameters; kube-rs sends `?&a=b` and bare `?`, so empty pairs are skipped.
pub fn parse_query(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Every value of a repeatable query parameter, in order (Go's `url.Values`: `dryRun=All&dryRun=All`
/// is two values; [`parse_query`] keeps only the last).
pub fn query_values(query: &str, key: &str) -> Vec<String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k) == key).then(|| percent_decode(v))
        })
        .collect()
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(path: &str) -> ResourcePath {
        match parse(path) {
            Route::Resource(r) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn resource_paths() {
        let r = res("/apis/flagger.app/v1beta1/namespaces/test/canaries/podinfo/status");
        assert_eq!(
            (r.group.as_str(), r.namespace.as_deref(), r.plural.as_str()),
            ("flagger.app", Some("test"), "canaries")
        );
        assert_eq!(
            (r.name.as_deref(), r.subresource.as_deref()),
            (Some("podinfo"), Some("status"))
        );
        let ns = res("/api/v1/namespaces/test");
        assert_eq!(
            (ns.plural.as_str(), ns.name.as_deref(), ns.namespace),
            ("namespaces", Some("test"), None)
        );
        let all = res("/apis/apps/v1/deployments");
        assert_eq!((all.plural.as_str(), all.namespace), ("deployments", None));
        let proxy = res("/api/v1/namespaces/t/services/loadtester:80/proxy/gate/open");
        assert_eq!(
            (proxy.name.as_deref(), proxy.rest.as_str()),
            (Some("loadtester:80"), "/gate/open")
        );
        assert_eq!(
            parse("/apis/flagger.app/v1beta1"),
            Route::ResourceList {
                group: "flagger.app".into(),
                version: "v1beta1".into()
            }
        );
        assert_eq!(
            parse("/openapi/v3/apis/apps/v1"),
            Route::OpenApiV3 {
                group: "apps".into(),
                version: "v1".into()
            }
        );
        assert_eq!(parse("/nonsense"), Route::Unknown);
    }

    #[test]
    fn queries() {
        let q = parse_query("&watch=true&fieldSelector=metadata.name%3Dpodinfo&labelSelector=a+in+(b)&");
        assert_eq!(q["watch"], "true");
        assert_eq!(q["fieldSelector"], "metadata.name=podinfo");
        assert_eq!(q["labelSelector"], "a in (b)");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
