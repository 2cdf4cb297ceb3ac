//! A release across the fleet: `-f` applied first if given, then the new revision started in
//! waves (in `--order`), each followed until it ends, with the on-failure policy deciding what
//! happens after a wave that did not succeed; everything a surface shows comes out as
//! [`ReleaseEvent`]s. In one cluster a release is a new image or a restart annotation on the
//! target's pod template, refused mid-run unless forced.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use kube::Client;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use super::actions::{self, ExecuteOptions};
use super::policies::{self, ApplyRequest};
use crate::cli::OnFailure;
use crate::config::Input;
use crate::config::load::Policy;
use crate::exit::{Exit, ExitError};
use crate::fleet::apply::resource_of;
use crate::fleet::conflict::redo_on_conflict;
use crate::fleet::source::FleetSource;
use crate::fleet::{ClusterError, Fleet};
use crate::install::FIELD_MANAGER;
use crate::interrupt::{Interrupt, UNTOUCHED};
use crate::model::action_row::{self, ActionRow};
use crate::model::canary::{CanaryId, RunMark, is_running};
use crate::model::plan::Verb;
use crate::model::policy::{Applied, RunChangeRow};
use crate::model::release::{Halt, ReleaseEvent, ReleasePlan, WOULD_START, ordered, policy_problems, waves};
use crate::render::GateChoice;

#[derive(Debug, Clone, Default)]
pub struct StartPlan {
    pub images: Vec<(String, String)>,
    pub restart: bool,
    pub force: bool,
    /// Extra pod-template annotations in the same change (the demo marks a release to fail).
    pub annotations: Vec<(String, String)>,
}

/// What was started, and how the canary looked before (to tell the new run from the old).
#[derive(Debug, Clone)]
pub struct Started {
    pub action: String,
    pub baseline: RunMark,
}

pub const RESTART_ANNOTATION: &str = "kubectl.kubernetes.io/restartedAt";

pub async fn get_canary(client: &Client, namespace: &str, name: &str) -> Result<Value, ClusterError> {
    let (resource, _) =
        resource_of("flagger.app/v1beta1", "Canary").ok_or_else(|| ClusterError::Other("no Canary kind".into()))?;
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
    match api.get_opt(name).await {
        Ok(Some(c)) => Ok(serde_json::to_value(c).unwrap_or_default()),
        Ok(None) => Err(ClusterError::NotFound(format!(
            "canary {namespace}/{name} not found: apply a rollout policy first (kubectl kurator-rollout apply -f …)"
        ))),
        Err(kube::Error::Api(s)) if s.code == 404 => Err(ClusterError::Other(super::live::NO_CANARY_CRD.into())),
        Err(e) => Err(ClusterError::from_kube(&e)),
    }
}

/// The strategic merge patch that sets the images (pure). Errors name the containers there are.
pub fn image_patch(deployment: &Value, images: &[(String, String)]) -> Result<(Value, Vec<String>), String> {
    let spec = deployment.pointer("/spec/template/spec").cloned().unwrap_or(json!({}));
    let list = |field: &str| spec.get(field).and_then(Value::as_array).cloned().unwrap_or_default();
    let (containers, inits) = (list("containers"), list("initContainers"));
    let mut patch_containers = Vec::new();
    let mut patch_inits = Vec::new();
    let mut changes = Vec::new();
    for (container, image) in images {
        let mut matched = false;
        for (field, items, out) in [
            ("containers", &containers, &mut patch_containers),
            ("initContainers", &inits, &mut patch_inits),
        ] {
            for c in items.iter() {
                let name = c["name"].as_str().unwrap_or("");
                if container == "*" || container == name {
                    matched = true;
                    if c["image"].as_str() != Some(image) {
                        changes.push(format!("{name}={image}"));
                    }
                    out.push(json!({"name": name, "image": image}));
                }
            }
            let _ = field;
        }
        if !matched {
            let names: Vec<&str> = containers
                .iter()
                .chain(inits.iter())
                .filter_map(|c| c["name"].as_str())
                .collect();
            return Err(format!("no container {container} (containers: {})", names.join(", ")));
        }
    }
    let mut template_spec = json!({});
    if !patch_containers.is_empty() {
        template_spec["containers"] = json!(patch_containers);
    }
    if !patch_inits.is_empty() {
        template_spec["initContainers"] = json!(patch_inits);
    }
    Ok((json!({"spec": {"template": {"spec": template_spec}}}), changes))
}

