//! Command-line definitions (clap types only, no I/O).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "kubectl-kurator_rollout",
    version,
    about = "Interactive, multi-cluster progressive delivery with Flagger (and Kurator)",
    long_about = "Drive Flagger canaries across a fleet of Kubernetes clusters from one terminal: \
                  install and check Flagger, render and apply rollout policies, start releases, \
                  watch every cluster live, and promote or abort fleet-wide.",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// `-o`: kubectl's output formats, plus `ndjson` (the streaming format of `--watch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Table,
    Wide,
    Json,
    Yaml,
    Ndjson,
    /// `canary.flagger.app/<name>`, as kubectl's `-o name`.
    Name,
    /// `jsonpath=TEMPLATE`. The text is parsed once per process and leaked so that the format
    /// stays `Copy` like the others (every verb passes it by value).
    JsonPath(&'static str),
    /// `custom-columns=HEADER:.path,…` (leaked as `JsonPath`).
    CustomColumns(&'static str),
}

impl OutputFormat {
    /// The tables people read (`table`, `wide`), as opposed to formats programs read.
    pub fn is_table(self) -> bool {
        matches!(self, OutputFormat::Table | OutputFormat::Wide)
    }
}

const OUTPUT_FORMATS: [&str; 8] = [
    "table",
    "wide",
    "json",
    "yaml",
    "ndjson",
    "name",
    "jsonpath=",
    "custom-columns=",
];

/// Parses `-o` as kubectl does (`jsonpath=…`, `custom-columns=…` carry their template).
pub fn parse_output(text: &str) -> Result<OutputFormat, String> {
    let leak = |t: &str| -> &'static str { Box::leak(t.to_string().into_boxed_str()) };
    let format = match text {
        "table" => OutputFormat::Table,
        "wide" => OutputFormat::Wide,
        "json" => OutputFormat::Json,
        "yaml" => OutputFormat::Yaml,
        "ndjson" => OutputFormat::Ndjson,
        "name" => OutputFormat::Name,
        _ => {
            // The template is checked with the invocation (`Invocation::from_global`).
            if let Some(template) = text.strip_prefix("jsonpath=") {
                OutputFormat::JsonPath(leak(template))
            } else if let Some(spec) = text.strip_prefix("custom-columns=") {
                OutputFormat::CustomColumns(leak(spec))
            } else {
                return Err(format!(
                    "unknown output format '{text}'; use one of: {}",
                    OUTPUT_FORMATS.join(", ")
                ));
            }
        }
    };
    Ok(format)
}

/// `-o`'s parser, listing the formats for help and shell completion.
#[derive(Debug, Clone, Copy)]
struct OutputParser;

impl clap::builder::TypedValueParser for OutputParser {
    type Value = OutputFormat;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<OutputFormat, clap::Error> {
        let text = value.to_string_lossy();
        parse_output(&text).map_err(|e| {
            clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("-o {text}: {e}\n")).with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(OUTPUT_FORMATS.iter().map(clap::builder::PossibleValue::new)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Flags every command accepts, named as kubectl names them.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context.
    #[arg(long = "context", global = true, value_name = "NAME", value_delimiter = ',')]
    pub contexts: Vec<String>,

    /// Target every context in the kubeconfig.
    #[arg(long, global = true, conflicts_with = "contexts")]
    pub all_contexts: bool,

    /// Target the contexts whose name matches a glob (e.g. 'prod-*').
    #[arg(long, global = true, value_name = "GLOB", conflicts_with_all = ["contexts", "all_contexts"])]
    pub contexts_matching: Option<String>,

    /// Namespace (default: each context's namespace, else "default").
    #[arg(short = 'n', long, global = true, value_name = "NS")]
    pub namespace: Option<String>,

    /// All namespaces.
    #[arg(short = 'A', long, global = true)]
    pub all_namespaces: bool,

    /// Output format: table, wide, json, yaml, ndjson (one object per line: the streaming
    /// format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…
    #[arg(short = 'o', long, global = true, value_name = "FORMAT", value_parser = OutputParser, default_value = "table")]
    pub output: OutputFormat,

    /// Print tables without their header line (as kubectl --no-headers).
    #[arg(long, global = true)]
    pub no_headers: bool,

    /// When to use colour (NO_COLOR is honoured with auto).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// How long one request to a cluster may take, answer included, as kubectl's flag (e.g.
    /// 5s); a watch only until its answer starts.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub request_timeout: Option<Duration>,

    /// Time one cluster may take for one step before its row shows a timeout; the other
    /// clusters are never held up by it.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration, default_value = "10s")]
    pub cluster_timeout: Duration,

    /// Answer yes to confirmations.
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// Contexts where every change needs the typed count, even one canary in one cluster
    /// (verbs and the live view's keys).
    #[arg(long, global = true, value_name = "GLOB", default_value = "*prod*")]
    pub protected: String,

    /// Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission.
    #[arg(long = "as", global = true, value_name = "USER")]
    pub impersonate: Option<String>,

    /// Act as this group too (repeatable, as kubectl --as-group); needs --as.
    #[arg(long = "as-group", global = true, value_name = "GROUP", requires = "impersonate")]
    pub impersonate_groups: Vec<String>,

    /// Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts.
    #[arg(long, global = true, value_name = "NAME", conflicts_with_all = ["contexts", "all_contexts", "contexts_matching"])]
    pub fleet: Option<String>,

    /// The hub cluster's context (default: the current context).
    #[arg(long, global = true, value_name = "CONTEXT", requires = "fleet")]
    pub hub_context: Option<String>,

    /// The Fleet's namespace on the hub.
    #[arg(long, global = true, value_name = "NS", default_value = "default")]
    pub fleet_namespace: String,

    /// Only members whose cluster object has these labels (key=value, repeatable), as Kurator's clusterSelector.
    #[arg(long, global = true, value_name = "KEY=VALUE", value_parser = parse_cluster_name, requires = "fleet")]
    pub cluster_selector: Vec<(String, String)>,

    /// More output on stderr: -v requests, -vv request details (tokens are never printed).
    #[arg(short = 'v', long = "verbosity", global = true, action = clap::ArgAction::Count)]
    pub verbosity: u8,
}

#[cfg(feature = "playground")]
fn parse_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 10_000.0 => Ok(v),
        _ => Err(format!(
            "invalid speed '{text}': use a number between 0 and 10000, e.g. 30"
        )),
    }
}

/// The parsed command line, with usage shown as `kubectl kurator-rollout` when kubectl runs the
/// plugin (its file name starts with `kubectl-`, as kubectl requires).
pub fn parse_args() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let mut command = Cli::command();
    let invoked_as = std::env::args_os().next().map(std::path::PathBuf::from);
    if invoked_as
        .as_ref()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n.to_string_lossy().starts_with("kubectl-"))
    {
        command = command.bin_name("kubectl kurator-rollout");
    }
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// A Flagger phase, spelled as Flagger spells it (any case accepted).
pub fn parse_phase(text: &str) -> Result<String, String> {
    let phases = &crate::flagger::types::PHASES[1..];
    phases
        .iter()
        .find(|p| p.eq_ignore_ascii_case(text.trim()))
        .map(|p| p.to_string())
        .ok_or_else(|| format!("unknown phase '{text}': Flagger's phases are {}", phases.join(", ")))
}

pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if let Ok(seconds) = trimmed.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    humantime::parse_duration(trimmed).map_err(|e| format!("invalid duration '{text}' ({e}); use e.g. 500ms, 10s, 2m"))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the target clusters and whether each is reachable.
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout clusters --all-contexts\n  \
        kubectl kurator-rollout clusters --contexts-matching 'kurator-*' -o json\n\n\
        Exit codes: 0 all reachable, 5 some unreachable, 1 none reachable.")]
    Clusters,

    /// Serve simulated clusters on 127.0.0.1 until interrupted (for trying the tool and for tests).
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout playground --clusters 3\n  \
        eval \"$(kubectl kurator-rollout playground --clusters 5 --latency 50ms | tail -n1)\"\n\n\
        Prints one line per cluster, then `export KUBECONFIG=<path>`, and serves until Ctrl-C or SIGTERM.")]
    #[cfg(feature = "playground")]
    Playground(PlaygroundArgs),

    /// Install Flagger (and a load tester) in every target cluster; safe to re-run.
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout install --all-contexts --provider istio --testloader\n  \
        kubectl kurator-rollout install --context prod-eu --provider nginx --cluster-name prod-eu=member1\n  \
        kubectl kurator-rollout install --all-contexts --provider istio --dry-run > flagger.yaml\n\n\
        Exit codes: 0 installed and ready everywhere, 5 some clusters failed, 1 all failed.")]
    Install(InstallArgs),

    /// Check that every target cluster is ready for rollouts (CRDs, Flagger, load tester, permissions).
    #[command(
        visible_alias = "verify",
        after_help = "Examples:\n  \
        kubectl kurator-rollout check --all-contexts\n  \
        kubectl kurator-rollout check --context prod-eu --testloader -o json\n\n\
        Exit codes: 0 every cluster passes, 1 a check failed, 5 some clusters unreachable."
    )]
    Check(CheckArgs),

    /// Remove what `install` created (objects labelled app.kubernetes.io/managed-by=kubectl-kurator-rollout).
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout uninstall --all-contexts\n  \
        kubectl kurator-rollout uninstall --context dev --crds --force --yes\n\n\
        Refuses clusters that still have Canaries unless --force. Namespaces are never deleted; the\n\
        Flagger CRDs (and with them every Canary) only with --crds.")]
    Uninstall(UninstallArgs),

    /// Check rollout policies (Kurator Application rollouts or bare rollout blocks) without a cluster.
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout lint -f rollout.yaml\n  \
        cat app.yaml | kubectl kurator-rollout lint -f -\n\n\
        Every problem is printed as file:line:column with its field path and a fix.\n\
        Exit codes: 0 no errors (warnings allowed), 1 errors, 2 unreadable input.")]
    Lint(LintArgs),

    /// Print the Flagger objects a rollout policy becomes in each cluster, as YAML.
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout render -f rollout.yaml --cluster-name member1 --cluster-name member2\n  \
        kubectl kurator-rollout render -f rollout.yaml --all-contexts --manual-promotion | kubectl apply -f -\n\n\
        Without --context/--all-contexts/--contexts-matching nothing is contacted: one cluster per\n\
        --cluster-name (default: named after the current context; without a kubeconfig a name is\n\
        required). With targets, each cluster's Service and namespace are read. The gates are the\n\
        flags' (apply keeps a live Canary's gates unless a flag changes them).")]
    Render(RenderArgs),

    /// Render rollout policies and server-side apply them to every target cluster.
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout apply -f rollout.yaml --all-contexts\n  \
        kubectl kurator-rollout apply -f rollout.yaml --all-contexts --manual-promotion --dry-run\n  \
        kubectl kurator-rollout apply -f rollout.yaml --all-contexts --manual-promotion=false\n\n\
        A gate flag left out keeps what each Canary was applied with. A change to a run under way\n\
        is shown first and needs confirmation (--yes without a terminal).\n\
        Exit codes: 0 applied everywhere, 5 some clusters failed, 1 all failed, invalid policy or\n\
        declined; 2 a confirmation needed without a terminal.")]
    Apply(ApplyArgs),

    /// Trigger a new release of a canary in every target cluster (new image or restart).
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout start podinfo --all-contexts --image podinfod=ghcr.io/stefanprodan/podinfo:6.0.1 --watch\n  \
        kubectl kurator-rollout start podinfo --all-contexts --restart --wave-size 1 --on-failure stop\n  \
        kubectl kurator-rollout start podinfo -f rollout.yaml --all-contexts --image '*=registry/app:2.0'\n\n\
        A canary in the middle of a run is refused unless --force (a new revision restarts its analysis).")]
    Start(StartArgs),

    /// Show every target cluster's canaries; --watch follows them live (exit codes for CI).
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout status podinfo --all-contexts\n  \
        kubectl kurator-rollout status podinfo --all-contexts --watch --timeout 20m -o ndjson\n  \
        kubectl kurator-rollout status podinfo --all-contexts -w --until WaitingPromotion\n\n\
        With --watch: 0 every required canary Succeeded, 1 one Failed and none succeeded,\n\
        3 --timeout passed, 4 nothing matched, 5 some succeeded and others Failed, unreachable\n\
        or missing the canary, 130 interrupted. --timeout, --until and --wait-for-start need --watch.")]
    Status(StatusArgs),

    /// List every canary across the target clusters.
    #[command(
        after_help = "Examples:\n  kubectl kurator-rollout list --all-contexts -A\n  kubectl kurator-rollout list --all-contexts -w"
    )]
    List(ListArgs),

    /// One canary in depth in every target cluster: progress, analysis, gates and Flagger's events.
    #[command(after_help = "Examples:\n  kubectl kurator-rollout get podinfo --all-contexts -n test")]
    Get(GetArgs),

    /// Serve the fleet's canaries as a live web page on 127.0.0.1, with the actions of the verbs.
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout dashboard --all-contexts -n test\n  \
        kubectl kurator-rollout dashboard --fleet quickstart -A --port 3200 --open\n  \
        kubectl kurator-rollout dashboard --all-contexts -A --read-only\n\n\
        Prints the URL to open (with this run's token after #) and serves until Ctrl-C or SIGTERM.\n\
        Only requests for the bound address are answered; actions need the token and the page's own\n\
        Origin, and show their plan first (the typed count where several or --protected clusters change).")]
    Dashboard(DashboardArgs),

    /// Run a whole rollout on a built-in simulated fleet: 3 clusters, one failing by design.
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout demo            # live view; Ctrl-C to stop early\n  \
        kubectl kurator-rollout demo --yes      # unattended; exits 0 when it went as designed\n  \
        kubectl kurator-rollout demo --keep     # keep serving the playground afterwards")]
    #[cfg(feature = "playground")]
    Demo(DemoArgs),

    /// Promote a canary held at a gate (or at once with --full), per cluster or fleet-wide.
    #[command(after_help = "Examples:\n  \
        kubectl kurator-rollout promote podinfo -n test --all-contexts\n  \
        kubectl kurator-rollout promote podinfo -n test --context prod-eu --full --yes\n\n\
        promote opens the canary's gate on its load tester (through the API server's service proxy),\n\
        waits for the next step and closes the gate again. A run not yet held at a gate fails its row\n\
        (exit 1, 5 beside promoted ones); --wait waits for its promotion gate first (up to --timeout).\n\
        --full sets spec.skipAnalysis until Succeeded.")]
    Promote(PromoteArgs),

    /// Roll a running canary back through its rollback gate.
    #[command(after_help = "Examples:\n  kubectl kurator-rollout abort podinfo -n test --all-contexts --yes")]
    Abort(ControlArgs),

    /// Pause a canary (spec.suspend=true): Flagger freezes it where it is.
    #[command(after_help = "Examples:\n  kubectl kurator-rollout pause podinfo -n test --all-contexts")]
    Pause(ControlArgs),

    /// Resume a paused canary (spec.suspend=false).
    #[command(after_help = "Examples:\n  kubectl kurator-rollout resume podinfo -n test --all-contexts")]
    Resume(ControlArgs),

    /// Run a Failed canary again (closes its rollback gate, restarts the release).
    #[command(after_help = "Examples:\n  kubectl kurator-rollout retry podinfo -n test --context member2 --yes")]
    Retry(ControlArgs),

    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = "Examples:\n  \
        source <(kubectl kurator-rollout completion bash)\n  \
        kubectl kurator-rollout completion zsh > \"${fpath[1]}/_kubectl-kurator_rollout\"\n\n\
        For `kubectl kurator-rollout <TAB>` through kubectl's own completion, put the\n\
        kubectl_complete-kurator_rollout helper (shipped beside the binary) on PATH.")]
    Completion(CompletionArgs),

    /// The man page (roff), generated from these definitions.
    #[command(name = "__man", hide = true)]
    Man,

    /// Completion candidates for the words given (cobra's protocol, used by kubectl's completion).
    #[command(name = "__complete", hide = true)]
    Complete(CompleteArgs),

    /// Print the plugin version.
    #[command(
        after_help = "Examples:\n  kubectl kurator-rollout version --short\n  kubectl kurator-rollout version --server --all-contexts"
    )]
    Version(VersionArgs),
}

