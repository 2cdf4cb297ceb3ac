//! Choosing target clusters from kubeconfig contexts (pure).

use globset::Glob;
use kube::config::Kubeconfig;

/// What the user asked to target.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub contexts: Vec<String>,
    pub all: bool,
    pub matching: Option<String>,
}

/// One cluster to act on.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Target {
    pub context: String,
    pub cluster: String,
    pub server: String,
    pub namespace: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SelectError {
    #[error("no contexts found in {origin}; point --kubeconfig or KUBECONFIG at a kubeconfig file")]
    NoContexts { origin: String },
    #[error("context \"{name}\" not found in {origin}; known contexts: {known}")]
    UnknownContext {
        name: String,
        origin: String,
        known: String,
    },
    #[error("no current context is set in {origin}; pass --context NAME or --all-contexts (known contexts: {known})")]
    NoCurrentContext { origin: String, known: String },
    #[error("no context matches '{glob}'; known contexts: {known}")]
    NoMatch { glob: String, known: String },
    #[error("invalid --contexts-matching pattern '{glob}': {message}")]
    BadGlob { glob: String, message: String },
}

/// Resolves the selection to targets, in the order given (explicit) or of the kubeconfig.
/// `namespace` overrides every context's namespace.
pub fn select(
    config: &Kubeconfig,
    selection: &Selection,
    namespace: Option<&str>,
    source: &str,
) -> Result<Vec<Target>, SelectError> {
    let known: Vec<&str> = config.contexts.iter().map(|c| c.name.as_str()).collect();
    let known_list = if known.is_empty() {
        "(none)".to_string()
    } else {
        known.join(", ")
    };
    if known.is_empty() {
        return Err(SelectError::NoContexts {
            origin: source.to_string(),
        });
    }
    let names: Vec<String> = if selection.all {
        known.iter().map(|s| s.to_string()).collect()
    } else if let Some(glob) = &selection.matching {
        let matcher = Glob::new(glob)
            .map_err(|e| SelectError::BadGlob {
                glob: glob.clone(),
                message: e.kind().to_string(),
            })?
            .compile_matcher();
        let matched: Vec<String> = known
            .iter()
            .filter(|n| matcher.is_match(n))
            .map(|s| s.to_string())
            .collect();
        if matched.is_empty() {
            return Err(SelectError::NoMatch {
                glob: glob.clone(),
                known: known_list,
            });
        }
        matched
    } else if !selection.contexts.is_empty() {
        let mut unique: Vec<String> = Vec::new();
        for name in selection.contexts.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            if !known.contains(&name) {
                return Err(SelectError::UnknownContext {
                    name: name.to_string(),
                    origin: source.to_string(),
                    known: known_list,
                });
            }
            if !unique.iter().any(|u| u == name) {
                unique.push(name.to_string());
            }
        }
        unique
    } else {
        match config.current_context.as_deref().filter(|c| !c.is_empty()) {
            Some(current) if known.contains(&current) => vec![current.to_string()],
            Some(current) => {
                return Err(SelectError::UnknownContext {
                    name: current.to_string(),
                    origin: format!("{source} (it is the current-context)"),
                    known: known_list,
                });
            }
            None => {
                return Err(SelectError::NoCurrentContext {
                    origin: source.to_string(),
                    known: known_list,
                });
            }
        }
    };
    Ok(names.iter().map(|name| target_for(config, name, namespace)).collect())
}

fn target_for(config: &Kubeconfig, name: &str, namespace: Option<&str>) -> Target {
    let context = config
        .contexts
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.context.as_ref());
    let cluster = context.map(|c| c.cluster.clone()).unwrap_or_default();
    let server = config
        .clusters
        .iter()
        .find(|c| c.name == cluster)
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .unwrap_or_default();
    let namespace = namespace
        .map(str::to_string)
        .or_else(|| context.and_then(|c| c.namespace.clone()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".to_string());
    Target {
        context: name.to_string(),
        cluster,
        server,
        namespace,
    }
}

/// A cluster's name in object names: its context's, unless `--cluster-name CONTEXT=NAME`
/// renames it.
pub fn name_for(renames: &[(String, String)], context: &str) -> String {
    renames
        .iter()
        .find(|(c, _)| c == context)
        .map_or_else(|| context.to_string(), |(_, name)| name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Kubeconfig {
        Kubeconfig::from_yaml(
            "apiVersion: v1\nkind: Config\ncurrent-context: prod-eu\n\
             clusters:\n- name: c1\n  cluster:\n    server: https://one\n- name: c2\n  cluster:\n    server: https://two\n\
             contexts:\n- name: prod-eu\n  context:\n    cluster: c1\n    namespace: apps\n- name: prod-us\n  context:\n    cluster: c2\n- name: dev\n  context:\n    cluster: c2\n",
        )
        .unwrap()
    }

    fn names(targets: &[Target]) -> Vec<&str> {
        targets.iter().map(|t| t.context.as_str()).collect()
    }

    #[test]
    fn default_is_current_context_with_its_namespace() {
        let t = select(&config(), &Selection::default(), None, "f").unwrap();
        assert_eq!(
            t,
            vec![Target {
                context: "prod-eu".into(),
                cluster: "c1".into(),
                server: "https://one".into(),
                namespace: "apps".into()
            }]
        );
        let t = select(&config(), &Selection::default(), Some("other"), "f").unwrap();
        assert_eq!(t[0].namespace, "other");
    }

    #[test]
    fn explicit_all_and_glob() {
        let explicit = Selection {
            contexts: vec!["dev".into(), "prod-us".into(), "dev".into()],
            ..Default::default()
        };
        assert_eq!(
            names(&select(&config(), &explicit, None, "f").unwrap()),
            vec!["dev", "prod-us"]
        );
        let all = Selection {
            all: true,
            ..Default::default()
        };
        assert_eq!(
            names(&select(&config(), &all, None, "f").unwrap()),
            vec!["prod-eu", "prod-us", "dev"]
        );
        let glob = Selection {
            matching: Some("prod-*".into()),
            ..Default::default()
        };
        let targets = select(&config(), &glob, None, "f").unwrap();
        assert_eq!(names(&targets), vec!["prod-eu", "prod-us"]);
        assert_eq!(targets[1].namespace, "default");
    }

    #[test]
    fn errors_name_the_known_contexts() {
        let unknown = Selection {
            contexts: vec!["nope".into()],
            ..Default::default()
        };
        let err = select(&config(), &unknown, None, "KUBECONFIG=x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "context \"nope\" not found in KUBECONFIG=x; known contexts: prod-eu, prod-us, dev"
        );
        let glob = Selection {
            matching: Some("staging-*".into()),
            ..Default::default()
        };
        assert!(matches!(
            select(&config(), &glob, None, "f"),
            Err(SelectError::NoMatch { .. })
        ));
        let mut no_current = config();
        no_current.current_context = None;
        assert!(matches!(
            select(&no_current, &Selection::default(), None, "f"),
            Err(SelectError::NoCurrentContext { .. })
        ));
        assert!(matches!(
            select(&Kubeconfig::default(), &Selection::default(), None, "f"),
            Err(SelectError::NoContexts { .. })
        ));
    }
}
