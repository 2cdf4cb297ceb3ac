//! The reference traces of reference/flagger.md §8.5, checked after every tick, and the
//! invariants of §8.6 over randomised runs.

use std::collections::HashMap;

use super::*;

/// Scripted answers for one tick at a time.
struct Script {
    primary: Readiness,
    canary: Readiness,
    metrics_ok: bool,
    /// Hook name → passes?
    hooks: HashMap<String, bool>,
    calls: Vec<(String, Phase)>,
}

impl Script {
    fn new() -> Script {
        Script {
            primary: Readiness::Ready,
            canary: Readiness::Ready,
            metrics_ok: true,
            hooks: HashMap::new(),
            calls: Vec::new(),
        }
    }
}

impl Oracle for Script {
    fn primary(&mut self) -> Readiness {
        self.primary
    }
    fn canary(&mut self) -> Readiness {
        self.canary
    }
    fn hook(&mut self, hook: &Hook, phase: Phase) -> impl Future<Output = Result<(), String>> + Send {
        self.calls.push((hook.name.clone(), phase));
        let pass = *self.hooks.get(&hook.name).unwrap_or(&true);
        async move { if pass { Ok(()) } else { Err("403 Forbidden".into()) } }
    }
    fn metrics(&mut self) -> Result<(), String> {
        if self.metrics_ok {
            Ok(())
        } else {
            Err("Halt advancement success rate 80.00% < 99%".into())
        }
    }
}

type Row = (Phase, i64, i64, i64);

fn tick(m: &mut Machine, o: &mut Script) -> Row {
    futures::executor::block_on(m.tick(o));
    (
        m.status.phase,
        m.status.weight,
        m.status.failed_checks,
        m.status.iterations,
    )
}

fn expect(m: &mut Machine, o: &mut Script, want: Row) {
    let got = tick(m, o);
    assert_eq!(got, want, "routes {:?}", m.routes);
}

use Phase::*;

/// A machine already Initialized on rev1, with a new revision rev2 pending.
fn initialized(spec: Spec) -> (Machine, Script) {
    let mut m = Machine::new(spec, "rev1");
    m.status.phase = Initializing;
    let mut o = Script::new();
    expect(&mut m, &mut o, (Initialized, 0, 0, 0));
    m.target_rev = "rev2".into();
    (m, o)
}

fn hook(name: &str, kind: HookType) -> Hook {
    Hook {
        name: name.into(),
        kind,
        url: format!("http://lt.test/{name}"),
    }
}

#[test]
fn trace_a_canary_to_success() {
    let mut m = Machine::new(Spec::canary("podinfo", 10, 50), "rev1");
    m.status.phase = Initializing;
    let mut o = Script::new();
    o.primary = Readiness::Wait;
    expect(&mut m, &mut o, (Initializing, 0, 0, 0));
    o.primary = Readiness::Ready;
    expect(&mut m, &mut o, (Initialized, 0, 0, 0));
    assert_eq!(m.routes, Routes::ALL_PRIMARY);
    expect(&mut m, &mut o, (Initialized, 0, 0, 0));
    m.target_rev = "rev2".into();
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    o.canary = Readiness::Wait;
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    o.canary = Readiness::Ready;
    for w in [10, 20, 30, 40, 50] {
        expect(&mut m, &mut o, (Progressing, w, 0, 0));
        assert_eq!(
            m.routes,
            Routes {
                primary: 100 - w,
                canary: w,
                mirrored: false
            }
        );
    }
    expect(&mut m, &mut o, (Promoting, 50, 0, 0));
    o.primary = Readiness::Wait;
    expect(&mut m, &mut o, (Promoting, 50, 0, 0));
    o.primary = Readiness::Ready;
    expect(&mut m, &mut o, (Finalising, 0, 0, 0));
    assert_eq!(m.routes, Routes::ALL_PRIMARY);
    expect(&mut m, &mut o, (Succeeded, 0, 0, 0));
    assert_eq!(m.status.last_promoted.as_deref(), Some("rev2"));
}