#[derive(Debug, Clone, Args)]
pub struct CompleteArgs {
    /// The words typed so far after the plugin name; the last is being completed.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub words: Vec<String>,
}

/// What every control verb takes.
#[derive(Debug, Clone, Args)]
pub struct ControlArgs {
    /// The Canary name (or use -l).
    pub name: Option<String>,

    /// Act on every Canary matching this label selector.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Print the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// How long to wait for Flagger to act in each cluster.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5m")]
    pub timeout: Duration,
}

#[derive(Debug, Clone, Args)]
pub struct PromoteArgs {
    #[command(flatten)]
    pub control: ControlArgs,

    /// Promote now, skipping the rest of the analysis (spec.skipAnalysis until Succeeded).
    #[arg(long)]
    pub full: bool,

    /// With --full: leave spec.skipAnalysis=true afterwards.
    #[arg(long, requires = "full")]
    pub keep_skip: bool,

    /// A run not yet held at a gate: wait (up to --timeout) until its promotion gate holds
    /// it, then promote (without it such a canary's row fails).
    #[arg(long, conflicts_with = "full")]
    pub wait: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OnFailure {
    #[default]
    Stop,
    Continue,
    AbortAll,
}

#[derive(Debug, Clone, Args)]
pub struct StartArgs {
    /// The Canary (and workload) name.
    pub name: String,