/// Starts a release: reads the Canary and its target, decides, and patches the target with the
/// resourceVersion it was decided from; a conflict is redone from a fresh read.
/// With `interrupt`, a raised flag after the reads ends it untouched ([`ClusterError::Interrupted`]).
pub async fn start_release(
    client: &Client,
    namespace: &str,
    name: &str,
    plan: &StartPlan,
    interrupt: Option<&Interrupt>,
) -> Result<Started, ClusterError> {
    redo_on_conflict(|_| start_once(client, namespace, name, plan, interrupt)).await
}

async fn start_once(
    client: &Client,
    namespace: &str,
    name: &str,
    plan: &StartPlan,
    interrupt: Option<&Interrupt>,
) -> Result<Started, ClusterError> {
    let change = decide_start(client, namespace, name, plan).await?;
    if interrupt.is_some_and(Interrupt::is_set) {
        return Err(ClusterError::Interrupted);
    }
    write_start(client, &change, false).await?;
    Ok(Started {
        action: change.action,
        baseline: change.baseline,
    })
}

/// What starting the release changes in one cluster, decided from what was read there.
struct StartChange {
    namespace: String,
    /// The canary's target Deployment.
    target: String,
    /// The strategic merge patch, guarded by the resourceVersion it was decided from.
    patch: Value,
    action: String,
    baseline: RunMark,
}

/// Reads the Canary and its target and decides the change; writes nothing.
async fn decide_start(
    client: &Client,
    namespace: &str,
    name: &str,
    plan: &StartPlan,
) -> Result<StartChange, ClusterError> {
    let canary = get_canary(client, namespace, name).await?;
    let phase = canary.pointer("/status/phase").and_then(Value::as_str).unwrap_or("");
    if is_running(phase) && !plan.force {
        // Unknown (no weight in the status yet) is said as such, not as 0.
        let weight = canary
            .pointer("/status/canaryWeight")
            .and_then(Value::as_i64)
            .map_or_else(|| "?".to_string(), |w| w.to_string());
        return Err(ClusterError::Other(format!(
            "refused: a run is under way ({phase}, weight {weight}); a new revision would restart its analysis. Wait for it to end or pass --force"
        )));
    }
    let target = canary
        .pointer("/spec/targetRef/name")
        .and_then(Value::as_str)
        .unwrap_or(name)
        .to_string();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    let Some(deployment) = deployments
        .get_opt(&target)
        .await
        .map_err(|e| ClusterError::from_kube(&e))?
    else {
        return Err(ClusterError::Other(format!(
            "the canary's target Deployment {namespace}/{target} is missing"
        )));
    };
    let read_version = deployment.metadata.resource_version.clone();
    let deployment = serde_json::to_value(deployment).unwrap_or_default();
    let (mut patch, changes) = image_patch(&deployment, &plan.images)
        .map_err(|e| ClusterError::Other(format!("Deployment {namespace}/{target}: {e}")))?;
    let mut actions = Vec::new();
    if !changes.is_empty() {
        actions.push(format!("image {}", changes.join(",")));
    }
    for (key, value) in &plan.annotations {
        patch["spec"]["template"]["metadata"]["annotations"][key] = json!(value);
    }
    if plan.restart {
        let now = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        patch["spec"]["template"]["metadata"]["annotations"][RESTART_ANNOTATION] = json!(now);
        actions.push(format!("restart at {now}"));
    }
    if actions.is_empty() {
        return Err(ClusterError::Other(format!(
            "nothing to start: {namespace}/{target} already runs those images; pass --restart to run the same spec again"
        )));
    }
    // The decision above (which images change, whether anything does) holds only for the
    // version read: the API server refuses the patch with 409 if the Deployment moved on.
    patch["metadata"]["resourceVersion"] = json!(read_version);
    Ok(StartChange {
        namespace: namespace.to_string(),
        target,
        patch,
        action: actions.join(", "),
        baseline: RunMark::of_canary(&canary),
    })
}

