//! Reading the per-cluster facts rendering needs: the workload's Service and Namespace must
//! exist; the shared nginx Ingress may.

use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::Client;
use kube::api::Api;

use crate::config::Policy;
use crate::fleet::ClusterError;
use crate::render::ClusterFacts;

pub async fn read_facts(client: &Client, policy: &Policy, cluster_name: &str) -> Result<ClusterFacts, ClusterError> {
    let r = &policy.config;
    let ns = r.namespace();
    let kube_err = |e: kube::Error| ClusterError::from_kube(&e);
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let Some(namespace) = namespaces.get_opt(ns).await.map_err(kube_err)? else {
        return Err(ClusterError::Other(format!(
            "namespace {ns} not found (policy {}): create it and deploy {} there first",
            policy.name, r.workload.name
        )));
    };
    let services: Api<Service> = Api::namespaced(client.clone(), ns);
    let Some(service) = services.get_opt(&r.service_name).await.map_err(kube_err)? else {
        return Err(ClusterError::Other(format!(
            "Service {ns}/{} not found (policy {}): deploy the workload and its Service before the rollout",
            r.service_name, policy.name
        )));
    };
    let ingress = if r.traffic_routing_provider == "nginx" {
        let ingresses: Api<Ingress> = Api::namespaced(client.clone(), ns);
        ingresses
            .get_opt("nginx")
            .await
            .map_err(kube_err)?
            .and_then(|i| serde_json::to_value(i).ok())
    } else {
        None
    };
    Ok(ClusterFacts {
        cluster_name: cluster_name.to_string(),
        service: serde_json::to_value(service).ok(),
        namespace: serde_json::to_value(namespace).ok(),
        ingress,
    })
}
