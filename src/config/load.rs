//! From input files to validated policies: documents are classified (Kurator Application or
//! bare rollout block), checked against the schema, converted to the model and validated; every
//! problem becomes a located [`Diagnostic`]. Reading files is the caller's job (`Input`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::diagnostics::{Diagnostic, Severity};
use super::kurator::{FleetFacts, kurator_defects};
use super::model::RolloutConfig;
use super::schema;
use super::validate::validate;
use super::yaml::{Located, parse_documents};

/// One input file's text, named as the user named it (`-` is standard input).
#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub text: String,
}

/// A rollout to render: its policy name and configuration, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: String,
    pub config: RolloutConfig,
    pub file: String,
    pub line: u32,
    /// The Fleet named by the Application's destination, if any.
    pub fleet: Option<String>,
    pub cluster_selector: BTreeMap<String, String>,
}

struct Context<'a> {
    file: &'a str,
    doc: &'a Located,
    out: Vec<Diagnostic>,
}

impl Context<'_> {
    fn push(&mut self, severity: Severity, path: &str, message: String, fix: String) {
        let (line, column) = self.doc.position_of(path);
        self.out.push(Diagnostic {
            severity,
            file: self.file.to_string(),
            line,
            column,
            path: path.to_string(),
            message,
            fix,
            kurator: None,
        });
    }

    /// Runs the schema check of the value at `base`; unknown fields and type errors become errors.
    fn check_schema(&mut self, value: &Value, schema_doc: &Value, base: &str) -> bool {
        let checked = apimachinery::schema::check(value, schema_doc);
        let join = |p: &str| {
            if base.is_empty() {
                p.to_string()
            } else {
                format!("{base}.{p}")
            }
        };
        for field in &checked.unknown {
            let leaf = field.rsplit('.').next().unwrap_or(field);
            self.push(
                Severity::Error,
                &join(field),
                format!("unknown field \"{leaf}\""),
                "remove it or correct its spelling (Kurator's rollout schema has no such field)".into(),
            );
        }
        for e in &checked.errors {
            let message = e
                .message
                .strip_prefix(&format!("{}: ", e.field))
                .unwrap_or(&e.message)
                .to_string();
            let fix = match e.reason {
                "FieldValueRequired" => "add this field".to_string(),
                "FieldValueTypeInvalid" => "give it a value of the type named".to_string(),
                _ => "use a value in the allowed range".to_string(),
            };
            self.push(Severity::Error, &join(&e.field), message, fix);
        }
        checked.errors.is_empty() && checked.unknown.is_empty()
    }

    fn rollout(&mut self, value: &Value, base: &str) -> Option<RolloutConfig> {
        if !self.check_schema(value, &schema::rollout(), base) {
            return None;
        }
        let config: RolloutConfig = match serde_json::from_value(value.clone()) {
            Ok(c) => c,
            Err(e) => {
                self.push(
                    Severity::Error,
                    base,
                    format!("cannot read the rollout block: {e}"),
                    "fix the block's structure".into(),
                );
                return None;
            }
        };
        let mut ok = true;
        for finding in validate(&config) {
            ok &= finding.severity != Severity::Error;
            let path = if base.is_empty() {
                finding.path.clone()
            } else {
                format!("{base}.{}", finding.path)
            };
            self.push(finding.severity, &path, finding.message, finding.fix);
        }
        if ok {
            // What Kurator's own rendering will do with it (only where Kurator renders).
            for defect in kurator_defects(&config, &FleetFacts::default()) {
                let path = if base.is_empty() {
                    defect.path.clone()
                } else {
                    format!("{base}.{}", defect.path)
                };
                self.push(
                    Severity::Warning,
                    &path,
                    format!("under Kurator: {}", defect.summary()),
                    defect.fix.clone(),
                );
                if let Some(last) = self.out.last_mut() {
                    last.kurator = Some(defect);
                }
            }
        }
        ok.then_some(config)
    }
}