/// Patches the target Deployment; with `dry_run` as a server-side dry run (`dryRun=All`): the
/// API server applies, validates and admits the patch and checks its resourceVersion, answers
/// what it would store, and keeps what it has (kube-apiserver: staging/src/k8s.io/apiserver/
/// pkg/endpoints/handlers/patch.go, `PatchResource` admits with `dryrun.IsDryRun(options.DryRun)`
/// and hands the options to the registry; registry/generic/registry/store.go, `Store.Update`,
/// passes the flag to `DryRunnableStorage.GuaranteedUpdate` (dryrun.go), which returns the
/// object without writing it. The simulator's `ClusterCore::patch` keeps the same rule).
async fn write_start(client: &Client, change: &StartChange, dry_run: bool) -> Result<(), ClusterError> {
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &change.namespace);
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        dry_run,
        ..Default::default()
    };
    deployments
        .patch(&change.target, &params, &Patch::Strategic(&change.patch))
        .await
        .map_err(|e| ClusterError::from_kube(&e))?;
    Ok(())
}

/// What starting the release would do in one cluster: decided as the run decides, and the
/// patch sent as a server-side dry run. The action names the Deployment it writes. The dry run
/// carries the version it was decided from too, so another writer makes it a 409 just as it
/// would the real patch: it is redone from a fresh read in the same way.
async fn preview_start(client: &Client, namespace: &str, name: &str, plan: &StartPlan) -> Result<String, ClusterError> {
    redo_on_conflict(|_| async {
        let change = decide_start(client, namespace, name, plan).await?;
        write_start(client, &change, true).await?;
        Ok(format!(
            "{} (Deployment {}/{})",
            change.action, change.namespace, change.target
        ))
    })
    .await
}

/// The run marks of the started canaries: what a follow compares against to tell the new run
/// from the previous one.
pub type Baseline = HashMap<CanaryId, RunMark>;

/// Rollout policies to apply (`start -f`) before anything is released, as `apply` applies
/// them: where the fleet source sends policies (each member, or the hub's Applications).
pub struct PolicyApply {
    /// The files as read: under Kurator their Applications go to the hub as written.
    pub inputs: Vec<Input>,
    pub policies: Vec<Policy>,
    /// Absent gates keep what each Canary was applied with.
    pub gates: GateChoice,
    pub force_conflicts: bool,
    /// `--cluster-name CONTEXT=NAME`, as `apply` takes it.
    pub cluster_names: Vec<(String, String)>,
}

impl PolicyApply {
    fn request(&self, dry_run: bool, timeout: Duration) -> ApplyRequest<'_> {
        ApplyRequest {
            inputs: &self.inputs,
            policies: &self.policies,
            gates: self.gates.clone(),
            cluster_names: &self.cluster_names,
            dry_run,
            force_conflicts: self.force_conflicts,
            timeout,
        }
    }
}

pub struct ReleaseOptions {
    /// The Canary (and workload) name.
    pub name: String,
    pub start: StartPlan,
    /// `--wave-size`: N or P% of the clusters per wave; all at once without it.
    pub wave_size: Option<String>,
    /// `--order`: these clusters first, in this order.
    pub order: Vec<String>,
    pub on_failure: OnFailure,
    /// Follow the release even in one wave (`--watch`); several waves are always followed.
    pub watch: bool,
    pub cluster_timeout: Duration,
    pub policies: Option<PolicyApply>,
    /// The clusters the person confirmed the release for (the plan's `starting`): any other
    /// one is not started even if it could be by now (it was unreachable or refused when
    /// planned, so nobody was asked about it). None: every target (callers that plan and
    /// confirm on their own terms: the demo, tests).
    pub confirmed: Option<Vec<String>>,
}

/// How following one wave ended.
pub struct WaveFollowed {
    pub exit: Exit,
    /// The person left the live view before the wave was decided.
    pub quit: bool,
    /// The followed clusters whose new run ended well (the release's exit counts them).
    pub succeeded: usize,
}

pub struct ReleaseOutcome {
    pub exit: Exit,
    /// The start rows of an unfollowed release: its result. None when the waves were followed
    /// (their rows were events) or nothing was started.
    pub result_rows: Option<Vec<ActionRow>>,
    /// The waves were followed: their follows printed no exit of their own, the release's
    /// end is for the surface to tell (no wave's end is the release's while later ones run).
    pub followed: bool,
    /// The person left the live view, so later waves were not started.
    pub quit: bool,
}