#[test]
fn trace_b_metric_failures_roll_back_at_the_threshold() {
    let mut spec = Spec::canary("podinfo", 10, 50);
    spec.threshold = 2;
    let (mut m, mut o) = initialized(spec);
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    expect(&mut m, &mut o, (Progressing, 10, 0, 0));
    expect(&mut m, &mut o, (Progressing, 20, 0, 0));
    o.metrics_ok = false;
    expect(&mut m, &mut o, (Progressing, 20, 1, 0));
    expect(&mut m, &mut o, (Progressing, 20, 2, 0));
    let actions = futures::executor::block_on(m.tick(&mut o));
    assert_eq!(
        (m.status.phase, m.status.weight, m.status.failed_checks),
        (Failed, 0, 0)
    );
    assert_eq!(m.routes, Routes::ALL_PRIMARY);
    assert!(actions.contains(&Action::ScaleTarget(false)));
    assert!(actions.iter().any(|a| matches!(a, Action::Event(EventType::Warning, msg) if msg == "Rolling back podinfo.test failed checks threshold reached 2")));
}

#[test]
fn single_failure_then_passes_keeps_stepping() {
    let (mut m, mut o) = initialized(Spec::canary("podinfo", 10, 30));
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    expect(&mut m, &mut o, (Progressing, 10, 0, 0));
    o.metrics_ok = false;
    expect(&mut m, &mut o, (Progressing, 10, 1, 0));
    o.metrics_ok = true;
    expect(&mut m, &mut o, (Progressing, 20, 1, 0));
}

fn weights_until_promoting(spec: Spec) -> Vec<i64> {
    let (mut m, mut o) = initialized(spec);
    let mut weights = Vec::new();
    for _ in 0..20 {
        let (phase, w, _, _) = tick(&mut m, &mut o);
        weights.push(w);
        if phase == Promoting {
            break;
        }
    }
    weights
}

#[test]
fn trace_c_overshoot_and_ladders() {
    assert_eq!(
        weights_until_promoting(Spec::canary("a", 20, 50)),
        vec![0, 20, 40, 60, 60]
    );
    let mut ladder = Spec::canary("a", 0, 0);
    ladder.step_weights = vec![1, 2, 10, 80];
    ladder.max_weight = 80;
    assert_eq!(weights_until_promoting(ladder), vec![0, 1, 2, 10, 80, 80]);
    assert_eq!(weights_until_promoting(Spec::canary("a", 100, 100)), vec![0, 100, 100]);
}

#[test]
fn trace_d_step_weight_promotion() {
    let mut spec = Spec::canary("podinfo", 100, 100);
    spec.step_weight_promotion = 50;
    let (mut m, mut o) = initialized(spec);
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    expect(&mut m, &mut o, (Progressing, 100, 0, 0));
    expect(&mut m, &mut o, (Promoting, 100, 0, 0));
    expect(&mut m, &mut o, (Promoting, 50, 0, 0));
    assert_eq!(
        m.routes,
        Routes {
            primary: 50,
            canary: 50,
            mirrored: false
        }
    );
    expect(&mut m, &mut o, (Finalising, 0, 0, 0));
    expect(&mut m, &mut o, (Succeeded, 0, 0, 0));

    let mut spec = Spec::canary("podinfo", 50, 50);
    spec.step_weight_promotion = 20;
    let (mut m, mut o) = initialized(spec);
    for row in [
        (Progressing, 0),
        (Progressing, 50),
        (Promoting, 50),
        (Promoting, 30),
        (Promoting, 10),
        (Finalising, 0),
        (Succeeded, 0),
    ] {
        expect(&mut m, &mut o, (row.0, row.1, 0, 0));
    }
}

#[test]
fn trace_e_blue_green() {
    let mut spec = Spec::canary("podinfo", 0, 0);
    spec.strategy = Strategy::BlueGreen;
    spec.iterations = 3;
    let (mut m, mut o) = initialized(spec);
    for it in [0, 1, 2, 3, 4] {
        expect(&mut m, &mut o, (Progressing, 0, 0, it));
    }
    assert_eq!(
        m.routes,
        Routes {
            primary: 0,
            canary: 100,
            mirrored: false
        }
    );
    expect(&mut m, &mut o, (Promoting, 0, 0, 4));
    expect(&mut m, &mut o, (Finalising, 0, 0, 0));
    expect(&mut m, &mut o, (Succeeded, 0, 0, 0));
}