    /// Apply these rollout policies first, as `apply` does.
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Set a container's image: CONTAINER=IMAGE (repeatable; `*` for every container, init containers too).
    #[arg(long, value_name = "CONTAINER=IMAGE", value_parser = parse_cluster_name)]
    pub image: Vec<(String, String)>,

    /// Start a new run of the same spec (a pod-template annotation with the time).
    #[arg(long)]
    pub restart: bool,

    /// Start even where a run is under way (its analysis restarts).
    #[arg(long)]
    pub force: bool,

    /// With -f: take over fields another field manager owns instead of reporting them as
    /// conflicts (kubectl's --force-conflicts).
    #[arg(long, requires = "files")]
    pub force_conflicts: bool,

    /// With -f: the cluster names the policies render with, as `apply --cluster-name`.
    #[command(flatten)]
    pub naming: ClusterNames,

    /// Start the clusters in waves of N or P% (in the order given), each after the previous Succeeded.
    #[arg(long, value_name = "N|P%")]
    pub wave_size: Option<String>,

    /// The order clusters start in, as contexts (comma-separated; unlisted ones follow in target order).
    #[arg(long, value_name = "CONTEXT,…", value_delimiter = ',')]
    pub order: Vec<String>,

    /// When a wave fails: stop (later waves are not started), continue, or abort-all (roll back running ones).
    #[arg(long, value_enum, default_value_t = OnFailure::Stop)]
    pub on_failure: OnFailure,