/// Runs the release: applies `-f`, starts the waves and, when they are followed, hands each
/// wave's started clusters to `follow_wave` (the live view or transition lines) before the
/// next one. Every step is told through `emit`.
pub async fn release<F, Fut>(
    source: &FleetSource,
    options: &ReleaseOptions,
    interrupt: &Interrupt,
    mut follow_wave: F,
    mut emit: impl FnMut(ReleaseEvent),
) -> anyhow::Result<ReleaseOutcome>
where
    F: FnMut(FleetSource, Baseline) -> Fut,
    Fut: Future<Output = anyhow::Result<WaveFollowed>>,
{
    let (source, plan_waves) = in_waves(source, options)?;
    let namespace = source.default_namespace();
    if let Some(apply) = &options.policies
        && let Err(exit) = apply_first(
            &source,
            apply,
            options.start.force,
            options.cluster_timeout,
            interrupt,
            &mut emit,
        )
        .await?
    {
        return Ok(ReleaseOutcome {
            exit,
            result_rows: None,
            followed: false,
            quit: false,
        });
    }
    let mut release = Waves {
        source: &source,
        options,
        namespace,
        plan_waves,
        started: Vec::new(),
        rows: Vec::new(),
        missing: 0,
        succeeded: 0,
        decided: 0,
        followed: false,
    };
    let followed = release.plan_waves.len() > 1 || options.watch;
    release.followed = followed;
    for number in 0..release.plan_waves.len() {
        if interrupt.is_set() {
            return Ok(release.halt(Halt::Interrupted, number, Exit::Interrupted, &mut emit));
        }
        let (wave_source, baseline) = release.start(number, interrupt, followed, &mut emit).await;
        if !followed {
            continue;
        }
        if interrupt.is_set() {
            return Ok(release.halt(Halt::Interrupted, number + 1, Exit::Interrupted, &mut emit));
        }
        let Some(wave) = follow_started(wave_source, baseline, &mut follow_wave).await? else {
            let exit = release.exit();
            return Ok(release.halt(Halt::Quit, number + 1, exit, &mut emit));
        };
        if let Some(done) = release.after_wave(number, wave, &mut emit).await {
            return Ok(done);
        }
    }
    Ok(if followed {
        ReleaseOutcome {
            exit: release.exit(),
            result_rows: None,
            followed: true,
            quit: false,
        }
    } else {
        ReleaseOutcome {
            exit: if release.nothing_matched() {
                Exit::NothingMatched
            } else {
                action_row::exit(&release.rows)
            },
            result_rows: Some(release.rows),
            followed: false,
            quit: false,
        }
    })
}

/// The members in `--order`, and the waves they start in (positions in that order).
fn in_waves(source: &FleetSource, options: &ReleaseOptions) -> Result<(FleetSource, Vec<Vec<usize>>), ExitError> {
    let order = ordered(&source.member_names(), &options.order).map_err(ExitError::usage)?;
    let source = source.with_members(source.members.subset(&order));
    let plan_waves = waves(source.members.len(), options.wave_size.as_deref()).map_err(ExitError::usage)?;
    Ok((source, plan_waves))
}

/// The release as it would run, read but not written (`start --dry-run`, and the plan `start`
/// asks about): `-f` as a server-side dry run where the fleet source sends policies, the
/// waves, and in each member the Deployment patch as a server-side dry run. The Deployment is
/// written in the member in both modes: a Kurator Application carries the rollout policy,
/// not the workload's image.
pub async fn plan_release(source: &FleetSource, options: &ReleaseOptions) -> anyhow::Result<ReleasePlan> {
    let (source, plan_waves) = in_waves(source, options)?;
    let mut policy_refusals = Vec::new();
    let policies = match &options.policies {
        Some(apply) => {
            let request = apply.request(true, options.cluster_timeout * 3);
            let plan = policies::plan(&source, &request).await?;
            policy_refusals = run_change_refusals(&plan.run_changes, options.start.force);
            Some(policies::apply(&source, &request, plan).await?)
        }
        None => None,
    };
    let namespace = source.default_namespace();
    let (ns, name, start) = (namespace.as_str(), options.name.as_str(), &options.start);
    let outcomes = source
        .members
        .fan_out(options.cluster_timeout, |client, _| async move {
            preview_start(&client, ns, name, start).await
        })
        .await;
    let mut rows = Vec::new();
    let mut missing = 0;
    for o in outcomes {
        let id = CanaryId::new(&o.target.context, ns, name);
        rows.push(match o.result {
            Ok(action) => ActionRow::new(&id, action, Ok(WOULD_START.into())),
            // `-f` creates the Canary in the member before the release starts. Not under
            // Kurator: there `-f` writes the hub's Application, Kurator renders the Canary
            // later, and the run does not wait for it (it would find none, as this plan does).
            Err(ClusterError::NotFound(_)) if policies.is_some() && source.hub().is_none() => ActionRow::new(
                &id,
                "-".into(),
                Ok(format!("{WOULD_START} once -f has created the Canary")),
            ),
            Err(e) => {
                missing += usize::from(matches!(e, ClusterError::NotFound(_)));
                ActionRow::new(&id, "-".into(), Err(e))
            }
        });
    }
    let names = source.member_names();
    Ok(ReleasePlan {
        hub: source.hub().map(|h| h.context.clone()),
        policies,
        policy_refusals,
        waves: plan_waves
            .iter()
            .map(|wave| wave.iter().map(|i| names[*i].clone()).collect())
            .collect(),
        rows,
        missing,
        followed: plan_waves.len() > 1 || options.watch,
    })
}