fn selector(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(|v| v.pointer("/clusterSelector/matchLabels"))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads every policy of every input. Policies with errors are left out; all diagnostics are
/// returned, so one run reports every problem.
pub fn load_policies(inputs: &[Input], policy_name: Option<&str>) -> (Vec<Policy>, Vec<Diagnostic>) {
    let mut policies: Vec<Policy> = Vec::new();
    let mut diagnostics = Vec::new();
    for input in inputs {
        let docs = match parse_documents(&input.text) {
            Ok(d) => d,
            Err(e) => {
                diagnostics.push(Diagnostic {
                    severity: Severity::Error,
                    file: input.name.clone(),
                    line: e.line,
                    column: e.column,
                    path: String::new(),
                    message: format!("not valid YAML: {}", e.message),
                    fix: "fix the YAML syntax at this position".into(),
                    kurator: None,
                });
                continue;
            }
        };
        if docs.is_empty() {
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                file: input.name.clone(),
                line: 1,
                column: 1,
                path: String::new(),
                message: "no documents".into(),
                fix: "give a Kurator Application or a rollout block".into(),
                kurator: None,
            });
        }
        for doc in &docs {
            let mut cx = Context {
                file: &input.name,
                doc,
                out: Vec::new(),
            };
            let value = &doc.value;
            let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
            if kind == "Application" {
                let api_version = value.get("apiVersion").and_then(Value::as_str).unwrap_or("");
                if api_version != "apps.kurator.dev/v1alpha1" {
                    cx.push(
                        Severity::Error,
                        "apiVersion",
                        format!("an Application of {api_version:?} is not Kurator's"),
                        "use apiVersion: apps.kurator.dev/v1alpha1".into(),
                    );
                }
                if cx.check_schema(value, &schema::application(), "") {
                    let app = value
                        .pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or("application");
                    let app_destination = value.pointer("/spec/destination");
                    let sync = value
                        .pointer("/spec/syncPolicies")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    let mut found = false;
                    for (i, sp) in sync.iter().enumerate() {
                        let Some(rollout) = sp.get("rollout") else { continue };
                        found = true;
                        let base = format!("spec.syncPolicies[{i}].rollout");
                        if let Some(config) = cx.rollout(rollout, &base) {
                            let destination = sp.get("destination").filter(|d| !d.is_null()).or(app_destination);
                            policies.push(Policy {
                                name: sp
                                    .get("name")
                                    .and_then(Value::as_str)
                                    .map(str::to_string)
                                    .unwrap_or(format!("{app}-{i}")),
                                config,
                                file: input.name.clone(),
                                line: doc.position_of(&base).0,
                                fleet: destination
                                    .and_then(|d| d.get("fleet"))
                                    .and_then(Value::as_str)
                                    .map(str::to_string),
                                cluster_selector: selector(destination),
                            });
                        }
                    }
                    if !found {
                        cx.push(
                            Severity::Warning,
                            "spec.syncPolicies",
                            "this Application has no rollout".into(),
                            "add a rollout block to a sync policy".into(),
                        );
                    }
                }
            } else if value.get("workload").is_some() && value.get("rolloutPolicy").is_some() {
                if let Some(config) = cx.rollout(value, "") {
                    policies.push(Policy {
                        name: policy_name
                            .map(str::to_string)
                            .unwrap_or_else(|| config.workload.name.clone()),
                        config,
                        file: input.name.clone(),
                        line: doc.position_of("").0,
                        fleet: None,
                        cluster_selector: BTreeMap::new(),
                    });
                }
            } else {
                cx.push(
                    Severity::Error,
                    "",
                    "this document is neither a Kurator Application nor a rollout block".into(),
                    "give kind: Application (apps.kurator.dev/v1alpha1) or a block with workload and rolloutPolicy"
                        .into(),
                );
            }
            let mut found = cx.out;
            found.sort_by_key(|d| (d.line, d.column));
            diagnostics.extend(found);
        }
    }
    // Two policies writing the same Canary would fight over it.
    let mut seen: BTreeMap<(String, String), String> = BTreeMap::new();
    for p in &policies {
        let key = (p.config.namespace().to_string(), p.config.workload.name.clone());
        if let Some(other) = seen.insert(key.clone(), p.name.clone()) {
            diagnostics.push(Diagnostic {
                severity: Severity::Error,
                file: p.file.clone(),
                line: p.line,
                column: 1,
                path: String::new(),
                message: format!("policies {other} and {} both roll out {}/{}", p.name, key.0, key.1),
                fix: "keep one rollout per workload".into(),
                kurator: None,
            });
        }
    }
    (policies, diagnostics)
}

#[cfg(test)]
mod tests;
