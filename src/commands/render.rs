//! `render`: the objects each cluster would get, as a YAML stream `kubectl apply` takes.

use anyhow::Result;

use crate::cli::RenderArgs;
use crate::engine::inputs::{gate_choice, load_or_report};
use crate::engine::policies::{self, kurator_facts, render_members};
use crate::exit::{Exit, ExitError};
use crate::invocation::Invocation;
use crate::output::print_objects;
use crate::view::policies::{kurator_report, objects_of, yaml_stream};

pub async fn run(inv: &Invocation, args: &RenderArgs) -> Result<Exit> {
    let policies = match load_or_report(&args.policies)? {
        Ok(p) => p,
        Err(exit) => return Ok(exit),
    };
    // Nothing live is read for the gates: render shows what the flags ask for.
    let options = gate_choice(&args.gates).resolve(None);
    if !inv.targets_given() {
        return render_offline(inv, args, &policies, &options);
    }
    let source = inv.connect().await?;
    if let Some(facts) = kurator_facts(&source).await {
        eprint!("{}", kurator_report(&policies, &facts));
    }
    let renames: Vec<(String, String)> = args
        .cluster_name
        .iter()
        .filter_map(|n| n.split_once('=').map(|(c, v)| (c.to_string(), v.to_string())))
        .collect();
    let outcomes = render_members(&source.members, &policies, &renames, &options, inv.cluster_timeout).await;
    let mut rendered = Vec::new();
    for outcome in &outcomes {
        match &outcome.result {
            Ok(cluster) => rendered.push(cluster),
            Err(e) => eprintln!("error: {}: {e}", outcome.target.context),
        }
    }
    print_objects(inv.output, &objects_of(rendered.iter().copied()), || {
        yaml_stream(rendered.iter().copied())
    })?;
    Ok(Exit::from_counts(rendered.len(), outcomes.len()))
}

/// No target named: render for the given cluster names (else the current context's) without
/// reading any cluster. The cluster name decides the public load tester's URL, so without
/// either there is nothing honest to render for: a usage error, not an invented name.
fn render_offline(
    inv: &Invocation,
    args: &RenderArgs,
    policies: &[crate::config::Policy],
    options: &crate::render::RenderOptions,
) -> Result<Exit> {
    let names: Vec<String> = if let Some(bad) = args.cluster_name.iter().find(|n| n.contains('=')) {
        return Err(ExitError::usage(format!(
            "--cluster-name {bad}: CONTEXT=NAME needs target contexts (--context …); without them give plain names"
        ))
        .into());
    } else if !args.cluster_name.is_empty() {
        args.cluster_name.clone()
    } else if let Some(current) = inv.current_context() {
        eprintln!(
            "rendering for cluster name {current} (the current context), without reading it: --context reads the cluster, --cluster-name NAME renders for another name"
        );
        vec![current]
    } else {
        return Err(ExitError::usage(
            "render needs a cluster to render for: --cluster-name NAME (offline; the public load tester's URL is named after it) or target contexts (--context …, --all-contexts: each cluster is read)",
        )
        .into());
    };
    let rendered = policies::render_offline(policies, &names, options).map_err(anyhow::Error::msg)?;
    print_objects(inv.output, &objects_of(&rendered), || yaml_stream(&rendered))?;
    Ok(Exit::Success)
}
