//! The simulated Flagger controller of one cluster: active only while a Flagger Deployment is
//! Available and the Canary CRD is served; runs each Canary's [`Machine`] every analysis interval
//! (divided by the speed factor), with readiness read from Deployments, webhooks answered by the
//! simulated load testers, and metrics read from the target's annotations; writes status through
//! the status subresource and records Kubernetes Events as Flagger does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::hash::revision;
use super::loadtester::{LoadTester, handler};
use super::machine::{
    Action, EventType, Hook, HookType, Machine, Oracle, Phase, Readiness, Routes, Spec, Status, Strategy,
};
use super::messages;
use super::metrics;
use super::recorder::{NewEvent, Recorder, Reference, Write};
use super::routing::{Router, provider_of};
use super::workload::{primary_deployment, primary_template, readiness, readiness_detail, selector_label, services};
use crate::cluster::SimCluster;
use crate::meta::now_rfc3339;
use crate::patch::PatchKind;
use crate::proxy::ProxyRequest;

/// Flagger's control loop and interval floor.
const CONTROL_LOOP: Duration = Duration::from_secs(10);
const MIN_INTERVAL: Duration = Duration::from_secs(10);

struct Job {
    routes: Routes,
    next_tick: Instant,
    interval: Duration,
}

/// Simulated time: `speed` times real time since `since`, on top of `before` (the simulated time
/// already elapsed when the speed last changed), so a speed change never moves the clock back.
struct Clock {
    speed: f64,
    since: Instant,
    before: Duration,
}

impl Clock {
    fn simulated(&self) -> Duration {
        self.before + self.since.elapsed().mul_f64(self.speed)
    }
}

pub struct FlaggerSim {
    cluster: SimCluster,
    clock: Mutex<Clock>,
    jobs: Mutex<HashMap<(String, String), Job>>,
    load_testers: Mutex<HashMap<(String, String), Arc<LoadTester>>>,
    /// client-go's event correlator of this Flagger process, on simulated time.
    recorder: Mutex<Recorder>,
    /// The Flagger pod the recorder belongs to: its Deployment's uid and pod template.
    process: Mutex<Option<String>>,
}

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The analysis interval (Flagger: Canary.GetAnalysisInterval): Go's `time.ParseDuration`
/// syntax; empty or unparsable → 60s, below 10s → 10s.
pub fn parse_interval(text: &str) -> Duration {
    match parse_go_duration(text) {
        Some(d) if !text.is_empty() => d.max(MIN_INTERVAL),
        _ => Duration::from_secs(60),
    }
}

/// Go's `time.ParseDuration` (src/time/format.go, func ParseDuration): a sequence of decimal
/// numbers, each with an optional fraction and a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`),
/// optionally signed; `0` alone is allowed. Negative durations are None here (not an interval).
pub fn parse_go_duration(text: &str) -> Option<Duration> {
    let mut rest = text;
    let negative = rest.starts_with('-');
    rest = rest.strip_prefix(['-', '+']).unwrap_or(rest);
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_len];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * seconds;
    }
    if negative && total > 0.0 {
        return None;
    }
    Some(Duration::from_secs_f64(total))
}