/// Follows the clusters of a wave where the release started: how the wave ended (partial
/// when some did not start), or None when the person left the live view.
async fn follow_started<F, Fut>(
    wave: FleetSource,
    baseline: Baseline,
    follow_wave: &mut F,
) -> anyhow::Result<Option<WaveFollowed>>
where
    F: FnMut(FleetSource, Baseline) -> Fut,
    Fut: Future<Output = anyhow::Result<WaveFollowed>>,
{
    if baseline.is_empty() {
        return Ok(Some(WaveFollowed {
            exit: Exit::Failed,
            quit: false,
            succeeded: 0,
        }));
    }
    let failed_to_start = wave.members.len() - baseline.len();
    let started = started_indices(&wave, &baseline);
    let result = follow_wave(wave.with_members(wave.members.subset(&started)), baseline).await?;
    if result.quit {
        return Ok(None);
    }
    Ok(Some(WaveFollowed {
        exit: if failed_to_start > 0 && result.exit == Exit::Success {
            Exit::Partial
        } else {
            result.exit
        },
        ..result
    }))
}

/// The release's state between waves.
struct Waves<'a> {
    source: &'a FleetSource,
    options: &'a ReleaseOptions,
    namespace: String,
    plan_waves: Vec<Vec<usize>>,
    /// The canaries started so far (what abort-all aborts).
    started: Vec<CanaryId>,
    rows: Vec<ActionRow>,
    /// The clusters of `rows` without the canary.
    missing: usize,
    /// Of the clusters in the waves followed to their end (`decided`), those whose new run
    /// ended well.
    succeeded: usize,
    decided: usize,
    /// Each wave is followed to its end before the next one starts.
    followed: bool,
}

