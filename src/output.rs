//! Writing results to stdout in the format asked for, following kubectl's printers.
//!
//! - `table`/`wide`: the verb's table (`--no-headers` drops header lines, see `view::table`).
//! - `json`/`yaml`: ONE document, the array of rows. With `--watch` these are refused
//!   ([`refuse_with_watch`]): a follow prints many states, and one document cannot hold them
//!   while the follow runs; `ndjson` is the streaming format.
//! - `ndjson`: one row per line, nothing else on stdout.
//! - `name`: `canary.flagger.app/<name>` as kubectl prints it, once per canary name — a Canary
//!   of one namespace/name in several clusters is one rollout of the fleet, which is what NAME
//!   addresses in every verb. The cluster is not shown; use
//!   `-o custom-columns=CLUSTER:.cluster,NAME:.name` for one line per cluster.
//! - `jsonpath=…` over the rows as a kubectl List; `custom-columns=…` per row
//!   (`view::jsonpath`).
//!
//! Machine formats are stable: JSON and YAML print an array of rows, ndjson one row per line.

use std::io::Write;

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::exit::ExitError;
use crate::model::canary::CanaryState;
use crate::view::{jsonpath, table};

/// Prints `rows`; `table` renders the human formats (`wide` gets `true`).
pub fn print_rows<T: Serialize>(
    format: OutputFormat,
    rows: &[T],
    table: impl Fn(bool) -> String,
) -> anyhow::Result<()> {
    let text = match format {
        OutputFormat::Table => table(false),
        OutputFormat::Wide => table(true),
        OutputFormat::Json => json_document(rows)?,
        OutputFormat::Yaml => serde_saphyr::to_string(&rows)?,
        OutputFormat::Ndjson => {
            let mut s = String::new();
            for row in rows {
                s.push_str(&serde_json::to_string(row)?);
                s.push('\n');
            }
            s
        }
        OutputFormat::Name => {
            return Err(ExitError::usage("-o name lists canaries: use it with status, list or get").into());
        }
        OutputFormat::JsonPath(template) => {
            let list = serde_json::json!({"kind": "List", "apiVersion": "v1", "items": values(rows)?});
            jsonpath::apply_template(template, &list).map_err(ExitError::usage)?
        }
        OutputFormat::CustomColumns(spec) => {
            let (headers, cells) = jsonpath::custom_columns(spec, &values(rows)?).map_err(ExitError::usage)?;
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            table::render(&headers, &cells)
        }
    };
    write_stdout(&text)?;
    Ok(())
}

/// Prints Kubernetes objects (`render`, `install --dry-run`): with a table format the YAML
/// stream `stream` (which `kubectl apply -f` takes), with `json`/`yaml` one kubectl `List` of
/// them, otherwise as rows.
pub fn print_objects(
    format: OutputFormat,
    objects: &[serde_json::Value],
    stream: impl Fn() -> String,
) -> anyhow::Result<()> {
    let list = || serde_json::json!({"apiVersion": "v1", "kind": "List", "items": objects});
    match format {
        OutputFormat::Table | OutputFormat::Wide => write_stdout(&stream())?,
        OutputFormat::Json => write_stdout(&json_document(&list())?)?,
        OutputFormat::Yaml => write_stdout(&serde_saphyr::to_string(&list())?)?,
        _ => print_rows(format, objects, |_| String::new())?,
    }
    Ok(())
}

/// `-o json`: one indented document and a final newline.
fn json_document<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

fn values<T: Serialize>(rows: &[T]) -> serde_json::Result<Vec<serde_json::Value>> {
    rows.iter().map(serde_json::to_value).collect()
}

/// Prints canary rows: as [`print_rows`], with `-o name`, and kubectl's `No resources found`
/// on stderr when nothing matched (`namespace` None: every namespace).
pub fn print_canaries(
    format: OutputFormat,
    rows: &[CanaryState],
    namespace: Option<&str>,
    table: impl Fn(bool) -> String,
) -> anyhow::Result<()> {
    if rows.is_empty() && !matches!(format, OutputFormat::Json | OutputFormat::Yaml) {
        eprintln!("{}", no_resources(namespace));
        return Ok(());
    }
    if format == OutputFormat::Name {
        let mut seen = std::collections::BTreeSet::new();
        let mut text = String::new();
        for r in rows.iter().filter(|r| r.found()) {
            if seen.insert((r.namespace.clone(), r.name.clone())) {
                text.push_str(&format!("canary.flagger.app/{}\n", r.name));
            }
        }
        write_stdout(&text)?;
        return Ok(());
    }
    print_rows(format, rows, table)
}

/// kubectl's message for an empty list, on stderr (k8s.io/kubectl pkg/cmd/get/get.go, `Run`:
/// `No resources found in %s namespace.`, or `No resources found` across namespaces).
pub fn no_resources(namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) => format!("No resources found in {ns} namespace."),
        None => "No resources found".to_string(),
    }
}

/// `--watch` prints a state after another: `json` and `yaml`, one document each, cannot; the
/// other single-shot formats neither. Refused before anything is read.
pub fn refuse_with_watch(format: OutputFormat) -> Result<(), ExitError> {
    match format {
        OutputFormat::Table | OutputFormat::Wide | OutputFormat::Ndjson => Ok(()),
        _ => Err(ExitError::usage(
            "--watch prints one state after another: use -o ndjson (one JSON object per line) or a table; -o json and yaml print one document",
        )),
    }
}

/// A note for people (`nothing changed`): on stdout with a table, on stderr when stdout
/// carries a machine format.
pub fn notice(format: OutputFormat, text: &str) -> std::io::Result<()> {
    if format.is_table() {
        write_stdout(text)
    } else {
        eprint!("{text}");
        Ok(())
    }
}

/// Prints one document: `table` renders the human formats (`wide` gets `true`); json and yaml
/// print the document, ndjson the document on one line.
pub fn print_document<T: Serialize>(
    format: OutputFormat,
    document: &T,
    table: impl Fn(bool) -> String,
) -> anyhow::Result<()> {
    let text = match format {
        OutputFormat::Table => table(false),
        OutputFormat::Wide => table(true),
        OutputFormat::Json => json_document(document)?,
        OutputFormat::Yaml => serde_saphyr::to_string(document)?,
        OutputFormat::Ndjson => {
            let mut s = serde_json::to_string(document)?;
            s.push('\n');
            s
        }
        // One object: the template applies to it, as kubectl's to one object; the columns make
        // one row.
        OutputFormat::JsonPath(template) => {
            jsonpath::apply_template(template, &serde_json::to_value(document)?).map_err(ExitError::usage)?
        }
        OutputFormat::Name | OutputFormat::CustomColumns(_) => {
            return print_rows(format, std::slice::from_ref(document), table);
        }
    };
    write_stdout(&text)?;
    Ok(())
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth reporting.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
