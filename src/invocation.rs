//! The invocation, resolved once from the global flags: which fleet (kubeconfig contexts or a
//! Kurator Fleet on a hub), the scope (namespace), the output surface, the timeouts and the
//! confirmation policy. No verb re-reads the kubeconfig or re-derives a default namespace: it
//! asks the invocation.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::Result;
use globset::{Glob, GlobMatcher};

use crate::cli::{ColorChoice, GlobalArgs, OutputFormat};
use crate::confirm::{Decision, confirm, confirm_typed};
use crate::exit::ExitError;
use crate::fleet::kubeconfig;
use crate::fleet::source::{FleetSource, Hub};
use crate::fleet::targets::{self, Selection};
use crate::fleet::{ConnectOptions, Fleet, Target};
use crate::model::update::Scope;

/// Where the fleet comes from.
#[derive(Debug, Clone)]
pub enum SourceSpec {
    /// Contexts of the kubeconfig (`--context`, `--all-contexts`, `--contexts-matching`, else
    /// the current context).
    Contexts { selection: Selection },
    /// The members of a Kurator Fleet, read from the hub context (`--fleet`).
    Kurator {
        fleet: String,
        fleet_namespace: String,
        hub_context: Option<String>,
        cluster_selector: Vec<(String, String)>,
    },
}

/// Who must say yes before a change, and how.
#[derive(Debug, Clone)]
pub struct ConfirmPolicy {
    /// `--yes`: every question is answered yes.
    pub yes: bool,
    /// `--protected GLOB`: contexts that always need the typed count.
    pub protected: String,
    matcher: GlobMatcher,
}

impl ConfirmPolicy {
    pub fn new(yes: bool, protected: &str) -> Result<ConfirmPolicy, ExitError> {
        let matcher = Glob::new(protected)
            .map_err(|e| ExitError::usage(format!("--protected {protected}: {e}")))?
            .compile_matcher();
        Ok(ConfirmPolicy {
            yes,
            protected: protected.to_string(),
            matcher,
        })
    }

    /// What the person must type to go ahead with a change in these clusters: the number of
    /// clusters when more than one is touched or any is protected, else `y` (pure).
    pub fn expected_answer<'a>(&self, clusters: impl IntoIterator<Item = &'a str>) -> String {
        let clusters: BTreeSet<&str> = clusters.into_iter().collect();
        if clusters.len() > 1 || clusters.iter().any(|c| self.matcher.is_match(c)) {
            clusters.len().to_string()
        } else {
            "y".into()
        }
    }

    /// Asks on the terminal (stderr/stdin); without a terminal only `--yes` proceeds.
    pub fn ask<'a>(&self, question: &str, clusters: impl IntoIterator<Item = &'a str>) -> Decision {
        match self.expected_answer(clusters).as_str() {
            "y" => confirm(question, self.yes),
            count => confirm_typed(question, count, self.yes),
        }
    }

    /// The usage error of a change that needed a confirmation no one could give.
    pub fn needs_yes(&self, what: &str) -> ExitError {
        ExitError::usage(format!(
            "{what} needs confirmation: run it in a terminal or pass --yes; nothing was changed"
        ))
    }
}

/// The global flags, resolved.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub kubeconfig: Option<std::path::PathBuf>,
    pub source: SourceSpec,
    /// `-n`: None means each context's own namespace.
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    pub output: OutputFormat,
    pub color: ColorChoice,
    pub request_timeout: Option<Duration>,
    pub cluster_timeout: Duration,
    pub confirm: ConfirmPolicy,
    pub impersonate: Option<String>,
    pub impersonate_groups: Vec<String>,
    pub verbosity: u8,
}