    /// Follow the release with the live view until it ends.
    #[arg(short = 'w', long)]
    pub watch: bool,

    /// Give up following after this long (exit 3).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Print the plan (-f as a server-side dry run where policies go, the waves, each
    /// cluster's Deployment change as a server-side dry run) and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub gates: GateArgs,
}

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// The Canary name (default: every canary of the namespace); under --fleet,
    /// application/NAME names a Kurator Application instead.
    pub name: Option<String>,

    /// Label selector for the Canaries.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Follow until every required canary ends.
    #[arg(short = 'w', long)]
    pub watch: bool,

    /// Give up after this long (exit 3).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "watch")]
    pub timeout: Option<Duration>,

    /// Which clusters must succeed: all, any, or a number.
    #[arg(long, value_name = "all|any|N", default_value = "all")]
    pub require: String,

    /// Also end successfully on these phases (comma-separated), e.g. WaitingPromotion.
    #[arg(long, value_name = "PHASE,…", value_delimiter = ',', value_parser = parse_phase, requires = "watch")]
    pub until: Vec<String>,

    /// Ignore the previous run's outcome: wait for a new run to start first.
    #[arg(long, requires = "watch")]
    pub wait_for_start: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Label selector for the Canaries.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Keep listing: a line for every change.
    #[arg(short = 'w', long)]
    pub watch: bool,
}

