//! Shell completion: `completion SHELL` prints clap's static script; `__complete WORDS…` answers
//! in cobra's protocol (candidates, one a line, then `:<directive>`), which is what kubectl's own
//! completion asks the `kubectl_complete-kurator_rollout` helper, so `kubectl kurator-rollout
//! <TAB>` completes verbs, flags, contexts, namespaces and Canary names.

use std::time::Duration;

use anyhow::Result;
use clap::CommandFactory;
use kube::api::{Api, DynamicObject, ListParams};

use crate::cli::{Cli, CompleteArgs, CompletionArgs, GlobalArgs, Shell};
use crate::exit::Exit;
use crate::fleet::apply::resource_of;
use crate::fleet::kubeconfig;
use crate::output::write_stdout;

/// cobra's ShellCompDirectiveNoFileComp.
const NO_FILE: u32 = 4;
/// cobra's ShellCompDirectiveDefault (files allowed).
const DEFAULT: u32 = 0;

pub fn completion(args: &CompletionArgs) -> Result<Exit> {
    let mut out = Vec::new();
    // The scripts complete the executable's own name; clap's generators mishandle the
    // two-word `kubectl kurator-rollout` display name.
    let name = "kubectl-kurator_rollout";
    let mut cmd = Cli::command().bin_name(name);
    match args.shell {
        Shell::Bash => clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, name, &mut out),
        Shell::Zsh => clap_complete::generate(clap_complete::Shell::Zsh, &mut cmd, name, &mut out),
        Shell::Fish => clap_complete::generate(clap_complete::Shell::Fish, &mut cmd, name, &mut out),
        Shell::Powershell => clap_complete::generate(clap_complete::Shell::PowerShell, &mut cmd, name, &mut out),
        Shell::Elvish => clap_complete::generate(clap_complete::Shell::Elvish, &mut cmd, name, &mut out),
    }
    let mut script = String::from_utf8_lossy(&out).into_owned();
    if args.shell == Shell::Bash {
        // clap_complete 4.6 names the bash `case` labels of a dashed binary name differently from
        // the states it assigns (`kubectl__subcmd__kurator_rollout…` vs `kubectl__kurator_rollout…`),
        // so subcommand flags would never complete; make them agree.
        script = script.replace("kubectl__subcmd__kurator_rollout", "kubectl__kurator_rollout");
    }
    write_stdout(&script)?;
    Ok(Exit::Success)
}

/// The man page, from the same definitions as `--help`.
pub fn man_page() -> Result<Exit> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command().bin_name("kubectl kurator-rollout")).render(&mut out)?;
    write_stdout(&String::from_utf8_lossy(&out))?;
    Ok(Exit::Success)
}

/// What the word being completed needs from outside (kubeconfig or cluster).
#[derive(Debug, Clone, PartialEq)]
pub enum Needs {
    Contexts,
    Namespaces,
    Canaries,
    Files,
}

