//! Metric checks of the simulated Flagger. Observed values come from annotations on the target's
//! pod template, so a test or a demo makes one cluster's release fail by annotating it:
//! `sim.kurator.dev/success-rate` (percent, default 100), `sim.kurator.dev/latency-ms` (default
//! 50), `sim.kurator.dev/metric-<name>` for template or query metrics (no default: "no values").

use serde_json::{Map, Value};

pub const SUCCESS_RATE: &str = "sim.kurator.dev/success-rate";
pub const LATENCY_MS: &str = "sim.kurator.dev/latency-ms";
pub const METRIC_PREFIX: &str = "sim.kurator.dev/metric-";

fn observed(annotations: &Map<String, Value>, key: &str) -> Option<f64> {
    annotations
        .get(key)
        .and_then(Value::as_str)
        .and_then(|s| s.trim().parse().ok())
}

fn bound(metric: &Value, which: &str) -> Option<f64> {
    metric
        .pointer(&format!("/thresholdRange/{which}"))
        .and_then(Value::as_f64)
}

fn show(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// Runs the checks in Flagger's order (builtins and queries first, then templates), stopping
/// at the first failure, whose message is the Warning event Flagger records.
pub fn evaluate(metrics: &[Value], annotations: &Map<String, Value>, id: &str) -> Result<(), String> {
    let (templates, others): (Vec<&Value>, Vec<&Value>) = metrics.iter().partition(|m| m.get("templateRef").is_some());
    for metric in others.into_iter().chain(templates) {
        check(metric, annotations, id)?;
    }
    Ok(())
}

fn check(metric: &Value, annotations: &Map<String, Value>, id: &str) -> Result<(), String> {
    let name = metric.get("name").and_then(Value::as_str).unwrap_or("");
    let legacy = metric.get("threshold").and_then(Value::as_f64);
    let is_template = metric.get("templateRef").is_some();
    match name {
        "request-success-rate" if !is_template => {
            let value = observed(annotations, SUCCESS_RATE).unwrap_or(100.0);
            let min = bound(metric, "min").or(if metric.get("thresholdRange").is_none() {
                legacy
            } else {
                None
            });
            if let Some(min) = min.filter(|m| value < *m) {
                return Err(format!(
                    "Halt {id} advancement success rate {value:.2}% < {}%",
                    show(min)
                ));
            }
            if let Some(max) = bound(metric, "max").filter(|m| value > *m) {
                return Err(format!(
                    "Halt {id} advancement success rate {value:.2}% > {}%",
                    show(max)
                ));
            }
            Ok(())
        }
        "request-duration" if !is_template => {
            let value = observed(annotations, LATENCY_MS).unwrap_or(50.0);
            let max = bound(metric, "max").or(if metric.get("thresholdRange").is_none() {
                legacy
            } else {
                None
            });
            if let Some(max) = max.filter(|m| value > *m) {
                return Err(format!(
                    "Halt {id} advancement request duration {}ms > {}ms",
                    show(value),
                    show(max)
                ));
            }
            if let Some(min) = bound(metric, "min").filter(|m| value < *m) {
                return Err(format!(
                    "Halt {id} advancement request duration {}ms < {}ms",
                    show(value),
                    show(min)
                ));
            }
            Ok(())
        }
        _ if is_template || metric.get("query").is_some() => {
            let Some(value) = observed(annotations, &format!("{METRIC_PREFIX}{name}")) else {
                return Err(format!(
                    "Halt advancement no values found for custom metric: {name}: no values found for query, probably {id} is not receiving traffic"
                ));
            };
            if let Some(max) = bound(metric, "max").or(if metric.get("thresholdRange").is_none() {
                legacy
            } else {
                None
            }) && value > max
            {
                return Err(format!("Halt {id} advancement {name} {} > {}", show(value), show(max)));
            }
            if let Some(min) = bound(metric, "min").filter(|m| value < *m) {
                return Err(format!("Halt {id} advancement {name} {} < {}", show(value), show(min)));
            }
            Ok(())
        }
        _ => Err(format!(
            "Metric query failed for {name}: no query or templateRef is set"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn annotations(pairs: &[(&str, &str)]) -> Map<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), json!(v))).collect()
    }

    #[test]
    fn builtins_default_to_healthy_and_fail_on_annotations() {
        let metrics = vec![
            json!({"name": "request-success-rate", "thresholdRange": {"min": 99}}),
            json!({"name": "request-duration", "thresholdRange": {"max": 500}}),
        ];
        assert!(evaluate(&metrics, &Map::new(), "web.test").is_ok());
        let err = evaluate(&metrics, &annotations(&[(SUCCESS_RATE, "80")]), "web.test").unwrap_err();
        assert_eq!(err, "Halt web.test advancement success rate 80.00% < 99%");
        let err = evaluate(&metrics, &annotations(&[(LATENCY_MS, "750")]), "web.test").unwrap_err();
        assert_eq!(err, "Halt web.test advancement request duration 750ms > 500ms");
    }

    #[test]
    fn template_metrics_run_after_builtins_and_need_values() {
        let metrics = vec![
            json!({"name": "error-rate", "templateRef": {"name": "error-rate"}, "thresholdRange": {"max": 1}}),
            json!({"name": "request-success-rate", "thresholdRange": {"min": 99}}),
        ];
        let err = evaluate(&metrics, &annotations(&[(SUCCESS_RATE, "50")]), "w.t").unwrap_err();
        assert!(err.contains("success rate"), "builtins first: {err}");
        let err = evaluate(&metrics, &Map::new(), "w.t").unwrap_err();
        assert!(
            err.starts_with("Halt advancement no values found for custom metric: error-rate"),
            "{err}"
        );
        let err = evaluate(
            &metrics,
            &annotations(&[("sim.kurator.dev/metric-error-rate", "2.5")]),
            "w.t",
        )
        .unwrap_err();
        assert_eq!(err, "Halt w.t advancement error-rate 2.5 > 1");
        assert!(
            evaluate(
                &metrics,
                &annotations(&[("sim.kurator.dev/metric-error-rate", "0.5")]),
                "w.t"
            )
            .is_ok()
        );
    }
}