impl Waves<'_> {
    /// The release's exit from the clusters of every wave decided so far (README "Exit
    /// codes": 0 when all succeeded, 1 when none did, 5 in between), whichever wave failed;
    /// one wave alone exits as its follow decided.
    fn exit(&self) -> Exit {
        if self.nothing_matched() {
            Exit::NothingMatched
        } else {
            Exit::from_counts(self.succeeded, self.decided)
        }
    }

    /// The canary is missing in every cluster where the release tried to start it (exit 4, as
    /// every verb naming a missing canary).
    fn nothing_matched(&self) -> bool {
        !self.rows.is_empty() && self.missing == self.rows.len()
    }

    /// The clusters of the waves from `number` on.
    fn clusters_from_wave(&self, number: usize) -> Vec<String> {
        self.plan_waves[number.min(self.plan_waves.len())..]
            .iter()
            .flatten()
            .filter_map(|i| self.source.members.clusters.get(*i))
            .map(|c| c.target.context.clone())
            .collect()
    }

    fn halt(self, halt: Halt, next_wave: usize, exit: Exit, emit: &mut impl FnMut(ReleaseEvent)) -> ReleaseOutcome {
        emit(ReleaseEvent::Halted {
            halt,
            untouched: self.clusters_from_wave(next_wave),
        });
        ReleaseOutcome {
            exit,
            result_rows: None,
            followed: self.followed,
            quit: halt == Halt::Quit,
        }
    }

    /// Starts wave `number`; returns its clusters and the baselines of those that started.
    async fn start(
        &mut self,
        number: usize,
        interrupt: &Interrupt,
        followed: bool,
        emit: &mut impl FnMut(ReleaseEvent),
    ) -> (FleetSource, Baseline) {
        let wave_source = self
            .source
            .with_members(self.source.members.subset(&self.plan_waves[number]));
        if self.plan_waves.len() > 1 {
            emit(ReleaseEvent::WaveStarting {
                number: number + 1,
                waves: self.plan_waves.len(),
                clusters: wave_source.member_names(),
            });
        }
        let (rows, baseline, missing) = start_wave(
            &wave_source.members,
            &self.namespace,
            &self.options.name,
            &self.options.start,
            self.options.confirmed.as_deref(),
            self.options.cluster_timeout,
            interrupt,
        )
        .await;
        let mut started: Vec<CanaryId> = baseline.keys().cloned().collect();
        started.sort();
        self.started.extend(started);
        if followed {
            emit(ReleaseEvent::WaveStarted { rows: rows.clone() });
        }
        self.rows.extend(rows);
        self.missing += missing;
        (wave_source, baseline)
    }

    /// The on-failure policy after wave `number` ended as `wave` says: the outcome that ends
    /// the release, or None to go on with the next wave.
    async fn after_wave(
        &mut self,
        number: usize,
        wave: WaveFollowed,
        emit: &mut impl FnMut(ReleaseEvent),
    ) -> Option<ReleaseOutcome> {
        let outcome = wave.exit;
        // Ctrl-C and a timeout leave the wave undecided: their exit is their own.
        if matches!(outcome, Exit::Interrupted | Exit::Timeout) {
            let later = self.clusters_from_wave(number + 1);
            if outcome == Exit::Interrupted {
                emit(ReleaseEvent::Halted {
                    halt: Halt::Interrupted,
                    untouched: later,
                });
            }
            return Some(ReleaseOutcome {
                exit: outcome,
                result_rows: None,
                followed: true,
                quit: false,
            });
        }
        // Every cluster counts, within a wave as across waves (README "Exit codes": 5 when some
        // succeeded and others failed, as `status --watch` decides a fleet).
        self.succeeded += wave.succeeded;
        self.decided += self.plan_waves[number].len();
        if outcome == Exit::Success {
            return None;
        }
        let later = self.clusters_from_wave(number + 1);
        let halt = match self.options.on_failure {
            OnFailure::Stop if !later.is_empty() => Halt::WaveFailed(number + 1),
            OnFailure::AbortAll => {
                emit(ReleaseEvent::Aborted {
                    rows: self.abort_started().await,
                });
                Halt::Aborted
            }
            _ => return None,
        };
        emit(ReleaseEvent::Halted { halt, untouched: later });
        Some(ReleaseOutcome {
            exit: self.exit(),
            result_rows: None,
            followed: true,
            quit: false,
        })
    }

    /// `--on-failure abort-all`: the Abort verb's own plan and execution for every canary
    /// started so far (a Failed or finished one plans to nothing).
    async fn abort_started(&self) -> Vec<ActionRow> {
        let plan = actions::plan_for(self.source, Verb::Abort, &self.started, self.options.cluster_timeout).await;
        let options = ExecuteOptions {
            timeout: ABORT_TIMEOUT,
            cluster_timeout: self.options.cluster_timeout,
            keep_skip: false,
            interrupt: None,
        };
        actions::execute(self.source, &plan, options).await
    }
}

/// How long abort-all waits for Flagger to roll a canary back (the `abort` verb's default).
const ABORT_TIMEOUT: Duration = Duration::from_secs(300);

/// The positions of the wave's clusters where the release started.
fn started_indices(wave: &FleetSource, baseline: &Baseline) -> Vec<usize> {
    wave.members
        .clusters
        .iter()
        .enumerate()
        .filter(|(_, c)| baseline.keys().any(|id| id.cluster == c.target.context))
        .map(|(i, _)| i)
        .collect()
}

/// The row of a cluster the confirmed plan did not start in.
const NOT_CONFIRMED: &str =
    "not started: it could not start when the release was planned and confirmed; run start again for it";

