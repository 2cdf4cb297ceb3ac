//! Metric checks of the simulated Flagger. Observed values come from annotations on the target's
//! pod template, so a test or a demo makes one cluster's release fail by annotating it:
//! `sim.kurator.dev/success-rate` (percent, default 100), `sim.kurator.dev/latency-ms` (default
//! 50), `sim.kurator.dev/metric-<name>` for template or query metrics (no default: "no values"),
//! and `sim.kurator.dev/no-traffic: "true"` for a workload that receives no traffic, so that every
//! query finds no values (builtins included), as Prometheus does for an idle workload.
//!
//! The checks, their order and their texts follow Flagger 1.44
//! `pkg/controller/scheduler_metrics.go` (`runBuiltinMetricChecks`, then `runMetricChecks`).

use serde_json::{Map, Value};

pub const SUCCESS_RATE: &str = "sim.kurator.dev/success-rate";
pub const LATENCY_MS: &str = "sim.kurator.dev/latency-ms";
pub const METRIC_PREFIX: &str = "sim.kurator.dev/metric-";
pub const NO_TRAFFIC: &str = "sim.kurator.dev/no-traffic";

/// What the checks of one canary need from the world.
pub struct Context<'a> {
    /// The target's pod-template annotations (the simulated observations).
    pub annotations: &'a Map<String, Value>,
    pub name: &'a str,
    pub namespace: &'a str,
    pub target: &'a str,
    /// The metrics provider the builtin checks query (`runBuiltinMetricChecks`: the mesh
    /// provider, the Canary's own provider, `:service` for Service targets).
    pub provider: &'a str,
    /// Whether a MetricTemplate (name, namespace) exists.
    pub template_exists: &'a dyn Fn(&str, &str) -> bool,
}

impl Context<'_> {
    fn observed(&self, key: &str) -> Option<f64> {
        if self.idle() {
            return None;
        }
        self.annotations
            .get(key)
            .and_then(Value::as_str)
            .and_then(|s| s.trim().parse().ok())
    }

    fn idle(&self) -> bool {
        self.annotations.get(NO_TRAFFIC).and_then(Value::as_str) == Some("true")
    }

    fn id(&self) -> String {
        format!("{}.{}", self.name, self.namespace)
    }
}

fn bound(metric: &Value, which: &str) -> Option<f64> {
    metric
        .pointer(&format!("/thresholdRange/{which}"))
        .and_then(Value::as_f64)
}

/// The legacy `threshold` (Go float64, 0 when absent) used when there is no `thresholdRange`.
fn legacy(metric: &Value) -> f64 {
    metric.get("threshold").and_then(Value::as_f64).unwrap_or(0.0)
}