/// The machine's view of a Canary spec, with Flagger's derived values (§1.7).
pub fn spec_of(canary: &Value) -> Spec {
    let a = canary.pointer("/spec/analysis").cloned().unwrap_or(json!({}));
    let int = |v: &Value, k: &str| v.get(k).and_then(Value::as_i64).unwrap_or(0);
    let provider = text(canary, "/spec/provider");
    let kubernetes_provider = provider == "kubernetes";
    let has_match = a.get("match").and_then(Value::as_array).is_some_and(|m| !m.is_empty());
    let mut iterations = int(&a, "iterations");
    let mut kubernetes_warnings = Vec::new();
    let strategy = if kubernetes_provider {
        // Flagger `scheduler.go`, `advanceCanary`: the overrides and the events they record.
        if has_match {
            kubernetes_warnings.push("A/B testing is not supported when using the kubernetes provider".to_string());
        }
        if iterations < 1 {
            kubernetes_warnings
                .push("Progressive traffic is not supported when using the kubernetes provider".to_string());
            kubernetes_warnings.push("Setting canaryAnalysis.iterations: 10".to_string());
            iterations = 10;
        }
        Strategy::BlueGreen
    } else if has_match && iterations > 0 {
        Strategy::AbTesting
    } else if iterations > 0 {
        Strategy::BlueGreen
    } else {
        Strategy::Canary
    };
    let step_weights: Vec<i64> = a
        .get("stepWeights")
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let max_weight = if let Some(last) = step_weights.last() {
        (*last).min(100)
    } else if int(&a, "maxWeight") > 0 {
        int(&a, "maxWeight")
    } else {
        100
    };
    let hooks = a
        .get("webhooks")
        .and_then(Value::as_array)
        .map(|hs| {
            hs.iter()
                .filter_map(|h| {
                    Some(Hook {
                        name: h.get("name").and_then(Value::as_str).unwrap_or("").to_string(),
                        kind: HookType::parse(h.get("type").and_then(Value::as_str).unwrap_or(""))?,
                        url: h.get("url").and_then(Value::as_str).unwrap_or("").to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Spec {
        name: text(canary, "/metadata/name").to_string(),
        namespace: text(canary, "/metadata/namespace").to_string(),
        target: text(canary, "/spec/targetRef/name").to_string(),
        strategy,
        iterations,
        step_weight: int(&a, "stepWeight"),
        step_weights,
        max_weight,
        step_weight_promotion: int(&a, "stepWeightPromotion"),
        mirror: a.get("mirror").and_then(Value::as_bool).unwrap_or(false),
        threshold: int(&a, "threshold").max(1),
        skip: canary
            .pointer("/spec/skipAnalysis")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            || canary.pointer("/spec/analysis").is_none(),
        suspend: canary
            .pointer("/spec/suspend")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        kubernetes_provider,
        kubernetes_warnings,
        hooks,
    }
}

fn status_of(canary: &Value) -> Status {
    let s = canary.get("status").cloned().unwrap_or(json!({}));
    let opt = |k: &str| {
        s.get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    Status {
        phase: Phase::parse(s.get("phase").and_then(Value::as_str).unwrap_or("")),
        weight: s.get("canaryWeight").and_then(Value::as_i64).unwrap_or(0),
        failed_checks: s.get("failedChecks").and_then(Value::as_i64).unwrap_or(0),
        iterations: s.get("iterations").and_then(Value::as_i64).unwrap_or(0),
        last_applied: opt("lastAppliedSpec"),
        last_promoted: opt("lastPromotedSpec"),
        tracked_configs: s.get("trackedConfigs").and_then(Value::as_object).map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        }),
    }
}

/// The `Promoted` condition for a phase (§2.3).
pub fn promoted_condition(phase: Phase, kind: &str, previous: Option<&Value>, now: &str) -> Value {
    let (status, message) = match phase {
        Phase::Initialized => ("True", format!("{kind} initialization completed.")),
        Phase::Waiting | Phase::WaitingPromotion => ("Unknown", "Waiting for approval.".to_string()),
        Phase::Progressing => (
            "Unknown",
            "New revision detected, progressing canary analysis.".to_string(),
        ),
        Phase::Promoting => (
            "Unknown",
            "Canary analysis completed, starting primary rolling update.".to_string(),
        ),
        Phase::Finalising => (
            "Unknown",
            "Canary analysis completed, routing all traffic to primary.".to_string(),
        ),
        Phase::Succeeded => (
            "True",
            "Canary analysis completed successfully, promotion finished.".to_string(),
        ),
        Phase::Failed => ("False", format!("Canary analysis failed, {kind} scaled to zero.")),
        _ => ("Unknown", format!("New {kind} detected, starting initialization.")),
    };
    let reason = if phase == Phase::Empty {
        "Initializing"
    } else {
        phase.as_str()
    };
    // Flagger: pkg/canary/status.go, func MakeStatusConditions: the condition is left as it is
    // while status and reason stay the same; a new reason with the same status keeps the
    // previous lastTransitionTime.
    if let Some(p) = previous
        && p["status"] == status
        && p["reason"] == reason
    {
        return p.clone();
    }
    let transition = match previous {
        Some(p) if p["status"] == status => p["lastTransitionTime"].clone(),
        _ => json!(now),
    };
    json!({"type": "Promoted", "status": status, "reason": reason, "message": message, "lastUpdateTime": now, "lastTransitionTime": transition})
}

impl FlaggerSim {
    pub fn new(cluster: SimCluster, speed: f64) -> Arc<FlaggerSim> {
        Arc::new(FlaggerSim {
            // Flagger's writes carry its own field manager, as its client's User-Agent does.
            cluster: cluster.as_manager("flagger"),
            clock: Mutex::new(Clock {
                speed: speed.max(0.001),
                since: Instant::now(),
                before: Duration::ZERO,
            }),
            jobs: Mutex::new(HashMap::new()),
            load_testers: Mutex::new(HashMap::new()),
            recorder: Mutex::new(Recorder::new("flagger")),
            process: Mutex::new(None),
        })
    }

    fn clock(&self) -> std::sync::MutexGuard<'_, Clock> {
        self.clock.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn scaled(&self, d: Duration) -> Duration {
        d.div_f64(self.clock().speed)
    }

    /// Runs the simulation at another speed from now on (a benchmark measures one-shot commands
    /// against a fleet idling in real time, then follows rollouts sped up). Each job's interval
    /// is rescaled at the next pass of the control loop, which then ticks it at once.
    pub fn set_speed(&self, speed: f64) {
        let mut clock = self.clock();
        clock.before = clock.simulated();
        clock.since = Instant::now();
        clock.speed = speed.max(0.001);
    }

    /// Runs the control loop in the background until the runtime stops.
    ///
    /// Event-driven, so an idle cluster costs nothing: a pass runs when something in the
    /// cluster changed (a Canary, its Deployments, Flagger's own Deployment, ...) or a
    /// canary's analysis interval is due, never more often than the control loop's pace.
    /// Flagger itself re-syncs its jobs on a 10 s ticker (pkg/controller/controller.go, `Run`:
    /// `flaggerWindow`) and learns of changes from its informers; reacting to the change
    /// itself falls within that window.
    pub fn start(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let sim = self.clone();
        tokio::spawn(async move {
            // Subscribed before the first pass, so no change between them goes unseen.
            let Ok(subscription) = sim.cluster.core().store.subscribe(None) else {
                return;
            };
            let mut changes = subscription.live;
            // Wake often enough for short scaled intervals, never busier than 20 times a second.
            let pace = sim
                .scaled(CONTROL_LOOP)
                .min(Duration::from_millis(250))
                .max(Duration::from_millis(50));
            loop {
                let pass = Instant::now();
                sim.control_loop_once().await;
                let due = sim.next_tick();
                tokio::select! {
                    change = changes.recv() => {
                        if matches!(change, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                            return;
                        }
                    }
                    _ = async {
                        match due {
                            Some(due) => tokio::time::sleep_until(due.into()).await,
                            None => std::future::pending().await,
                        }
                    } => {}
                }
                tokio::time::sleep_until((pass + pace).into()).await;
                // Changes that came meanwhile are all seen by the next pass.
                while !matches!(
                    changes.try_recv(),
                    Err(tokio::sync::broadcast::error::TryRecvError::Empty
                        | tokio::sync::broadcast::error::TryRecvError::Closed)
                ) {}
            }
        })
    }

    /// When the next canary's analysis is due, if any canary has a job.
    fn next_tick(&self) -> Option<Instant> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.values().map(|job| job.next_tick).min()
    }

    /// Flagger runs only where its Deployment is Available with a ready Pod (scaled to zero it
    /// is Available yet runs nothing) and the Canary CRD is served.
    pub fn active(&self) -> bool {
        if !self.cluster.serves("flagger.app", "canaries") {
            return false;
        }
        self.cluster.list("apps", "deployments", None).iter().any(|d| {
            let labels = d.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
            let is_flagger = labels["app.kubernetes.io/name"] == "flagger" || labels["app"] == "flagger";
            // The Deployment's own Available condition (its pod runs and answers /healthz).
            let available = d
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Available" && c["status"] == "True"));
            // Scaled to zero it is Available, yet no Flagger runs.
            let running = d.pointer("/status/readyReplicas").and_then(Value::as_i64).unwrap_or(0) > 0;
            is_flagger && available && running && readiness(d, Duration::from_secs(600), 0) == Readiness::Ready
        })
    }

    /// Runs a simulated load tester in the Pods of every load-tester Deployment (listening on
    /// its container's ports, 8080 when it declares none), and stops the gone. Services reach
    /// it through their endpoints like any other Pod.
    pub fn sync_load_testers(&self) {
        let deployments = self.cluster.list("apps", "deployments", None);
        let mut testers = self.load_testers.lock().unwrap_or_else(|p| p.into_inner());
        let mut seen = Vec::new();
        for d in &deployments {
            let name = text(d, "/metadata/name");
            let ns = text(d, "/metadata/namespace");
            let containers = d
                .pointer("/spec/template/spec/containers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let container = containers
                .iter()
                .find(|c| text(c, "/image").contains("flagger-loadtester"))
                .or_else(|| {
                    let labelled = text(d, "/metadata/labels/app.kubernetes.io~1name") == "loadtester";
                    (labelled || name.contains("loadtester") || name.contains("testloader"))
                        .then(|| containers.first())
                        .flatten()
                });
            let Some(container) = container else {
                continue;
            };
            let mut ports: Vec<i64> = container
                .get("ports")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| p.get("containerPort").and_then(Value::as_i64))
                        .collect()
                })
                .unwrap_or_default();
            if ports.is_empty() {
                ports.push(8080);
            }
            let key = (ns.to_string(), name.to_string());
            seen.push(key.clone());
            let tester = testers
                .entry(key)
                .or_insert_with(|| Arc::new(LoadTester::default()))
                .clone();
            for port in ports {
                self.cluster.register_proxy(ns, name, port, handler(tester.clone()));
            }
        }
        testers.retain(|key, _| {
            let keep = seen.contains(key);
            if !keep {
                self.cluster.unregister_proxy(&key.0, &key.1);
            }
            keep
        });
    }

    /// The simulated load tester running in a Deployment's Pods, if any.
    pub fn load_tester(&self, namespace: &str, deployment: &str) -> Option<Arc<LoadTester>> {
        self.load_testers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(namespace.to_string(), deployment.to_string()))
            .cloned()
    }

    async fn control_loop_once(&self) {
        self.sync_load_testers();
        if !self.active() {
            return;
        }
        self.restart_recorder_with_flagger();
        let canaries = self.cluster.list("flagger.app", "canaries", None);
        for canary in &canaries {
            self.sync_finalizer(canary);
        }
        let now = Instant::now();
        let mut due = Vec::new();
        {
            let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
            let keys: Vec<(String, String)> = canaries
                .iter()
                .map(|c| {
                    (
                        text(c, "/metadata/namespace").to_string(),
                        text(c, "/metadata/name").to_string(),
                    )
                })
                .collect();
            jobs.retain(|k, _| keys.contains(k));
            for (canary, key) in canaries.iter().zip(keys) {
                let interval = self.scaled(parse_interval(text(canary, "/spec/analysis/interval")));
                let job = jobs.entry(key.clone()).or_insert(Job {
                    routes: routes_from_status(canary),
                    next_tick: now,
                    interval,
                });
                if job.interval != interval {
                    // A changed interval restarts the job: tick now.
                    job.interval = interval;
                    job.next_tick = now;
                }
                if job.next_tick <= now {
                    job.next_tick = now + interval;
                    due.push(key);
                }
            }
        }
        for (ns, name) in due {
            self.tick(&ns, &name).await;
        }
    }

    /// `revertOnDeletion` (Flagger: pkg/controller/controller.go, func syncHandler, and
    /// finalizer.go): the Canary carries `finalizer.flagger.app` while it opts in; once deleted
    /// it goes Terminating, the target is scaled back to the primary's replicas, an adopted apex
    /// Service and the VirtualService get their original selector and spec back, and the
    /// finalizer is removed so the API server can delete it. Tests drive it with this.
    pub fn sync_finalizer(&self, canary: &Value) {
        const FINALIZER: &str = "finalizer.flagger.app";
        let ns = text(canary, "/metadata/namespace");
        let name = text(canary, "/metadata/name");
        let revert = canary
            .pointer("/spec/revertOnDeletion")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let finalizers: Vec<Value> = canary
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let has = finalizers.iter().any(|f| f == FINALIZER);
        let deleting = canary.pointer("/metadata/deletionTimestamp").is_some();
        let set_finalizers = |list: Vec<Value>| {
            let patch = json!({"metadata": {"finalizers": list,
                "resourceVersion": canary.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null)}});
            let _ = self
                .cluster
                .patch("flagger.app", "canaries", Some(ns), name, PatchKind::Merge, &patch);
        };
        let without: Vec<Value> = finalizers.iter().filter(|f| *f != FINALIZER).cloned().collect();
        match (revert, has, deleting) {
            (true, false, false) => {
                let mut list = finalizers.clone();
                list.push(json!(FINALIZER));
                set_finalizers(list);
            }
            // Opting out removes the finalizer.
            (false, true, false) => set_finalizers(without),
            (true, true, true) => {
                if text(canary, "/status/phase") != "Terminating" {
                    let mut status = status_of(canary);
                    status.phase = Phase::Terminating;
                    status.weight = 0;
                    status.iterations = 0;
                    self.write_status(canary, &status);
                    self.record(canary, EventType::Normal, &format!("Terminating canary {name}.{ns}"));
                }
                let target_name = text(canary, "/spec/targetRef/name");
                let Some(target) = self.cluster.get("apps", "deployments", Some(ns), target_name) else {
                    return;
                };
                // DeploymentController.Finalize: the target gets the primary's replicas back.
                let replicas = self
                    .cluster
                    .get("apps", "deployments", Some(ns), &format!("{target_name}-primary"))
                    .and_then(|p| p.pointer("/spec/replicas").and_then(Value::as_i64))
                    .unwrap_or(1)
                    .max(1);
                if target.pointer("/spec/replicas").and_then(Value::as_i64) != Some(replicas) {
                    let _ = self.cluster.patch(
                        "apps",
                        "deployments",
                        Some(ns),
                        target_name,
                        PatchKind::Merge,
                        &json!({"spec": {"replicas": replicas}}),
                    );
                    return; // wait for it to be ready (Flagger retries with a backoff)
                }
                if readiness(&target, Duration::from_secs(600), jiff::Timestamp::now().as_second()) != Readiness::Ready
                {
                    return;
                }
                // KubernetesDefaultRouter.Finalize: an apex Service Flagger did not create
                // selects the target's pods again.
                let (apex, _, _) = super::routing::service_names(canary);
                if let (Some(svc), Some(label)) = (
                    self.cluster.get("", "services", Some(ns), &apex),
                    selector_label(&target),
                ) {
                    let owned = svc
                        .pointer("/metadata/ownerReferences")
                        .and_then(Value::as_array)
                        .is_some_and(|o| o.iter().any(|r| r["kind"] == "Canary" && r["name"] == name));
                    if !owned {
                        let _ = self.cluster.patch(
                            "",
                            "services",
                            Some(ns),
                            &apex,
                            PatchKind::Merge,
                            &json!({"spec": {"selector": {label.0: label.1}}}),
                        );
                    }
                }
                let router = Router::for_provider(&provider_of(canary, &self.mesh_provider()));
                if let Err(e) = router.finalize(&self.cluster, canary) {
                    self.record(canary, EventType::Warning, &format!("failed to revert mesh: {e}"));
                    return;
                }
                set_finalizers(without);
                self.record(canary, EventType::Normal, &format!("Terminated canary {name}.{ns}"));
            }
            _ => {}
        }
    }

    /// Runs one tick of one Canary now (tests drive the simulation with this).
    pub async fn tick(&self, namespace: &str, name: &str) -> Option<Vec<Action>> {
        self.sync_load_testers();
        let mut canary = self.cluster.get("flagger.app", "canaries", Some(namespace), name)?;
        if canary.pointer("/status/conditions").is_none() {
            // The work-queue sync marks a new Canary Initializing before its first tick.
            let now = now_rfc3339();
            let status = json!({
                "phase": "Initializing", "canaryWeight": 0, "failedChecks": 0, "iterations": 0,
                "lastTransitionTime": now,
                "conditions": [promoted_condition(Phase::Initializing, text(&canary, "/spec/targetRef/kind"), None, &now)],
            });
            canary = self
                .cluster
                .patch_status("flagger.app", "canaries", Some(namespace), name, &status)
                .ok()?;
        }
        let spec = spec_of(&canary);
        let Some(target) = self.cluster.get("apps", "deployments", Some(namespace), &spec.target) else {
            self.record(
                &canary,
                EventType::Warning,
                &format!("deployments.apps \"{}\" not found", spec.target),
            );
            return Some(Vec::new());
        };
        let Some(label) = selector_label(&target) else {
            self.record(
                &canary,
                EventType::Warning,
                &format!(
                    "{}.{} selector labels app, name or app.kubernetes.io/name not found",
                    spec.target, namespace
                ),
            );
            return Some(Vec::new());
        };
        // Flagger: ConfigTracker.GetTargetConfigs (config tracking is on by default).
        let configs = match super::configs::tracked(
            &self.cluster,
            namespace,
            target.pointer("/spec/template").unwrap_or(&Value::Null),
        ) {
            Ok(configs) => configs,
            Err(e) if !spec.suspend => {
                self.record(&canary, EventType::Warning, &e);
                return Some(Vec::new());
            }
            Err(_) => Default::default(),
        };
        if !spec.suspend {
            self.reconcile_objects(&canary, &target, &label, &configs);
        }
        let routes = self
            .jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(namespace.to_string(), name.to_string()))
            .map(|j| j.routes)
            .unwrap_or_else(|| routes_from_status(&canary));
        let mut machine = Machine {
            spec: spec.clone(),
            status: status_of(&canary),
            routes,
            target_rev: revision(target.pointer("/spec/template").unwrap_or(&Value::Null)),
            status_written: false,
            configs: configs.clone(),
        };
        let router = Router::for_provider(&provider_of(&canary, &self.mesh_provider()));
        let mut oracle = ClusterOracle {
            sim: self,
            canary: &canary,
            target: &target,
            router,
        };
        let actions = machine.tick(&mut oracle).await;
        self.apply(&canary, &target, &label, &machine, &actions, router).await;
        if let Some(job) = self
            .jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&(namespace.to_string(), name.to_string()))
        {
            job.routes = machine.routes;
        } else {
            self.jobs.lock().unwrap_or_else(|p| p.into_inner()).insert(
                (namespace.to_string(), name.to_string()),
                Job {
                    routes: machine.routes,
                    next_tick: Instant::now() + self.scaled(parse_interval(text(&canary, "/spec/analysis/interval"))),
                    interval: self.scaled(parse_interval(text(&canary, "/spec/analysis/interval"))),
                },
            );
        }
        Some(actions)
    }

    /// Creates the primary Deployment and the Services when missing (§3.3 steps 3–8).
    fn reconcile_objects(
        &self,
        canary: &Value,
        target: &Value,
        label: &(String, String),
        configs: &std::collections::BTreeMap<String, String>,
    ) {
        let ns = text(canary, "/metadata/namespace");
        let primary_name = format!("{}-primary", text(target, "/metadata/name"));
        if self
            .cluster
            .get("apps", "deployments", Some(ns), &primary_name)
            .is_none()
        {
            // Flagger: DeploymentController.createPrimaryDeployment copies the configs first.
            if let Err(e) = super::configs::create_primary_configs(&self.cluster, canary, configs) {
                self.record(canary, EventType::Warning, &format!("CreatePrimaryConfigs failed: {e}"));
                return;
            }
            let _ = self.cluster.apply(
                "apps",
                "deployments",
                Some(ns),
                &primary_deployment(canary, target, label, configs),
            );
        }
        for svc in services(canary, label) {
            let name = text(&svc, "/metadata/name").to_string();
            match self.cluster.get("", "services", Some(ns), &name) {
                None => {
                    let _ = self.cluster.apply("", "services", Some(ns), &svc);
                }
                Some(existing) if existing.pointer("/spec/selector") != svc.pointer("/spec/selector") => {
                    // An apex Service Flagger did not create is adopted: only its selector changes.
                    let _ = self.cluster.patch(
                        "",
                        "services",
                        Some(ns),
                        &name,
                        PatchKind::Merge,
                        &json!({"spec": {"selector": svc["spec"]["selector"]}}),
                    );
                }
                Some(_) => {}
            }
        }
    }

    async fn apply(
        &self,
        canary: &Value,
        target: &Value,
        label: &(String, String),
        machine: &Machine,
        actions: &[Action],
        router: Router,
    ) {
        // The configs the tick saw (the machine's input) are the ones promotion copies.
        let configs = &machine.configs;
        let ns = text(canary, "/metadata/namespace");
        let target_name = text(target, "/metadata/name");
        let primary_name = format!("{target_name}-primary");
        // Writes reach the API server in the tick's order; events go through client-go's
        // asynchronous broadcaster, so they land after the tick's status writes.
        let mut events = Vec::new();
        for action in actions {
            match action {
                Action::ScaleTarget(up) => {
                    let replicas = if *up {
                        self.cluster
                            .get("apps", "deployments", Some(ns), &primary_name)
                            .and_then(|p| p.pointer("/spec/replicas").and_then(Value::as_i64))
                            .unwrap_or(1)
                            .max(1)
                    } else {
                        0
                    };
                    let _ = self.cluster.patch(
                        "apps",
                        "deployments",
                        Some(ns),
                        target_name,
                        PatchKind::Merge,
                        &json!({"spec": {"replicas": replicas}}),
                    );
                }
                Action::Promote => {
                    // Re-read: the template is copied as it is now.
                    let current = self
                        .cluster
                        .get("apps", "deployments", Some(ns), target_name)
                        .unwrap_or_else(|| target.clone());
                    // Flagger: DeploymentController.Promote — configs copied to their -primary
                    // twins, then the Deployment fields and the template.
                    if let Err(e) = super::configs::create_primary_configs(&self.cluster, canary, configs) {
                        events.push((EventType::Warning, format!("CreatePrimaryConfigs failed: {e}")));
                        break;
                    }
                    let mut ops = vec![json!({"op": "replace", "path": "/spec/template",
                                              "value": primary_template(&current, label, configs)})];
                    for field in [
                        "progressDeadlineSeconds",
                        "minReadySeconds",
                        "revisionHistoryLimit",
                        "strategy",
                        "replicas",
                    ] {
                        if field == "replicas" && canary.pointer("/spec/autoscalerRef").is_some() {
                            continue;
                        }
                        if let Some(v) = current.pointer(&format!("/spec/{field}")) {
                            ops.push(json!({"op": "add", "path": format!("/spec/{field}"), "value": v}));
                        }
                    }
                    let _ = self.cluster.patch(
                        "apps",
                        "deployments",
                        Some(ns),
                        &primary_name,
                        PatchKind::Json,
                        &json!(ops),
                    );
                }
                Action::SetRoutes(routes) => {
                    // Flagger returns after recording a failed SetRoutes: nothing later in the
                    // tick happens.
                    if let Err(e) = router.set_routes(&self.cluster, canary, *routes) {
                        events.push((EventType::Warning, e));
                        break;
                    }
                }
                Action::WriteStatus(status) => self.write_status(canary, status),
                Action::Event(kind, message) => events.push((*kind, message.clone())),
            }
        }
        for (kind, message) in events {
            self.record(canary, kind, &message);
            self.event_hooks(canary, machine, kind, &message).await;
        }
    }

    /// One status write as Flagger makes it: `UpdateStatus` of the Canary as last read, with
    /// the machine's fields set (pkg/canary/status.go: syncCanaryStatus, setStatusPhase,
    /// setStatusWeight, …). Fields Flagger leaves empty are omitted (`omitempty`), fields it
    /// does not manage (session-affinity cookies) are kept.
    fn write_status(&self, canary: &Value, s: &Status) {
        let ns = text(canary, "/metadata/namespace");
        let name = text(canary, "/metadata/name");
        let core = self.cluster.core();
        let Some(t) = core.storage_type("flagger.app", "canaries") else {
            return;
        };
        // A conflict is retried with a fresh read (client-go's RetryOnConflict).
        for _ in 0..5 {
            let Ok(current) = core.get(&t, Some(ns), name) else {
                return;
            };
            let mut object = crate::core::ClusterCore::present(&t, &current);
            let now = now_rfc3339();
            let mut status = object
                .get("status")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let previous = status.get("conditions").and_then(|c| c.get(0)).cloned();
            status.insert("phase".into(), json!(s.phase.as_str()));
            status.insert("canaryWeight".into(), json!(s.weight));
            status.insert("failedChecks".into(), json!(s.failed_checks));
            status.insert("iterations".into(), json!(s.iterations));
            for (key, value) in [
                ("lastAppliedSpec", &s.last_applied),
                ("lastPromotedSpec", &s.last_promoted),
            ] {
                match value.as_deref().filter(|v| !v.is_empty()) {
                    Some(v) => status.insert(key.into(), json!(v)),
                    None => status.remove(key),
                };
            }
            match &s.tracked_configs {
                Some(configs) => status.insert("trackedConfigs".into(), json!(configs)),
                None => status.remove("trackedConfigs"),
            };
            status.insert("lastTransitionTime".into(), json!(now));
            status.insert(
                "conditions".into(),
                json!([promoted_condition(
                    s.phase,
                    text(canary, "/spec/targetRef/kind"),
                    previous.as_ref(),
                    &now
                )]),
            );
            object["status"] = Value::Object(status);
            let opts = crate::core::WriteOptions {
                field_manager: Some("flagger".into()),
                ..Default::default()
            };
            match core.replace(&t, Some(ns), name, object, true, &opts) {
                Err(e) if e.code == 409 => continue,
                _ => return,
            }
        }
    }

    /// Flagger `events.go`, `sendEventToWebhook`: the canary's event hooks, else the global one.
    /// The payload's phase is the one of the object the event was recorded for: the phase the
    /// tick started in, except where `scheduler.go` records on a copy set to Progressing (new
    /// revision), Failed (rollback) or Succeeded (promotion completed).
    async fn event_hooks(&self, canary: &Value, machine: &Machine, kind: EventType, message: &str) {
        let phase = if message.starts_with("New revision detected! Scaling up") {
            Phase::Progressing
        } else if message.starts_with("Canary failed!") {
            Phase::Failed
        } else if message.starts_with("Promotion completed!") {
            Phase::Succeeded
        } else {
            status_of(canary).phase
        };
        let own = machine.spec.hooks.iter().any(|h| h.kind == HookType::Event);
        if !own && let Some(url) = self.flagger_deployment().and_then(|d| messages::event_webhook_of(&d)) {
            let mut payload = webhook_payload(canary, phase);
            payload["metadata"] = json!({
                "eventMessage": message,
                "eventType": if kind == EventType::Warning { "Warning" } else { "Normal" },
                "timestamp": jiff::Timestamp::now().as_millisecond().to_string(),
            });
            let _ = self.call_webhook(&url, &payload, 0).await;
        }
        for hook in machine.spec.hooks.iter().filter(|h| h.kind == HookType::Event) {
            let mut payload = webhook_payload(canary, phase);
            payload["metadata"] = json!({
                "eventMessage": message,
                "eventType": if kind == EventType::Warning { "Warning" } else { "Normal" },
                "timestamp": jiff::Timestamp::now().as_millisecond().to_string(),
            });
            // Flagger `webhook.go`, `CallEventWebhook`: the hook's own metadata fills the rest.
            if let Some(own) = hook_spec(canary, &hook.name)
                .and_then(|h| h.get("metadata"))
                .and_then(Value::as_object)
            {
                for (k, v) in own {
                    if payload["metadata"].get(k).is_none() {
                        payload["metadata"][k] = v.clone();
                    }
                }
            }
            let _ = self
                .call_webhook(&hook.url, &payload, hook_retries(canary, &hook.name))
                .await;
        }
    }

    /// Records a Kubernetes Event on the Canary, as Flagger does (reason Synced), through
    /// client-go's correlator: repeats PATCH the same Event, similar ones are combined, spam is
    /// dropped (see `recorder`), with the correlator's clock in simulated time.
    fn record(&self, canary: &Value, kind: EventType, message: &str) {
        let ns = text(canary, "/metadata/namespace");
        let new = NewEvent {
            involved: Reference {
                api_version: "flagger.app/v1beta1".into(),
                kind: "Canary".into(),
                namespace: ns.into(),
                name: text(canary, "/metadata/name").into(),
                uid: text(canary, "/metadata/uid").into(),
                resource_version: text(canary, "/metadata/resourceVersion").into(),
            },
            event_type: if kind == EventType::Warning {
                "Warning"
            } else {
                "Normal"
            }
            .into(),
            reason: "Synced".into(),
            message: message.into(),
        };
        let simulated = self.clock().simulated();
        let mut recorder = self.recorder.lock().unwrap_or_else(|p| p.into_inner());
        let stored = match recorder.record(&new, simulated, jiff::Timestamp::now()) {
            None => return,
            Some(Write::Create(event)) => self.cluster.create("", "events", Some(ns), event),
            // client-go `tools/record/event.go`, `recordEvent`: a PATCH of a vanished Event
            // falls back to creating it.
            Some(Write::Patch { name, patch, event }) => {
                match self
                    .cluster
                    .patch("", "events", Some(ns), &name, PatchKind::Strategic, &patch)
                {
                    Err(e) if e.code == 404 => self.cluster.create("", "events", Some(ns), event),
                    other => other,
                }
            }
        };
        if let Ok(stored) = stored {
            recorder.update_state(&stored);
        }
    }

    /// A new Flagger pod (its Deployment re-created or its template changed) starts with an
    /// empty correlator, as a new process's broadcaster does.
    fn restart_recorder_with_flagger(&self) {
        let Some(flagger) = self.flagger_deployment() else {
            return;
        };
        let identity = format!(
            "{}/{}",
            text(&flagger, "/metadata/uid"),
            revision(flagger.pointer("/spec/template").unwrap_or(&Value::Null))
        );
        let mut process = self.process.lock().unwrap_or_else(|p| p.into_inner());
        if process.as_ref().is_some_and(|p| *p != identity) {
            *self.recorder.lock().unwrap_or_else(|p| p.into_inner()) = Recorder::new("flagger");
        }
        *process = Some(identity);
    }

    /// The Flagger Deployment this simulation stands for.
    fn flagger_deployment(&self) -> Option<Value> {
        self.cluster.list("apps", "deployments", None).into_iter().find(|d| {
            let labels = d.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
            labels["app.kubernetes.io/name"] == "flagger" || labels["app"] == "flagger"
        })
    }

    /// Flagger's `-mesh-provider` flag from its Deployment (default `istio`).
    pub fn mesh_provider(&self) -> String {
        self.flagger_deployment()
            .map(|d| messages::mesh_provider_of(&d))
            .unwrap_or_else(|| "istio".into())
    }

    /// POSTs a webhook payload as Flagger's retryable client does (Flagger `webhook.go`,
    /// `callWebhook`; hashicorp go-retryablehttp 0.7.8 `Client.Do` with `DefaultRetryPolicy`):
    /// transport errors, 429 and 5xx other than 501 are retried `retries` times (without the
    /// backoff waits) and then reported as "giving up"; other answers above 202 fail with the
    /// response body as the error. A host that is not a Service fails its DNS lookup; a Service
    /// without a ready endpoint for the URL's port refuses the connection (kube-proxy's reject).
    pub async fn call_webhook(&self, url: &str, payload: &Value, retries: u32) -> Result<(), String> {
        let attempts = retries + 1;
        let giving_up = |cause: Option<String>| match cause {
            Some(cause) => format!("POST {url} giving up after {attempts} attempt(s): {cause}"),
            None => format!("POST {url} giving up after {attempts} attempt(s)"),
        };
        let Some((ns, service, port, path)) = parse_url(url).or_else(|| self.in_flagger_namespace(url)) else {
            return Err(format!("Post \"{url}\": unsupported protocol scheme"));
        };
        self.sync_load_testers();
        // As a Pod reaches a Service: the Service port with the URL's number, then a ready
        // endpoint of that port's name (see `proxy::cluster_ip_backend`).
        let backend = match self.cluster.service_backend(&ns, &service, port) {
            Ok(backend) => backend,
            Err(e) if e.ends_with("no such host") => {
                let host = url_host(url);
                return Err(giving_up(Some(format!(
                    "Post \"{url}\": dial tcp: lookup {host} on 10.96.0.10:53: no such host"
                ))));
            }
            // A refused connection is a transport error: every attempt meets it.
            Err(e) => return Err(giving_up(Some(format!("Post \"{url}\": {e}")))),
        };
        for _ in 0..attempts {
            let request = ProxyRequest {
                method: http::Method::POST,
                path: path.clone(),
                query: String::new(),
                body: payload.to_string().into_bytes().into(),
            };
            let answer = match backend.call(request).await {
                Ok(answer) => answer,
                Err(e) => return Err(giving_up(Some(format!("Post \"{url}\": {e}")))),
            };
            let retryable = answer.status == 429 || (answer.status >= 500 && answer.status != 501);
            if retryable {
                continue;
            }
            if answer.status > 202 {
                return Err(String::from_utf8_lossy(&answer.body).into_owned());
            }
            return Ok(());
        }
        Err(giving_up(None))
    }

    /// A single-label host resolves in Flagger's own namespace (the pod's DNS search path).
    fn in_flagger_namespace(&self, url: &str) -> Option<(String, String, i64, String)> {
        let (host, port, path) = split_url(url)?;
        if host.is_empty() || host.contains('.') {
            return None;
        }
        let ns = self
            .flagger_deployment()
            .map(|d| text(&d, "/metadata/namespace").to_string())?;
        Some((ns, host.to_string(), port, path))
    }
}

fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split('/').next().unwrap_or("");
    host.split(':').next().unwrap_or(host)
}

/// A webhook of the Canary's spec by name.
fn hook_spec<'a>(canary: &'a Value, name: &str) -> Option<&'a Value> {
    canary
        .pointer("/spec/analysis/webhooks")
        .and_then(Value::as_array)
        .and_then(|hs| hs.iter().find(|h| h["name"] == name))
}

fn hook_retries(canary: &Value, name: &str) -> u32 {
    hook_spec(canary, name)
        .and_then(|h| h.get("retries"))
        .and_then(Value::as_u64)
        .map(|r| r.min(10) as u32)
        .unwrap_or(0)
}

fn routes_from_status(canary: &Value) -> Routes {
    let weight = canary
        .pointer("/status/canaryWeight")
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .clamp(0, 100);
    Routes {
        primary: 100 - weight,
        canary: weight,
        mirrored: false,
    }
}

fn webhook_payload(canary: &Value, phase: Phase) -> Value {
    json!({
        "name": text(canary, "/metadata/name"),
        "namespace": text(canary, "/metadata/namespace"),
        "phase": phase.as_str(),
        "checksum": text(canary, "/status/lastAppliedSpec"),
    })
}

/// `http[s]://host[:port][/path]` → (host, port, path); the port defaults to the scheme's.
fn split_url(url: &str) -> Option<(&str, i64, String)> {
    let (rest, default_port) = match url.strip_prefix("http://") {
        Some(rest) => (rest, 80),
        None => (url.strip_prefix("https://")?, 443),
    };
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    match host.split_once(':') {
        Some((h, p)) => Some((h, p.parse().ok()?, path)),
        None => Some((host, default_port, path)),
    }
}