/// Starts the release in the clusters of one wave; returns rows, each started baseline and
/// how many clusters lack the canary.
async fn start_wave(
    fleet: &Fleet,
    ns: &str,
    name: &str,
    plan: &StartPlan,
    confirmed: Option<&[String]>,
    timeout: Duration,
    interrupt: &Interrupt,
) -> (Vec<ActionRow>, Baseline, usize) {
    let outcomes = fleet
        .fan_out(timeout, |client, target| async move {
            if confirmed.is_some_and(|c| !c.contains(&target.context)) {
                return Err(ClusterError::Other(NOT_CONFIRMED.into()));
            }
            start_release(&client, ns, name, plan, Some(interrupt)).await
        })
        .await;
    let mut rows = Vec::new();
    let mut baseline = HashMap::new();
    let mut missing = 0;
    for o in outcomes {
        let id = CanaryId::new(&o.target.context, ns, name);
        match o.result {
            Ok(started) => {
                rows.push(ActionRow::new(&id, started.action, Ok("started".into())));
                baseline.insert(id, started.baseline);
            }
            Err(e) => {
                missing += usize::from(matches!(e, ClusterError::NotFound(_)));
                rows.push(ActionRow::new(&id, "-".into(), Err(e)));
            }
        }
    }
    (rows, baseline, missing)
}

/// Why `-f` stops the release, per cluster: a policy change to a run under way is `apply`'s
/// to show and confirm; `start --force` restarts those runs anyway, under the new policy. The
/// plan and the run both decide with this.
fn run_change_refusals(run_changes: &[RunChangeRow], force: bool) -> Vec<(String, String)> {
    if force {
        return Vec::new();
    }
    run_changes
        .iter()
        .map(|r| {
            (
                r.cluster.clone(),
                format!(
                    "applying -f would change the run under way of {} ({}): {}; apply it with apply -f (it shows and asks), or start --force",
                    r.canary, r.phase, r.change
                ),
            )
        })
        .collect()
}

/// Applies `-f` before anything is released, as `apply` does (into each member, or the hub's
/// Applications under Kurator): a release on a policy that did not apply would run the old
/// analysis, so any failed object or unreachable cluster stops it. The inner `Err` is the exit
/// of a release that does not start; the outer one a request that cannot be carried out.
async fn apply_first(
    source: &FleetSource,
    apply: &PolicyApply,
    force: bool,
    cluster_timeout: Duration,
    interrupt: &Interrupt,
    emit: &mut impl FnMut(ReleaseEvent),
) -> anyhow::Result<Result<(), Exit>> {
    let request = apply.request(false, cluster_timeout * 3);
    let plan = policies::plan(source, &request).await?;
    let refusals = run_change_refusals(&plan.run_changes, force);
    if !refusals.is_empty() {
        for (cluster, text) in refusals {
            emit(ReleaseEvent::PolicyProblem { cluster, text });
        }
        emit(ReleaseEvent::PoliciesFailed);
        return Ok(Err(Exit::Failed));
    }
    let applied = policies::apply(source, &request, plan).await?;
    if interrupt.is_set() {
        let mut untouched: Vec<String> = match &applied {
            Applied::Members(rows) => rows
                .iter()
                .filter(|r| r.result.result == UNTOUCHED)
                .map(|r| r.cluster.clone())
                .collect(),
            Applied::Hub(_) => Vec::new(),
        };
        untouched.dedup();
        emit(ReleaseEvent::PoliciesInterrupted { untouched });
        return Ok(Err(Exit::Interrupted));
    }
    let hub = source.hub().map_or("hub", |h| h.context.as_str());
    let problems = policy_problems(&applied, hub);
    let mut failed = false;
    for (cluster, text, fatal) in problems {
        failed |= fatal;
        emit(ReleaseEvent::PolicyProblem { cluster, text });
    }
    if failed {
        emit(ReleaseEvent::PoliciesFailed);
        return Ok(Err(Exit::Failed));
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_patches() {
        let d = json!({"spec": {"template": {"spec": {
            "containers": [{"name": "app", "image": "a:1"}, {"name": "proxy", "image": "p:1"}],
            "initContainers": [{"name": "init", "image": "i:1"}]}}}});
        let (patch, changes) = image_patch(&d, &[("app".into(), "a:2".into())]).unwrap();
        assert_eq!(
            patch,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "a:2"}]}}}})
        );
        assert_eq!(changes, vec!["app=a:2"]);
        let (patch, changes) = image_patch(&d, &[("*".into(), "x:9".into())]).unwrap();
        assert_eq!(changes.len(), 3);
        assert_eq!(patch["spec"]["template"]["spec"]["initContainers"][0]["image"], "x:9");
        let err = image_patch(&d, &[("nope".into(), "x".into())]).unwrap_err();
        assert_eq!(err, "no container nope (containers: app, proxy, init)");
        let (_, same) = image_patch(&d, &[("app".into(), "a:1".into())]).unwrap();
        assert!(same.is_empty());
    }
}