impl Invocation {
    pub fn from_global(global: &GlobalArgs) -> Result<Invocation, ExitError> {
        let source = match &global.fleet {
            Some(fleet) => SourceSpec::Kurator {
                fleet: fleet.clone(),
                fleet_namespace: global.fleet_namespace.clone(),
                hub_context: global.hub_context.clone(),
                cluster_selector: global.cluster_selector.clone(),
            },
            None => SourceSpec::Contexts {
                selection: Selection {
                    contexts: global.contexts.clone(),
                    all: global.all_contexts,
                    matching: global.contexts_matching.clone(),
                },
            },
        };
        // A template that cannot be applied is a usage error before anything is read.
        match global.output {
            OutputFormat::JsonPath(template) => crate::view::jsonpath::check_template(template),
            OutputFormat::CustomColumns(spec) => crate::view::jsonpath::check_columns(spec),
            _ => Ok(()),
        }
        .map_err(|e| ExitError::usage(format!("-o: {e}")))?;
        Ok(Invocation {
            kubeconfig: global.kubeconfig.clone(),
            source,
            namespace: global.namespace.clone(),
            all_namespaces: global.all_namespaces,
            output: global.output,
            color: global.color,
            request_timeout: global.request_timeout,
            cluster_timeout: global.cluster_timeout,
            confirm: ConfirmPolicy::new(global.yes, &global.protected)?,
            impersonate: global.impersonate.clone(),
            impersonate_groups: global.impersonate_groups.clone(),
            verbosity: global.verbosity,
        })
    }

    /// Whether the user named the target clusters (otherwise some verbs work offline).
    pub fn targets_given(&self) -> bool {
        match &self.source {
            SourceSpec::Kurator { .. } => true,
            SourceSpec::Contexts { selection } => {
                !selection.contexts.is_empty() || selection.all || selection.matching.is_some()
            }
        }
    }

    /// The kubeconfig's current context, if it can be read (for verbs that work offline).
    pub fn current_context(&self) -> Option<String> {
        kubeconfig::load(self.kubeconfig.as_deref())
            .ok()
            .and_then(|l| l.config.current_context)
    }

    fn connect_options(&self, namespace: Option<String>) -> ConnectOptions {
        ConnectOptions {
            namespace,
            request_timeout: self.request_timeout,
            cluster_timeout: Some(self.cluster_timeout),
            impersonate: self.impersonate.clone(),
            impersonate_groups: self.impersonate_groups.clone(),
        }
    }

    /// The kubeconfig, by kubectl's rules (`--kubeconfig`, else `KUBECONFIG`, else the home one).
    pub fn load_kubeconfig(&self) -> Result<kubeconfig::Loaded, ExitError> {
        kubeconfig::load(self.kubeconfig.as_deref()).map_err(|e| ExitError::usage(e.to_string()))
    }

    /// Loads the kubeconfig and resolves the context targets, without connecting (context mode;
    /// under `--fleet` the hub context alone).
    pub fn select_targets(&self) -> Result<(kubeconfig::Loaded, Vec<Target>), ExitError> {
        let loaded = self.load_kubeconfig()?;
        let (selection, namespace) = match &self.source {
            SourceSpec::Contexts { selection } => (selection.clone(), self.namespace.as_deref()),
            SourceSpec::Kurator { hub_context, .. } => (
                Selection {
                    contexts: hub_context.iter().cloned().collect(),
                    all: false,
                    matching: None,
                },
                None,
            ),
        };
        let targets = targets::select(&loaded.config, &selection, namespace, &loaded.source.describe())
            .map_err(|e| ExitError::usage(e.to_string()))?;
        Ok((loaded, targets))
    }

    /// Builds every member client (sequentially, before any progress output: exec credential
    /// plugins may prompt) and, under `--fleet`, the hub's. Configuration problems are usage
    /// errors (exit 2); a member that cannot be reached is a row of its own later.
    pub async fn connect(&self) -> Result<FleetSource> {
        match &self.source {
            SourceSpec::Contexts { .. } => {
                let (loaded, targets) = self.select_targets()?;
                let members =
                    Fleet::connect(&loaded.config, targets, &self.connect_options(self.namespace.clone())).await;
                Ok(FleetSource::contexts(members))
            }
            SourceSpec::Kurator { .. } => {
                let hub = self.connect_hub().await?;
                let members = self.kurator_members(&hub).await?;
                Ok(FleetSource::kurator(members, hub))
            }
        }
    }