/// `http://svc.ns[.svc.cluster.local][:port]/path` → (ns, svc, port, path); the port defaults to
/// the scheme's (80, 443).
pub fn parse_url(url: &str) -> Option<(String, String, i64, String)> {
    let (host, port, path) = split_url(url)?;
    let mut parts = host.split('.');
    let service = parts.next().filter(|s| !s.is_empty())?.to_string();
    let ns = parts.next()?.to_string();
    Some((ns, service, port, path))
}

struct ClusterOracle<'a> {
    sim: &'a FlaggerSim,
    canary: &'a Value,
    target: &'a Value,
    router: Router,
}

impl ClusterOracle<'_> {
    fn deadline(&self) -> Duration {
        let seconds = self
            .canary
            .pointer("/spec/progressDeadlineSeconds")
            .and_then(Value::as_u64)
            .unwrap_or(600);
        self.sim.scaled(Duration::from_secs(seconds))
    }

    /// `threshold`: the analysis' primaryReadyThreshold / canaryReadyThreshold (default 100).
    fn deployment(&self, name: &str, threshold: &str) -> Readiness {
        let ns = text(self.canary, "/metadata/namespace");
        let threshold = self
            .canary
            .pointer(&format!("/spec/analysis/{threshold}"))
            .and_then(Value::as_i64)
            .unwrap_or(100);
        match self.sim.cluster.get("apps", "deployments", Some(ns), name) {
            Some(d) => readiness_detail(&d, self.deadline(), jiff::Timestamp::now().as_second(), threshold).0,
            None => Readiness::Wait,
        }
    }
}