#[derive(Debug, Clone, Args)]
pub struct GetArgs {
    /// The Canary name.
    pub name: String,
}

#[derive(Debug, Clone, Args)]
pub struct DashboardArgs {
    /// Only this Canary (default: every canary of the namespace, or of all with -A).
    pub name: Option<String>,

    /// Label selector for the Canaries.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// The address to listen on. Anything but a loopback address exposes the page, and its
    /// actions to whoever has the URL, to the network over plain HTTP.
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    pub address: std::net::IpAddr,

    /// The port to listen on (0: any free port, printed in the URL).
    #[arg(long, default_value_t = 3100)]
    pub port: u16,

    /// Show the fleet only: no action buttons, and no action endpoint is served.
    #[arg(long)]
    pub read_only: bool,

    /// Open the URL in the default browser (xdg-open, open, or start).
    #[arg(long)]
    pub open: bool,
}

#[cfg(feature = "playground")]
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Keep serving the playground after the rollout, until Ctrl-C.
    #[arg(long)]
    pub keep: bool,

    /// Simulated time runs this many times faster.
    #[arg(long, default_value_t = 10.0, value_parser = parse_speed)]
    pub speed: f64,

    /// Number of simulated clusters.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(2..=50))]
    pub clusters: u16,

    /// Also serve the rollout as a live web page (the `dashboard` verb's, on 127.0.0.1, any
    /// free port); its URL is printed on stderr.
    #[arg(long)]
    pub dashboard: bool,
}