    /// The hub alone (`--hub-context`, else the current context), under `--fleet`.
    pub async fn connect_hub(&self) -> Result<Hub> {
        let SourceSpec::Kurator {
            fleet, fleet_namespace, ..
        } = &self.source
        else {
            return Err(ExitError::usage("this needs --fleet NAME (a Kurator Fleet on the hub)").into());
        };
        let (loaded, target) = self.select_targets()?;
        let hub = Fleet::connect(&loaded.config, target, &self.connect_options(None)).await;
        let handle = hub
            .clusters
            .into_iter()
            .next()
            .ok_or_else(|| ExitError::usage("no hub context"))?;
        let client = handle
            .client
            .map_err(|e| ExitError::usage(format!("hub {}: {e}", handle.target.context)))?;
        Ok(Hub {
            client,
            context: handle.target.context,
            fleet: fleet.clone(),
            namespace: fleet_namespace.clone(),
        })
    }

    /// The members of the Kurator Fleet that match `--cluster-selector`, through the hub.
    pub async fn kurator_members(&self, hub: &Hub) -> Result<Fleet> {
        let SourceSpec::Kurator { cluster_selector, .. } = &self.source else {
            return Err(ExitError::usage("this needs --fleet NAME").into());
        };
        let selector = crate::fleet::kurator::FleetSelector {
            name: hub.fleet.clone(),
            namespace: hub.namespace.clone(),
            labels: cluster_selector.clone(),
            member_namespace: self.namespace.clone(),
        };
        let members = tokio::time::timeout(
            self.cluster_timeout,
            crate::fleet::kurator::members(&hub.client, &selector),
        )
        .await
        .map_err(|_| {
            ExitError::usage(format!(
                "the hub {} did not answer within {:?}",
                hub.context, self.cluster_timeout
            ))
        })?
        .map_err(ExitError::usage)?;
        if members.is_empty() {
            return Err(ExitError::usage(format!("Fleet {} has no member matching the selector", hub.fleet)).into());
        }
        Ok(Fleet { clusters: members })
    }

    /// What a read or watch covers: `-A`, else `-n`, else the given default namespace (the
    /// first target's, see [`FleetSource::default_namespace`]).
    pub fn scope(&self, name: Option<&str>, selector: Option<&str>, default_namespace: &str) -> Scope {
        Scope {
            namespace: if self.all_namespaces {
                None
            } else {
                Some(self.namespace.clone().unwrap_or_else(|| default_namespace.to_string()))
            },
            name: name.map(str::to_string),
            labels: selector.map(str::to_string),
        }
    }

    /// The namespace `-n` names, unless `-A` widens it: what narrows the rollouts of a hub
    /// Application, which carry their own namespaces.
    pub fn namespace_given(&self) -> Option<String> {
        self.namespace.clone().filter(|_| !self.all_namespaces)
    }

    /// Whether the live view (redrawn in place) belongs on this stdout: a terminal, a human format.
    pub fn show_live(&self) -> bool {
        std::io::IsTerminal::is_terminal(&std::io::stdout())
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
            && self.output.is_table()
    }
}

/// Whether progress output belongs on this stderr.
pub fn show_progress() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// How to re-run something for one context, for remedies in messages.
pub fn context_flag(context: &str) -> String {
    if context
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.:@/".contains(c))
    {
        format!("--context {context}")
    } else {
        format!("--context '{}'", context.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_count_for_many_clusters_or_a_protected_one() {
        let policy = ConfirmPolicy::new(false, "*prod*").unwrap();
        assert_eq!(policy.expected_answer(["staging"]), "y");
        assert_eq!(policy.expected_answer(["eu-prod-1"]), "1");
        assert_eq!(policy.expected_answer(["a", "b", "a"]), "2");
        assert!(ConfirmPolicy::new(false, "[").is_err());
    }
}
