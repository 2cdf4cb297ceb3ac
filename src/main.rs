//! Entry point: parse arguments, run the command, map the outcome to an exit code.

use std::process::ExitCode;

use kubectl_kurator_rollout::commands;
use kubectl_kurator_rollout::exit::{Exit, ExitError};

fn main() -> ExitCode {
    let cli = kubectl_kurator_rollout::cli::parse_args();
    kubectl_kurator_rollout::view::color::init(cli.global.color);
    init_tracing(cli.global.verbosity);
    kubectl_kurator_rollout::fleet::fanout::raise_open_file_limit();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Failed.into();
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("error: {error:#}");
            match error.downcast_ref::<ExitError>() {
                Some(e) => e.exit.into(),
                None => Exit::Failed.into(),
            }
        }
    }
}

/// `-v` traces each request (a line naming the context, method, URL, status and latency, from
/// `fleet::request_trace`); `-vv` adds its
/// details (headers, time taken: `fleet::request_trace`'s trace events, which never carry
/// credentials) and kube-client's trace events (a watch's response headers, Status bodies);
/// `-vvv` traces every library.
fn init_tracing(verbosity: u8) {
    let filter = match verbosity {
        0 => return,
        1 => "kube_client=debug,kubectl_kurator_rollout=debug",
        2 => "kube=debug,kube_client=trace,kubectl_kurator_rollout=trace",
        _ => "trace",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(kubectl_kurator_rollout::view::color::enabled())
        .try_init();
}
