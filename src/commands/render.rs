//! `render`: the objects each cluster would get, as a YAML stream `kubectl apply` takes.

use anyhow::Result;

use super::{connect_fleet, select_targets, targets_given};
use crate::cli::{GlobalArgs, RenderArgs};
use crate::engine::facts::read_facts;
use crate::engine::inputs::{load_or_report, render_options};
use crate::exit::{Exit, ExitError};
use crate::fleet::kubeconfig;
use crate::output::write_stdout;
use crate::render::{ClusterFacts, render};

fn stream(cluster: &str, objects: &[serde_json::Value], policy: &str, out: &mut String) {
    for obj in objects {
        out.push_str(&format!("---\n# cluster: {cluster}, policy: {policy}\n"));
        out.push_str(&apimachinery::to_yaml(obj));
    }
}

pub async fn run(global: &GlobalArgs, args: &RenderArgs) -> Result<Exit> {
    let policies = match load_or_report(&args.policies)? {
        Ok(p) => p,
        Err(exit) => return Ok(exit),
    };
    let options = render_options(&args.gates);
    let mut text = String::new();
    if !targets_given(global) {
        let names: Vec<String> = if args.cluster_name.is_empty() {
            let current = kubeconfig::load(global.kubeconfig.as_deref())
                .ok()
                .and_then(|l| l.config.current_context);
            vec![current.unwrap_or_else(|| "host".into())]
        } else if let Some(bad) = args.cluster_name.iter().find(|n| n.contains('=')) {
            return Err(ExitError::usage(format!(
                "--cluster-name {bad}: CONTEXT=NAME needs target contexts (--context …); without them give plain names"
            ))
            .into());
        } else {
            args.cluster_name.clone()
        };
        for name in names {
            let facts = ClusterFacts {
                cluster_name: name.clone(),
                ..Default::default()
            };
            for policy in &policies {
                let objects =
                    render(policy, &facts, &options).map_err(|e| anyhow::anyhow!("policy {}: {e}", policy.name))?;
                stream(&name, &objects, &policy.name, &mut text);
            }
        }
        write_stdout(&text)?;
        return Ok(Exit::Success);
    }
    select_targets(global)?;
    if global.fleet.is_some() {
        let facts = match super::hub_client(global).await {
            Ok((client, _)) => super::hub::fleet_facts(global, &client).await,
            Err(_) => Default::default(),
        };
        eprint!("{}", crate::engine::inputs::kurator_report(&policies, &facts));
    }
    let fleet = connect_fleet(global).await?;
    let renames: Vec<(String, String)> = args
        .cluster_name
        .iter()
        .filter_map(|n| n.split_once('=').map(|(c, v)| (c.to_string(), v.to_string())))
        .collect();
    let outcomes = fleet
        .fan_out(global.cluster_timeout, |client, target| {
            let name = renames
                .iter()
                .find(|(c, _)| c == &target.context)
                .map(|(_, n)| n.clone())
                .unwrap_or(target.context.clone());
            let policies = &policies;
            let options = &options;
            async move {
                let mut out = Vec::new();
                for policy in policies {
                    let facts = read_facts(&client, policy, &name).await?;
                    let objects = render(policy, &facts, options)
                        .map_err(|e| crate::fleet::ClusterError::Other(format!("policy {}: {e}", policy.name)))?;
                    out.push((policy.name.clone(), objects));
                }
                Ok((name, out))
            }
        })
        .await;
    let mut failed = 0;
    for outcome in &outcomes {
        match &outcome.result {
            Ok((name, rendered)) => {
                for (policy, objects) in rendered {
                    stream(name, objects, policy, &mut text);
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {}: {e}", outcome.target.context);
            }
        }
    }
    write_stdout(&text)?;
    Ok(Exit::from_counts(outcomes.len() - failed, outcomes.len()))
}