#[test]
fn trace_f_ab_testing() {
    let mut spec = Spec::canary("podinfo", 0, 0);
    spec.strategy = Strategy::AbTesting;
    spec.iterations = 3;
    let (mut m, mut o) = initialized(spec);
    for it in [0, 1, 2, 3] {
        expect(&mut m, &mut o, (Progressing, 0, 0, it));
    }
    expect(&mut m, &mut o, (Promoting, 0, 0, 3));
    expect(&mut m, &mut o, (Finalising, 0, 0, 0));
    expect(&mut m, &mut o, (Succeeded, 0, 0, 0));
}

#[test]
fn trace_h_confirm_rollout_gate() {
    let mut spec = Spec::canary("podinfo", 10, 20);
    spec.hooks = vec![
        hook("gate", HookType::ConfirmRollout),
        hook("abort", HookType::Rollback),
    ];
    let (mut m, mut o) = initialized(spec);
    o.hooks.insert("gate".into(), false);
    o.hooks.insert("abort".into(), false);
    let actions = futures::executor::block_on(m.tick(&mut o));
    assert_eq!(m.status.phase, Waiting);
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, Action::Event(EventType::Warning, msg) if msg.contains("waiting for approval gate")))
    );
    let actions = futures::executor::block_on(m.tick(&mut o));
    assert_eq!(m.status.phase, Waiting);
    assert!(actions.is_empty(), "silent while waiting: {actions:?}");
    assert!(
        o.calls.iter().all(|(name, _)| name == "gate"),
        "rollback hooks are not evaluated while Waiting"
    );
    assert_eq!(o.calls.last(), Some(&("gate".to_string(), Waiting)));
    o.hooks.insert("gate".into(), true);
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    expect(&mut m, &mut o, (Progressing, 10, 0, 0));
}

#[test]
fn trace_i_confirm_promotion_gate() {
    let mut spec = Spec::canary("podinfo", 10, 20);
    spec.hooks = vec![hook("promote", HookType::ConfirmPromotion)];
    let (mut m, mut o) = initialized(spec);
    o.hooks.insert("promote".into(), false);
    for w in [0, 10, 20] {
        expect(&mut m, &mut o, (Progressing, w, 0, 0));
    }
    expect(&mut m, &mut o, (WaitingPromotion, 0, 0, -1));
    assert_eq!(
        m.routes,
        Routes {
            primary: 80,
            canary: 20,
            mirrored: false
        }
    );
    expect(&mut m, &mut o, (WaitingPromotion, 0, 0, -1));
    o.metrics_ok = false;
    expect(&mut m, &mut o, (WaitingPromotion, 0, 1, -1));
    o.metrics_ok = true;
    o.hooks.insert("promote".into(), true);
    expect(&mut m, &mut o, (Promoting, 0, 1, -1));
    // failedChecks survive to Succeeded (§2.2).
    expect(&mut m, &mut o, (Finalising, 0, 1, 0));
    expect(&mut m, &mut o, (Succeeded, 0, 1, 0));
}

#[test]
fn trace_j_confirm_traffic_increase() {
    let mut spec = Spec::canary("podinfo", 10, 50);
    spec.hooks = vec![hook("step", HookType::ConfirmTrafficIncrease)];
    let (mut m, mut o) = initialized(spec);
    for w in [0, 10, 20, 30] {
        expect(&mut m, &mut o, (Progressing, w, 0, 0));
    }
    o.hooks.insert("step".into(), false);
    expect(&mut m, &mut o, (Progressing, 30, 0, 0));
    expect(&mut m, &mut o, (Progressing, 30, 0, 0));
    o.metrics_ok = false;
    expect(&mut m, &mut o, (Progressing, 30, 1, 0));
    o.metrics_ok = true;
    o.hooks.insert("step".into(), true);
    expect(&mut m, &mut o, (Progressing, 40, 1, 0));
}