/// Go's `%v` of a float64 (fmt: `strconv.FormatFloat(f, 'g', -1, 64)`): the shortest digits,
/// in exponent form (`1e+06`) when the exponent is below -4 or at least 6.
pub fn go_float(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    if !f.is_finite() {
        return if f.is_nan() {
            "NaN".into()
        } else if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

/// Go's `time.Duration.String` for a whole number of milliseconds.
pub fn go_duration_ms(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    if ms < 1000 {
        return format!("{sign}{ms}ms");
    }
    let frac = ms % 1000;
    let secs = ms / 1000;
    let mut s = format!("{}", secs % 60);
    if frac > 0 {
        s.push_str(format!(".{frac:03}").trim_end_matches('0'));
    }
    let (h, m) = (secs / 3600, (secs / 60) % 60);
    if h > 0 {
        format!("{sign}{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{sign}{m}m{s}s")
    } else {
        format!("{sign}{s}s")
    }
}

/// Go's `time.Duration(x) * time.Millisecond` for a float threshold: truncated to whole ms.
fn ms_of(x: f64) -> i64 {
    x.trunc() as i64
}

/// Runs the checks in Flagger's order, stopping at the first failure, whose message is the
/// Warning event Flagger records.
pub fn evaluate(metrics: &[Value], ctx: &Context) -> Result<(), String> {
    for metric in metrics {
        builtin(metric, ctx)?;
    }
    for metric in metrics {
        template(metric, ctx)?;
    }
    Ok(())
}

/// Flagger `pkg/controller/scheduler_metrics.go`, `runBuiltinMetricChecks` for one metric:
/// success rate, request duration and an inline `query`, each by its own test (a metric named
/// `request-duration` that also has a query runs both).
fn builtin(metric: &Value, ctx: &Context) -> Result<(), String> {
    let name = metric.get("name").and_then(Value::as_str).unwrap_or("");
    let id = ctx.id();
    let range = metric.get("thresholdRange").filter(|r| !r.is_null());
    if name == "request-success-rate" {
        let Some(val) = ctx.observed(SUCCESS_RATE).or((!ctx.idle()).then_some(100.0)) else {
            return Err(format!(
                "Halt advancement no values found for {} metric {name} probably {}.{} is not receiving traffic: running query failed: no values found",
                ctx.provider, ctx.target, ctx.namespace
            ));
        };
        if range.is_some() {
            if let Some(min) = bound(metric, "min").filter(|m| val < *m) {
                return Err(format!(
                    "Halt {id} advancement success rate {val:.2}% < {}%",
                    go_float(min)
                ));
            }
            if let Some(max) = bound(metric, "max").filter(|m| val > *m) {
                return Err(format!(
                    "Halt {id} advancement success rate {val:.2}% > {}%",
                    go_float(max)
                ));
            }
        } else if legacy(metric) > val {
            return Err(format!(
                "Halt {id} advancement success rate {val:.2}% < {}%",
                go_float(legacy(metric))
            ));
        }
    }
    if name == "request-duration" {
        // The observers turn the query's milliseconds into a Duration of whole milliseconds.
        let Some(val) = ctx.observed(LATENCY_MS).or((!ctx.idle()).then_some(50.0)).map(ms_of) else {
            return Err(format!(
                "Halt advancement no values found for {} metric {name} probably {}.{} is not receiving traffic",
                ctx.provider, ctx.target, ctx.namespace
            ));
        };
        if range.is_some() {
            if let Some(min) = bound(metric, "min").map(ms_of).filter(|m| val < *m) {
                return Err(format!(
                    "Halt {id} advancement request duration {} < {}",
                    go_duration_ms(val),
                    go_duration_ms(min)
                ));
            }
            if let Some(max) = bound(metric, "max").map(ms_of).filter(|m| val > *m) {
                return Err(format!(
                    "Halt {id} advancement request duration {} > {}",
                    go_duration_ms(val),
                    go_duration_ms(max)
                ));
            }
        } else if val > ms_of(legacy(metric)) {
            return Err(format!(
                "Halt {id} advancement request duration {} > {}",
                go_duration_ms(val),
                go_duration_ms(ms_of(legacy(metric)))
            ));
        }
    }
    if metric
        .get("query")
        .and_then(Value::as_str)
        .is_some_and(|q| !q.is_empty())
    {
        let Some(val) = ctx.observed(&format!("{METRIC_PREFIX}{name}")) else {
            return Err(format!("Halt advancement no values found for metric: {name}"));
        };
        compare(metric, range.is_some(), &id, name, val)?;
    }
    Ok(())
}

/// The value test shared by inline queries and templates (`%.2f` against `%v`, min first).
fn compare(metric: &Value, ranged: bool, id: &str, name: &str, val: f64) -> Result<(), String> {
    if ranged {
        if let Some(min) = bound(metric, "min").filter(|m| val < *m) {
            return Err(format!("Halt {id} advancement {name} {val:.2} < {}", go_float(min)));
        }
        if let Some(max) = bound(metric, "max").filter(|m| val > *m) {
            return Err(format!("Halt {id} advancement {name} {val:.2} > {}", go_float(max)));
        }
    } else if val > legacy(metric) {
        return Err(format!(
            "Halt {id} advancement {name} {val:.2} > {}",
            go_float(legacy(metric))
        ));
    }
    Ok(())
}

/// Flagger `pkg/controller/scheduler_metrics.go`, `runMetricChecks` for one metric.
fn template(metric: &Value, ctx: &Context) -> Result<(), String> {
    let name = metric.get("name").and_then(Value::as_str).unwrap_or("");
    let has_query = metric
        .get("query")
        .and_then(Value::as_str)
        .is_some_and(|q| !q.is_empty());
    let Some(reference) = metric.get("templateRef").filter(|r| !r.is_null()) else {
        if name != "request-success-rate" && name != "request-duration" && !has_query {
            return Err("Metric query failed for no usable metrics template and query were configured".into());
        }
        return Ok(());
    };
    let template_name = reference.get("name").and_then(Value::as_str).unwrap_or("");
    let template_ns = reference
        .get("namespace")
        .and_then(Value::as_str)
        .filter(|ns| !ns.is_empty())
        .unwrap_or(ctx.namespace);
    if !(ctx.template_exists)(template_name, template_ns) {
        // The informer lister's NotFound names the resource in the singular.
        return Err(format!(
            "Metric template {template_name}.{template_ns} error: metrictemplate.flagger.app \"{template_name}\" not found"
        ));
    }
    let Some(val) = ctx.observed(&format!("{METRIC_PREFIX}{name}")) else {
        return Err(format!(
            "Halt advancement no values found for custom metric: {name}: no values found"
        ));
    };
    let ranged = metric.get("thresholdRange").is_some_and(|r| !r.is_null());
    compare(metric, ranged, &ctx.id(), name, val)
}

/// Flagger `pkg/controller/scheduler_metrics.go`, `checkMetricProviderAvailability`: the
/// templates referenced must exist (the simulated Prometheus is always online).
pub fn providers_available(metrics: &[Value], ctx: &Context) -> Result<(), String> {
    for metric in metrics {
        let Some(reference) = metric.get("templateRef").filter(|r| !r.is_null()) else {
            continue;
        };
        let template_name = reference.get("name").and_then(Value::as_str).unwrap_or("");
        let template_ns = reference
            .get("namespace")
            .and_then(Value::as_str)
            .filter(|ns| !ns.is_empty())
            .unwrap_or(ctx.namespace);
        if !(ctx.template_exists)(template_name, template_ns) {
            return Err(format!(
                "metric template {template_name}.{template_ns} error: metrictemplate.flagger.app \"{template_name}\" not found"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn annotations(pairs: &[(&str, &str)]) -> Map<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), json!(v))).collect()
    }

    fn run(metrics: &[Value], pairs: &[(&str, &str)]) -> Result<(), String> {
        let annotations = annotations(pairs);
        let exists = |name: &str, _: &str| name != "missing";
        let ctx = Context {
            annotations: &annotations,
            name: "web",
            namespace: "test",
            target: "web",
            provider: "istio",
            template_exists: &exists,
        };
        evaluate(metrics, &ctx)
    }

    #[test]
    fn go_number_formats() {
        assert_eq!(go_float(99.0), "99");
        assert_eq!(go_float(99.5), "99.5");
        assert_eq!(go_float(1e6), "1e+06");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(123456.0), "123456");
        assert_eq!(go_duration_ms(0), "0s");
        assert_eq!(go_duration_ms(750), "750ms");
        assert_eq!(go_duration_ms(1500), "1.5s");
        assert_eq!(go_duration_ms(60_000), "1m0s");
        assert_eq!(go_duration_ms(3_723_010), "1h2m3.01s");
    }

    #[test]
    fn builtins_default_to_healthy_and_fail_on_annotations() {
        let metrics = vec![
            json!({"name": "request-success-rate", "thresholdRange": {"min": 99}}),
            json!({"name": "request-duration", "thresholdRange": {"max": 500}}),
        ];
        assert!(run(&metrics, &[]).is_ok());
        assert_eq!(
            run(&metrics, &[(SUCCESS_RATE, "80")]).unwrap_err(),
            "Halt web.test advancement success rate 80.00% < 99%"
        );
        assert_eq!(
            run(&metrics, &[(LATENCY_MS, "1750.9")]).unwrap_err(),
            "Halt web.test advancement request duration 1.75s > 500ms"
        );
    }

    #[test]
    fn min_is_checked_before_max() {
        let metrics = vec![json!({"name": "request-duration", "thresholdRange": {"min": 100, "max": 10}})];
        assert_eq!(
            run(&metrics, &[(LATENCY_MS, "50")]).unwrap_err(),
            "Halt web.test advancement request duration 50ms < 100ms"
        );
    }

    #[test]
    fn metrics_without_a_range_use_the_legacy_threshold_of_zero() {
        let duration = vec![json!({"name": "request-duration"})];
        assert_eq!(
            run(&duration, &[]).unwrap_err(),
            "Halt web.test advancement request duration 50ms > 0s"
        );
        // A success rate is never below 0.
        assert!(run(&[json!({"name": "request-success-rate"})], &[(SUCCESS_RATE, "1")]).is_ok());
        let query = vec![json!({"name": "errors", "query": "sum(x)"})];
        assert_eq!(
            run(&query, &[("sim.kurator.dev/metric-errors", "0.5")]).unwrap_err(),
            "Halt web.test advancement errors 0.50 > 0"
        );
        assert!(run(&query, &[("sim.kurator.dev/metric-errors", "0")]).is_ok());
        let legacy = vec![json!({"name": "request-success-rate", "threshold": 99})];
        assert_eq!(
            run(&legacy, &[(SUCCESS_RATE, "98.5")]).unwrap_err(),
            "Halt web.test advancement success rate 98.50% < 99%"
        );
    }

    #[test]
    fn no_traffic_means_no_values() {
        let metrics = vec![
            json!({"name": "request-success-rate", "thresholdRange": {"min": 99}}),
            json!({"name": "request-duration", "thresholdRange": {"max": 500}}),
        ];
        assert_eq!(
            run(&metrics, &[(NO_TRAFFIC, "true")]).unwrap_err(),
            "Halt advancement no values found for istio metric request-success-rate probably web.test is not receiving traffic: running query failed: no values found"
        );
        assert_eq!(
            run(&metrics[1..], &[(NO_TRAFFIC, "true")]).unwrap_err(),
            "Halt advancement no values found for istio metric request-duration probably web.test is not receiving traffic"
        );
        let query = vec![json!({"name": "errors", "query": "sum(x)", "thresholdRange": {"max": 1}})];
        assert_eq!(
            run(&query, &[]).unwrap_err(),
            "Halt advancement no values found for metric: errors"
        );
    }

    #[test]
    fn template_metrics_run_after_builtins_and_need_values() {
        let metrics = vec![
            json!({"name": "error-rate", "templateRef": {"name": "error-rate"}, "thresholdRange": {"max": 1}}),
            json!({"name": "request-success-rate", "thresholdRange": {"min": 99}}),
        ];
        let err = run(&metrics, &[(SUCCESS_RATE, "50")]).unwrap_err();
        assert!(err.contains("success rate"), "builtins first: {err}");
        assert_eq!(
            run(&metrics, &[]).unwrap_err(),
            "Halt advancement no values found for custom metric: error-rate: no values found"
        );
        assert_eq!(
            run(&metrics, &[("sim.kurator.dev/metric-error-rate", "2.5")]).unwrap_err(),
            "Halt web.test advancement error-rate 2.50 > 1"
        );
        assert!(run(&metrics, &[("sim.kurator.dev/metric-error-rate", "0.5")]).is_ok());
        let missing = vec![json!({"name": "e", "templateRef": {"name": "missing", "namespace": "flagger"}})];
        assert_eq!(
            run(&missing, &[]).unwrap_err(),
            "Metric template missing.flagger error: metrictemplate.flagger.app \"missing\" not found"
        );
        assert_eq!(
            run(&[json!({"name": "custom"})], &[]).unwrap_err(),
            "Metric query failed for no usable metrics template and query were configured"
        );
    }
}
