//! Semantic rules of a rollout block beyond its schema (pure): what Kurator's admission webhook
//! enforces, what would crash Kurator's controller, and what Flagger would reject.

use super::diagnostics::Severity;
use super::model::{PROVIDERS, RolloutConfig};

/// A problem at a path relative to the rollout block.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    pub path: String,
    pub message: String,
    pub fix: String,
}

fn error(path: &str, message: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding {
        severity: Severity::Error,
        path: path.into(),
        message: message.into(),
        fix: fix.into(),
    }
}

fn warning(path: &str, message: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding {
        severity: Severity::Warning,
        path: path.into(),
        message: message.into(),
        fix: fix.into(),
    }
}

fn weight(findings: &mut Vec<Finding>, path: &str, value: Option<i64>) {
    if let Some(v) = value
        && !(1..=100).contains(&v)
    {
        findings.push(error(
            path,
            format!("weight {v} is outside 1–100"),
            "use a percentage between 1 and 100",
        ));
    }
}

pub fn validate(r: &RolloutConfig) -> Vec<Finding> {
    let mut f = Vec::new();
    let provider = r.traffic_routing_provider.as_str();
    if !PROVIDERS.contains(&provider) {
        f.push(error(
            "trafficRoutingProvider",
            format!("unsupported provider \"{provider}\""),
            format!("use one of {}", PROVIDERS.join(", ")),
        ));
    }
    if r.workload.namespace.as_deref().unwrap_or("").is_empty() {
        f.push(error(
            "workload.namespace",
            "the workload namespace is required",
            "set workload.namespace to the namespace of the Deployment",
        ));
    }
    if let Some(kind) = &r.workload.kind
        && kind != "Deployment"
        && kind != "DaemonSet"
    {
        f.push(error(
            "workload.kind",
            format!("Flagger cannot target a {kind}"),
            "use Deployment or DaemonSet",
        ));
    }
    if r.service_name.is_empty() {
        f.push(error(
            "serviceName",
            "serviceName is empty",
            "name the Service in front of the workload",
        ));
    }
    names(&mut f, r);
    let policy = &r.rollout_policy;
    let Some(routing) = &policy.traffic_routing else {
        f.push(error(
            "rolloutPolicy.trafficRouting",
            "trafficRouting is missing (Kurator's controller crashes without it)",
            "add trafficRouting with canaryStrategy (progressive weights) or analysisTimes (A/B, blue/green)",
        ));
        return finish(f, r);
    };
    if provider == "nginx" && routing.host.as_deref().unwrap_or("").is_empty() {
        f.push(error(
            "rolloutPolicy.trafficRouting.host",
            "provider nginx needs the host of the Ingress rule",
            "set trafficRouting.host, e.g. app.example.com",
        ));
    }
    if provider != "kuma" && routing.protocol.is_some() {
        f.push(warning(
            "rolloutPolicy.trafficRouting.protocol",
            "protocol only applies to kuma",
            "remove it",
        ));
    }
    if provider != "istio" {
        for (field, set) in [
            ("gateways", routing.gateways.is_some()),
            ("hosts", routing.hosts.is_some()),
            ("retries", routing.retries.is_some()),
            ("headers", routing.headers.is_some()),
            ("corsPolicy", routing.cors_policy.is_some()),
        ] {
            if set {
                f.push(warning(
                    &format!("rolloutPolicy.trafficRouting.{field}"),
                    format!("{field} only applies to istio and is ignored for {provider}"),
                    "remove it",
                ));
            }
        }
    }
    let iterations = routing.analysis_times.unwrap_or(0);
    let strategy = routing.canary_strategy.as_ref();
    let weighted = strategy
        .is_some_and(|s| s.step_weight.unwrap_or(0) > 0 || s.step_weights.as_ref().is_some_and(|w| !w.is_empty()));
    match (weighted, iterations > 0) {
        (true, true) => f.push(error(
            "rolloutPolicy.trafficRouting",
            "both canaryStrategy weights and analysisTimes are set; Flagger would silently run A/B or blue/green",
            "keep canaryStrategy for progressive weights, or analysisTimes for A/B (with match) or blue/green",
        )),
        (false, false) => f.push(error(
            "rolloutPolicy.trafficRouting",
            "no strategy: Flagger rejects an analysis without stepWeight, stepWeights or iterations",
            "add canaryStrategy.stepWeight (e.g. 10 with maxWeight 50), or analysisTimes (e.g. 5)",
        )),
        _ => {}
    }
    if routing.match_.as_ref().is_some_and(|m| !m.is_empty()) && iterations == 0 && weighted {
        f.push(warning(
            "rolloutPolicy.trafficRouting.match",
            "match with canaryStrategy routes matching requests to the canary and the rest by weight",
            "for A/B testing use analysisTimes instead of canaryStrategy",
        ));
    }
    if let Some(s) = strategy {
        let base = "rolloutPolicy.trafficRouting.canaryStrategy";
        if s.step_weight.unwrap_or(0) > 0 && s.step_weights.as_ref().is_some_and(|w| !w.is_empty()) {
            f.push(error(
                base,
                "stepWeight and stepWeights are both set",
                "keep one: stepWeight for equal steps, stepWeights for a ladder",
            ));
        }
        weight(&mut f, &format!("{base}.maxWeight"), s.max_weight);
        weight(&mut f, &format!("{base}.stepWeight"), s.step_weight);
        weight(&mut f, &format!("{base}.stepWeightPromotion"), s.step_weight_promotion);
        if let Some(ladder) = &s.step_weights {
            for (i, w) in ladder.iter().enumerate() {
                weight(&mut f, &format!("{base}.stepWeights[{i}]"), Some(*w));
                if i > 0 && *w <= ladder[i - 1] {
                    f.push(error(
                        &format!("{base}.stepWeights[{i}]"),
                        format!("the ladder must rise: {w} follows {}", ladder[i - 1]),
                        "list weights in increasing order, e.g. [5, 10, 20, 50]",
                    ));
                }
            }
            if s.max_weight.is_some() && !ladder.is_empty() {
                f.push(warning(
                    &format!("{base}.maxWeight"),
                    "maxWeight is ignored when stepWeights is set",
                    "remove maxWeight; the last step is the maximum",
                ));
            }
        }
        if let (Some(step), Some(max)) = (s.step_weight, s.max_weight)
            && step > max
        {
            f.push(warning(
                &format!("{base}.stepWeight"),
                format!("stepWeight {step} exceeds maxWeight {max}: the first step goes straight to {step}"),
                "lower stepWeight or raise maxWeight",
            ));
        }
    }
    finish_analysis(&mut f, r);
    finish(f, r)
}

