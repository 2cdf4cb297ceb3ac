//! The fleet source: the member clusters every verb reads and acts on, and — under a Kurator
//! Fleet — the hub that owns their rollout policies. The difference between context mode and
//! Kurator hub mode is decided here, once; the engine asks the source where a change goes and
//! never branches on a flag of its own.

use kube::Client;

use super::connect::Fleet;

/// The Kurator hub of a `--fleet` invocation.
#[derive(Clone)]
pub struct Hub {
    pub client: Client,
    /// The hub's kubeconfig context (for messages).
    pub context: String,
    /// The Fleet's name and namespace on the hub.
    pub fleet: String,
    pub namespace: String,
}

/// Where a change is written.
#[derive(Clone, Copy)]
pub enum Destination<'a> {
    /// Straight into each member cluster.
    Members,
    /// Into the hub, for Kurator's fleet manager to carry to the members (a direct member write
    /// would be reverted by Kurator's next reconcile).
    Hub(&'a Hub),
}

/// The members, and the hub when they come from a Kurator Fleet.
#[derive(Clone)]
pub struct FleetSource {
    pub members: Fleet,
    hub: Option<Hub>,
}

impl FleetSource {
    pub fn contexts(members: Fleet) -> FleetSource {
        FleetSource { members, hub: None }
    }

    pub fn kurator(members: Fleet, hub: Hub) -> FleetSource {
        FleetSource {
            members,
            hub: Some(hub),
        }
    }

    /// The same source over some of its members (a wave, the canaries a key acts on).
    pub fn with_members(&self, members: Fleet) -> FleetSource {
        FleetSource {
            members,
            hub: self.hub.clone(),
        }
    }

    /// The hub, under `--fleet`.
    pub fn hub(&self) -> Option<&Hub> {
        self.hub.as_ref()
    }

    /// Where rollout policies go: each member's Flagger objects, or the hub Application that
    /// Kurator renders into them.
    pub fn policy_destination(&self) -> Destination<'_> {
        self.hub.as_ref().map_or(Destination::Members, Destination::Hub)
    }

    /// Where a spec switch goes. Under Kurator the Canary spec is Kurator's: the switch goes
    /// into the Application's rollout policy. Gates (promote, abort, retry) always go to the
    /// members' load testers: Kurator has no field for them.
    pub fn switch_destination(&self) -> Destination<'_> {
        self.policy_destination()
    }

    /// Who installs Flagger: our manifests in each member, or Kurator's Fleet plugin
    /// (`Fleet.spec.plugin.flagger`) from the hub.
    pub fn install_destination(&self) -> Destination<'_> {
        self.policy_destination()
    }

    /// Where `status` reads the rollout state: each member's Canaries, or the hub's
    /// Applications, whose status Kurator's fleet manager mirrors from every member's Canary
    /// (kurator: pkg/fleet-manager/application/rollout_helper.go, `reconcileRolloutSyncStatus`).
    pub fn status_origin(&self) -> Destination<'_> {
        self.policy_destination()
    }

    /// The namespace verbs use without `-n`: the first member's (its context's namespace, or
    /// `-n` already applied to every member at connect time).
    pub fn default_namespace(&self) -> String {
        self.members
            .clusters
            .first()
            .map(|c| c.target.namespace.clone())
            .unwrap_or_else(|| "default".into())
    }

    /// The kubeconfig context a member is reached through, for the rows that name both the
    /// cluster and the context: its own in context mode; none under a Kurator Fleet, whose
    /// members are reached through the hub's Secrets.
    pub fn member_context(&self, member: &super::Target) -> Option<String> {
        self.hub.is_none().then(|| member.context.clone())
    }

    /// The member context names, in target order.
    pub fn member_names(&self) -> Vec<String> {
        self.members.clusters.iter().map(|c| c.target.context.clone()).collect()
    }
}