/// Where rollout policies come from.
#[derive(Debug, Clone, Args)]
pub struct PolicyFiles {
    /// A file with one or more YAML/JSON documents (`-` for standard input); repeatable.
    #[arg(short = 'f', long = "filename", value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Policy name of a bare rollout block (default: the workload name).
    #[arg(long, value_name = "NAME")]
    pub policy_name: Option<String>,
}

/// Gate hooks rendered beyond Kurator's, for manual control. Each takes kubectl's boolean form:
/// `--manual-promotion` (or `=true`) adds the gate, `--manual-promotion=false` drops it, and
/// without the flag `apply` keeps what the Canary was applied with.
#[derive(Debug, Clone, Args)]
pub struct GateArgs {
    /// The rollback hook that `abort` uses (on for a new policy); =false drops it.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub abort_gate: Option<bool>,

    /// Hold each run before promotion until `promote` (a confirm-promotion gate); =false drops it.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub manual_promotion: Option<bool>,

    /// Hold each new revision before its analysis starts (a confirm-rollout gate); =false drops it.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub manual_start: Option<bool>,

    /// Hold each traffic step until approved (a confirm-traffic-increase gate); =false drops it.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub manual_steps: Option<bool>,
}

#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub policies: PolicyFiles,
}

#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub policies: PolicyFiles,

    #[command(flatten)]
    pub gates: GateArgs,

    /// A cluster to render for (repeatable); with targets, CONTEXT=NAME renames a context's cluster.
    #[arg(long, value_name = "NAME")]
    pub cluster_name: Vec<String>,
}

/// `--cluster-name CONTEXT=NAME`, one definition for every verb that applies rollout policies
/// (`apply`, `start -f`): the cluster name a policy renders with (the public load tester's
/// name derives from it) when it is not the context's name.
#[derive(Debug, Clone, Default, Args)]
pub struct ClusterNames {
    /// Name a cluster differently from its context (load tester names): CONTEXT=NAME, repeatable.
    #[arg(long, value_name = "CONTEXT=NAME", value_parser = parse_cluster_name)]
    pub cluster_name: Vec<(String, String)>,
}

#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub policies: PolicyFiles,

    #[command(flatten)]
    pub gates: GateArgs,

    #[command(flatten)]
    pub naming: ClusterNames,

    /// Show what would change and change nothing: in each cluster a diff against the live
    /// objects; under --fleet each Application's server-side dry-run result; and what it does to
    /// runs under way.
    #[arg(long)]
    pub dry_run: bool,

    /// Take over fields another field manager owns (kubectl edit, Kurator, Flux…) instead of
    /// reporting them as conflicts (kubectl's --force-conflicts).
    #[arg(long)]
    pub force_conflicts: bool,
}

#[derive(Debug, Clone, Args)]
pub struct InstallArgs {
    /// Traffic provider: decides the namespace and Flagger's -mesh-provider.
    #[arg(long, value_enum)]
    pub provider: crate::install::provider::Provider,

    /// Prometheus URL for Flagger's builtin metrics (default per provider).
    #[arg(long, value_name = "URL")]
    pub metrics_server: Option<String>,

    /// Flagger version (image tag).
    #[arg(long, value_name = "VERSION", default_value = crate::install::manifests::DEFAULT_FLAGGER_VERSION)]
    pub flagger_version: String,

    /// Also install the public load tester (needed for gates, promote and abort).
    #[arg(long)]
    pub testloader: bool,