/// Static candidates, or what to look up (pure).
pub fn candidates(words: &[String]) -> (Vec<String>, Option<Needs>) {
    let root = Cli::command();
    let (done, current) = match words.split_last() {
        Some((last, before)) => (before, last.as_str()),
        None => (&[][..], ""),
    };
    let mut command = root.clone();
    let mut subcommand: Option<String> = None;
    let mut positionals = 0;
    let mut skip_next = false;
    let takes_value = |cmd: &clap::Command, word: &str| -> bool {
        let lookup = |a: &clap::Arg| {
            (word.starts_with("--") && a.get_long() == Some(&word[2..]))
                || (word.len() == 2 && word.starts_with('-') && a.get_short() == word.chars().nth(1))
        };
        cmd.get_arguments()
            .chain(root.get_arguments())
            .find(|a| lookup(a))
            .is_some_and(|a| a.get_action().takes_values())
    };
    for word in done {
        if skip_next {
            skip_next = false;
            continue;
        }
        if word.starts_with('-') {
            skip_next = !word.contains('=') && takes_value(&command, word);
            continue;
        }
        match (&subcommand, root.find_subcommand(word)) {
            (None, Some(sub)) => {
                subcommand = Some(sub.get_name().to_string());
                command = sub.clone();
            }
            _ => positionals += 1,
        }
    }
    let previous = done.last().map(String::as_str).unwrap_or("");
    if previous.starts_with('-') && !previous.contains('=') && takes_value(&command, previous) {
        return match previous {
            "--context" => (Vec::new(), Some(Needs::Contexts)),
            "-n" | "--namespace" => (Vec::new(), Some(Needs::Namespaces)),
            "--kubeconfig" | "-f" | "--filename" | "--kubeconfig-out" => (Vec::new(), Some(Needs::Files)),
            flag => {
                let arg = command.get_arguments().chain(root.get_arguments()).find(|a| {
                    a.get_long() == flag.strip_prefix("--")
                        || a.get_short() == flag.chars().nth(1).filter(|_| flag.len() == 2)
                });
                let values = arg
                    .map(|a| {
                        a.get_possible_values()
                            .iter()
                            .map(|v| v.get_name().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                (filter(values, current), None)
            }
        };
    }
    if current.starts_with('-') {
        let mut flags: Vec<String> = command
            .get_arguments()
            .chain(root.get_arguments().filter(|a| a.is_global_set()))
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        flags.sort();
        flags.dedup();
        return (filter(flags, current), None);
    }
    match subcommand.as_deref() {
        None => {
            let names = root
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(|s| s.get_name().to_string())
                .collect();
            (filter(names, current), None)
        }
        Some("completion") if positionals == 0 => (
            filter(
                ["bash", "zsh", "fish", "powershell", "elvish"]
                    .map(String::from)
                    .to_vec(),
                current,
            ),
            None,
        ),
        Some("start" | "status" | "get" | "promote" | "abort" | "pause" | "resume" | "retry") if positionals == 0 => {
            (Vec::new(), Some(Needs::Canaries))
        }
        _ => (Vec::new(), None),
    }
}

fn filter(values: Vec<String>, prefix: &str) -> Vec<String> {
    values.into_iter().filter(|v| v.starts_with(prefix)).collect()
}

/// The value of a flag among the words typed (`--context x` or `--context=x`).
fn flag_value(words: &[String], long: &str, short: Option<&str>) -> Option<String> {
    let mut iter = words.iter().peekable();
    while let Some(w) = iter.next() {
        if let Some(v) = w.strip_prefix(&format!("--{long}=")) {
            return Some(v.to_string());
        }
        if w == &format!("--{long}") || short.is_some_and(|s| w == s) {
            return iter.peek().map(|v| v.to_string());
        }
    }
    None
}

/// Names from the cluster of the context being used, within a short timeout.
async fn lookup(words: &[String], global: &GlobalArgs, needs: &Needs) -> Vec<String> {
    let Ok(loaded) = kubeconfig::load(
        global.kubeconfig.as_deref().or(flag_value(words, "kubeconfig", None)
            .as_deref()
            .map(std::path::Path::new)),
    ) else {
        return Vec::new();
    };
    if *needs == Needs::Contexts {
        return loaded.config.contexts.iter().map(|c| c.name.clone()).collect();
    }
    let context = flag_value(words, "context", None)
        .and_then(|c| c.split(',').next().map(str::to_string))
        .or(loaded.config.current_context.clone());
    let options = kube::config::KubeConfigOptions {
        context,
        ..Default::default()
    };
    let Ok(config) = kube::Config::from_custom_kubeconfig(loaded.config, &options).await else {
        return Vec::new();
    };
    let namespace = flag_value(words, "namespace", Some("-n")).unwrap_or_else(|| config.default_namespace.clone());
    let Ok(client) = kube::Client::try_from(config) else {
        return Vec::new();
    };
    let list = async {
        let names = |items: Vec<DynamicObject>| items.into_iter().filter_map(|o| o.metadata.name).collect::<Vec<_>>();
        match needs {
            Needs::Namespaces => {
                let (r, _) = resource_of("v1", "Namespace")?;
                Api::<DynamicObject>::all_with(client, &r)
                    .list(&ListParams::default())
                    .await
                    .ok()
                    .map(|l| names(l.items))
            }
            _ => {
                let (r, _) = resource_of("flagger.app/v1beta1", "Canary")?;
                Api::<DynamicObject>::namespaced_with(client, &namespace, &r)
                    .list(&ListParams::default())
                    .await
                    .ok()
                    .map(|l| names(l.items))
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(2), list)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

pub async fn complete(global: &GlobalArgs, args: &CompleteArgs) -> Result<Exit> {
    let (mut values, needs) = candidates(&args.words);
    let mut directive = NO_FILE;
    match &needs {
        Some(Needs::Files) => directive = DEFAULT,
        Some(n) => {
            let current = args.words.last().map(String::as_str).unwrap_or("");
            values.extend(filter(lookup(&args.words, global, n).await, current));
        }
        None => {}
    }
    let mut text: String = values.iter().map(|v| format!("{v}\n")).collect();
    text.push_str(&format!(":{directive}\n"));
    write_stdout(&text)?;
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut w: Vec<String> = text.split(' ').map(str::to_string).collect();
        if text.ends_with(' ') {
            w.pop();
            w.push(String::new());
        }
        w
    }

    #[test]
    fn verbs_flags_values_and_lookups() {
        assert_eq!(candidates(&words("st")).0, vec!["start", "status"]);
        assert!(candidates(&words("status --wa")).0.contains(&"--watch".to_string()));
        assert!(
            candidates(&words("status --con")).0.contains(&"--context".to_string()),
            "global flags too"
        );
        assert_eq!(candidates(&words("install --provider k")).0, vec!["kuma", "kubernetes"]);
        assert_eq!(candidates(&words("status --context ")).1, Some(Needs::Contexts));
        assert_eq!(candidates(&words("promote -n test ")).1, Some(Needs::Canaries));
        assert_eq!(candidates(&words("list -n ")).1, Some(Needs::Namespaces));
        assert_eq!(candidates(&words("completion z")).0, vec!["zsh"]);
        assert!(candidates(&words("")).0.contains(&"demo".to_string()));
        assert!(
            !candidates(&words("")).0.contains(&"__complete".to_string()),
            "hidden commands stay hidden"
        );
    }
}