impl Oracle for ClusterOracle<'_> {
    fn primary(&mut self) -> Readiness {
        self.deployment(
            &format!("{}-primary", text(self.target, "/metadata/name")),
            "primaryReadyThreshold",
        )
    }

    fn canary(&mut self) -> Readiness {
        self.deployment(text(self.target, "/metadata/name"), "canaryReadyThreshold")
    }

    fn hook(&mut self, hook: &Hook, phase: Phase) -> impl std::future::Future<Output = Result<(), String>> + Send {
        let mut payload = webhook_payload(self.canary, phase);
        let metadata = self
            .canary
            .pointer("/spec/analysis/webhooks")
            .and_then(Value::as_array)
            .and_then(|hs| hs.iter().find(|h| h["name"] == hook.name.as_str()))
            .and_then(|h| h.get("metadata"))
            .cloned();
        if let Some(metadata) = metadata {
            payload["metadata"] = metadata;
        }
        let url = hook.url.clone();
        let sim = self.sim;
        let retries = hook_retries(self.canary, &hook.name);
        async move { sim.call_webhook(&url, &payload, retries).await }
    }

    fn metrics(&mut self) -> Result<(), String> {
        let list = self.metric_list();
        let annotations = self.annotations();
        let provider = messages::metrics_provider(&self.sim.mesh_provider(), self.canary);
        let exists = |name: &str, ns: &str| self.template_exists(name, ns);
        let ctx = metrics::Context {
            annotations: &annotations,
            name: text(self.canary, "/metadata/name"),
            namespace: text(self.canary, "/metadata/namespace"),
            target: text(self.canary, "/spec/targetRef/name"),
            provider: &provider,
            template_exists: &exists,
        };
        metrics::evaluate(&list, &ctx)
    }

    fn metric_providers(&mut self) -> Result<(), String> {
        let list = self.metric_list();
        let annotations = self.annotations();
        let exists = |name: &str, ns: &str| self.template_exists(name, ns);
        let ctx = metrics::Context {
            annotations: &annotations,
            name: text(self.canary, "/metadata/name"),
            namespace: text(self.canary, "/metadata/namespace"),
            target: text(self.canary, "/spec/targetRef/name"),
            provider: "",
            template_exists: &exists,
        };
        metrics::providers_available(&list, &ctx)
    }

    fn readiness_error(&mut self, primary: bool) -> Option<String> {
        let ns = text(self.canary, "/metadata/namespace");
        let target = text(self.target, "/metadata/name");
        let name = if primary {
            format!("{target}-primary")
        } else {
            target.to_string()
        };
        let threshold_key = if primary {
            "/spec/analysis/primaryReadyThreshold"
        } else {
            "/spec/analysis/canaryReadyThreshold"
        };
        let threshold = self
            .canary
            .pointer(threshold_key)
            .and_then(Value::as_i64)
            .unwrap_or(100);
        let deployment = self.sim.cluster.get("apps", "deployments", Some(ns), &name);
        Some(messages::readiness_error(
            deployment.as_ref(),
            target,
            ns,
            primary,
            threshold,
        ))
    }

    fn reconcile_routes(&mut self) -> Result<(), String> {
        self.router.reconcile(&self.sim.cluster, self.canary)
    }

    fn routes(&mut self, programmed: Routes) -> Result<Routes, String> {
        Ok(self
            .router
            .routes(&self.sim.cluster, self.canary)?
            .unwrap_or(programmed))
    }
}

