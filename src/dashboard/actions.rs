//! The page's actions, through the verbs' own path (`engine::actions`): a plan first, shown
//! in the page and held here under an id; then, once the person gave the answer the CLI would
//! ask for (`y`, or the typed number of clusters when several or a `--protected` one change),
//! that very plan is carried out and its result rows go back to the page.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::invocation::ConfirmPolicy;
use crate::model::canary::CanaryId;
use crate::model::plan::{Plan, Verb};

/// How long a plan shown in the page may be confirmed: later, the fleet may have moved on
/// from what it describes, and the page must plan again.
const PLAN_LIFETIME: Duration = Duration::from_secs(600);

/// The verbs the page offers, by the names it sends.
pub fn verb_named(name: &str) -> Option<Verb> {
    match name {
        "promote" => Some(Verb::Promote),
        "promote-full" => Some(Verb::PromoteFull),
        "abort" => Some(Verb::Abort),
        "pause" => Some(Verb::Pause),
        "resume" => Some(Verb::Resume),
        "retry" => Some(Verb::Retry),
        _ => None,
    }
}

#[derive(Debug, Deserialize)]
pub struct PlanRequest {
    pub verb: String,
    /// The rows acted on; with `all`, every canary the dashboard shows instead.
    #[serde(default)]
    pub targets: Vec<Target>,
    #[serde(default)]
    pub all: bool,
}

#[derive(Debug, Deserialize, Serialize, Clone)]
pub struct Target {
    pub cluster: String,
    pub namespace: String,
    pub name: String,
}

impl Target {
    pub fn id(&self) -> CanaryId {
        CanaryId::new(&self.cluster, &self.namespace, &self.name)
    }
}

#[derive(Debug, Deserialize)]
pub struct ExecuteRequest {
    pub plan: u64,
    /// What the person typed: `y`, or the number of clusters.
    #[serde(default)]
    pub answer: String,
}

/// Why a plan cannot be carried out (the page shows it; nothing changed).
#[derive(Debug, PartialEq)]
pub enum Refused {
    /// No such plan: expired, already carried out, or answered wrongly before.
    Unknown,
    NotConfirmed {
        expected: String,
    },
}

impl Refused {
    pub fn message(&self) -> String {
        match self {
            Refused::Unknown => {
                "this plan is no longer held (expired, carried out, or answered wrongly): plan again; nothing changed"
                    .into()
            }
            Refused::NotConfirmed { expected } => format!("not confirmed (type {expected}): nothing changed"),
        }
    }
}

struct Held {
    plan: Plan,
    /// What must be typed; None when the plan changes nothing.
    expected: Option<String>,
    made: Instant,
}

/// The plans shown in pages and not yet confirmed.
#[derive(Default)]
pub struct Plans {
    next: u64,
    held: HashMap<u64, Held>,
}

impl Plans {
    /// Holds `plan` and says what the page shows of it: the rows, the question and what must
    /// be typed (`expected`, null when nothing would change).
    pub fn hold(&mut self, plan: Plan, policy: &ConfirmPolicy, now: Instant) -> Value {
        self.held.retain(|_, h| now.duration_since(h.made) < PLAN_LIFETIME);
        let expected = (plan.acting() > 0).then(|| policy.expected_answer(plan.affected.iter().map(String::as_str)));
        self.next += 1;
        let id = self.next;
        let shown = shown(&plan, id, expected.as_deref());
        self.held.insert(
            id,
            Held {
                plan,
                expected,
                made: now,
            },
        );
        shown
    }

    /// The plan, if `answer` confirms it; a plan is taken once, also when the answer was
    /// wrong (as at the terminal, a wrong answer cancels).
    pub fn take(&mut self, id: u64, answer: &str, now: Instant) -> Result<Plan, Refused> {
        let held = self
            .held
            .remove(&id)
            .filter(|h| now.duration_since(h.made) < PLAN_LIFETIME)
            .ok_or(Refused::Unknown)?;
        match &held.expected {
            Some(expected) if answer.trim() != expected => Err(Refused::NotConfirmed {
                expected: expected.clone(),
            }),
            _ => Ok(held.plan),
        }
    }
}

