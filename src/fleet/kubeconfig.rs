//! Loading kubeconfig files with kubectl's rules: `--kubeconfig FILE` alone; else every file of
//! the `KUBECONFIG` list merged first-wins, skipping missing ones; else `~/.kube/config`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use kube::config::Kubeconfig;

#[derive(Debug, thiserror::Error)]
pub enum KubeconfigError {
    #[error("kubeconfig file {path} does not exist; check the --kubeconfig path")]
    Missing { path: PathBuf },
    #[error("cannot load kubeconfig {path}: {message}; fix the file or point --kubeconfig/KUBECONFIG elsewhere")]
    Invalid { path: PathBuf, message: String },
    #[error("cannot merge kubeconfig {path} into the files before it: {message}")]
    Merge { path: PathBuf, message: String },
}

/// Where the configuration came from, for error messages ("no contexts in …").
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Explicit(PathBuf),
    EnvList(Vec<PathBuf>),
    Home(PathBuf),
    Nothing,
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Explicit(p) => format!("--kubeconfig {}", p.display()),
            Source::EnvList(paths) => {
                let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                format!("KUBECONFIG={}", list.join(":"))
            }
            Source::Home(p) => p.display().to_string(),
            Source::Nothing => "no kubeconfig (KUBECONFIG unset and ~/.kube/config missing)".to_string(),
        }
    }
}

pub struct Loaded {
    pub config: Kubeconfig,
    pub source: Source,
}

/// Loads from the process environment.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, KubeconfigError> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    load_with(explicit, std::env::var_os("KUBECONFIG"), home)
}

/// Loads with the environment given (testable without touching the process environment).
pub fn load_with(
    explicit: Option<&Path>,
    kubeconfig_env: Option<OsString>,
    home: Option<PathBuf>,
) -> Result<Loaded, KubeconfigError> {
    if let Some(path) = explicit {
        if !path.exists() {
            return Err(KubeconfigError::Missing {
                path: path.to_path_buf(),
            });
        }
        return Ok(Loaded {
            config: read(path)?,
            source: Source::Explicit(path.to_path_buf()),
        });
    }
    if let Some(list) = kubeconfig_env.filter(|v| !v.is_empty()) {
        let paths: Vec<PathBuf> = std::env::split_paths(&list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        let mut merged: Option<Kubeconfig> = None;
        // kubectl skips list entries that do not exist; kube-rs alone would fail on them.
        for path in paths.iter().filter(|p| p.exists()) {
            let next = read(path)?;
            merged = Some(match merged {
                None => next,
                Some(m) => m.merge(next).map_err(|e| KubeconfigError::Merge {
                    path: path.clone(),
                    message: e.to_string(),
                })?,
            });
        }
        return Ok(Loaded {
            config: merged.unwrap_or_default(),
            source: Source::EnvList(paths),
        });
    }
    if let Some(home) = home {
        let path = home.join(".kube").join("config");
        if path.exists() {
            return Ok(Loaded {
                config: read(&path)?,
                source: Source::Home(path),
            });
        }
    }
    Ok(Loaded {
        config: Kubeconfig::default(),
        source: Source::Nothing,
    })
}

fn read(path: &Path) -> Result<Kubeconfig, KubeconfigError> {
    Kubeconfig::read_from(path).map_err(|e| KubeconfigError::Invalid {
        path: path.to_path_buf(),
        message: error_chain(&e),
    })
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(context: &str, server: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: {context}\nclusters:\n- name: {context}\n  cluster:\n    server: {server}\n\
             contexts:\n- name: {context}\n  context:\n    cluster: {context}\n    user: u\nusers:\n- name: u\n  user:\n    token: t\n"
        )
    }

    #[test]
    fn env_list_skips_missing_and_merges_first_wins() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::write(&a, config("one", "http://a")).unwrap();
        std::fs::write(&b, config("two", "http://b")).unwrap();
        let list = std::env::join_paths([dir.path().join("missing"), a, b]).unwrap();
        let loaded = load_with(None, Some(list), None).unwrap();
        let names: Vec<&str> = loaded.config.contexts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["one", "two"]);
        assert_eq!(loaded.config.current_context.as_deref(), Some("one"));
    }

    #[test]
    fn explicit_missing_or_broken_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = load_with(Some(&missing), None, None).err().unwrap();
        assert!(err.to_string().contains("does not exist"), "{err}");
        let broken = dir.path().join("broken");
        std::fs::write(&broken, "clusters: [unclosed").unwrap();
        let err = load_with(Some(&broken), None, None).err().unwrap();
        assert!(err.to_string().contains(&broken.display().to_string()), "{err}");
    }

    #[test]
    fn home_config_when_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".kube")).unwrap();
        std::fs::write(dir.path().join(".kube/config"), config("home", "http://h")).unwrap();
        let loaded = load_with(None, None, Some(dir.path().to_path_buf())).unwrap();
        assert_eq!(loaded.config.contexts[0].name, "home");
        let empty = load_with(None, None, Some(dir.path().join("elsewhere"))).unwrap();
        assert_eq!(empty.source, Source::Nothing);
    }
}