#[test]
fn trace_k_new_revision_restarts_the_analysis() {
    let (mut m, mut o) = initialized(Spec::canary("podinfo", 10, 50));
    for w in [0, 10, 20, 30] {
        expect(&mut m, &mut o, (Progressing, w, 0, 0));
    }
    m.target_rev = "rev3".into();
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    assert_eq!(m.routes, Routes::ALL_PRIMARY);
    assert_eq!(m.status.last_applied.as_deref(), Some("rev3"));
    expect(&mut m, &mut o, (Progressing, 10, 0, 0));
}

#[test]
fn trace_l_skip_analysis() {
    let mut spec = Spec::canary("podinfo", 10, 50);
    spec.skip = true;
    let (mut m, mut o) = initialized(spec);
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    expect(&mut m, &mut o, (Succeeded, 0, 0, 0));

    let (mut m, mut o) = initialized(Spec::canary("podinfo", 10, 50));
    for w in [0, 10, 20, 30] {
        expect(&mut m, &mut o, (Progressing, w, 0, 0));
    }
    m.spec.skip = true;
    let actions = futures::executor::block_on(m.tick(&mut o));
    assert_eq!((m.status.phase, m.status.weight), (Succeeded, 0));
    assert!(actions.contains(&Action::Promote));
}

#[test]
fn trace_m_rollback_gate() {
    let mut spec = Spec::canary("podinfo", 10, 50);
    spec.hooks = vec![hook("abort", HookType::Rollback), hook("notify", HookType::PostRollout)];
    let (mut m, mut o) = initialized(spec);
    o.hooks.insert("abort".into(), false);
    for w in [0, 10, 20] {
        expect(&mut m, &mut o, (Progressing, w, 0, 0));
    }
    o.hooks.insert("abort".into(), true);
    expect(&mut m, &mut o, (Failed, 0, 0, 0));
    assert_eq!(o.calls.last(), Some(&("notify".to_string(), Failed)));
}

#[test]
fn trace_o_suspend_freezes() {
    let (mut m, mut o) = initialized(Spec::canary("podinfo", 10, 50));
    for w in [0, 10, 20, 30] {
        expect(&mut m, &mut o, (Progressing, w, 0, 0));
    }
    m.spec.suspend = true;
    o.metrics_ok = false;
    for _ in 0..3 {
        expect(&mut m, &mut o, (Progressing, 30, 0, 0));
    }
    m.spec.suspend = false;
    o.metrics_ok = true;
    expect(&mut m, &mut o, (Progressing, 40, 0, 0));
}

#[test]
fn trace_p_after_failure_only_a_new_revision_restarts() {
    let mut spec = Spec::canary("podinfo", 10, 50);
    spec.threshold = 1;
    let (mut m, mut o) = initialized(spec);
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    expect(&mut m, &mut o, (Progressing, 10, 0, 0));
    o.metrics_ok = false;
    expect(&mut m, &mut o, (Progressing, 10, 1, 0));
    expect(&mut m, &mut o, (Failed, 0, 0, 0));
    o.metrics_ok = true;
    expect(&mut m, &mut o, (Failed, 0, 0, 0));
    // Back to the promoted revision: still Failed.
    m.target_rev = "rev1".into();
    expect(&mut m, &mut o, (Failed, 0, 0, 0));
    expect(&mut m, &mut o, (Failed, 0, 0, 0));
    m.target_rev = "rev4".into();
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
}

#[test]
fn failed_promotion_routes_everything_to_the_canary() {
    let (mut m, mut o) = initialized(Spec::canary("podinfo", 50, 50));
    for w in [0, 50] {
        expect(&mut m, &mut o, (Progressing, w, 0, 0));
    }
    expect(&mut m, &mut o, (Promoting, 50, 0, 0));
    o.primary = Readiness::Dead;
    expect(&mut m, &mut o, (Failed, 100, 0, 0));
    assert_eq!(
        m.routes,
        Routes {
            primary: 0,
            canary: 100,
            mirrored: false
        }
    );
}