/// The plan as the page shows it, the rows as `plan_table` has them.
fn shown(plan: &Plan, id: u64, expected: Option<&str>) -> Value {
    let rows: Vec<Value> = plan
        .rows
        .iter()
        .map(|r| {
            json!({
                "cluster": r.target.cluster, "canary": r.target.to_string(), "phase": r.phase,
                "action": r.step.describe(), "acts": r.step.acts(), "warning": r.warning,
            })
        })
        .collect();
    json!({
        "plan": id, "verb": plan.verb.name(), "question": plan.question(), "rows": rows,
        "affected": plan.affected, "expected": expected, "unmatched": plan.unmatched,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::{PlanRow, Step};

    fn plan(clusters: &[&str]) -> Plan {
        let rows: Vec<PlanRow> = clusters
            .iter()
            .map(|c| PlanRow {
                target: CanaryId::new(c, "test", "podinfo"),
                phase: "WaitingPromotion".into(),
                step: Step::OpenGate {
                    hook: "http://lt/gate".into(),
                },
                warning: None,
            })
            .collect();
        Plan {
            verb: Verb::Promote,
            affected: clusters.iter().map(|c| c.to_string()).collect(),
            rows,
            unmatched: None,
        }
    }

    #[test]
    fn the_answer_the_cli_would_ask_for() {
        let policy = ConfirmPolicy::new(false, "*prod*").unwrap();
        let now = Instant::now();
        let mut plans = Plans::default();
        let one = plans.hold(plan(&["staging"]), &policy, now);
        assert_eq!(
            (one["expected"].clone(), one["rows"][0]["action"].clone()),
            (json!("y"), json!("open gate"))
        );
        let prod = plans.hold(plan(&["eu-prod"]), &policy, now);
        assert_eq!(prod["expected"], "1", "a protected context needs the typed count");
        let many = plans.hold(plan(&["a", "b", "c"]), &policy, now);
        assert_eq!(many["expected"], "3");
        assert_eq!(many["question"], "promote 3 canaries in 3 clusters?");

        let id = |v: &Value| v["plan"].as_u64().unwrap();
        assert_eq!(
            plans.take(id(&many), "2", now).unwrap_err(),
            Refused::NotConfirmed { expected: "3".into() }
        );
        // A wrong answer cancels: the plan is gone.
        assert_eq!(plans.take(id(&many), "3", now).unwrap_err(), Refused::Unknown);
        assert_eq!(plans.take(id(&prod), " 1 ", now).unwrap().affected, vec!["eu-prod"]);
        assert_eq!(
            plans.take(id(&prod), "1", now).unwrap_err(),
            Refused::Unknown,
            "carried out once"
        );
        // An old plan describes a fleet that has moved on.
        assert_eq!(
            plans.take(id(&one), "y", now + PLAN_LIFETIME).unwrap_err(),
            Refused::Unknown
        );
    }

    #[test]
    fn a_plan_that_changes_nothing_asks_nothing() {
        let mut nothing = plan(&["a"]);
        nothing.rows[0].step = Step::Nothing {
            reason: "already promoted".into(),
        };
        nothing.affected.clear();
        let mut plans = Plans::default();
        let shown = plans.hold(nothing, &ConfirmPolicy::new(false, "*").unwrap(), Instant::now());
        assert_eq!(shown["expected"], Value::Null);
        assert!(plans.take(shown["plan"].as_u64().unwrap(), "", Instant::now()).is_ok());
    }

    #[test]
    fn only_the_pages_verbs() {
        assert_eq!(verb_named("promote-full"), Some(Verb::PromoteFull));
        assert_eq!(verb_named("promote --wait"), None);
        assert_eq!(verb_named("delete"), None);
    }
}
