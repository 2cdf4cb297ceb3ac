//! Writing results to stdout in the format asked for. Machine formats are stable: JSON and YAML
//! print an array of rows, ndjson one row per line.

use std::io::Write;

use serde::Serialize;

use crate::cli::OutputFormat;

/// Prints `rows`; `table` renders the human formats (`wide` gets `true`).
pub fn print_rows<T: Serialize>(
    format: OutputFormat,
    rows: &[T],
    table: impl Fn(bool) -> String,
) -> std::io::Result<()> {
    let text = match format {
        OutputFormat::Table => table(false),
        OutputFormat::Wide => table(true),
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(rows).map_err(std::io::Error::other)?;
            s.push('\n');
            s
        }
        OutputFormat::Yaml => serde_saphyr::to_string(&rows).map_err(std::io::Error::other)?,
        OutputFormat::Ndjson => {
            let mut s = String::new();
            for row in rows {
                s.push_str(&serde_json::to_string(row).map_err(std::io::Error::other)?);
                s.push('\n');
            }
            s
        }
    };
    write_stdout(&text)
}

/// Prints one document: `table` renders the human formats (`wide` gets `true`); json and yaml
/// print the document, ndjson the document on one line.
pub fn print_document<T: Serialize>(
    format: OutputFormat,
    document: &T,
    table: impl Fn(bool) -> String,
) -> std::io::Result<()> {
    let text = match format {
        OutputFormat::Table => table(false),
        OutputFormat::Wide => table(true),
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(document).map_err(std::io::Error::other)?;
            s.push('\n');
            s
        }
        OutputFormat::Yaml => serde_saphyr::to_string(document).map_err(std::io::Error::other)?,
        OutputFormat::Ndjson => {
            let mut s = serde_json::to_string(document).map_err(std::io::Error::other)?;
            s.push('\n');
            s
        }
    };
    write_stdout(&text)
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth reporting.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