#[test]
fn mirroring_takes_one_mirrored_tick() {
    let mut spec = Spec::canary("podinfo", 10, 20);
    spec.mirror = true;
    let (mut m, mut o) = initialized(spec);
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    assert!(m.routes.mirrored);
    expect(&mut m, &mut o, (Progressing, 10, 0, 0));
    assert!(!m.routes.mirrored);
}

/// Deterministic pseudo-random source (no extra dependency for a property test).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn allowed(from: Phase, to: Phase) -> bool {
    from == to
        || matches!(
            (from, to),
            (Initializing, Initialized)
                | (Initializing | Initialized | Succeeded | Failed | Waiting, Failed)
                | (Initialized | Succeeded | Failed, Waiting | Progressing)
                | (Waiting, Progressing)
                | (Progressing, WaitingPromotion | Promoting | Failed | Succeeded)
                | (WaitingPromotion, Promoting | Progressing | Failed | Succeeded)
                | (Promoting, Finalising | Failed | Succeeded)
                | (Finalising, Succeeded | Failed)
        )
}

#[test]
fn invariants_hold_over_random_runs() {
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut spec = Spec::canary(
            "podinfo",
            [5, 10, 20, 33, 100][(rng.next() % 5) as usize],
            [30, 50, 100][(rng.next() % 3) as usize],
        );
        spec.threshold = 1 + (rng.next() % 4) as i64;
        spec.hooks = vec![
            hook("gate", HookType::ConfirmRollout),
            hook("step", HookType::ConfirmTrafficIncrease),
            hook("promote", HookType::ConfirmPromotion),
            hook("abort", HookType::Rollback),
        ];
        let mut m = Machine::new(spec.clone(), "rev0");
        m.status.phase = Initializing;
        let mut o = Script::new();
        let mut revision = 0;
        for _ in 0..60 {
            o.primary = if rng.chance(10) {
                Readiness::Wait
            } else {
                Readiness::Ready
            };
            o.canary = if rng.chance(10) {
                Readiness::Wait
            } else {
                Readiness::Ready
            };
            o.metrics_ok = !rng.chance(15);
            for name in ["gate", "step", "promote"] {
                o.hooks.insert(name.into(), !rng.chance(20));
            }
            o.hooks.insert("abort".into(), rng.chance(3));
            if rng.chance(8) {
                revision += 1;
                m.target_rev = format!("rev{revision}");
            }
            m.spec.suspend = rng.chance(5);
            let before = m.clone();
            let actions = futures::executor::block_on(m.tick(&mut o));
            let (from, to) = (before.status.phase, m.status.phase);
            assert!(allowed(from, to), "seed {seed}: {from:?} -> {to:?}");
            assert!(
                (0..=100).contains(&m.status.weight),
                "seed {seed}: weight {}",
                m.status.weight
            );
            assert!(
                m.routes.primary + m.routes.canary == 100 || m.routes.mirrored,
                "seed {seed}: {:?}",
                m.routes
            );
            if m.status.failed_checks > before.status.failed_checks {
                assert_eq!(
                    m.status.failed_checks,
                    before.status.failed_checks + 1,
                    "seed {seed}: fc grows by one"
                );
                assert_eq!(
                    (m.status.weight, m.status.iterations, m.routes),
                    (before.status.weight, before.status.iterations, before.routes)
                );
            }
            if to == Failed && from != Failed {
                let threshold_hit = before.status.failed_checks >= spec.threshold;
                let manual = actions
                    .iter()
                    .any(|a| matches!(a, Action::Event(_, msg) if msg.contains("manual webhook")));
                assert!(threshold_hit || manual, "seed {seed}: rollback without a cause");
            }
            if m.status.last_promoted != before.status.last_promoted {
                assert!(
                    matches!(to, Initialized | Succeeded),
                    "seed {seed}: lastPromoted moved in {to:?}"
                );
            }
            if from == Progressing
                && to == Progressing
                && m.status.weight > before.status.weight
                && before.routes.canary > 0
            {
                assert!(before.status.weight < spec.max_weight, "seed {seed}: stepped past max");
            }
        }
    }
}

