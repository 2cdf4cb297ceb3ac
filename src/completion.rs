//! Shell completion, read off the clap definitions (pure): the static scripts and the man page,
//! and what `kubectl kurator-rollout <TAB>` offers for the words typed so far — verbs, flags,
//! flag values, and which names must be looked up in the clusters (`commands::complete` does
//! the looking up).

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, GlobalArgs, Shell};

/// cobra's ShellCompDirectiveNoFileComp.
const NO_FILE: u32 = 4;
/// cobra's ShellCompDirectiveDefault (files allowed).
const DEFAULT: u32 = 0;

/// The completion script of a shell.
pub fn script(shell: Shell) -> String {
    let mut out = Vec::new();
    // The scripts complete the executable's own name; clap's generators mishandle the
    // two-word `kubectl kurator-rollout` display name.
    let name = "kubectl-kurator_rollout";
    let mut cmd = Cli::command().bin_name(name);
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
        Shell::Elvish => clap_complete::Shell::Elvish,
    };
    clap_complete::generate(generator, &mut cmd, name, &mut out);
    let script = String::from_utf8_lossy(&out).into_owned();
    if shell == Shell::Bash {
        // clap_complete 4.6 names the bash `case` labels of a dashed binary name differently from
        // the states it assigns (`kubectl__subcmd__kurator_rollout…` vs `kubectl__kurator_rollout…`),
        // so subcommand flags would never complete; make them agree.
        return script.replace("kubectl__subcmd__kurator_rollout", "kubectl__kurator_rollout");
    }
    script
}

/// The man page (roff), from the same definitions as `--help`.
pub fn man_page_roff() -> std::io::Result<String> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command().bin_name("kubectl kurator-rollout")).render(&mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The answer in cobra's protocol, which kubectl's completion speaks: the candidates, one a
/// line, then `:<directive>` (files offered only where a file is wanted).
pub fn cobra_reply(values: &[String], needs: Option<&Needs>) -> String {
    let directive = if needs == Some(&Needs::Files) { DEFAULT } else { NO_FILE };
    let mut text: String = values.iter().map(|v| format!("{v}\n")).collect();
    text.push_str(&format!(":{directive}\n"));
    text
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
        Some("start" | "status" | "get" | "dashboard" | "promote" | "abort" | "pause" | "resume" | "retry")
            if positionals == 0 =>
        {
            (Vec::new(), Some(Needs::Canaries))
        }
        _ => (Vec::new(), None),
    }
}

pub fn filter(values: Vec<String>, prefix: &str) -> Vec<String> {
    values.into_iter().filter(|v| v.starts_with(prefix)).collect()
}

/// The global flags among the words typed (`--context a,b`, `-n test`, `--fleet f`, …), so a
/// lookup reads the clusters the finished command would. The command line is unfinished
/// (a flag without its value, a missing argument), so clap parses it leniently; the word being
/// completed is left out. `outer` holds the flags given before `__complete` itself: they are the
/// fallback, and an outer `--kubeconfig` wins, as it always has.
pub fn typed_globals(words: &[String], outer: &GlobalArgs) -> GlobalArgs {
    let done = words.split_last().map_or(&[][..], |(_, before)| before);
    let argv = std::iter::once("kubectl-kurator_rollout").chain(done.iter().map(String::as_str));
    let typed = Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(argv)
        .ok()
        .and_then(|matches| GlobalArgs::from_arg_matches(&matches).ok());
    match typed {
        Some(mut typed) => {
            typed.kubeconfig = outer.kubeconfig.clone().or(typed.kubeconfig);
            typed
        }
        None => outer.clone(),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

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
        if cfg!(feature = "playground") {
            assert!(candidates(&words("")).0.contains(&"demo".to_string()));
        }
        assert!(
            !candidates(&words("")).0.contains(&"__complete".to_string()),
            "hidden commands stay hidden"
        );
    }

    fn outer() -> GlobalArgs {
        Cli::try_parse_from(["kubectl-kurator_rollout", "version"])
            .unwrap()
            .global
    }

    #[test]
    fn lookups_target_the_clusters_the_words_name() {
        let g = typed_globals(&words("promote --context=a,b -n test "), &outer());
        assert_eq!(g.contexts, vec!["a", "b"]);
        assert_eq!(g.namespace.as_deref(), Some("test"));
        let g = typed_globals(&words("list -A --fleet f --kubeconfig /k -n"), &outer());
        assert!(g.all_namespaces);
        assert_eq!(g.fleet.as_deref(), Some("f"));
        assert_eq!(g.kubeconfig.as_deref(), Some(std::path::Path::new("/k")));
        assert_eq!(g.namespace, None, "the word being completed is not a value yet");
        let g = typed_globals(&words("status --context "), &outer());
        assert!(g.contexts.is_empty(), "a flag without its value names nothing");
    }

    #[test]
    fn replies_in_cobras_protocol() {
        let values = vec!["start".to_string(), "status".to_string()];
        assert_eq!(cobra_reply(&values, None), "start\nstatus\n:4\n");
        assert_eq!(cobra_reply(&[], Some(&Needs::Files)), ":0\n");
        assert_eq!(cobra_reply(&[], Some(&Needs::Canaries)), ":4\n");
    }
}
