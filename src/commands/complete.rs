//! Shell completion: `completion SHELL` prints clap's static script, `__man` the man page, and
//! `__complete WORDS…` answers kubectl's own completion (through the
//! `kubectl_complete-kurator_rollout` helper) with verbs, flags, contexts, namespaces and Canary
//! names. What to offer is decided in `crate::completion` (pure); here the names are looked up.

use std::time::Duration;

use anyhow::Result;

use crate::cli::{CompleteArgs, CompletionArgs, GlobalArgs};
use crate::completion::{Needs, candidates, cobra_reply, filter, man_page_roff, script, typed_globals};
use crate::engine::names::{Names, list_names};
use crate::exit::Exit;
use crate::invocation::Invocation;
use crate::output::write_stdout;

/// How long a completion may look names up: a shell waits on it.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(2);

pub fn completion(args: &CompletionArgs) -> Result<Exit> {
    write_stdout(&script(args.shell))?;
    Ok(Exit::Success)
}

pub fn man_page() -> Result<Exit> {
    write_stdout(&man_page_roff()?)?;
    Ok(Exit::Success)
}

pub async fn complete(global: &GlobalArgs, args: &CompleteArgs) -> Result<Exit> {
    let (mut values, needs) = candidates(&args.words);
    if let Some(needs) = &needs {
        let current = args.words.last().map(String::as_str).unwrap_or("");
        values.extend(filter(lookup(&args.words, global, needs).await, current));
    }
    write_stdout(&cobra_reply(&values, needs.as_ref()))?;
    Ok(Exit::Success)
}

/// Names from the clusters the words typed so far target, within [`LOOKUP_TIMEOUT`]; nothing
/// when the kubeconfig or the clusters do not answer (a completion never fails).
async fn lookup(words: &[String], global: &GlobalArgs, needs: &Needs) -> Vec<String> {
    let Ok(invocation) = Invocation::from_global(&typed_globals(words, global)) else {
        return Vec::new();
    };
    let names = match needs {
        Needs::Files => return Vec::new(),
        Needs::Contexts => {
            return invocation
                .load_kubeconfig()
                .map(|loaded| loaded.config.contexts.into_iter().map(|c| c.name).collect())
                .unwrap_or_default();
        }
        Needs::Namespaces => Names::Namespaces,
        Needs::Canaries => Names::Canaries {
            all_namespaces: invocation.all_namespaces,
        },
    };
    let read = async {
        let source = invocation.connect().await.ok()?;
        Some(list_names(&source.members, names, LOOKUP_TIMEOUT).await)
    };
    tokio::time::timeout(LOOKUP_TIMEOUT, read)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}