/// Each status write is an action in tick order; a Failed canary with a new revision is first
/// re-synced (Failed, new lastAppliedSpec) in a write of its own, then goes on to Progressing.
#[test]
fn a_failed_canary_is_resynced_before_the_new_run() {
    let mut spec = Spec::canary("podinfo", 10, 50);
    spec.threshold = 1;
    let (mut m, mut o) = initialized(spec);
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    o.metrics_ok = false;
    expect(&mut m, &mut o, (Progressing, 10, 0, 0));
    expect(&mut m, &mut o, (Progressing, 10, 1, 0));
    expect(&mut m, &mut o, (Failed, 0, 0, 0));
    // A tick with nothing new still re-syncs: one write, same phase.
    let actions = futures::executor::block_on(m.tick(&mut o));
    let writes: Vec<&Status> = actions
        .iter()
        .filter_map(|a| match a {
            Action::WriteStatus(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].phase, Failed);
    m.target_rev = "rev3".into();
    o.metrics_ok = true;
    let actions = futures::executor::block_on(m.tick(&mut o));
    let writes: Vec<(Phase, Option<&str>)> = actions
        .iter()
        .filter_map(|a| match a {
            Action::WriteStatus(s) => Some((s.phase, s.last_applied.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(writes, vec![(Failed, Some("rev3")), (Progressing, Some("rev3"))]);
    assert_eq!(m.status.tracked_configs, Some(Default::default()));
}

/// Routes are programmed as actions before the status write that records them, and read back
/// from the oracle at the start of the tick.
#[test]
fn routes_are_programmed_before_the_weight_is_recorded() {
    let (mut m, mut o) = initialized(Spec::canary("podinfo", 10, 50));
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    let actions = futures::executor::block_on(m.tick(&mut o));
    let set = actions
        .iter()
        .position(|a| matches!(a, Action::SetRoutes(r) if r.canary == 10));
    let write = actions
        .iter()
        .position(|a| matches!(a, Action::WriteStatus(s) if s.weight == 10));
    assert!(set.is_some() && set < write, "{actions:?}");
}

/// A changed ConfigMap or Secret checksum starts a run like a new template does
/// (Flagger: pkg/canary/config_tracker.go, HasConfigChanged).
#[test]
fn a_config_change_starts_a_run() {
    let (mut m, mut o) = initialized(Spec::canary("podinfo", 10, 50));
    m.target_rev = "rev1".into();
    m.configs.insert("configmap/env".into(), "aaaa".into());
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    assert_eq!(
        m.status
            .tracked_configs
            .as_ref()
            .and_then(|c| c.get("configmap/env"))
            .map(String::as_str),
        Some("aaaa")
    );
}

fn events(actions: &[Action]) -> Vec<(EventType, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Event(kind, msg) => Some((*kind, msg.clone())),
            _ => None,
        })
        .collect()
}

fn messages(actions: &[Action]) -> Vec<String> {
    events(actions).into_iter().map(|(_, m)| m).collect()
}

#[test]
fn passed_hooks_are_recorded_as_upstream_does() {
    let mut spec = Spec::canary("podinfo", 50, 50);
    spec.hooks = vec![
        hook("step", HookType::ConfirmTrafficIncrease),
        hook("promote", HookType::ConfirmPromotion),
        hook("notify", HookType::PostRollout),
        hook("second", HookType::PostRollout),
    ];
    let (mut m, mut o) = initialized(spec);
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    let actions = futures::executor::block_on(m.tick(&mut o));
    assert!(messages(&actions).contains(&"Confirm-traffic-increase check step passed".to_string()));
    let actions = futures::executor::block_on(m.tick(&mut o));
    let texts = messages(&actions);
    assert!(
        texts.contains(&"Confirm-traffic-increase check step passed".to_string()),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"Confirm-promotion check promote passed".to_string()),
        "{texts:?}"
    );
    assert!(texts.contains(&"Copying podinfo.test template spec to podinfo-primary.test".to_string()));
    expect(&mut m, &mut o, (Finalising, 0, 0, 0));
    // Post-rollout hooks stop at the first failure.
    o.hooks.insert("notify".into(), false);
    let actions = futures::executor::block_on(m.tick(&mut o));
    assert_eq!(m.status.phase, Succeeded);
    let texts = messages(&actions);
    assert!(
        texts.contains(&"Post-rollout hook notify failed 403 Forbidden".to_string()),
        "{texts:?}"
    );
    assert!(!o.calls.iter().any(|(name, _)| name == "second"), "{:?}", o.calls);
}

#[test]
fn a_manual_rollback_records_the_passed_check_as_a_warning() {
    let mut spec = Spec::canary("podinfo", 10, 50);
    spec.hooks = vec![hook("abort", HookType::Rollback)];
    let (mut m, mut o) = initialized(spec);
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    let actions = futures::executor::block_on(m.tick(&mut o));
    assert_eq!(m.status.phase, Failed);
    assert_eq!(
        events(&actions)[..3],
        [
            (EventType::Warning, "Rollback check abort passed".to_string()),
            (
                EventType::Warning,
                "Rolling back podinfo.test manual webhook invoked".to_string()
            ),
            (
                EventType::Warning,
                "Canary failed! Scaling down podinfo.test".to_string()
            ),
        ]
    );
}

#[test]
fn readiness_is_reported_on_every_tick_it_is_missing() {
    let mut m = Machine::new(Spec::canary("podinfo", 10, 50), "rev1");
    m.status.phase = Initializing;
    let mut o = Script::new();
    o.primary = Readiness::Wait;
    for _ in 0..2 {
        let actions = futures::executor::block_on(m.tick(&mut o));
        assert_eq!(
            messages(&actions),
            vec![
                "all the metrics providers are available!".to_string(),
                "podinfo-primary.test not ready: waiting for rollout to finish: observed deployment generation less than desired generation".to_string(),
            ]
        );
    }
    o.primary = Readiness::Ready;
    expect(&mut m, &mut o, (Initialized, 0, 0, 0));
    m.target_rev = "rev2".into();
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    o.canary = Readiness::Wait;
    for _ in 0..2 {
        let actions = futures::executor::block_on(m.tick(&mut o));
        assert_eq!(
            events(&actions),
            vec![(
                EventType::Warning,
                "canary deployment podinfo.test not ready: waiting for rollout to finish: observed deployment generation less than desired generation".to_string()
            )]
        );
    }
    o.canary = Readiness::Ready;
    o.primary = Readiness::Wait;
    let actions = futures::executor::block_on(m.tick(&mut o));
    assert_eq!(events(&actions).len(), 1, "{actions:?}");
}

#[test]
fn skip_analysis_copies_the_template_spec() {
    let mut spec = Spec::canary("podinfo", 10, 50);
    spec.skip = true;
    let (mut m, mut o) = initialized(spec);
    expect(&mut m, &mut o, (Progressing, 0, 0, 0));
    let actions = futures::executor::block_on(m.tick(&mut o));
    assert_eq!(
        messages(&actions),
        vec![
            "Copying podinfo.test template spec to podinfo-primary.test".to_string(),
            "Promotion completed! Canary analysis was skipped for podinfo.test".to_string(),
        ]
    );
}

#[test]
fn a_readiness_deadline_during_promotion_names_the_error() {
    let (mut m, mut o) = initialized(Spec::canary("podinfo", 50, 50));
    for w in [0, 50] {
        expect(&mut m, &mut o, (Progressing, w, 0, 0));
    }
    expect(&mut m, &mut o, (Promoting, 50, 0, 0));
    o.primary = Readiness::Dead;
    let actions = futures::executor::block_on(m.tick(&mut o));
    let texts = messages(&actions);
    assert!(
        texts[1].starts_with("Promotion of podinfo.test failed, primary not ready: podinfo-primary.test not ready: "),
        "{texts:?}"
    );
}