    /// Name a cluster differently from its context in object names: CONTEXT=NAME (repeatable).
    #[arg(long, value_name = "CONTEXT=NAME", value_parser = parse_cluster_name)]
    pub cluster_name: Vec<(String, String)>,

    /// How long to wait for Flagger to become Available in each cluster.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5m")]
    pub timeout: Duration,

    /// Print the manifests for each cluster as YAML and change nothing; exits as the install
    /// would (a cluster running another Flagger, or not answering, fails).
    #[arg(long)]
    pub dry_run: bool,

    /// Take over fields another field manager owns instead of reporting them as conflicts
    /// (kubectl's --force-conflicts).
    #[arg(long)]
    pub force_conflicts: bool,
}

pub fn parse_cluster_name(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((context, name)) if !context.is_empty() && !name.is_empty() => Ok((context.to_string(), name.to_string())),
        _ => Err(format!("expected CONTEXT=NAME, got '{text}'")),
    }
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Also require a load tester.
    #[arg(long)]
    pub testloader: bool,
}

#[derive(Debug, Clone, Args)]
pub struct UninstallArgs {
    /// Uninstall even where Canaries still exist (they stop being reconciled).
    #[arg(long)]
    pub force: bool,

    /// Also delete the Flagger CRDs, and with them every Canary, MetricTemplate and AlertProvider.
    #[arg(long)]
    pub crds: bool,

    /// Show what would be removed (under --fleet: the Fleet plugin change) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[cfg(feature = "playground")]
#[derive(Debug, Clone, Args)]
pub struct PlaygroundArgs {
    /// Number of simulated clusters.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub clusters: u16,

    /// Where to write the kubeconfig (default: a file in a new temporary directory); an
    /// existing file is refused unless --force. Written with mode 0600 (it holds tokens).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig_out: Option<PathBuf>,

    /// With --kubeconfig-out: replace the file if it exists (its mode becomes 0600).
    #[arg(long, requires = "kubeconfig_out")]
    pub force: bool,

    /// Latency added to every API request (e.g. 50ms).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "0ms")]
    pub latency: Duration,

    /// Make a cluster refuse connections (repeatable), e.g. kurator-member2.
    #[arg(long, value_name = "NAME")]
    pub unreachable: Vec<String>,

    /// Traffic provider Flagger is installed for.
    #[arg(long, value_enum, default_value = "istio")]
    pub provider: crate::install::provider::Provider,

    /// Simulated time runs this many times faster (an analysis interval of 30s takes 1s at 30).
    #[arg(long, default_value_t = 30.0, value_parser = parse_speed)]
    pub speed: f64,

    /// Leave the clusters bare (no Flagger, no load tester), e.g. to try `install`.
    #[arg(long)]
    pub no_flagger: bool,

    /// Install Flagger without the public load tester.
    #[arg(long)]
    pub no_testloader: bool,

    /// Also serve a Kurator hub (context kurator-host) with a Fleet `quickstart` of the members,
    /// whose kubeconfigs live only in hub Secrets; the kubeconfig written names the hub alone.
    #[arg(long)]
    pub kurator: bool,

    /// Also a token user NAME in every cluster (repeatable), with a context NAME@CLUSTER; with
    /// =CLUSTERROLE bound to that ClusterRole cluster-wide, else only with what every
    /// authenticated user may do. Grant more with kubectl (create rolebinding …) as admin.
    #[arg(long = "user", value_name = "NAME[=CLUSTERROLE]")]
    pub users: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct VersionArgs {
    /// Print only the version number.
    #[arg(long)]
    pub short: bool,

    /// Also each target cluster's Kubernetes and Flagger versions.
    #[arg(long, conflicts_with = "short")]
    pub server: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionArgs {
    /// The shell to print a completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn contexts_accept_repeats_and_commas() {
        let cli = Cli::try_parse_from(["x", "clusters", "--context", "a,b", "--context", "c"]).unwrap();
        assert_eq!(cli.global.contexts, vec!["a", "b", "c"]);
    }

    #[test]
    fn phases_are_flaggers() {
        assert_eq!(parse_phase("waitingpromotion").unwrap(), "WaitingPromotion");
        assert!(parse_phase("Promoted").unwrap_err().contains("Finalising"));
        assert!(parse_phase("").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("50ms").unwrap(), Duration::from_millis(50));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert!(parse_duration("soon").is_err());
    }
}