/// Whether a name is a DNS-1035 label, the rule the API server applies to Service names
/// (k8s.io/apimachinery/pkg/util/validation: IsDNS1035Label).
fn is_dns1035_label(name: &str) -> bool {
    let inner = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    !name.is_empty()
        && name.len() <= 63
        && name.chars().all(inner)
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// Service names the rollout makes the API server create: Flagger's `<serviceName>-primary`
/// and `-canary`, and Kurator's `<workload>-testloader`. A name the server refuses would only
/// show up as a failed apply or a Canary stuck in Flagger.
fn names(f: &mut Vec<Finding>, r: &RolloutConfig) {
    let service = r.service_name.as_str();
    if !service.is_empty() {
        if !is_dns1035_label(service) {
            f.push(error(
                "serviceName",
                format!("\"{service}\" is not a valid Service name"),
                "use lower case letters, digits and '-', starting with a letter and ending with a letter or digit",
            ));
        } else if service.len() + "-primary".len() > 63 {
            f.push(error(
                "serviceName",
                format!("Flagger's Service \"{service}-primary\" would be longer than 63 characters"),
                "use a Service name of at most 55 characters",
            ));
        }
    }
    let workload = r.workload.name.as_str();
    if r.test_loader == Some(true) && !workload.is_empty() {
        let loader = format!("{workload}-testloader");
        if !is_dns1035_label(&loader) {
            f.push(error(
                "testLoader",
                format!("the load tester Service \"{loader}\" would not be a valid Service name"),
                "name the workload with lower case letters, digits and '-' (at most 52 characters, starting with a letter), or set testLoader: false",
            ));
        }
    }
}

fn finish_analysis(f: &mut Vec<Finding>, r: &RolloutConfig) {
    let Some(analysis) = &r.rollout_policy.traffic_analysis else {
        f.push(error(
            "rolloutPolicy.trafficAnalysis",
            "trafficAnalysis is missing (Kurator's controller crashes without it)",
            "add trafficAnalysis with checkIntervalSeconds and checkFailedTimes",
        ));
        return;
    };
    let base = "rolloutPolicy.trafficAnalysis";
    if let Some(interval) = analysis.check_interval_seconds
        && interval < 10
    {
        f.push(warning(
            &format!("{base}.checkIntervalSeconds"),
            format!("{interval}s is below Flagger's 10s floor; analyses run every 10s"),
            "use 10 or more",
        ));
    }
    if analysis.check_failed_times == Some(0) {
        f.push(warning(
            &format!("{base}.checkFailedTimes"),
            "0 behaves as 1 in Flagger: the first failed check rolls back",
            "use 1 or more",
        ));
    }
    let mut names = Vec::new();
    for (i, m) in analysis.metrics.iter().flatten().enumerate() {
        let path = format!("{base}.metrics[{i}]");
        if m.name.is_empty() {
            f.push(error(
                &format!("{path}.name"),
                "metric name is empty",
                "use request-success-rate, request-duration or a MetricTemplate name",
            ));
        }
        if names.contains(&m.name) {
            f.push(error(
                &format!("{path}.name"),
                format!("metric {} is listed twice", m.name),
                "remove one",
            ));
        }
        names.push(m.name.clone());
        if let Some(range) = &m.threshold_range {
            if let (Some(min), Some(max)) = (
                range.min.as_ref().and_then(|v| v.as_f64()),
                range.max.as_ref().and_then(|v| v.as_f64()),
            ) && min > max
            {
                f.push(error(
                    &format!("{path}.thresholdRange"),
                    format!("min {min} is above max {max}: the check can never pass"),
                    "swap or fix the bounds",
                ));
            }
        } else if m.name == "request-success-rate" && m.custom_metric.is_none() {
            // Flagger falls back to the legacy `threshold` (0 here: Kurator cannot set it) and
            // fails the success rate only below it (fluxcd/flagger
            // pkg/controller/scheduler_metrics.go, runBuiltinMetricChecks).
            f.push(warning(
                &format!("{path}.thresholdRange"),
                "no thresholdRange: Flagger falls back to its legacy threshold 0 and fails a success rate only below 0%, so this check always passes",
                "set min, e.g. 99",
            ));
        } else {
            // Durations, queries and templates fail above the legacy threshold 0
            // (scheduler_metrics.go, runBuiltinMetricChecks and runMetricChecks).
            let what = if m.name == "request-duration" && m.custom_metric.is_none() {
                "any request duration above 0ms"
            } else {
                "any value above 0"
            };
            f.push(warning(
                &format!("{path}.thresholdRange"),
                format!("no thresholdRange: Flagger falls back to its legacy threshold 0 and fails the check for {what}, so the analysis rolls back"),
                "set max (and/or min), e.g. max: 500 for request-duration",
            ));
        }
        if m.name == "request-success-rate"
            && m.custom_metric.is_none()
            && let Some(max) = m
                .threshold_range
                .as_ref()
                .and_then(|r| r.min.as_ref())
                .and_then(|v| v.as_f64())
            && max > 100.0
        {
            f.push(error(
                &format!("{path}.thresholdRange.min"),
                "a success rate is a percentage (0–100)",
                "use e.g. 99",
            ));
        }
    }
    if let Some(hooks) = &analysis.webhooks
        && hooks.command.as_ref().is_none_or(|c| c.is_empty())
    {
        f.push(warning(
            &format!("{base}.webhooks"),
            "webhooks without commands generate no load",
            "add command entries, e.g. hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/",
        ));
    }
}

fn finish(mut f: Vec<Finding>, r: &RolloutConfig) -> Vec<Finding> {
    if r.rollout_policy.skip_traffic_analysis == Some(true) && r.rollout_policy.traffic_analysis.is_some() {
        f.push(warning(
            "rolloutPolicy.skipTrafficAnalysis",
            "skipTrafficAnalysis promotes without running the analysis",
            "remove it to let the analysis decide",
        ));
    }
    f
}

#[cfg(test)]
mod name_tests {
    use super::*;

    fn config(service: &str, workload: &str, test_loader: bool) -> RolloutConfig {
        let mut r = RolloutConfig {
            service_name: service.into(),
            test_loader: Some(test_loader),
            ..Default::default()
        };
        r.workload.name = workload.into();
        r
    }

    fn paths(r: &RolloutConfig) -> Vec<String> {
        let mut f = Vec::new();
        names(&mut f, r);
        f.into_iter().map(|x| format!("{}: {}", x.path, x.message)).collect()
    }

    #[test]
    fn service_names_the_api_server_would_refuse() {
        assert!(paths(&config("podinfo", "podinfo", true)).is_empty());
        assert_eq!(
            paths(&config("Pod_Info", "podinfo", false)),
            vec!["serviceName: \"Pod_Info\" is not a valid Service name"]
        );
        assert_eq!(paths(&config(&"a".repeat(56), "podinfo", false)).len(), 1);
        assert_eq!(
            paths(&config("podinfo", "podinfo.v2", true)),
            vec!["testLoader: the load tester Service \"podinfo.v2-testloader\" would not be a valid Service name"]
        );
        assert!(paths(&config("podinfo", "podinfo.v2", false)).is_empty());
    }
}