impl ClusterOracle<'_> {
    fn metric_list(&self) -> Vec<Value> {
        self.canary
            .pointer("/spec/analysis/metrics")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    fn annotations(&self) -> serde_json::Map<String, Value> {
        self.target
            .pointer("/spec/template/metadata/annotations")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }

    fn template_exists(&self, name: &str, namespace: &str) -> bool {
        self.sim
            .cluster
            .get("flagger.app", "metrictemplates", Some(namespace), name)
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_follow_flagger() {
        assert_eq!(parse_interval("30s"), Duration::from_secs(30));
        assert_eq!(parse_interval("1m30s"), Duration::from_secs(90));
        assert_eq!(parse_interval("5s"), Duration::from_secs(10));
        assert_eq!(parse_interval(""), Duration::from_secs(60));
        assert_eq!(parse_interval("bogus"), Duration::from_secs(60));
        assert_eq!(parse_interval("1.5m"), Duration::from_secs(90));
        assert_eq!(parse_interval("500ms"), Duration::from_secs(10));
        assert_eq!(parse_interval("30"), Duration::from_secs(60), "a unit is required");
        assert_eq!(parse_go_duration("1h2m3.5s"), Some(Duration::from_secs_f64(3723.5)));
        assert_eq!(parse_go_duration("250us"), Some(Duration::from_micros(250)));
        assert_eq!(parse_go_duration("1.2.3s"), None);
    }

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("http://lt.test/gate/check"),
            Some(("test".into(), "lt".into(), 80, "/gate/check".into()))
        );
        assert_eq!(
            parse_url("http://lt.test.svc.cluster.local:8080/"),
            Some(("test".into(), "lt".into(), 8080, "/".into()))
        );
        assert_eq!(
            parse_url("https://lt.test/"),
            Some(("test".into(), "lt".into(), 443, "/".into()))
        );
        assert_eq!(parse_url("http://lt/"), None);
    }

    #[test]
    fn spec_derivation() {
        let canary = json!({"metadata": {"name": "c", "namespace": "n"}, "spec": {"targetRef": {"name": "t"},
            "analysis": {"interval": "30s", "threshold": 0, "stepWeights": [5, 150], "match": [{"headers": {}}], "iterations": 0,
                         "webhooks": [{"name": "g", "type": "confirm-promotion", "url": "http://lt.n/gate/check"}]}}});
        let spec = spec_of(&canary);
        assert_eq!(
            (spec.strategy, spec.max_weight, spec.threshold),
            (Strategy::Canary, 100, 1)
        );
        assert_eq!(spec.hooks[0].kind, HookType::ConfirmPromotion);
        let k8s = json!({"metadata": {"name": "c"}, "spec": {"provider": "kubernetes", "targetRef": {"name": "t"}, "analysis": {}}});
        let spec = spec_of(&k8s);
        assert_eq!((spec.strategy, spec.iterations), (Strategy::BlueGreen, 10));
    }
}

#[cfg(test)]
mod condition_tests {
    use super::*;

    /// Flagger's MakeStatusConditions: same status and reason leave the condition alone; a new
    /// reason with the same status keeps lastTransitionTime; a new status moves both times.
    #[test]
    fn promoted_condition_moves_only_with_status_or_reason() {
        let first = promoted_condition(Phase::Progressing, "Deployment", None, "t1");
        assert_eq!(first["lastTransitionTime"], "t1");
        assert_eq!(
            promoted_condition(Phase::Progressing, "Deployment", Some(&first), "t2"),
            first
        );
        let gate = promoted_condition(Phase::WaitingPromotion, "Deployment", Some(&first), "t3");
        assert_eq!(
            (gate["lastTransitionTime"].clone(), gate["lastUpdateTime"].clone()),
            (json!("t1"), json!("t3"))
        );
        let done = promoted_condition(Phase::Succeeded, "Deployment", Some(&gate), "t4");
        assert_eq!(
            (done["lastTransitionTime"].clone(), done["status"].clone()),
            (json!("t4"), json!("True"))
        );
    }
}
