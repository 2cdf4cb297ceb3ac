//! Flagger's per-canary analysis tick as a pure state machine (reference/flagger.md §8.4).
//! Everything the tick needs from the world — readiness, hook answers, metric results — comes
//! from an [`Oracle`]; everything it does to the world comes back as [`Action`]s. So the same
//! machine runs under scripted oracles in tests (the reference traces) and against a simulated
//! cluster in the controller.

use std::collections::BTreeMap;
use std::future::Future;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    #[default]
    Empty,
    Initializing,
    Initialized,
    Waiting,
    Progressing,
    WaitingPromotion,
    Promoting,
    Finalising,
    Succeeded,
    Failed,
    Terminating,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Empty => "",
            Phase::Initializing => "Initializing",
            Phase::Initialized => "Initialized",
            Phase::Waiting => "Waiting",
            Phase::Progressing => "Progressing",
            Phase::WaitingPromotion => "WaitingPromotion",
            Phase::Promoting => "Promoting",
            Phase::Finalising => "Finalising",
            Phase::Succeeded => "Succeeded",
            Phase::Failed => "Failed",
            Phase::Terminating => "Terminating",
        }
    }

    pub fn parse(text: &str) -> Phase {
        match text {
            "Initializing" => Phase::Initializing,
            "Initialized" => Phase::Initialized,
            "Waiting" => Phase::Waiting,
            "Progressing" => Phase::Progressing,
            "WaitingPromotion" => Phase::WaitingPromotion,
            "Promoting" => Phase::Promoting,
            "Finalising" => Phase::Finalising,
            "Succeeded" => Phase::Succeeded,
            "Failed" => Phase::Failed,
            "Terminating" => Phase::Terminating,
            _ => Phase::Empty,
        }
    }

    /// A rollout is under way (Flagger's "should advance" phases).
    pub fn running(self) -> bool {
        matches!(
            self,
            Phase::Progressing | Phase::Waiting | Phase::WaitingPromotion | Phase::Promoting | Phase::Finalising
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Canary,
    AbTesting,
    BlueGreen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookType {
    ConfirmRollout,
    PreRollout,
    Rollout,
    ConfirmTrafficIncrease,
    ConfirmPromotion,
    PostRollout,
    Rollback,
    Event,
}

impl HookType {
    pub fn parse(text: &str) -> Option<HookType> {
        Some(match text {
            "" | "rollout" => HookType::Rollout,
            "confirm-rollout" => HookType::ConfirmRollout,
            "pre-rollout" => HookType::PreRollout,
            "confirm-traffic-increase" => HookType::ConfirmTrafficIncrease,
            "confirm-promotion" => HookType::ConfirmPromotion,
            "post-rollout" => HookType::PostRollout,
            "rollback" => HookType::Rollback,
            "event" => HookType::Event,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hook {
    pub name: String,
    pub kind: HookType,
    pub url: String,
}

/// The parts of a Canary spec the tick reads (derived values already applied, §1.7).
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub name: String,
    pub namespace: String,
    pub target: String,
    pub strategy: Strategy,
    pub iterations: i64,
    pub step_weight: i64,
    pub step_weights: Vec<i64>,
    pub max_weight: i64,
    pub step_weight_promotion: i64,
    pub mirror: bool,
    pub threshold: i64,
    pub skip: bool,
    pub suspend: bool,
    pub kubernetes_provider: bool,
    /// The warnings Flagger records on every analysed tick when the `kubernetes` provider
    /// overrides the analysis (`advanceCanary`: match dropped, iterations forced to 10).
    pub kubernetes_warnings: Vec<String>,
    pub hooks: Vec<Hook>,
}

impl Spec {
    /// A weight canary with Flagger's defaults, for tests and builders.
    pub fn canary(name: &str, step_weight: i64, max_weight: i64) -> Spec {
        Spec {
            name: name.into(),
            namespace: "test".into(),
            target: name.into(),
            strategy: Strategy::Canary,
            iterations: 0,
            step_weight,
            step_weights: Vec::new(),
            max_weight,
            step_weight_promotion: 0,
            mirror: false,
            threshold: 5,
            skip: false,
            suspend: false,
            kubernetes_provider: false,
            kubernetes_warnings: Vec::new(),
            hooks: Vec::new(),
        }
    }

    fn hooks_of(&self, kind: HookType) -> Vec<Hook> {
        self.hooks.iter().filter(|h| h.kind == kind).cloned().collect()
    }

    /// §3.4.1 `nextStep`.
    pub fn next_step(&self, cw: i64) -> i64 {
        if self.step_weight > 0 || self.step_weights.is_empty() {
            return self.step_weight;
        }
        let ladder = &self.step_weights;
        if cw == 100 {
            return 1;
        }
        if cw == 0 {
            return ladder[0].min(100);
        }
        for i in 0..ladder.len().saturating_sub(1) {
            if ladder[i] == cw {
                return (100 - cw).min(ladder[i + 1] - cw);
            }
        }
        100 - cw
    }
}

/// The status fields Flagger writes (§2.1), as the machine tracks them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Status {
    pub phase: Phase,
    pub weight: i64,
    pub failed_checks: i64,
    pub iterations: i64,
    pub last_applied: Option<String>,
    pub last_promoted: Option<String>,
    /// `configmap/<name>` or `secret/<name>` → checksum, as the last full sync saw them (None:
    /// never synced; Flagger's `trackedConfigs` pointer).
    pub tracked_configs: Option<BTreeMap<String, String>>,
}

/// Traffic as programmed in the mesh (the truth the controller reads back each tick).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Routes {
    pub primary: i64,
    pub canary: i64,
    pub mirrored: bool,
}

impl Routes {
    pub const ALL_PRIMARY: Routes = Routes {
        primary: 100,
        canary: 0,
        mirrored: false,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Retriable: the tick waits.
    Wait,
    /// Non-retriable: deadline exceeded.
    Dead,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Normal,
    Warning,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Scale the target up from zero (true) or down to zero (false).
    ScaleTarget(bool),
    /// Copy the target's pod template to the primary.
    Promote,
    /// Program the provider's routing object with these weights (Flagger's `SetRoutes`); a
    /// failure ends the tick there, as upstream returns after recording the error.
    SetRoutes(Routes),
    /// Write the whole status as it is at this point of the tick (one `UpdateStatus` call).
    WriteStatus(Status),
    Event(EventType, String),
}

/// What the world answers during a tick.
pub trait Oracle {
    fn primary(&mut self) -> Readiness;
    fn canary(&mut self) -> Readiness;
    /// Calls a webhook with the payload phase; Ok on HTTP 200–202, else the failure text.
    fn hook(&mut self, hook: &Hook, phase: Phase) -> impl Future<Output = Result<(), String>> + Send;
    /// Runs the metric checks in order; the first failure's message.
    fn metrics(&mut self) -> Result<(), String>;
    /// Creates or updates the provider's routing objects (Flagger's `meshRouter.Reconcile`,
    /// every tick); the error text when that fails.
    fn reconcile_routes(&mut self) -> Result<(), String> {
        Ok(())
    }
    /// Reads the weights back from the routing object (Flagger's `GetRoutes`); providers
    /// without an object answer with what the machine last programmed.
    fn routes(&mut self, programmed: Routes) -> Result<Routes, String> {
        Ok(programmed)
    }
    /// Flagger's error text for a primary (or canary) that is not Ready, as
    /// `IsPrimaryReady` / `IsCanaryReady` word it; None for the generic text.
    fn readiness_error(&mut self, _primary: bool) -> Option<String> {
        None
    }
    /// `checkMetricProviderAvailability`: Err with the reason when a provider is unavailable.
    fn metric_providers(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// One canary's simulated state.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    pub spec: Spec,
    pub status: Status,
    pub routes: Routes,
    /// Revision of the target's pod template (the template hash).
    pub target_rev: String,
    /// Whether the last tick wrote status (every write moves lastTransitionTime).
    pub status_written: bool,
    /// The ConfigMaps and Secrets the target references now, with their checksums.
    pub configs: BTreeMap<String, String>,
}

impl Machine {
    pub fn new(spec: Spec, target_rev: &str) -> Machine {
        Machine {
            spec,
            status: Status::default(),
            routes: Routes::ALL_PRIMARY,
            target_rev: target_rev.into(),
            status_written: false,
            configs: BTreeMap::new(),
        }
    }

    fn id(&self) -> String {
        format!("{}.{}", self.spec.name, self.spec.namespace)
    }

    fn target_id(&self) -> String {
        format!("{}.{}", self.spec.target, self.spec.namespace)
    }

    /// Flagger's `HasConfigChanged` (pkg/canary/config_tracker.go): a different count of
    /// referenced configs, or any checksum different from `trackedConfigs`.
    pub fn configs_changed(&self) -> bool {
        match &self.status.tracked_configs {
            None => !self.configs.is_empty(),
            Some(tracked) => {
                tracked.len() != self.configs.len() || self.configs.iter().any(|(k, v)| tracked.get(k) != Some(v))
            }
        }
    }

    /// Records one status write at this point of the tick.
    fn write(&mut self, actions: &mut Vec<Action>) {
        self.status_written = true;
        actions.push(Action::WriteStatus(self.status.clone()));
    }

    /// Programs the routing object.
    fn route(&mut self, routes: Routes, actions: &mut Vec<Action>) {
        self.routes = routes;
        actions.push(Action::SetRoutes(routes));
    }

    fn warn(actions: &mut Vec<Action>, message: String) {
        actions.push(Action::Event(EventType::Warning, message));
    }

    fn info(actions: &mut Vec<Action>, message: String) {
        actions.push(Action::Event(EventType::Normal, message));
    }

    /// Flagger `pkg/canary/deployment_ready.go`: `IsPrimaryReady` / `IsCanaryReady` error texts.
    fn not_ready(&self, oracle: &mut impl Oracle, primary: bool) -> String {
        oracle.readiness_error(primary).unwrap_or_else(|| {
            let detail = "waiting for rollout to finish: observed deployment generation less than desired generation";
            if primary {
                format!(
                    "{}-primary.{} not ready: {detail}",
                    self.spec.target, self.spec.namespace
                )
            } else {
                format!("canary deployment {} not ready: {detail}", self.target_id())
            }
        })
    }

    // Flagger: pkg/canary/status.go, func syncCanaryStatus (SyncStatus): the given counters,
    // lastAppliedSpec and trackedConfigs from the target as it is now, lastPromotedSpec only
    // for Initialized.
    fn sync(&mut self, phase: Phase, weight: i64, failed_checks: i64, iterations: i64, actions: &mut Vec<Action>) {
        self.status.phase = phase;
        self.status.weight = weight;
        self.status.failed_checks = failed_checks;
        self.status.iterations = iterations;
        self.status.last_applied = Some(self.target_rev.clone());
        self.status.tracked_configs = Some(self.configs.clone());
        if phase == Phase::Initialized {
            self.status.last_promoted = Some(self.target_rev.clone());
        }
        self.write(actions);
    }

    fn full(&mut self, phase: Phase, weight: i64, actions: &mut Vec<Action>) {
        self.sync(phase, weight, 0, 0, actions);
    }

    // Flagger: pkg/canary/status.go, func setStatusPhase.
    fn set_phase(&mut self, phase: Phase, actions: &mut Vec<Action>) {
        self.status.phase = phase;
        if !matches!(phase, Phase::Progressing | Phase::Waiting | Phase::Promoting) {
            self.status.weight = 0;
            self.status.iterations = 0;
        }
        if phase == Phase::WaitingPromotion {
            self.status.iterations = self.spec.iterations - 1;
        }
        if matches!(phase, Phase::Initialized | Phase::Succeeded) {
            self.status.last_promoted = self.status.last_applied.clone();
        }
        self.write(actions);
    }

    fn set_weight(&mut self, weight: i64, actions: &mut Vec<Action>) {
        self.status.weight = weight;
        self.write(actions);
    }

    fn set_iterations(&mut self, iterations: i64, actions: &mut Vec<Action>) {
        self.status.iterations = iterations;
        self.write(actions);
    }

    fn add_failed_check(&mut self, actions: &mut Vec<Action>) {
        self.status.failed_checks += 1;
        self.write(actions);
    }

    async fn post_rollout(&mut self, phase: Phase, oracle: &mut impl Oracle, actions: &mut Vec<Action>) {
        // Flagger `scheduler_hooks.go`, `runPostRolloutHooks`: the first failure stops the rest.
        for hook in self.spec.hooks_of(HookType::PostRollout) {
            if let Err(e) = oracle.hook(&hook, phase).await {
                Self::warn(actions, format!("Post-rollout hook {} failed {e}", hook.name));
                return;
            }
            Self::info(actions, format!("Post-rollout check {} passed", hook.name));
        }
    }

    /// Flagger `scheduler.go`, `rollback`.
    async fn rollback(&mut self, oracle: &mut impl Oracle, actions: &mut Vec<Action>) {
        if self.status.failed_checks >= self.spec.threshold.max(1) {
            Self::warn(
                actions,
                format!(
                    "Rolling back {} failed checks threshold reached {}",
                    self.id(),
                    self.status.failed_checks
                ),
            );
        }
        self.route(Routes::ALL_PRIMARY, actions);
        // The canary's own name, not the target's.
        Self::warn(actions, format!("Canary failed! Scaling down {}", self.id()));
        actions.push(Action::ScaleTarget(false));
        self.full(Phase::Failed, 0, actions);
        self.post_rollout(Phase::Failed, oracle, actions).await;
    }

    /// Flagger `scheduler.go`, `handleFailedPromotion`.
    async fn failed_promotion(&mut self, error: &str, oracle: &mut impl Oracle, actions: &mut Vec<Action>) {
        Self::warn(
            actions,
            format!("Promotion of {} failed, primary not ready: {error}", self.target_id()),
        );
        self.route(
            Routes {
                primary: 0,
                canary: 100,
                mirrored: false,
            },
            actions,
        );
        self.full(Phase::Failed, 100, actions);
        self.post_rollout(Phase::Failed, oracle, actions).await;
    }

    async fn confirm_promotion(&mut self, oracle: &mut impl Oracle, actions: &mut Vec<Action>) -> bool {
        for hook in self.spec.hooks_of(HookType::ConfirmPromotion) {
            if oracle.hook(&hook, Phase::Progressing).await.is_err() {
                if self.status.phase != Phase::WaitingPromotion {
                    self.set_phase(Phase::WaitingPromotion, actions);
                    actions.push(Action::Event(
                        EventType::Warning,
                        format!(
                            "Halt {} advancement waiting for promotion approval {}",
                            self.id(),
                            hook.name
                        ),
                    ));
                } else {
                    self.set_iterations(self.spec.iterations - 1, actions);
                }
                return false;
            }
            // Flagger `scheduler_hooks.go`, `runConfirmPromotionHooks`.
            Self::info(actions, format!("Confirm-promotion check {} passed", hook.name));
        }
        true
    }

    fn promote(&mut self, actions: &mut Vec<Action>) {
        actions.push(Action::Event(
            EventType::Normal,
            format!(
                "Copying {} template spec to {}-primary.{}",
                self.target_id(),
                self.spec.target,
                self.spec.namespace
            ),
        ));
        actions.push(Action::Promote);
        self.set_phase(Phase::Promoting, actions);
    }

    /// Runs one tick; returns what to do to the world.
    pub async fn tick(&mut self, oracle: &mut impl Oracle) -> Vec<Action> {
        let mut actions = Vec::new();
        self.status_written = false;
        self.run_tick(oracle, &mut actions).await;
        actions
    }

    async fn run_tick(&mut self, oracle: &mut impl Oracle, actions: &mut Vec<Action>) {
        let spec = self.spec.clone();
        let phase = self.status.phase;
        // T0
        if spec.suspend {
            actions.push(Action::Event(
                EventType::Normal,
                "skipping canary run as object is suspended".into(),
            ));
            return;
        }
        // T1 (`advanceCanary`: metric providers are checked on every initializing tick, then
        // `Initialize` waits for the primary, recording its readiness error each time).
        if matches!(phase, Phase::Empty | Phase::Initializing) {
            if !spec.skip {
                match oracle.metric_providers() {
                    // Flagger `scheduler_metrics.go`, `checkMetricProviderAvailability`.
                    Ok(()) => Self::info(actions, "all the metrics providers are available!".into()),
                    Err(e) => Self::warn(actions, format!("Error checking metric providers: {e}")),
                }
                match oracle.primary() {
                    Readiness::Wait => {
                        let error = self.not_ready(oracle, true);
                        Self::warn(actions, error);
                        return;
                    }
                    Readiness::Dead => {
                        let error = self.not_ready(oracle, true);
                        Self::warn(actions, error);
                        return self.rollback(oracle, actions).await;
                    }
                    Readiness::Ready => {}
                }
            }
            actions.push(Action::ScaleTarget(false));
            // Flagger: pkg/controller/scheduler.go, func advanceCanary: the mesh objects are
            // reconciled (created with all traffic on the primary) once the primary is ready,
            // before the Initialized sync; a failure is a warning and ends the tick.
            if let Err(e) = oracle.reconcile_routes() {
                actions.push(Action::Event(EventType::Warning, e));
                return;
            }
            self.routes = Routes::ALL_PRIMARY;
            self.full(Phase::Initialized, 0, actions);
            actions.push(Action::Event(
                EventType::Normal,
                format!("Initialization done! {}", self.id()),
            ));
            return;
        }
        // Flagger: advanceCanary reconciles the routing objects on every tick.
        if let Err(e) = oracle.reconcile_routes() {
            actions.push(Action::Event(EventType::Warning, e));
            return;
        }
        // T2
        let applied = self.status.last_applied.clone();
        let changed = applied.is_none()
            || (Some(&self.target_rev) != self.status.last_promoted.as_ref()
                && Some(&self.target_rev) != applied.as_ref())
            || self.configs_changed();
        if phase == Phase::Failed {
            // Flagger: pkg/controller/scheduler.go, func shouldAdvance: a Failed canary's status
            // is synced (same phase and counters, the current lastAppliedSpec and
            // trackedConfigs) in a write of its own, before the comparison that may start a
            // new run — which still compares against the values read at the tick's start.
            let s = self.status.clone();
            self.sync(s.phase, s.weight, s.failed_checks, s.iterations, actions);
        }
        if !phase.running() && !changed {
            return;
        }
        // T3
        if !spec.skip {
            let readiness = oracle.primary();
            if readiness != Readiness::Ready {
                // Recorded on every tick the primary is not ready.
                let error = self.not_ready(oracle, true);
                Self::warn(actions, error.clone());
                match readiness {
                    Readiness::Dead if matches!(phase, Phase::Promoting | Phase::Finalising) => {
                        return self.failed_promotion(&error, oracle, actions).await;
                    }
                    Readiness::Dead => return self.rollback(oracle, actions).await,
                    _ => return,
                }
            }
        }
        // Flagger: advanceCanary reads the weights back from the routing object (GetRoutes).
        match oracle.routes(self.routes) {
            Ok(routes) => self.routes = routes,
            Err(e) => {
                actions.push(Action::Event(EventType::Warning, e));
                return;
            }
        }
        // T4
        if !matches!(
            phase,
            Phase::Progressing | Phase::WaitingPromotion | Phase::Promoting | Phase::Finalising
        ) {
            for hook in spec.hooks_of(HookType::ConfirmRollout) {
                if oracle.hook(&hook, phase).await.is_err() {
                    if phase != Phase::Waiting {
                        self.set_phase(Phase::Waiting, actions);
                        actions.push(Action::Event(
                            EventType::Warning,
                            format!("Halt {} advancement waiting for approval {}", self.id(), hook.name),
                        ));
                    }
                    return;
                }
                actions.push(Action::Event(
                    EventType::Normal,
                    format!("Confirm-rollout check {} passed", hook.name),
                ));
            }
            actions.push(Action::Event(
                EventType::Normal,
                format!("New revision detected! Scaling up {}", self.target_id()),
            ));
            actions.push(Action::ScaleTarget(true));
            self.full(Phase::Progressing, 0, actions);
            return;
        }
        // T5
        if matches!(phase, Phase::Progressing | Phase::WaitingPromotion) && changed {
            actions.push(Action::Event(
                EventType::Normal,
                format!("New revision detected! Restarting analysis for {}", self.target_id()),
            ));
            self.route(Routes::ALL_PRIMARY, actions);
            self.full(Phase::Progressing, 0, actions);
            return;
        }
        // T6
        let readiness = oracle.canary();
        if readiness != Readiness::Ready {
            let error = self.not_ready(oracle, false);
            Self::warn(actions, error);
            if readiness == Readiness::Dead {
                return self.rollback(oracle, actions).await;
            }
            return;
        }
        // T7
        if spec.skip {
            // Flagger `scheduler.go`, `shouldSkipAnalysis`.
            self.route(Routes::ALL_PRIMARY, actions);
            Self::info(
                actions,
                format!(
                    "Copying {} template spec to {}-primary.{}",
                    self.target_id(),
                    spec.target,
                    spec.namespace
                ),
            );
            actions.push(Action::Promote);
            actions.push(Action::ScaleTarget(false));
            self.set_phase(Phase::Succeeded, actions);
            self.post_rollout(Phase::Succeeded, oracle, actions).await;
            actions.push(Action::Event(
                EventType::Normal,
                format!(
                    "Promotion completed! Canary analysis was skipped for {}",
                    self.target_id()
                ),
            ));
            return;
        }
        // T8
        if matches!(phase, Phase::Progressing | Phase::WaitingPromotion) {
            for hook in spec.hooks_of(HookType::Rollback) {
                if oracle.hook(&hook, phase).await.is_ok() {
                    // Flagger `scheduler_hooks.go`, `runRollbackHooks`.
                    Self::warn(actions, format!("Rollback check {} passed", hook.name));
                    actions.push(Action::Event(
                        EventType::Warning,
                        format!("Rolling back {} manual webhook invoked", self.id()),
                    ));
                    return self.rollback(oracle, actions).await;
                }
                actions.push(Action::Event(
                    EventType::Normal,
                    format!("Rollback hook {} not signaling a rollback", hook.name),
                ));
            }
        }
        // T9
        if phase == Phase::Promoting {
            if spec.kubernetes_provider {
                self.set_phase(Phase::Finalising, actions);
                return;
            }
            if spec.step_weight_promotion == 0 {
                self.route(Routes::ALL_PRIMARY, actions);
                actions.push(Action::Event(
                    EventType::Normal,
                    "Routing all traffic to primary".into(),
                ));
                self.set_phase(Phase::Finalising, actions);
                return;
            }
            if self.routes.canary > 0 {
                let s = spec.step_weight_promotion;
                let primary = (self.routes.primary + s).min(100);
                let canary = (self.routes.canary - s).max(0);
                self.route(
                    Routes {
                        primary,
                        canary,
                        mirrored: false,
                    },
                    actions,
                );
                actions.push(Action::Event(
                    EventType::Normal,
                    format!("Advance {} primary weight {primary}", self.id()),
                ));
                if primary == 100 {
                    self.set_phase(Phase::Finalising, actions);
                } else {
                    self.set_weight(canary, actions);
                }
            }
            return;
        }
        // T10
        if phase == Phase::Finalising {
            actions.push(Action::ScaleTarget(false));
            self.set_phase(Phase::Succeeded, actions);
            self.post_rollout(Phase::Succeeded, oracle, actions).await;
            actions.push(Action::Event(
                EventType::Normal,
                format!("Promotion completed! Scaling down {}", self.target_id()),
            ));
            return;
        }
        // T11
        let threshold = spec.threshold.max(1);
        if matches!(phase, Phase::Progressing | Phase::WaitingPromotion) && self.status.failed_checks >= threshold {
            // `rollback` itself records the threshold event.
            return self.rollback(oracle, actions).await;
        }
        // T12
        let cw = self.routes.canary;
        if cw == 0 && self.status.iterations == 0 && !(spec.mirror && self.routes.mirrored) {
            actions.push(Action::Event(
                EventType::Normal,
                format!("Starting canary analysis for {}", self.target_id()),
            ));
            for hook in spec.hooks_of(HookType::PreRollout) {
                if let Err(e) = oracle.hook(&hook, Phase::Progressing).await {
                    self.add_failed_check(actions);
                    actions.push(Action::Event(
                        EventType::Warning,
                        format!(
                            "Halt {} advancement pre-rollout check {} failed {e}",
                            self.id(),
                            hook.name
                        ),
                    ));
                    return;
                }
                actions.push(Action::Event(
                    EventType::Normal,
                    format!("Pre-rollout check {} passed", hook.name),
                ));
            }
        } else {
            for hook in spec.hooks_of(HookType::Rollout) {
                if let Err(e) = oracle.hook(&hook, Phase::Progressing).await {
                    self.add_failed_check(actions);
                    actions.push(Action::Event(
                        EventType::Warning,
                        format!("Halt {} advancement external check {} failed {e}", self.id(), hook.name),
                    ));
                    return;
                }
            }
            if let Err(message) = oracle.metrics() {
                self.add_failed_check(actions);
                actions.push(Action::Event(EventType::Warning, message));
                return;
            }
        }
        // Flagger `scheduler.go`, `advanceCanary`: recorded on every tick that reaches the dispatch.
        for warning in &spec.kubernetes_warnings {
            Self::warn(actions, warning.clone());
        }
        // T13
        match spec.strategy {
            Strategy::AbTesting => self.ab_step(oracle, actions).await,
            Strategy::BlueGreen => self.bg_step(oracle, actions).await,
            Strategy::Canary => self.canary_step(oracle, actions).await,
        }
    }

    async fn ab_step(&mut self, oracle: &mut impl Oracle, actions: &mut Vec<Action>) {
        let n = self.spec.iterations;
        let it = self.status.iterations;
        if n > it {
            self.route(
                Routes {
                    primary: 0,
                    canary: 100,
                    mirrored: false,
                },
                actions,
            );
            self.set_iterations(it + 1, actions);
            actions.push(Action::Event(
                EventType::Normal,
                format!("Advance {} canary iteration {}/{n}", self.id(), it + 1),
            ));
            return;
        }
        if !self.confirm_promotion(oracle, actions).await {
            return;
        }
        if n == self.status.iterations {
            self.promote(actions);
        }
    }

    async fn bg_step(&mut self, oracle: &mut impl Oracle, actions: &mut Vec<Action>) {
        let n = self.spec.iterations;
        let it = self.status.iterations;
        if n > it {
            if !self.spec.kubernetes_provider && self.spec.mirror && !self.routes.mirrored {
                self.route(
                    Routes {
                        primary: 100,
                        canary: 0,
                        mirrored: true,
                    },
                    actions,
                );
            }
            self.set_iterations(it + 1, actions);
            actions.push(Action::Event(
                EventType::Normal,
                format!("Advance {} canary iteration {}/{n}", self.id(), it + 1),
            ));
            return;
        }
        if !self.confirm_promotion(oracle, actions).await {
            return;
        }
        let it = self.status.iterations;
        if n == it {
            if !self.spec.kubernetes_provider {
                self.route(
                    Routes {
                        primary: 0,
                        canary: 100,
                        mirrored: false,
                    },
                    actions,
                );
                let text = if self.spec.mirror {
                    "Stop traffic mirroring and route all traffic to canary"
                } else {
                    "Routing all traffic to canary"
                };
                Self::info(actions, text.into());
            }
            self.set_iterations(it + 1, actions);
            return;
        }
        if n < it {
            self.promote(actions);
        }
    }

    async fn canary_step(&mut self, oracle: &mut impl Oracle, actions: &mut Vec<Action>) {
        let cw = self.routes.canary;
        let step = self.spec.next_step(cw);
        if step <= 0 {
            return;
        }
        if !self.routes.mirrored && self.status.phase == Phase::Progressing {
            for hook in self.spec.hooks_of(HookType::ConfirmTrafficIncrease) {
                if oracle.hook(&hook, Phase::Progressing).await.is_err() {
                    actions.push(Action::Event(
                        EventType::Warning,
                        format!(
                            "Halt {} advancement waiting for traffic increase approval {}",
                            self.id(),
                            hook.name
                        ),
                    ));
                    return;
                }
                // Flagger `scheduler_hooks.go`, `runConfirmTrafficIncreaseHooks`.
                Self::info(actions, format!("Confirm-traffic-increase check {} passed", hook.name));
            }
        }
        if cw < self.spec.max_weight {
            if self.spec.mirror && cw == 0 {
                if !self.routes.mirrored {
                    self.route(
                        Routes {
                            primary: 100,
                            canary: 0,
                            mirrored: true,
                        },
                        actions,
                    );
                    self.set_weight(0, actions);
                } else {
                    self.route(
                        Routes {
                            primary: 100 - step,
                            canary: step,
                            mirrored: false,
                        },
                        actions,
                    );
                    self.set_weight(step, actions);
                }
            } else {
                let next = (cw + step).min(100);
                self.route(
                    Routes {
                        primary: (self.routes.primary - step).max(0),
                        canary: next,
                        mirrored: false,
                    },
                    actions,
                );
                self.set_weight(next, actions);
            }
            actions.push(Action::Event(
                EventType::Normal,
                format!("Advance {} canary weight {}", self.id(), self.status.weight),
            ));
            return;
        }
        if !self.confirm_promotion(oracle, actions).await {
            return;
        }
        self.promote(actions);
    }
}

#[cfg(test)]
mod tests;
